package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
	"github.com/spf13/cobra"
	"mvdan.cc/sh/v3/shell"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// Formats of `watch`.
const (
	watchText  = "text"
	watchJSONL = "jsonl"
)

// WatchOptions are the validated inputs of `logsleuth watch`.
type WatchOptions struct {
	IO    *IOStreams
	Paths []string
	// Journals, as for timeline.
	Journal       bool
	JournalDirs   []string
	JournalFiles  []string
	JournalFields []string
	TZ            string
	Location      *time.Location
	Sigs          SignatureFlags
	Format        string
	// Exec is the command run per alert, as given, and ExecArgv its
	// words.
	Exec        string
	ExecArgv    []string
	ExecTimeout time.Duration
	// State is the file the position and open matches are kept in.
	State     string
	FromStart bool
	Poll      time.Duration
	ctx       context.Context
	// now is the wall clock; tests may stand in another.
	now func() time.Time
}

// NewCmdWatch builds `logsleuth watch`. RunE only validates; it then
// calls runF, or runWatch when runF is nil.
func NewCmdWatch(ios *IOStreams, runF func(*WatchOptions) error) *cobra.Command {
	opts := &WatchOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "watch [--journal | --journal-dir DIR | --journal-file FILE | PATHS...]",
		Short: "Follow logs live and alert when a signature fires",
		Long: `Follow log files (like tail -F: across rotation, files that appear later;
a directory's live logs) and journals (like journalctl -f), match every
signature as timeline does, and print one line per alert.

An absence ("docker not started again within 30m") is decided by the
wall clock when the logs fall silent: the alert comes when the window
ends, not when the next line is logged. A partial match is no alert; a
finding is, once. A finding that a signature sent earlier explains is an
update of that alert's incident (update_of), and a cause that explains
alerts sent before it names them (explains).

--format jsonl prints each alert as the timeline JSON's finding object.
--exec runs a command per alert, without a shell: the alert's JSON on
its stdin, LOGSLEUTH_ID, LOGSLEUTH_SIGNATURE, LOGSLEUTH_SEVERITY,
LOGSLEUTH_OUTCOME, LOGSLEUTH_HOST, LOGSLEUTH_SUMMARY and LOGSLEUTH_UPDATE_OF
in its environment. --state keeps the position in every source and the
open matches: a restart neither repeats an alert nor loses an open
window.

Runs until interrupted (Ctrl-C, SIGTERM), then exits 0.`,
		Example: `  logsleuth watch /var/log/syslog
  logsleuth watch --journal --state /var/lib/logsleuth/watch.state
  logsleuth watch --format jsonl --exec 'notify-ops --channel alerts' /var/log/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx = cmd.Context()
			path := cmd.CommandPath()
			opts.Paths = args
			if len(args) == 0 && !opts.Journal && len(opts.JournalDirs) == 0 && len(opts.JournalFiles) == 0 {
				return flagErrorf(path, "nothing to watch: name log files or directories, or --journal, --journal-dir, --journal-file")
			}
			for _, p := range args {
				if p == "-" {
					return flagErrorf(path, "watch follows files and journals, not stdin")
				}
			}
			if opts.TZ != "" {
				loc, err := time.LoadLocation(opts.TZ)
				if err != nil || opts.TZ == "Local" {
					return flagErrorf(path, "invalid --tz %q: want an IANA zone name such as Asia/Seoul, or UTC", opts.TZ)
				}
				opts.Location = loc
			}
			if opts.Exec != "" {
				argv, err := shell.Fields(opts.Exec, nil)
				if err != nil || len(argv) == 0 {
					return flagErrorf(path, "invalid --exec %q: want a command and its arguments (quoted as in a shell; no pipes, substitutions or redirections)", opts.Exec)
				}
				opts.ExecArgv = argv
			}
			if opts.ExecTimeout <= 0 {
				return flagErrorf(path, "invalid --exec-timeout %s: want a positive duration", opts.ExecTimeout)
			}
			if opts.Poll < 10*time.Millisecond || opts.Poll > time.Minute {
				return flagErrorf(path, "invalid --poll %s: want 10ms..1m", opts.Poll)
			}
			if opts.State != "" {
				if err := checkOutput(path, "--state", opts.State, &InputFlags{Paths: args, JournalFiles: opts.JournalFiles}, ios); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return runWatch(opts, path)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&opts.Journal, "journal", false, "follow this machine's journal")
	fs.StringArrayVar(&opts.JournalDirs, "journal-dir", nil, "follow the journal files below `dir` (repeatable)")
	fs.StringArrayVar(&opts.JournalFiles, "journal-file", nil, "follow the journal `file` (repeatable)")
	fs.StringArrayVar(&opts.JournalFields, "journal-field", nil, "also read journal field `NAME` into the events' fields (repeatable)")
	fs.StringVar(&opts.TZ, "tz", "", "`zone` of times without one, and of the output (IANA name or UTC)")
	opts.Sigs.register(cmd)
	stringEnumFlag(fs, &opts.Format, "format", "", watchText, []string{watchText, watchJSONL}, "output format")
	fs.StringVar(&opts.Exec, "exec", "", "run `CMD` for each alert (no shell): the alert's JSON on stdin, LOGSLEUTH_* variables")
	fs.DurationVar(&opts.ExecTimeout, "exec-timeout", 30*time.Second, "kill an --exec command still running after this `duration`")
	fs.StringVar(&opts.State, "state", "", "keep the position and open matches in `FILE` (written atomically), to go on from there after a restart")
	fs.BoolVar(&opts.FromStart, "from-start", false, "read what the files and journals hold already (default: only what is written from now on)")
	fs.DurationVar(&opts.Poll, "poll", time.Second, "how often idle files are looked at, and the wall clock checked")
	return cmd
}

// selfProgram is the program of watch's own lines in the journal (as a
// service, its stdout goes there): they quote evidence lines, which
// must not match again.
const selfProgram = "logsleuth"

// drainEvery is how many events pass between looks for new findings
// while the sources are busy (they are looked for at once when idle).
const drainEvery = 256

func runWatch(opts *WatchOptions, cmdPath string) error {
	sigs, err := opts.Sigs.load(cmdPath)
	if err != nil {
		return err
	}
	ctx := opts.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	now := opts.now
	if now == nil {
		now = time.Now
	}
	ios := opts.IO
	ws := warningsTo(ios)
	display := opts.Location
	if display == nil {
		display = time.Local
	}
	addUnitDescriptions(sigs)
	eng := engine.New(sigs, engine.Options{Warnings: ws, Location: display})
	st, err := loadWatchState(opts.State, ws)
	if err != nil {
		return err
	}
	eng.RestoreLive(st.Engine)
	al := newAlerter(opts, sigs, display, st.Alerts, ws)
	fopts := ingest.FollowOptions{Paths: opts.Paths, Journal: opts.Journal, JournalDirs: opts.JournalDirs,
		JournalFiles: opts.JournalFiles, JournalFields: append(opts.JournalFields, signature.FieldRefs(sigs)...),
		Location: opts.Location, Warnings: ws, FromStart: opts.FromStart, Resume: st.Position, Poll: opts.Poll,
		Screen: func() ingest.Screen { return eng.NewScreen() }}
	fl, err := ingest.Follow(ctx, fopts)
	if err != nil {
		return fmt.Errorf("follow: %w", err)
	}
	defer fl.Close()
	daemon.SdNotify(false, daemon.SdNotifyReady)
	defer daemon.SdNotify(false, daemon.SdNotifyStopping)

	// saved is the state at the last moment every source was read to its
	// end, the only moment position and open matches agree; the alerts
	// sent since are saved with it, so that a restart reads the events
	// after it again without alerting on them twice.
	// (The first time, it is written whatever changed: the run has
	// caught up.)
	saved := st
	n, savedAt := 0, -1
	for {
		ev, err := fl.Next(opts.Poll)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return al.save(saved) // interrupted: a clean end
			}
			return err
		}
		if ev == nil {
			eng.AdvanceClock(now())
			if err := al.send(ctx, eng.Drain()); err != nil {
				return err
			}
			if n != savedAt {
				saved = &watchState{Position: fl.Position(), Engine: eng.SaveLive()}
				savedAt, al.dirty = n, true
			}
			if err := al.save(saved); err != nil {
				return err
			}
			continue
		}
		if ev.Program == selfProgram {
			continue // its own alerts, read back from the journal
		}
		eng.Process(ev)
		if n++; n%drainEvery == 0 {
			if err := al.send(ctx, eng.Drain()); err != nil {
				return err
			}
			if err := al.save(saved); err != nil {
				return err
			}
		}
	}
}

// warnf is a warning of watch itself (no file or line).
func warnf(ws *event.Warnings, format string, args ...any) { ws.Addf("", 0, format, args...) }
