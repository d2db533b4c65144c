package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/filter"
	"github.com/logsleuth/logsleuth/analyzer/timeline"
)

// ExplainOptions are the inputs of `logsleuth explain`.
type ExplainOptions struct {
	IO      *IOStreams
	ID      string
	In      InputFlags
	Filters FilterFlags
	Sigs    SignatureFlags
	ctx     context.Context
}

// NewCmdExplain builds `logsleuth explain ID [INPUTS...]`.
func NewCmdExplain(ios *IOStreams) *cobra.Command {
	opts := &ExplainOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "explain ID [PATHS... | -]",
		Short: "Show how one signature fared on the inputs: findings and near misses",
		Long: `Run one signature over the inputs and print what it found and, for every
group (host, unit...) where it got part of the way, how far it got and why
the next step failed: "step 3 ` + "`absent up`" + ` refuted by ... at syslog:412, 40s
after ` + "`down`" + `". Use it to see why a signature did or did not fire.

-u, -t, -p, -g, --host and -b, as in timeline, choose the findings and
near misses shown (those with an evidence line that passes), not what
the signature reads.

Read from a store (--victorialogs), each evidence line is followed by
"re-fetch:", a curl command that prints its row from the store again.`,
		Example: `  logsleuth explain unattended-upgrade /var/log/syslog*
  zcat syslog.2.gz | logsleuth explain unattended-upgrade --year 2021 -`,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeExplainArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			opts.ctx = cmd.Context()
			opts.Sigs.Only = []string{opts.ID}
			if err := opts.In.validate(cmd.CommandPath(), args[1:], ios, time.Now()); err != nil {
				return err
			}
			if err := opts.Filters.validate(cmd.CommandPath(), cmd.Flags(), &opts.In); err != nil {
				return err
			}
			return runExplain(opts, cmd.CommandPath())
		},
	}
	opts.In.register(cmd.Flags())
	opts.Filters.register(cmd.Flags())
	registerFilterCompletions(cmd)
	cmd.Flags().StringArrayVar(&opts.Sigs.Dirs, "patterns", nil, "add the signatures in `DIR` to the built-in set (repeatable)")
	return cmd
}

func runExplain(opts *ExplainOptions, cmdPath string) error {
	sigs, err := opts.Sigs.load(cmdPath)
	if err != nil {
		return err
	}
	ctx := opts.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if err := opts.Filters.resolveBoots(ctx, opts.IO, &opts.In, cmdPath); err != nil {
		return err
	}
	a, err := analyze(ctx, opts.IO, &opts.In, sigs, warningsTo(opts.IO), engine.Options{}, nil)
	if err != nil {
		return err
	}
	if f := opts.Filters.active(); f != nil {
		a.Findings = slices.DeleteFunc(a.Findings, func(x *engine.Finding) bool { return !evidenceShown(x.Evidence, f) })
		a.NearMisses = slices.DeleteFunc(a.NearMisses, func(n *engine.NearMiss) bool { return !evidenceShown(n.Evidence, f) })
	}
	opts.IO.StartPager()
	w := bufio.NewWriter(opts.IO.Out)
	s := sigs[0]
	fmt.Fprintf(w, "%s: %s (%s, %s)\n", safeText(s.ID), safeText(s.Title), s.Severity, s.Match.Kind)
	if sel := opts.Filters.describe(); sel != "" {
		fmt.Fprintf(w, "selected: %s (findings and near misses with an evidence line that passes)\n", safeText(sel))
	}
	loc := opts.In.display()
	// Lines read from a store each get the command that fetches them
	// again, as in the timeline.
	var refetch func(engine.Evidence) string
	if opts.In.Fleet.VictoriaLogs != "" {
		vl := opts.In.Fleet.store()
		refetch = func(e engine.Evidence) string {
			if e.Event == nil {
				return ""
			}
			return vl.RefetchCommand(e.Event, e.Cut > 0)
		}
	}
	if len(a.Findings) == 0 {
		fmt.Fprintln(w, "\nno findings")
	}
	for i, f := range a.Findings {
		fmt.Fprintf(w, "\nfinding %d: %s", i+1, f.Outcome)
		if f.Reason != "" {
			fmt.Fprintf(w, " (%s)", f.Reason)
		}
		fmt.Fprintf(w, "\n  %s\n", safeText(f.Summary))
		writeEvidence(w, f.Evidence, loc, refetch)
	}
	if len(a.NearMisses) == 0 {
		fmt.Fprintln(w, "\nno near misses")
	}
	for _, n := range a.NearMisses {
		group := n.Group
		if group == "" {
			group = "(all)"
		}
		fmt.Fprintf(w, "\nnear miss in %s: %d step(s) matched\n  %s\n", safeText(group), n.Steps, safeText(n.Reason))
		writeEvidence(w, n.Evidence, loc, refetch)
	}
	return w.Flush()
}

// evidenceShown reports whether one of the evidence lines passes f.
func evidenceShown(ev []engine.Evidence, f *filter.Filter) bool {
	for _, e := range ev {
		if e.Event != nil && f.Match(e.Event) {
			return true
		}
	}
	return false
}

// writeEvidence prints the evidence lines of a finding or near miss,
// each followed by the command refetch gives for it, when not nil.
func writeEvidence(w io.Writer, ev []engine.Evidence, loc *time.Location, refetch func(engine.Evidence) string) {
	for _, e := range ev {
		x := e.Event
		fmt.Fprintf(w, "  %-10s %s\n             %s\n", safeText(e.Step), safeText(x.Source.String()), appendText(nil, x, loc))
		if refetch != nil {
			if cmd := refetch(e); cmd != "" {
				fmt.Fprintf(w, "             re-fetch: %s\n", safeText(cmd))
			}
		}
	}
}

// safeText neutralizes control characters in log-derived text, and in
// names and signature text a stranger may have written: one line.
func safeText(s string) string { return timeline.Safe(s) }

// safeLines is safeText keeping newlines: for multi-line messages.
func safeLines(s string) string { return string(timeline.AppendSafe(nil, s, "\n")) }
