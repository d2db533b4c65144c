package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/signature"
	"github.com/logsleuth/logsleuth/analyzer/timeline"
)

// maxContext bounds --context: more lines than this belong in `events`.
const maxContext = 50

// progressThreshold is the input size above which a terminal gets a
// progress bar.
const progressThreshold = 50 << 20

// TimelineOptions are the validated inputs of `logsleuth timeline`.
type TimelineOptions struct {
	IO      *IOStreams
	In      InputFlags
	Filters FilterFlags
	Sigs    SignatureFlags
	// Format is one of timeline.Formats.
	Format string
	// Output is the file to write ("" = stdout), replaced atomically.
	Output string
	// FailOn is the severity at or above which an incident root makes
	// the run exit 1; FailOnSet says whether --fail-on was given.
	FailOn     signature.Severity
	FailOnSet  bool
	NearMisses bool
	Context    int
	ctx        context.Context
	// progressMin is the input size above which a terminal stderr gets
	// a progress bar; 0: progressThreshold. Tests lower it.
	progressMin int64
}

// NewCmdTimeline builds `logsleuth timeline`. RunE only validates; it
// then calls runF, or runTimeline when runF is nil.
func NewCmdTimeline(ios *IOStreams, runF func(*TimelineOptions) error) *cobra.Command {
	opts := &TimelineOptions{IO: ios}
	var failOn string
	cmd := &cobra.Command{
		Use:   "timeline [PATHS... | -]",
		Short: "Explain an outage: incidents with root cause, evidence, coverage and unexplained errors",
		Long: `Read the inputs, match every signature, and print the root-cause report:
incidents, most severe first, each with its root-cause finding, the chain
of evidence in time order (time, Δ from the first event, host, program,
the line, file:line), the symptoms it explains, the outcome and why,
remediation and references. Then coverage (sources, boots, gaps,
warnings) and the error-level lines no finding explains, grouped by
template: when the cause is outside the signature set, look there.

Formats: table (default on a terminal), text (default otherwise), json
(schema logsleuth/timeline/v1, see the README), md (paste into a ticket),
html (one self-contained file with a visual timeline).

Exit status: 0 the report was made, 1 --fail-on was reached, 2 usage error
or nothing readable.

journalctl's selections (-u/--unit, -t/--identifier, -p/--priority,
-g/--grep, --host, -b/--boot; README "journalctl users") choose what is
shown, not what is read: every event still reaches the signatures. An
incident is shown when one of its evidence lines passes them all, with
its whole chain (a -u docker report keeps the apt run that stopped
docker); error lines are unexplained only when they pass. -o is the
report file here; the format is --format.`,
		Example: `  logsleuth timeline --since "2025-11-11 06:00" /var/log/syslog*
  zcat syslog.2.gz | logsleuth timeline --year 2021 --tz Asia/Seoul -
  logsleuth timeline --format md ticket-logs/ > comment.md
  logsleuth timeline --format html --output report.html sosreport-web3.tar.xz
  logsleuth timeline --fail-on high --format json /var/log/syslog`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx = cmd.Context()
			path := cmd.CommandPath()
			if err := opts.In.validate(path, args, ios, time.Now()); err != nil {
				return err
			}
			if err := opts.Filters.validate(path, cmd.Flags(), &opts.In); err != nil {
				return err
			}
			if !cmd.Flags().Changed("format") {
				opts.Format = timeline.FormatText
				if opts.Output == "" && ios.IsStdoutTTY() {
					opts.Format = timeline.FormatTable
				}
			}
			if failOn != "" {
				sev, ok := signature.ParseSeverity(failOn)
				if !ok {
					return flagErrorf(path, "invalid --fail-on %q: want info, low, medium, high or critical", failOn)
				}
				opts.FailOn, opts.FailOnSet = sev, true
			}
			if opts.Output != "" {
				// Fail before reading gigabytes, not after.
				if err := checkOutput(path, "--output", opts.Output, &opts.In, ios); err != nil {
					return err
				}
			}
			if opts.Context < 0 || opts.Context > maxContext {
				return flagErrorf(path, "invalid --context %d: want 0..%d", opts.Context, maxContext)
			}
			if runF != nil {
				return runF(opts)
			}
			return runTimeline(opts, path)
		},
	}
	fs := cmd.Flags()
	opts.In.register(fs)
	opts.Filters.register(fs)
	registerFilterCompletions(cmd)
	opts.Sigs.register(cmd)
	stringEnumFlag(fs, &opts.Format, "format", "", "", timeline.Formats, "output format (default: table on a terminal, else text)")
	fs.StringVarP(&opts.Output, "output", "o", "", "write the report to `FILE` (replaced atomically) instead of stdout")
	fs.StringVar(&failOn, "fail-on", "", "exit 1 when an incident's root cause is at least this `SEVERITY` (info|low|medium|high|critical)")
	fs.BoolVar(&opts.NearMisses, "near-misses", false, "also show, per signature and group, the furthest partial match and why it stopped")
	fs.IntVar(&opts.Context, "context", 0, "show `N` lines of the same source before and after each evidence line")
	return cmd
}

func runTimeline(opts *TimelineOptions, cmdPath string) error {
	sigs, err := opts.Sigs.load(cmdPath)
	if err != nil {
		return err
	}
	ctx := opts.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	ios := opts.IO
	if err := opts.Filters.resolveBoots(ctx, ios, &opts.In, cmdPath); err != nil {
		return err
	}
	var show func(*event.Event) bool
	if f := opts.Filters.active(); f != nil {
		show = f.Match
	}
	ws := warningsTo(ios)
	// Context lines of evidence before --since are lines of the
	// lookback: none may be skimmed.
	opts.In.wholeLookback = opts.In.wholeLookback || opts.Context > 0
	col := timeline.NewCollector(timeline.CollectorOptions{Context: opts.Context, Since: opts.In.SinceT, Until: opts.In.UntilT, Show: show})
	observe := col.Observe
	var bar *progressbar.ProgressBar
	progressMin := opts.progressMin
	if progressMin <= 0 {
		progressMin = progressThreshold
	}
	if ios.IsStderrTTY() {
		if size, ok := inputSize(opts.In.Paths); ok && size > progressMin {
			bar = newProgress(ios.ErrOut, size)
			var n int
			var pending int64
			observe = func(ev *event.Event) {
				col.Observe(ev)
				// The line's length is close to what was read for it; add
				// in batches so the bar costs nothing per event.
				pending += int64(len(ev.Message)) + 40
				if n++; n&4095 == 0 {
					bar.Add64(pending)
					pending = 0
				}
			}
		}
	}
	var activityOf func() (string, []ingest.HostActivity, error)
	if opts.In.Fleet.VictoriaLogs != "" {
		// The gaps' aggregate queries run beside the fetch.
		actx, cancel := context.WithCancel(ctx)
		defer cancel()
		activityOf = storeActivity(actx, &opts.In, ws)
	}
	a, err := analyze(ctx, ios, &opts.In, sigs, ws, engine.Options{OnMatch: col.OnMatch}, observe)
	if bar != nil {
		bar.Finish()
		bar.Clear()
	}
	if err != nil {
		return err
	}
	var store string
	var activity []ingest.HostActivity
	if activityOf != nil {
		if store, activity, err = activityOf(); err != nil {
			return err
		}
	}
	rep := timeline.Build(timeline.Input{
		Findings: a.Findings, NearMisses: a.NearMisses, Sources: a.Sources, Warnings: ws.List(),
		Collector: col, Store: store, Activity: activity,
		Since: opts.In.SinceT, Until: opts.In.UntilT, Show: show, Lookback: a.Lookback,
		Selection: opts.Filters.describe(),
	})
	if opts.In.Fleet.VictoriaLogs != "" {
		addRefetch(rep, opts.In.Fleet.store())
	}
	ropts := timeline.RenderOptions{
		Location:   opts.In.display(),
		Color:      opts.Format == timeline.FormatTable && opts.Output == "" && ios.ColorEnabled(),
		NearMisses: opts.NearMisses,
		Version:    buildVersion(),
	}
	if opts.Output == "" {
		ios.StartPager()
	}
	if err := writeReport(ios.Out, opts.Output, func(w io.Writer) error {
		return timeline.Render(w, rep, opts.Format, ropts)
	}); err != nil {
		return err
	}
	if opts.FailOnSet && rep.FailOn(opts.FailOn) {
		return &ExitError{Code: exitFailOn}
	}
	return nil
}

// writeReport runs render into stdout, or into path through a temporary
// file in the same directory renamed over it, so a reader never sees a
// half-written report and a failed run leaves the old one in place.
func writeReport(stdout io.Writer, path string, render func(io.Writer) error) error {
	if path == "" {
		w := bufio.NewWriterSize(stdout, 64<<10)
		if err := render(w); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	return writeFileAtomic(path, "--output", render)
}

// writeFileAtomic runs render into path through a temporary file in the
// same directory renamed over it; errors name the flag that gave path.
func writeFileAtomic(path, flag string, render func(io.Writer) error) error {
	// A new report gets the mode the umask allows, as a file the shell
	// creates would; a report written over an old one keeps that one's
	// mode (a report of root-only logs kept 0600 stays 0600).
	perm, keep := os.FileMode(0o666), false
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		perm, keep = fi.Mode().Perm(), true
	}
	tmp, err := createTemp(path, perm)
	if err != nil {
		// Name the user's path, not the temporary file's.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("%s %s: %w", flag, path, err)
	}
	w := bufio.NewWriterSize(tmp, 64<<10)
	err = render(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil && keep {
		err = tmp.Chmod(perm) // exactly: the umask may have cut it
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("%s %s: %w", flag, path, err)
	}
	return nil
}

// createTemp creates a new file beside path, named after it, with perm
// less the umask (os.CreateTemp would make it 0600 whatever the umask).
func createTemp(path string, perm os.FileMode) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	for range 100 {
		name := filepath.Join(dir, "."+base+"."+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("cannot create a temporary file in %s", dir)
}

// checkOutput refuses a report path (the value of flag) that cannot be
// written, its directory missing, or that is one of the inputs in: before
// the run, which would otherwise fail or destroy its input at the end.
func checkOutput(cmdPath, flag, output string, in *InputFlags, ios *IOStreams) error {
	if dir := filepath.Dir(output); !isDir(dir) {
		return flagErrorf(cmdPath, "invalid %s %q: no directory %s", flag, output, dir)
	}
	if name, ok := outputIsInput(output, in, ios); ok {
		return flagErrorf(cmdPath, "invalid %s %q: it is the input %s; the report would replace it", flag, output, name)
	}
	return nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// outputIsInput reports whether the file output already exists and is
// one of the inputs named by in (a file, a journal file or stdin), by
// identity (os.SameFile), not by name: "./syslog", a hard link or a
// symlink to it are the same file. It returns the input's name.
func outputIsInput(output string, in *InputFlags, ios *IOStreams) (string, bool) {
	out, err := os.Stat(output)
	if err != nil {
		return "", false // a new file is no input
	}
	for _, p := range slices.Concat(in.Paths, in.JournalFiles) {
		if p == "-" {
			if f, ok := ios.In.(*os.File); ok {
				if fi, err := f.Stat(); err == nil && os.SameFile(out, fi) {
					return "stdin", true
				}
			}
			continue
		}
		if fi, err := os.Stat(p); err == nil && os.SameFile(out, fi) {
			return p, true
		}
	}
	return "", false
}

// inputSize is the total size of the named files and directories; false
// when stdin is read (its size is unknown).
func inputSize(paths []string) (int64, bool) {
	var total int64
	for _, p := range paths {
		if p == "-" {
			return 0, false
		}
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		if !fi.IsDir() {
			total += fi.Size()
			continue
		}
		filepath.WalkDir(p, func(_ string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if info, err := d.Info(); err == nil {
					total += info.Size()
				}
			}
			return nil
		})
	}
	return total, true
}

// newProgress is a byte progress bar on w. Compressed inputs make the
// estimate run past 100%; the bar then keeps counting.
func newProgress(w io.Writer, total int64) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("reading"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
}
