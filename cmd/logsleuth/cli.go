package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/logsleuth/logsleuth/analyzer/ingest"
)

// Exit statuses (contract, DESIGN §6).
const (
	exitOK       = 0
	exitFailOn   = 1 // --fail-on reached, a failing test case, lint problems
	exitError    = 2 // usage error, or nothing at all could be read
	exitCanceled = 130
)

// exitGrace is how long an interrupted run may take to end on its own.
const exitGrace = 2 * time.Second

// version is set at link time: -ldflags "-X main.version=v1.2.3".
var version = ""

// Main runs logsleuth with the process's arguments and streams and returns
// its exit status.
func Main() int {
	// Ignoring SIGPIPE turns a write to a closed pipe into an EPIPE error,
	// which run treats as a normal end (`logsleuth events | head`).
	signal.Ignore(syscall.SIGPIPE)
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var finished atomic.Bool
	defer finished.Store(true) // (before stop, which cancels ctx too)
	context.AfterFunc(ctx, func() {
		if finished.Load() {
			return
		}
		// Interrupted. Every loop that can run long checks ctx, but a
		// blocking system call cannot (an open() of a FIFO named by
		// --patterns, a Read of a silent stdin): if the run has not
		// ended within exitGrace, end the process; a second signal
		// ends it at once.
		stop()
		time.AfterFunc(exitGrace, func() {
			fmt.Fprintln(os.Stderr, "logsleuth: interrupted")
			os.Exit(exitCanceled)
		})
	})
	if path := os.Getenv("LOGSLEUTH_CPUPROFILE"); path != "" {
		stopProfile, err := startCPUProfile(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "logsleuth: %v\n", err)
			return exitError
		}
		defer stopProfile()
	}
	if path := os.Getenv("LOGSLEUTH_MEMPROFILE"); path != "" {
		// Every allocation is sampled: the profile says who allocates
		// what (pprof -sample_index=alloc_space), at some cost in speed.
		runtime.MemProfileRate = 1
		defer writeMemProfile(path)
	}
	return run(ctx, System(), os.Args[1:])
}

// writeMemProfile writes the allocations of the run to path, for
// developers (pprof -sample_index=alloc_space finds who allocates).
func writeMemProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "logsleuth: LOGSLEUTH_MEMPROFILE: %v\n", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		fmt.Fprintf(os.Stderr, "logsleuth: LOGSLEUTH_MEMPROFILE: %v\n", err)
	}
}

// startCPUProfile writes a CPU profile of the run to path, for
// developers: `make pgo` makes the compiler's profile (default.pgo) so.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("LOGSLEUTH_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("LOGSLEUTH_CPUPROFILE: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// gcPercent is the collector's target when GOGC is not set. Reading
// logs makes short-lived garbage (one message string per line) fast
// while the live heap stays small, so the default of 100 collects many
// times a second: at 400 the 1 GiB benchmark spends 15% less CPU and its
// peak RSS grows from about 65 to 135 MiB.
const gcPercent = 400

// memoryLimit and limitRatio bound the heap that gcPercent lets grow to
// five times the live heap: the Go runtime's memory is kept under
// memoryLimit (a soft limit, debug.SetMemoryLimit) while the live heap
// is below memoryLimit/limitRatio, and under limitRatio times the live
// heap above that. A dense log's findings (20 to 30 MiB live at the
// end) stay under 100 MiB of RSS with the mapped file's pages in use,
// while a run that must hold more never collects more often than Go's
// default GOGC=100 would (README "Speed").
const (
	memoryLimit = 72 << 20
	limitRatio  = 2
)

// tuneGC sets gcPercent and the memory limit unless the user chose GOGC
// or GOMEMLIMIT (GOGC=off is then off). It returns what stops the limit
// following the live heap, for tests.
func tuneGC() (stop func()) {
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	if gogc || limit {
		return func() {}
	}
	debug.SetGCPercent(gcPercent)
	return followLiveHeap(memoryLimit, limitRatio)
}

// followLiveHeap sets the memory limit to base, then after each
// collection to the larger of base and ratio times the live heap it
// found. It returns what stops it.
func followLiveHeap(base, ratio int64) (stop func()) {
	var stopped atomic.Bool
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		// The cleanup of an object nothing points to runs after the
		// collection that found it (on the runtime's cleanup goroutine,
		// one at a time): once per cycle, since each one arms the next.
		runtime.AddCleanup(new(gcCycle), func(struct{}) {
			if stopped.Load() {
				return
			}
			metrics.Read(live)
			if live[0].Value.Kind() == metrics.KindUint64 {
				debug.SetMemoryLimit(max(base, ratio*int64(live[0].Value.Uint64())))
			}
			arm()
		}, struct{}{})
	}
	debug.SetMemoryLimit(base)
	arm()
	return func() { stopped.Store(true) }
}

// gcCycle is the object whose cleanup marks a collection; a pointer
// keeps it out of the tiny allocator, whose blocks are freed together.
type gcCycle struct{ _ *byte }

// run executes one command line and returns its exit status.
func run(ctx context.Context, ios *IOStreams, args []string) int {
	root := NewCmdRoot(ios)
	root.SetArgs(joinBootValues(args))
	_, err := root.ExecuteContextC(ctx)
	// Messages come after the pager has quit, not under it.
	ios.StopPager()
	return exitStatus(ios, err)
}

// exitStatus prints err, if it needs printing, and returns the exit status
// for it. This is the only place that decides exit statuses.
func exitStatus(ios *IOStreams, err error) int {
	if err == nil {
		return exitOK
	}
	var flagErr *FlagError
	var exitErr *ExitError
	switch {
	case errors.Is(err, syscall.EPIPE):
		// The reader went away (`| head`): not an error, say nothing.
		return exitOK
	case errors.As(err, &exitErr):
		return exitErr.Code
	case errors.Is(err, context.Canceled):
		return exitCanceled
	case errors.As(err, &flagErr):
		fmt.Fprintf(ios.ErrOut, "logsleuth: %s\nRun '%s --help' for usage.\n", safeLines(err.Error()), flagErr.cmd)
		return exitError
	default:
		// Includes errNothingReadable, whose reasons were warnings.
		// Messages name files and quote signature text: a name can hold
		// escape sequences.
		fmt.Fprintf(ios.ErrOut, "logsleuth: %s\n", safeLines(err.Error()))
		return exitError
	}
}

// NewCmdRoot builds the logsleuth command tree on ios.
func NewCmdRoot(ios *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "logsleuth <command> [flags]",
		Short: "Log forensics for Linux servers",
		Long: `logsleuth reads syslog and journald logs (live files, rotated and compressed
copies, support-ticket archives, logs piped on stdin, journal files),
normalizes every line into an event, matches the events against incident
signatures and explains the outage: root cause, evidence with file:line,
how sure it is, and what to do.

Start with timeline after an outage; events shows what logsleuth read;
explain shows why one signature did or did not fire; patterns lists the
signatures; test runs signatures against captured logs.`,
		Example: `  logsleuth timeline --since "2025-11-11 06:00" /var/log/syslog*
  zcat syslog.2.gz | logsleuth timeline --year 2021 --tz Asia/Seoul
  logsleuth timeline --journal-dir bundle/var/log/journal --format html -o report.html
  logsleuth events --stats sosreport-web3.tar.xz
  logsleuth explain unattended-upgrade /var/log/syslog*
  logsleuth test --patterns ./my-rules ./my-fixtures`,
		Version:       buildVersion(),
		SilenceErrors: true,
		SilenceUsage:  true,
		// Cobra's own unknown-command error is untyped; this makes it a
		// usage error with suggestions, like every other.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown command %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf("; did you mean %q?", s[0])
			}
			return flagErrorf(cmd.CommandPath(), "%s", msg)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	cmd.SuggestionsMinimumDistance = 2
	// Which journal reader the build has: make build's reads journal
	// files natively, go install's through journalctl.
	cmd.SetVersionTemplate("logsleuth {{.Version}}\njournal reader: " + ingest.JournalReaderInfo + "\n")
	cmd.SetIn(ios.In)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	stringEnumFlag(cmd.PersistentFlags(), &ios.colorMode, "color", "", "auto", colorModes,
		"`WHEN` to colour the output: auto colours a terminal unless NO_COLOR is set")
	cmd.PersistentFlags().BoolVar(&ios.noPager, "no-pager", false, "never pipe the output into a pager ($PAGER or less) on a terminal")
	cmd.RegisterFlagCompletionFunc("color", cobra.FixedCompletions(colorModes, cobra.ShellCompDirectiveNoFileComp))
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &FlagError{cmd: c.CommandPath(), err: err}
	})

	cmd.AddCommand(NewCmdEvents(ios, nil), NewCmdPatterns(ios), NewCmdExplain(ios), NewCmdTest(ios), NewCmdTimeline(ios, nil), NewCmdWatch(ios, nil), newCmdGenMan())
	return cmd
}

// buildVersion is the link-time version, else the module version the
// binary was built from (go install), else "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
