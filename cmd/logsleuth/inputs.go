package main

import (
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/signature"
	"github.com/logsleuth/logsleuth/analyzer/timeline"
	"github.com/logsleuth/logsleuth/analyzer/timespec"
)

// InputFlags are the input options shared by the commands that read logs
// (timeline, explain, test cases): paths, time range, zone and year.
type InputFlags struct {
	// Paths are the inputs; ["-"] when reading stdin.
	Paths []string
	// Raw flag values, kept for messages.
	Since, Until, TZ string
	Year             int
	// Parsed: Location is nil without --tz; SinceT and UntilT are zero
	// when unbounded.
	Location       *time.Location
	SinceT, UntilT time.Time
	// Native journals: this machine's, directories, files.
	Journal      bool
	JournalDirs  []string
	JournalFiles []string
	// JournalFields are extra journal fields to read (--journal-field).
	JournalFields []string
	// Fleet reads a log store instead (fleet.go).
	Fleet FleetFlags
	// Lookback caps how far before --since the inputs are read for
	// correlation windows that began before it (--lookback).
	Lookback time.Duration
	// wholeLookback parses every line of the lookback, where its lines
	// are shown (--context) or the tests compare with skimming.
	wholeLookback bool
}

// defaultLookback is --lookback's default: a day before --since is read
// at most, whatever the signatures' windows (a built-in's maxspan of
// 30d would otherwise make --since read a month).
const defaultLookback = 24 * time.Hour

func (f *InputFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.Since, "since", "", "only what happened at or after this `time` (journalctl syntax: \"2025-11-11 06:00\", -2h, yesterday)")
	fs.StringVar(&f.Until, "until", "", "only what happened at or before this `time`")
	fs.StringVar(&f.TZ, "tz", "", "`zone` of times without one, and of the output (IANA name or UTC)")
	fs.IntVar(&f.Year, "year", 0, "`year` of the first year-less syslog line (default: inferred)")
	fs.BoolVar(&f.Journal, "journal", false, "read this machine's journal")
	fs.StringArrayVar(&f.JournalDirs, "journal-dir", nil, "read the journal files below `dir` (repeatable)")
	fs.StringArrayVar(&f.JournalFiles, "journal-file", nil, "read the journal `file` (repeatable)")
	fs.StringArrayVar(&f.JournalFields, "journal-field", nil, "also read journal field `NAME` into the events' fields (native reader; repeatable)")
	fs.DurationVar(&f.Lookback, "lookback", defaultLookback, "read at most this `span` before --since, for correlation windows that began before it (the signatures' longest window, capped by this)")
	f.Fleet.register(fs)
}

// validate checks the flags against args; with no args, stdin is read
// when it is not a terminal.
func (f *InputFlags) validate(cmdPath string, args []string, ios *IOStreams, now time.Time) error {
	fleet, err := f.validateFleet(cmdPath, args, now)
	if err != nil {
		return err
	}
	switch {
	case fleet:
	case len(args) > 0:
		f.Paths = args
	case f.Journal || len(f.JournalDirs) > 0 || len(f.JournalFiles) > 0:
		// Journals only: stdin is read only when named as "-".
	case ios.IsStdinTTY():
		example := cmdPath
		if !strings.HasPrefix(example, "logsleuth") {
			example = "logsleuth " + example
		}
		return flagErrorf(cmdPath, "no input: name log files or directories, or pipe logs on stdin (e.g. zcat syslog.2.gz | %s)", example)
	default:
		f.Paths = []string{"-"}
	}
	if f.Lookback < 0 {
		return flagErrorf(cmdPath, "invalid --lookback %v: want a span of 0 or more", f.Lookback)
	}
	if f.Year != 0 && (f.Year < 1970 || f.Year > 2100) {
		return flagErrorf(cmdPath, "invalid --year %d: want 1970..2100", f.Year)
	}
	if f.TZ != "" {
		loc, err := time.LoadLocation(f.TZ)
		if err != nil || f.TZ == "Local" {
			return flagErrorf(cmdPath, "invalid --tz %q: want an IANA zone name such as Asia/Seoul or America/New_York, or UTC", f.TZ)
		}
		f.Location = loc
	}
	if f.Since != "" {
		if f.SinceT, err = timespec.Parse(f.Since, now, f.display()); err != nil {
			return flagErrorf(cmdPath, "--since: %v", err)
		}
	}
	if f.Until != "" {
		if f.UntilT, err = timespec.Parse(f.Until, now, f.display()); err != nil {
			return flagErrorf(cmdPath, "--until: %v", err)
		}
	}
	if !f.SinceT.IsZero() && !f.UntilT.IsZero() && f.SinceT.After(f.UntilT) {
		return flagErrorf(cmdPath, "--since %q is after --until %q", f.Since, f.Until)
	}
	if fleet {
		f.fleetRangeDefaults(now)
	}
	return nil
}

// display is the zone times are shown and --since/--until read in.
func (f *InputFlags) display() *time.Location {
	if f.Location != nil {
		return f.Location
	}
	return time.Local
}

// lookback is what is read before --since for sigs: their longest
// correlation window, capped by --lookback.
func (f *InputFlags) lookback(sigs []*signature.Signature) timeline.Lookback {
	longest := correlationSpan(sigs)
	return timeline.Lookback{Span: min(longest, f.Lookback), Longest: longest, Cap: f.Lookback}
}

// ingestOptions builds what ingest needs; margin widens the time range so
// correlation windows that start before --since can still complete.
func (f *InputFlags) ingestOptions(ios *IOStreams, ws *event.Warnings, margin time.Duration) ingest.Options {
	o := ingest.Options{Paths: f.Paths, Stdin: ios.In, Location: f.Location, Year: f.Year, Warnings: ws,
		Journal: f.Journal, JournalDirs: f.JournalDirs, JournalFiles: f.JournalFiles, JournalFields: f.JournalFields}
	if !f.SinceT.IsZero() {
		o.Since = f.SinceT.Add(-margin)
	}
	if !f.UntilT.IsZero() {
		o.Until = f.UntilT.Add(margin)
	}
	return o
}

// warningsTo streams warnings to stderr as they happen.
func warningsTo(ios *IOStreams) *event.Warnings {
	return &event.Warnings{OnWarn: func(w event.Warning) {
		ios.ErrOut.Write([]byte("logsleuth: warning: " + safeText(w.String()) + "\n"))
	}}
}
