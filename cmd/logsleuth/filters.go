package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/filter"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/timeline"
)

// FilterFlags are journalctl's selections (README "journalctl users"):
// -u, -t, -p, -g, --host and -b. In `events` they choose the events
// printed. In timeline and explain the engine still reads every event
// (a unit's stop needs the apt run that caused it); they choose the
// findings shown, those with an evidence line that passes, whole, and
// the unexplained error lines.
type FilterFlags struct {
	Units, Identifiers, Hosts []string
	Priority, Grep            string
	CaseSensitive             bool
	// Boot is -b's value ("" for the last boot); BootSet says -b was given.
	Boot    string
	BootSet bool

	caseSet bool
	filter  *filter.Filter
}

// bootNoValue is -b's value when none follows it: the last boot.
const bootNoValue = "0"

func (f *FilterFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVarP(&f.Units, "unit", "u", nil, "only this systemd `UNIT` (glob; \"docker\" is docker.service): its lines, systemd's lines about it, its daemon's in text (repeatable)")
	fs.StringArrayVarP(&f.Identifiers, "identifier", "t", nil, "only this syslog `IDENTIFIER` (program, exact; repeatable)")
	fs.StringArrayVar(&f.Hosts, "host", nil, "only this `HOST` (glob; repeatable; with --victorialogs, names without a glob are fetched alone)")
	fs.StringVarP(&f.Priority, "priority", "p", "", "only this `PRIORITY` and more severe (err, 3), or a range (warning..err)")
	fs.StringVarP(&f.Grep, "grep", "g", "", "only messages matching this RE2 `PATTERN` (case-insensitive unless it has an upper-case letter)")
	fs.BoolVar(&f.CaseSensitive, "case-sensitive", false, "make --grep case-sensitive (=false: insensitive)")
	fs.StringVarP(&f.Boot, "boot", "b", "", "only this boot: `[ID|±N]`, 0 or none the last, -1 the one before, 1 the first (reads the inputs twice)")
	fs.Lookup("boot").NoOptDefVal = bootNoValue
}

// priorityNames complete -p: journalctl's level names.
var priorityNames = []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// registerFilterCompletions completes -p with the level names; -u, -t,
// --host and -b take names from the logs, which a shell completion
// cannot read cheaply.
func registerFilterCompletions(cmd *cobra.Command) {
	cmd.RegisterFlagCompletionFunc("priority", cobra.FixedCompletions(priorityNames, cobra.ShellCompDirectiveNoFileComp))
}

// validate compiles the selections, and gives --victorialogs the hosts
// it can fetch alone. -b is resolved later (resolveBoots), over the
// inputs.
func (f *FilterFlags) validate(cmdPath string, flags *pflag.FlagSet, in *InputFlags) error {
	f.BootSet = flags.Changed("boot")
	f.caseSet = flags.Changed("case-sensitive")
	o := filter.Options{Units: f.Units, Identifiers: f.Identifiers, Hosts: f.Hosts, Priority: f.Priority, Grep: f.Grep,
		IsError: timeline.IsError}
	if f.caseSet {
		o.CaseSensitive = &f.CaseSensitive
	}
	filt, err := filter.New(o)
	if err != nil {
		return flagErrorf(cmdPath, "%v", err)
	}
	f.filter = filt
	if in.Fleet.VictoriaLogs != "" {
		if f.BootSet {
			return flagErrorf(cmdPath, "--boot: a store's rows carry no boots; use --since/--until")
		}
		if !filter.HasGlob(f.Hosts) {
			in.Fleet.Hosts = f.Hosts
		}
	}
	if f.BootSet && slices.Contains(in.Paths, "-") {
		return flagErrorf(cmdPath, "--boot reads the inputs twice (to number the boots), and stdin cannot be read twice: save it to a file first")
	}
	return nil
}

// active returns the filter when it selects anything, else nil (which
// passes every event at the cost of a nil test).
func (f *FilterFlags) active() *filter.Filter {
	if f.filter.Active() {
		return f.filter
	}
	return nil
}

// describe names the selections as a shell would take them back
// ("-u docker -p err -b -1"), for the report's header; "" for none.
func (f *FilterFlags) describe() string {
	var parts []string
	add := func(flag string, values ...string) {
		for _, v := range values {
			parts = append(parts, flag+" "+shellQuote(v))
		}
	}
	add("-u", f.Units...)
	add("-t", f.Identifiers...)
	if f.Priority != "" {
		add("-p", f.Priority)
	}
	if f.Grep != "" {
		add("-g", f.Grep)
		if f.caseSet {
			parts = append(parts, "--case-sensitive="+strconv.FormatBool(f.CaseSensitive))
		}
	}
	add("--host", f.Hosts...)
	if f.BootSet {
		add("-b", f.Boot)
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// bootTracker reads the inputs once, whole (no --since/--until: boot
// offsets count every boot, as journalctl's do), and returns the boots
// found. Warnings of this pass are dropped: the real pass repeats them.
func bootTracker(ctx context.Context, ios *IOStreams, in *InputFlags) (*filter.BootTracker, error) {
	opts := in.ingestOptions(ios, &event.Warnings{}, 0)
	opts.Since, opts.Until = time.Time{}, time.Time{}
	stream, err := ingest.Open(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("open inputs: %w", err)
	}
	defer stream.Close()
	t := filter.NewBootTracker()
	for stream.Next() {
		t.Observe(stream.Event())
	}
	if err := stream.Err(); err != nil {
		return nil, fmt.Errorf("read inputs: %w", err)
	}
	return t, nil
}

// resolveBoots turns -b into the filter's time spans, reading the
// inputs once for the boots; nothing without -b.
func (f *FilterFlags) resolveBoots(ctx context.Context, ios *IOStreams, in *InputFlags, cmdPath string) error {
	if !f.BootSet {
		return nil
	}
	t, err := bootTracker(ctx, ios, in)
	if err != nil {
		return err
	}
	spans, err := t.Select(f.Boot)
	if err != nil {
		return flagErrorf(cmdPath, "%v", err)
	}
	f.filter.SetBoots(spans)
	return nil
}

// bootValue matches what may follow a bare -b/--boot as its value: an
// offset or a boot id (journalctl's -b takes the next word when it is
// one).
var bootValue = regexp.MustCompile(`^(?:[+-]?[0-9]+|[0-9a-fA-F]{32})$`)

// joinBootValues rewrites "-b -1" and "-b-1" into "--boot=-1" so that
// the flag parser, for which -b's value is optional, takes the value;
// a following word that is no offset or id is left an argument. Nothing
// after "--" is touched.
func joinBootValues(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if v, ok := strings.CutPrefix(a, "-b"); ok && v != "" && !strings.HasPrefix(v, "=") && bootValue.MatchString(v) {
			out = append(out, "--boot="+v)
			continue
		}
		if (a == "-b" || a == "--boot") && i+1 < len(args) && bootValue.MatchString(args[i+1]) {
			out = append(out, "--boot="+args[i+1])
			i++
			continue
		}
		out = append(out, a)
	}
	return out
}
