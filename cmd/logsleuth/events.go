package main

import (
	"bufio"
	"context"
	"encoding/json"
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

// Output formats of `events`. json is jsonl: journalctl's "-o json" is
// one object a line too, which is what its users pipe into jq.
const (
	formatJSONL    = "jsonl"
	formatJSON     = "json"
	formatText     = "text"
	formatShortISO = "short-iso"
	formatCat      = "cat"
)

// eventFormats are the values of `events --format` (-o).
var eventFormats = []string{formatJSONL, formatJSON, formatText, formatShortISO, formatCat}

// EventsOptions are the validated inputs of `logsleuth events`.
type EventsOptions struct {
	IO  *IOStreams
	Now func() time.Time
	ctx context.Context

	In      InputFlags
	Filters FilterFlags
	Format  string
	Stats   bool
	// ListBoots prints the boots found instead of events (--list-boots).
	ListBoots bool
	// formatSet: --format was given (else the terminal decides).
	formatSet bool
	cmdPath   string
}

// NewCmdEvents builds `logsleuth events`. RunE only validates; it then
// calls runF, or runEvents when runF is nil (tests pass their own).
func NewCmdEvents(ios *IOStreams, runF func(*EventsOptions) error) *cobra.Command {
	opts := &EventsOptions{IO: ios, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "events [PATHS... | -]",
		Short: "Print the events logsleuth reads from the inputs",
		Long: `Read the inputs, turn every line into an event and print the events in
time order: on a terminal in journalctl's short-iso layout, into a pipe
one JSON object per line (jsonl). -o/--format chooses: jsonl (or json,
the same, as journalctl's -o json), short-iso, cat (the message only),
or text (RFC 3339 times to the fraction). With --stats, print what was
read from each source instead; with --list-boots, the boots found.

journalctl's selections choose the events printed: -u/--unit, -t/--identifier,
-p/--priority, -g/--grep, --host and -b/--boot (see the README,
"journalctl users"). -b numbers the boots over all the inputs, so it and
--list-boots read them twice.

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
			opts.formatSet = cmd.Flags().Changed("format")
			if err := opts.validate(cmd.CommandPath(), args); err != nil {
				return err
			}
			if err := opts.Filters.validate(cmd.CommandPath(), cmd.Flags(), &opts.In); err != nil {
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
	// (events matches no signature: nothing to look back for.)
	_ = fs.MarkHidden("lookback")
	opts.Filters.register(fs)
	stringEnumFlag(fs, &opts.Format, "format", "o", formatJSONL, eventFormats, "output format (default: short-iso on a terminal, else jsonl)")
	fs.BoolVar(&opts.Stats, "stats", false, "read everything and print per-source statistics instead of events")
	cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(eventFormats, cobra.ShellCompDirectiveNoFileComp))
	registerFilterCompletions(cmd)
	fs.BoolVar(&opts.ListBoots, "list-boots", false, "print the boots found in the inputs (index, id, first and last entry), as journalctl does")
	return cmd
}

// validate checks the flags and arguments and fills in the parsed fields.
func (o *EventsOptions) validate(cmdPath string, args []string) error {
	o.cmdPath = cmdPath
	if !o.formatSet && o.IO.IsStdoutTTY() {
		o.Format = formatShortISO
	}
	if err := o.In.validate(cmdPath, args, o.IO, o.Now()); err != nil {
		return err
	}
	if o.ListBoots && o.In.Fleet.VictoriaLogs != "" {
		return flagErrorf(cmdPath, "--list-boots: a store's rows carry no boots")
	}
	return nil
}

func runEvents(opts *EventsOptions) error {
	ctx := opts.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	ios := opts.IO
	start := opts.Now()
	if opts.ListBoots {
		return runListBoots(ctx, opts)
	}
	if opts.In.Fleet.VictoriaLogs != "" {
		return runEventsStore(ctx, opts, start)
	}
	if err := opts.Filters.resolveBoots(ctx, ios, &opts.In, opts.cmdPath); err != nil {
		return err
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

// eventPrinter returns what writes one event that passes the filters
// to out, one a line in the --format; with --stats, nothing.
func eventPrinter(out io.Writer, opts *EventsOptions) func(*event.Event) error {
	if opts.Stats {
		return func(*event.Event) error { return nil }
	}
	loc := opts.In.display()
	keep := opts.Filters.active()
	var appendEvent func(dst []byte, e *event.Event) []byte
	switch opts.Format {
	case formatText:
		appendEvent = func(dst []byte, e *event.Event) []byte { return appendLine(dst, e, loc, time.RFC3339Nano) }
	case formatShortISO:
		appendEvent = func(dst []byte, e *event.Event) []byte { return appendLine(dst, e, loc, shortISO) }
	case formatCat:
		appendEvent = appendCat
	default:
		appendEvent = event.AppendJSON
	}
	var buf []byte
	return func(e *event.Event) error {
		if keep != nil && !keep.Match(e) {
			return nil
		}
		buf = appendEvent(buf[:0], e)
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
	var skipped int
	for _, s := range sources {
		events += s.Events
		bytes += s.Bytes
		dups += s.Duplicates
		quality := orDash(s.TimeQuality)
		switch sk := s.Skipped; {
		case sk.Whole:
			skipped++
			quality = "not read: ends before --since (" + sk.By + ")"
		case sk.By != "":
			skipped++
			quality += fmt.Sprintf(" (%d lines before --since not read: %s)", sk.Lines, sk.By)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n",
			safeText(orDash(s.Path)), safeText(orDash(s.Format)), s.Events, stamp(s.First, loc), stamp(s.Last, loc), safeText(quality))
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
	if skipped > 0 {
		noun := "sources"
		if skipped == 1 {
			noun = "source"
		}
		fmt.Fprintf(w, "; %d %s not read whole: --since seeked past what lies before it", skipped, noun)
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

// shortISO is journalctl's -o short-iso stamp (systemd 255 and later;
// before, the offset had no colon).
const shortISO = "2006-01-02T15:04:05-07:00"

// appendText appends e as one human-readable line (--format text):
//
//	2021-10-07T06:20:21.5+09:00 userver systemd[1]: Stopping containerd container runtime...
func appendText(dst []byte, e *event.Event, loc *time.Location) []byte {
	return appendLine(dst, e, loc, time.RFC3339Nano)
}

// appendLine appends e as one line with its time in layout, then host,
// program[pid] and message, as journalctl's short modes do. An event
// without a time starts with "time unknown", a prompt's command with
// "$ ". Continuation lines of the message are indented by four spaces.
// Control characters other than tab are shown as \xNN, so hostile log
// text cannot drive the terminal.
func appendLine(dst []byte, e *event.Event, loc *time.Location, layout string) []byte {
	if e.Time.IsZero() {
		dst = append(dst, "time unknown"...)
	} else {
		dst = e.Time.In(loc).AppendFormat(dst, layout)
	}
	if e.Host != "" {
		dst = append(dst, ' ')
		dst = timeline.AppendSafe(dst, e.Host, `\n`) // one word: a newline would read as a continuation
	}
	if e.Program != "" {
		dst = append(dst, ' ')
		dst = timeline.AppendSafe(dst, e.Program, `\n`)
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

// appendCat appends e's message alone (-o cat), its lines as written
// but for control characters.
func appendCat(dst []byte, e *event.Event) []byte {
	if e.Kind == event.KindCommand {
		dst = append(dst, "$ "...)
	}
	return timeline.AppendSafe(dst, e.Message, "\n")
}

// appendSafe appends log text for a terminal (see timeline.AppendSafe):
// continuation lines indented, control sequences shown, not executed.
func appendSafe(dst []byte, s string) []byte { return timeline.AppendSafe(dst, s, "\n    ") }

// bootStamp is the layout of --list-boots' times, journalctl's.
const bootStamp = "Mon 2006-01-02 15:04:05 MST"

// runListBoots prints the boots found in the inputs, as journalctl
// --list-boots does: index (0 the last of its host, -1 the one before),
// id ("-" when only text shows the boot), first and last entry; a HOST
// column when there is more than one host. With -o json or jsonl, one
// JSON object a line.
func runListBoots(ctx context.Context, opts *EventsOptions) error {
	ios := opts.IO
	t, err := bootTracker(ctx, ios, &opts.In)
	if err != nil {
		return err
	}
	boots := t.Boots()
	if len(boots) == 0 {
		return errNothingReadable
	}
	hosts := 0
	for i, b := range boots {
		if i == 0 || b.Host != boots[i-1].Host {
			hosts++
		}
	}
	// Indexes count back from each host's last boot.
	index := make([]int, len(boots))
	for i := len(boots) - 1; i >= 0; i-- {
		if i+1 < len(boots) && boots[i+1].Host == boots[i].Host {
			index[i] = index[i+1] - 1
		}
	}
	out := bufio.NewWriter(ios.Out)
	loc := opts.In.display()
	if opts.formatSet && (opts.Format == formatJSON || opts.Format == formatJSONL) {
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		for i, b := range boots {
			enc.Encode(struct {
				Index int    `json:"index"`
				Host  string `json:"host,omitempty"`
				ID    string `json:"boot_id,omitempty"`
				First string `json:"first_entry"`
				Last  string `json:"last_entry"`
			}{index[i], b.Host, b.ID, b.First.In(loc).Format(time.RFC3339Nano), b.Last.In(loc).Format(time.RFC3339Nano)})
		}
		return out.Flush()
	}
	tw := tabwriter.NewWriter(out, 0, 0, 1, ' ', 0)
	header := "IDX\t"
	if hosts > 1 {
		header += "HOST\t"
	}
	fmt.Fprintln(tw, header+"BOOT ID\tFIRST ENTRY\tLAST ENTRY")
	for i, b := range boots {
		row := fmt.Sprintf("%3d\t", index[i])
		if hosts > 1 {
			row += safeText(orDash(b.Host)) + "\t"
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\n", row, safeText(orDash(b.ID)), b.First.In(loc).Format(bootStamp), b.Last.In(loc).Format(bootStamp))
	}
	tw.Flush()
	return out.Flush()
}
