package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/timeline"
)

// Output formats of `events`.
const (
	formatJSONL = "jsonl"
	formatText  = "text"
)

// EventsOptions are the validated inputs of `logsleuth events`.
type EventsOptions struct {
	IO  *IOStreams
	Now func() time.Time
	ctx context.Context

	In     InputFlags
	Format string
	Stats  bool
}

// NewCmdEvents builds `logsleuth events`. RunE only validates; it then
// calls runF, or runEvents when runF is nil (tests pass their own).
func NewCmdEvents(ios *IOStreams, runF func(*EventsOptions) error) *cobra.Command {
	opts := &EventsOptions{IO: ios, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "events [PATHS... | -]",
		Short: "Print the events logsleuth reads from the inputs",
		Long: `Read the inputs, turn every line into an event and print the events in
time order, one JSON object per line (--format jsonl, the default) or as
readable text (--format text). With --stats, print what was read from each
source instead.

Inputs are files, directories (walked), archives (.tar, .tar.gz, .tar.xz,
e.g. a sosreport) and compressed files (gzip, zstd, xz, bzip2, by content).
"-" or no path reads stdin when it is not a terminal.

Native journals are read with --journal (this machine's), --journal-dir
(a bundle's var/log/journal, or a systemd-journal-remote directory of
many hosts) and --journal-file, alongside any paths; stdin is then only
read when named as "-". A line that came both through syslog and the
journal is printed once. Problems with single inputs are warnings on
stderr; the exit status is 2 only when nothing at all could be read.

Times without a zone are read in --tz (an IANA name such as Asia/Seoul, or
UTC), else in the zone the evidence names: offsets written in the source's
own messages (dockerd's time="...+09:00"), the bundle's etc/localtime,
etc/timezone, timedatectl or date output, a journalctl banner; else in this
machine's zone (stdin: UTC, with a warning). --stats shows where each
source's zone came from. Year-less syslog stamps get their year from the
file or its messages; --year sets it.

--since and --until take what journalctl takes: "2025-11-11 06:00[:00]",
"2025-11-11", ISO 8601 with "Z" or an offset, an optional trailing zone,
"today", "yesterday", "now", "-2h", "+10min", "-1h 30min", "2 hours ago",
"@1700000000".`,
		Example: `  # A rotated syslog from a support ticket, written in Korea in 2021
  zcat syslog.2.gz | logsleuth events --year 2021 --tz Asia/Seoul

  # What is in a sosreport: formats, event counts, time ranges
  logsleuth events --stats sosreport-web3.tar.xz

  # Read the minutes around an outage as text
  logsleuth events --format text --since "2021-10-07 06:15" --until "2021-10-07 06:30" /var/log/syslog*

  # A bundle's journal and its syslog files, merged in time order
  logsleuth events --stats --journal-dir bundle/var/log/journal bundle/var/log/syslog*

  # The last two hours, as JSON lines for jq
  logsleuth events --since -2h /var/log/syslog | jq -r 'select(.priority <= 3) | .message'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx = cmd.Context()
			if err := opts.validate(cmd.CommandPath(), args); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runEvents(opts)
		},
	}
	fs := cmd.Flags()
	opts.In.register(fs)
	stringEnumFlag(fs, &opts.Format, "format", "", formatJSONL, []string{formatJSONL, formatText}, "output format")
	fs.BoolVar(&opts.Stats, "stats", false, "read everything and print per-source statistics instead of events")
	return cmd
}

// validate checks the flags and arguments and fills in the parsed fields.
func (o *EventsOptions) validate(cmdPath string, args []string) error {
	return o.In.validate(cmdPath, args, o.IO, o.Now())
}

func runEvents(opts *EventsOptions) error {
	ctx := opts.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	ios := opts.IO
	start := opts.Now()
	if opts.In.Fleet.VictoriaLogs != "" {
		return runEventsStore(ctx, opts, start)
	}
	stream, err := ingest.Open(ctx, opts.In.ingestOptions(ios, warningsTo(ios), 0))
	if err != nil {
		return fmt.Errorf("open inputs: %w", err)
	}
	defer stream.Close()

	ios.StartPager()
	out := bufio.NewWriterSize(ios.Out, 64<<10)
	write := eventPrinter(out, opts)
	for stream.Next() {
		if err := write(stream.Event()); err != nil {
			return err
		}
	}
	if err := stream.Err(); err != nil {
		out.Flush()
		return fmt.Errorf("read inputs: %w", err)
	}
	if !stream.Readable() {
		out.Flush()
		return errNothingReadable
	}
	if opts.Stats {
		writeStats(out, stream.Sources(), opts.In.display(), opts.Now().Sub(start))
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write events: %w", err)
	}
	return nil
}

// eventPrinter returns what writes one event to out, one a line in the
// --format; with --stats, nothing.
func eventPrinter(out io.Writer, opts *EventsOptions) func(*event.Event) error {
	if opts.Stats {
		return func(*event.Event) error { return nil }
	}
	loc, text := opts.In.display(), opts.Format == formatText
	var buf []byte
	return func(e *event.Event) error {
		if text {
			buf = appendText(buf[:0], e, loc)
		} else {
			buf = event.AppendJSON(buf[:0], e)
		}
		buf = append(buf, '\n')
		if _, err := out.Write(buf); err != nil {
			return fmt.Errorf("write events: %w", err)
		}
		return nil
	}
}

// writeStats prints one row per source and a total line, the figures
// `make bench` reads.
func writeStats(w io.Writer, sources []ingest.SourceStats, loc *time.Location, elapsed time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PATH\tFORMAT\tEVENTS\tFIRST\tLAST\tTIME QUALITY")
	var events, bytes, dups int64
	for _, s := range sources {
		events += s.Events
		bytes += s.Bytes
		dups += s.Duplicates
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n",
			safeText(orDash(s.Path)), safeText(orDash(s.Format)), s.Events, stamp(s.First, loc), stamp(s.Last, loc), safeText(orDash(s.TimeQuality)))
	}
	tw.Flush()
	secs := elapsed.Seconds()
	var mbps, eps float64
	if secs > 0 {
		mbps = float64(bytes) / 1e6 / secs
		eps = float64(events) / secs
	}
	fmt.Fprintf(w, "total: %d sources, %d events, %d bytes in %.3fs: %.1f MB/s, %.0f events/s",
		len(sources), events, bytes, secs, mbps, eps)
	if dups > 0 {
		// Counted in events above, not printed.
		fmt.Fprintf(w, "; %d duplicates (the same line from another source: syslog, journal, journalctl text) dropped", dups)
	}
	fmt.Fprintln(w)
}

func stamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format(time.RFC3339)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// appendText appends e as one human-readable line:
//
//	2021-10-07T06:20:21+09:00 userver systemd[1]: Stopping containerd container runtime...
//
// An event without a time starts with "time unknown", a prompt's command
// with "$ ". Continuation lines of the message are indented by four
// spaces. Control
// characters other than tab are shown as \xNN, so hostile log text cannot
// drive the terminal.
func appendText(dst []byte, e *event.Event, loc *time.Location) []byte {
	if e.Time.IsZero() {
		dst = append(dst, "time unknown"...)
	} else {
		dst = e.Time.In(loc).AppendFormat(dst, time.RFC3339Nano)
	}
	if e.Host != "" {
		dst = append(dst, ' ')
		dst = appendSafe(dst, e.Host)
	}
	if e.Program != "" {
		dst = append(dst, ' ')
		dst = appendSafe(dst, e.Program)
		if e.PID != 0 {
			dst = append(dst, '[')
			dst = strconv.AppendInt(dst, int64(e.PID), 10)
			dst = append(dst, ']')
		}
		dst = append(dst, ':')
	}
	dst = append(dst, ' ')
	if e.Kind == event.KindCommand {
		dst = append(dst, "$ "...) // a pasted prompt: the command it ran
	}
	return appendSafe(dst, e.Message)
}

// appendSafe appends log text for a terminal (see timeline.AppendSafe):
// continuation lines indented, control sequences shown, not executed.
func appendSafe(dst []byte, s string) []byte { return timeline.AppendSafe(dst, s, "\n    ") }
