package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/filter"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
)

func TestNewCmdEvents(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	tests := []struct {
		name     string
		cli      string
		stdinTTY bool
		// stdoutTTY: stdout is a terminal.
		stdoutTTY bool
		want      EventsOptions
		wantErr   string
	}{
		{
			name: "no args reads a piped stdin",
			cli:  "",
			want: EventsOptions{In: InputFlags{Paths: []string{"-"}}, Format: "jsonl"},
		},
		{
			name:     "no args on a terminal",
			cli:      "",
			stdinTTY: true,
			wantErr:  "no input: name log files or directories, or pipe logs on stdin (e.g. zcat syslog.2.gz | logsleuth events)",
		},
		{
			name:     "explicit stdin on a terminal is allowed",
			cli:      "-",
			stdinTTY: true,
			want:     EventsOptions{In: InputFlags{Paths: []string{"-"}}, Format: "jsonl"},
		},
		{
			name: "paths and all flags",
			cli:  "--format text --stats --year 2021 --tz Asia/Seoul --since 2021-10-07T06:15:00 --until '2021-10-07 06:30' /var/log/syslog /var/log/syslog.2.gz",
			want: EventsOptions{In: InputFlags{Paths: []string{"/var/log/syslog", "/var/log/syslog.2.gz"}, Since: "2021-10-07T06:15:00", Until: "2021-10-07 06:30", TZ: "Asia/Seoul", Location: seoul, SinceT: time.Date(2021, 10, 7, 6, 15, 0, 0, seoul), UntilT: time.Date(2021, 10, 7, 6, 30, 0, 0, seoul), Year: 2021}, Format: "text", Stats: true},
		},
		{
			name: "a zone in --since wins over --tz",
			cli:  "--tz Asia/Seoul --since '2021-10-07 06:15 UTC' x",
			want: EventsOptions{In: InputFlags{Paths: []string{"x"}, Since: "2021-10-07 06:15 UTC", TZ: "Asia/Seoul", Location: seoul, SinceT: time.Date(2021, 10, 7, 6, 15, 0, 0, time.UTC)}, Format: "jsonl"},
		},
		{
			name: "UTC",
			cli:  "--tz UTC --since @1633587621 x",
			want: EventsOptions{In: InputFlags{Paths: []string{"x"}, Since: "@1633587621", TZ: "UTC", Location: time.UTC, SinceT: time.Date(2021, 10, 7, 6, 20, 21, 0, time.UTC)}, Format: "jsonl"},
		},
		{
			name:    "bad format",
			cli:     "--format xml x",
			wantErr: `invalid argument "xml" for "-o, --format" flag: valid values are jsonl, json, text, short-iso, cat`,
		},
		{
			name:      "a terminal gets short-iso",
			cli:       "x",
			stdoutTTY: true,
			want:      EventsOptions{In: InputFlags{Paths: []string{"x"}}, Format: "short-iso"},
		},
		{
			name:      "a terminal gets the format asked for",
			cli:       "-o jsonl x",
			stdoutTTY: true,
			want:      EventsOptions{In: InputFlags{Paths: []string{"x"}}, Format: "jsonl"},
		},
		{
			name: "-o is --format, with journalctl's modes",
			cli:  "-o cat x",
			want: EventsOptions{In: InputFlags{Paths: []string{"x"}}, Format: "cat"},
		},
		{
			name: "journalctl's selections",
			cli:  "-u docker --unit 'containerd*' -t dockerd -p warning..err -g 'signal \\d+' --host 'web-*' -b x",
			want: EventsOptions{In: InputFlags{Paths: []string{"x"}}, Format: "jsonl",
				Filters: FilterFlags{Units: []string{"docker", "containerd*"}, Identifiers: []string{"dockerd"}, Priority: "warning..err",
					Grep: `signal \d+`, Hosts: []string{"web-*"}, Boot: "0", BootSet: true}},
		},
		{
			name:    "bad priority",
			cli:     "-p loud x",
			wantErr: `--priority "loud": want a level (emerg, alert, crit, err, warning, notice, info, debug, or 0-7) or a range such as warning..err`,
		},
		{
			name:    "bad grep",
			cli:     "-g 'a(' x",
			wantErr: "--grep \"a(\": error parsing regexp: missing closing ): `(?i)a(`",
		},
		{
			name:    "bad unit glob",
			cli:     "-u 'docker[' x",
			wantErr: `--unit "docker[": bad pattern`,
		},
		{
			name:    "boot over stdin",
			cli:     "-b -",
			wantErr: "--boot reads the inputs twice (to number the boots), and stdin cannot be read twice: save it to a file first",
		},
		{
			name:    "bad zone",
			cli:     "--tz KST x",
			wantErr: `invalid --tz "KST": want an IANA zone name such as Asia/Seoul or America/New_York, or UTC`,
		},
		{
			name:    "Local is not a zone name",
			cli:     "--tz Local x",
			wantErr: `invalid --tz "Local": want an IANA zone name such as Asia/Seoul or America/New_York, or UTC`,
		},
		{
			name:    "year too small",
			cli:     "--year 21 x",
			wantErr: "invalid --year 21: want 1970..2100",
		},
		{
			name:    "year too large",
			cli:     "--year 2101 x",
			wantErr: "invalid --year 2101: want 1970..2100",
		},
		{
			name:    "year not a number",
			cli:     "--year last x",
			wantErr: `invalid argument "last" for "--year" flag: strconv.ParseInt: parsing "last": invalid syntax`,
		},
		{
			name:    "bad since",
			cli:     "--since 'last tuesday' x",
			wantErr: `--since: invalid time "last tuesday": not a date, time or relative span; accepted: `,
		},
		{
			name:    "bad until",
			cli:     "--until 2021-10-32 x",
			wantErr: `--until: invalid time "2021-10-32": date or time out of range; accepted: `,
		},
		{
			name:    "since after until",
			cli:     "--tz UTC --since '2021-10-07 06:30' --until '2021-10-07 06:15' x",
			wantErr: `--since "2021-10-07 06:30" is after --until "2021-10-07 06:15"`,
		},
		{
			name:    "unknown flag",
			cli:     "--json x",
			wantErr: "unknown flag: --json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := Test()
			ios.SetStdinTTY(tt.stdinTTY)
			ios.SetStdoutTTY(tt.stdoutTTY)
			var got *EventsOptions
			cmd := NewCmdEvents(ios, func(o *EventsOptions) error {
				got = o
				return nil
			})
			cmd.SetArgs(splitArgs(tt.cli))
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			_, err := cmd.ExecuteC()
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("want error %q, got options %+v", tt.wantErr, got)
				}
				if msg := err.Error(); msg != tt.wantErr && !(strings.HasSuffix(tt.wantErr, "accepted: ") && strings.HasPrefix(msg, tt.wantErr)) {
					t.Fatalf("error\n got: %s\nwant: %s", msg, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			w := tt.want
			if !equalStrings(got.In.Paths, w.In.Paths) || got.In.Since != w.In.Since || got.In.Until != w.In.Until || got.In.TZ != w.In.TZ ||
				locName(got.In.Location) != locName(w.In.Location) || !got.In.SinceT.Equal(w.In.SinceT) || !got.In.UntilT.Equal(w.In.UntilT) ||
				got.In.Year != w.In.Year || got.Format != w.Format || got.Stats != w.Stats ||
				!equalStrings(got.Filters.Units, w.Filters.Units) || !equalStrings(got.Filters.Identifiers, w.Filters.Identifiers) ||
				!equalStrings(got.Filters.Hosts, w.Filters.Hosts) || got.Filters.Priority != w.Filters.Priority ||
				got.Filters.Grep != w.Filters.Grep || got.Filters.Boot != w.Filters.Boot || got.Filters.BootSet != w.Filters.BootSet {
				t.Errorf("options\n got: %+v\nwant: %+v", *got, w)
			}
		})
	}
}

// TestNewCmdEventsRelative checks that relative times count from the
// wall clock at the time the command runs.
func TestNewCmdEventsRelative(t *testing.T) {
	ios, _, _, _ := Test()
	var got *EventsOptions
	cmd := NewCmdEvents(ios, func(o *EventsOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--tz", "UTC", "--since", "yesterday", "--until", "-2h", "x"})
	before := time.Now()
	if _, err := cmd.ExecuteC(); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	if u := got.In.UntilT; u.Before(before.Add(-2*time.Hour)) || u.After(after.Add(-2*time.Hour)) {
		t.Errorf("--until -2h = %v, want 2h before a time in [%v, %v]", u, before, after)
	}
	midnight := func(t time.Time) time.Time {
		y, m, d := t.UTC().Date()
		return time.Date(y, m, d-1, 0, 0, 0, 0, time.UTC)
	}
	if s := got.In.SinceT; !s.Equal(midnight(before)) && !s.Equal(midnight(after)) {
		t.Errorf("--since yesterday = %v, want %v", s, midnight(before))
	}
}

func locName(l *time.Location) string {
	if l == nil {
		return "<nil>"
	}
	return l.String()
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, "\x00") == strings.Join(b, "\x00") && len(a) == len(b)
}

// splitArgs splits a command line on spaces, honouring single quotes.
func splitArgs(s string) []string {
	var args []string
	var cur strings.Builder
	in, started := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			in, started = !in, true
		case r == ' ' && !in:
			if started {
				args = append(args, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteRune(r)
			started = true
		}
	}
	if started {
		args = append(args, cur.String())
	}
	return args
}

func TestAppendText(t *testing.T) {
	kst := time.FixedZone("KST", 9*3600)
	at := time.Date(2021, 10, 6, 21, 20, 21, 0, time.UTC)
	tests := []struct {
		name string
		ev   event.Event
		loc  *time.Location
		want string
	}{
		{
			name: "syslog line in the source's zone",
			ev:   event.Event{Time: at, Host: "userver", Program: "systemd", PID: 1, Message: "Stopping containerd container runtime..."},
			loc:  kst,
			want: "2021-10-07T06:20:21+09:00 userver systemd[1]: Stopping containerd container runtime...",
		},
		{
			name: "UTC, fraction kept, no pid",
			ev:   event.Event{Time: at.Add(521903779), Host: "userver", Program: "kernel", Message: "[33431.000100] docker0: port 1(veth3a1b2c4) entered disabled state"},
			loc:  time.UTC,
			want: "2021-10-06T21:20:21.521903779Z userver kernel: [33431.000100] docker0: port 1(veth3a1b2c4) entered disabled state",
		},
		{
			name: "unknown time, no header",
			ev:   event.Event{Message: "goroutine 1 [running]:"},
			loc:  time.UTC,
			want: "time unknown goroutine 1 [running]:",
		},
		{
			name: "a pasted prompt",
			ev:   event.Event{Kind: event.KindCommand, TimeQuality: event.TimeNone, Host: "web-3", Message: "systemctl status docker"},
			loc:  time.UTC,
			want: "time unknown web-3 $ systemctl status docker",
		},
		{
			name: "continuation lines are indented, tabs kept",
			ev:   event.Event{Time: at, Host: "vm", Program: "myapp", PID: 4242, Message: "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:9 +0x1d"},
			loc:  time.UTC,
			want: "2021-10-06T21:20:21Z vm myapp[4242]: panic: runtime error: index out of range [3] with length 3\n    \n    goroutine 1 [running]:\n    main.main()\n    \t/src/main.go:9 +0x1d",
		},
		{
			name: "terminal escapes are neutralised",
			ev:   event.Event{Time: at, Host: "h\x1b[2J", Program: "evil", Message: "\x1b]0;pwned\x07done\r"},
			loc:  time.UTC,
			want: `2021-10-06T21:20:21Z h\x1b[2J evil: \x1b]0;pwned\x07done\x0d`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendText(nil, &tt.ev, tt.loc)); got != tt.want {
				t.Errorf("appendText\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

func TestWriteStats(t *testing.T) {
	kst := time.FixedZone("KST", 9*3600)
	sources := []ingest.SourceStats{
		{Path: "var/log/syslog.2.gz", Format: "rfc3164", Events: 40, Bytes: 4096,
			First: time.Date(2021, 9, 29, 6, 17, 1, 0, kst), Last: time.Date(2021, 9, 29, 7, 17, 1, 0, kst),
			TimeQuality: "year_inferred from gzip header"},
		{Path: "var/log/syslog", Format: "rfc3164", Events: 60, Bytes: 8192,
			First: time.Date(2021, 10, 7, 6, 17, 1, 0, kst), Last: time.Date(2021, 10, 7, 6, 30, 0, 0, kst),
			TimeQuality: "year_inferred"},
		{Path: "notes.bin", Bytes: 1712},
	}
	var b bytes.Buffer
	writeStats(&b, sources, kst, 2*time.Second)
	want := `PATH                 FORMAT   EVENTS  FIRST                      LAST                       TIME QUALITY
var/log/syslog.2.gz  rfc3164  40      2021-09-29T06:17:01+09:00  2021-09-29T07:17:01+09:00  year_inferred from gzip header
var/log/syslog       rfc3164  60      2021-10-07T06:17:01+09:00  2021-10-07T06:30:00+09:00  year_inferred
notes.bin            -        0       -                          -                          -
total: 3 sources, 100 events, 14000 bytes in 2.000s: 0.0 MB/s, 50 events/s
`
	if b.String() != want {
		t.Errorf("writeStats\n got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// FuzzAppendText: whatever the log says, the text line carries no control
// character but tab, and every newline starts an indented continuation.
func FuzzAppendText(f *testing.F) {
	for _, s := range []string{
		"Stopping containerd container runtime...",
		"panic: runtime error\n\ngoroutine 1 [running]:\n\tmain.main()",
		"\x1b]0;pwned\x07done\r", "\xff\xfe", "",
	} {
		f.Add("userver", "systemd", s)
	}
	at := time.Date(2021, 10, 6, 21, 20, 21, 0, time.UTC)
	f.Fuzz(func(t *testing.T, host, prog, msg string) {
		ev := event.Event{Time: at, Host: host, Program: prog, PID: 1, Message: msg}
		out := appendText(nil, &ev, time.UTC)
		for i, c := range out {
			if c == '\n' {
				if !bytes.HasPrefix(out[i+1:], []byte("    ")) {
					t.Fatalf("newline not followed by the indent in %q", out)
				}
				continue
			}
			if c < 0x20 && c != '\t' || c == 0x7f {
				t.Fatalf("control byte %#x at %d in %q", c, i, out)
			}
		}
	})
}

func BenchmarkAppendText(b *testing.B) {
	ev := event.Event{
		Time: time.Date(2021, 10, 6, 21, 20, 21, 521938060, time.UTC), Host: "userver", Program: "dockerd", PID: 1067496,
		Message: `time="2021-10-07T06:20:21.521938060+09:00" level=error msg="Failed to get event" error="rpc error: code = Unavailable desc = transport is closing" module=libcontainerd namespace=moby`,
	}
	kst := time.FixedZone("KST", 9*3600)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendText(buf[:0], &ev, kst)
	}
	b.SetBytes(int64(len(buf)))
}

func TestJoinBootValues(t *testing.T) {
	id := "5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c"
	tests := []struct{ in, want string }{
		{"events -b -1 syslog", "events --boot=-1 syslog"},
		{"events -b-1 syslog", "events --boot=-1 syslog"},
		{"events --boot +2 syslog", "events --boot=+2 syslog"},
		{"events -b " + id, "events --boot=" + id},
		{"events -b syslog", "events -b syslog"},
		{"events -b", "events -b"},
		{"events -b=3 -u docker", "events -b=3 -u docker"},
		{"events -- -b -1", "events -- -b -1"},
	}
	for _, tt := range tests {
		got := strings.Join(joinBootValues(strings.Fields(tt.in)), " ")
		if got != tt.want {
			t.Errorf("joinBootValues(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// BenchmarkEventPrinter is the per-event cost of `events` printing, by
// format, without selections (the common path) and with -u docker.
func BenchmarkEventPrinter(b *testing.B) {
	ev := event.Event{
		Time: time.Date(2021, 10, 6, 21, 20, 21, 521938060, time.UTC), Host: "userver", Program: "dockerd", PID: 1067496,
		Priority: event.NoPriority, Source: event.SourceRef{Path: "syslog", Line: 1190, Format: "rfc3164"},
		Message: `time="2021-10-07T06:20:21.521938060+09:00" level=error msg="Failed to get event" error="rpc error: code = Unavailable desc = transport is closing" module=libcontainerd namespace=moby`,
	}
	for _, format := range []string{formatJSONL, formatText} {
		for _, units := range [][]string{nil, {"docker"}} {
			name := format
			if units != nil {
				name += "/unit"
			}
			b.Run(name, func(b *testing.B) {
				ios, _, _, _ := Test()
				opts := &EventsOptions{IO: ios, Format: format, In: InputFlags{Location: time.UTC}}
				if units != nil {
					opts.Filters.Units = units
					var err error
					if opts.Filters.filter, err = filter.New(filter.Options{Units: units}); err != nil {
						b.Fatal(err)
					}
				}
				write := eventPrinter(io.Discard, opts)
				b.ReportAllocs()
				for b.Loop() {
					if err := write(&ev); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
