package ingest

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// incident is a small syslog in the shape of the seed 001 incident (an
// unattended upgrade stopping containerd under dockerd), with other
// daemons around it, blank lines, an indented continuation and a line
// that fits no format (after a blank line: an event of its own).
const incident = `Oct  7 06:17:01 web3 CRON[3120]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)
Oct  7 06:20:17 web3 systemd[1]: Starting Daily apt upgrade and clean activities...
Oct  7 06:20:21 web3 systemd[1]: Stopping containerd container runtime...
Oct  7 06:20:21 web3 containerd[2211]: time="2021-10-07T06:20:21.521903779+09:00" level=info msg="Stop CRI service"
Oct  7 06:20:21 web3 dockerd[1042]: time="2021-10-07T06:20:21.521938060+09:00" level=error msg="Failed to get event" error="rpc error: code = Unavailable desc = transport is closing" module=libcontainerd namespace=moby

Oct  7 06:20:21 web3 systemd[1]: containerd.service: Succeeded.
Oct  7 06:20:21 web3 systemd[1]: Stopped containerd container runtime.
Oct  7 06:20:22 web3 dockerd[1042]: time="2021-10-07T06:20:22.522262740+09:00" level=warning msg="grpc: addrConn.createTransport failed to connect to {unix:///run/containerd/containerd.sock  <nil> 0 <nil>}. Reconnecting..." module=grpc
    continuation of the grpc warning
Oct  7 06:20:23 web3 sshd[1201]: Accepted publickey for ubuntu from 10.0.0.5 port 52234 ssh2: RSA SHA256:abc
Oct  7 06:20:24 web3 systemd[1]: Reloading.

this line fits no format at all
Oct  7 06:20:25 web3 kernel: [33431.000100] docker0: port 1(veth3a1b2c4) entered disabled state
Oct  7 06:25:01 web3 CRON[7001]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)
Oct  7 06:30:00 web3 systemd[1]: apt-daily-upgrade.service: Succeeded.
`

// testParser stands in for parse.ParseLine where a test needs times it
// controls: "RFC3339 message" lines are exact, "Mmm dd hh:mm:ss message"
// lines year-less, indented lines continuations, other lines untimed text.
func testParser(_ *parse.Parser, line []byte, o *parse.Options, ev *event.Event) parse.Kind {
	s := strings.TrimSuffix(string(line), "\r")
	switch {
	case strings.TrimSpace(s) == "":
		return parse.KindSkip
	case strings.HasPrefix(s, "  "):
		ev.Message = strings.TrimSpace(s)
		return parse.KindContinuation
	}
	ev.Source.Format = "test"
	if sp := strings.IndexByte(s, ' '); sp > 0 {
		if t, err := time.Parse(time.RFC3339Nano, s[:sp]); err == nil {
			ev.Time, ev.TimeQuality, ev.Message = t, event.TimeExact, s[sp+1:]
			return parse.KindEntry
		}
	}
	if len(s) > 16 && s[15] == ' ' {
		if t, err := time.Parse(time.Stamp, s[:15]); err == nil {
			ev.Time = time.Date(o.Year, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, o.Location)
			ev.TimeQuality, ev.Message = event.TimeYearInferred, s[16:]
			return parse.KindEntry
		}
	}
	ev.Message = s
	return parse.KindEntry
}

// useTestParser swaps testParser in for the rest of the test.
func useTestParser(t *testing.T) {
	old := parseLine
	parseLine = testParser
	t.Cleanup(func() { parseLine = old })
}

// setLimits shrinks the reader's limits for the rest of the test.
func setLimits(t *testing.T, block, line, lines int) {
	ob, ol, oc := blockSize, maxLineLen, maxChunkLines
	blockSize, maxLineLen, maxChunkLines = block, line, lines
	t.Cleanup(func() { blockSize, maxLineLen, maxChunkLines = ob, ol, oc })
}

type result struct {
	events   []event.Event
	sources  []SourceStats
	warnings []event.Warning
	readable bool
}

// run reads everything opts names.
func run(t testing.TB, opts Options) result {
	t.Helper()
	if opts.Warnings == nil {
		opts.Warnings = &event.Warnings{}
	}
	s, err := Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	var r result
	for s.Next() {
		r.events = append(r.events, *s.Event().Clone())
	}
	if err := s.Err(); err != nil {
		t.Fatalf("Err: %v", err)
	}
	r.sources = s.Sources()
	r.warnings = opts.Warnings.List()
	r.readable = s.Readable()
	return r
}

// view is what the input-path equality test compares: everything but the
// path, which names the input.
func view(evs []event.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = fmt.Sprintf("%d %s %s %s %s[%d] %q %v", ev.Source.Line, ev.Source.Format,
			ev.Time.Format(time.RFC3339Nano), ev.Host, ev.Program, ev.PID, ev.Message, ev.Fields)
	}
	return out
}

func messages(evs []event.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Message
	}
	return out
}

// gzipBytes compresses data with mod as the header MTIME; time.Unix(0, 0)
// writes MTIME 0, as `cat f | gzip` does.
func gzipBytes(t testing.TB, data []byte, mod time.Time) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.ModTime = mod
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zstdBytes(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	w, err := zstd.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func xzBytes(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func bzip2Bytes(t testing.TB, data []byte) []byte {
	if _, err := exec.LookPath("bzip2"); err != nil {
		t.Skip("bzip2 not on PATH")
	}
	cmd := exec.Command("bzip2", "-c")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type member struct {
	name string
	data []byte
	mod  time.Time
	link string // a symlink when set
}

func tarBytes(t testing.TB, members ...member) []byte {
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.data)), ModTime: m.mod, Typeflag: tar.TypeReg}
		if m.link != "" {
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, m.link, 0
		}
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		w.Write(m.data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestInputPathsAgree feeds the same log through every input path and
// requires the same event sequence (ripgrep's testutil idea): whatever the
// parsers make of the lines, decompression, archives, stdin and block
// boundaries must not change it.
func TestInputPathsAgree(t *testing.T) {
	data := []byte(incident)
	mod := time.Date(2021, 10, 8, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	plain := writeFile(t, dir, "syslog", data)
	for _, p := range []string{plain} {
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	// In the zone its dockerd lines state (+09:00): any other --tz warns.
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	base := run(t, Options{Paths: []string{plain}, Location: seoul, Year: 2021})
	want := view(base.events)
	if len(want) < 14 {
		t.Fatalf("only %d events from the plain file", len(want))
	}
	// The stage hands the parser's work through untouched: the plain file
	// itself reads as RFC3164 with the --year anchor.
	if st := base.sources[0]; st.Format != parse.FormatRFC3164 || st.TimeQuality != "year_inferred from --year" ||
		!st.First.Equal(time.Date(2021, 10, 7, 6, 17, 1, 0, seoul)) || !st.Last.Equal(time.Date(2021, 10, 7, 6, 30, 0, 0, seoul)) {
		t.Errorf("plain file stats %+v", st)
	}

	type tc struct {
		name  string
		paths func(t *testing.T) ([]string, io.Reader)
		block int // 0: default
		lines int // 0: default
	}
	file := func(name string, b func(t *testing.T) []byte) func(t *testing.T) ([]string, io.Reader) {
		return func(t *testing.T) ([]string, io.Reader) {
			return []string{writeFile(t, t.TempDir(), name, b(t))}, nil
		}
	}
	stdin := func(b func(t *testing.T) []byte) func(t *testing.T) ([]string, io.Reader) {
		return func(t *testing.T) ([]string, io.Reader) { return []string{"-"}, bytes.NewReader(b(t)) }
	}
	raw := func(t *testing.T) []byte { return data }
	gz := func(t *testing.T) []byte { return gzipBytes(t, data, mod) }
	tr := func(t *testing.T) []byte {
		return tarBytes(t, member{name: "etc/hostname", data: []byte("web3\n")},
			member{name: "var/log/syslog", data: data, mod: mod})
	}
	cases := []tc{
		{name: "plain", paths: file("syslog", raw)},
		{name: "gzip", paths: file("syslog.2.gz", gz)},
		{name: "zstd", paths: file("syslog.zst", func(t *testing.T) []byte { return zstdBytes(t, data) })},
		{name: "xz", paths: file("syslog.xz", func(t *testing.T) []byte { return xzBytes(t, data) })},
		{name: "bzip2", paths: file("syslog.bz2", func(t *testing.T) []byte { return bzip2Bytes(t, data) })},
		{name: "gzip under a misleading name", paths: file("syslog.txt", gz)},
		{name: "tar", paths: file("logs.tar", tr)},
		{name: "tar.gz", paths: file("logs.tar.gz", func(t *testing.T) []byte { return gzipBytes(t, tr(t), mod) })},
		{name: "tar.xz", paths: file("sosreport-web3.tar.xz", func(t *testing.T) []byte { return xzBytes(t, tr(t)) })},
		{name: "stdin", paths: stdin(raw)},
		{name: "stdin gzip", paths: stdin(gz)},
		{name: "stdin tar.gz", paths: stdin(func(t *testing.T) []byte { return gzipBytes(t, tr(t), mod) })},
		{name: "block 7", paths: file("syslog", raw), block: 7},
		{name: "block 64", paths: file("syslog", raw), block: 64},
		{name: "block 64 gzip", paths: file("syslog.gz", gz), block: 64},
		{name: "block 1 tar", paths: file("a.tar", tr), block: 1},
		{name: "3 lines a chunk", paths: file("syslog", raw), lines: 3},
		{name: "1 line a chunk", paths: file("syslog", raw), block: 64, lines: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			setLimits(t, cmp(c.block, blockSize), maxLineLen, cmp(c.lines, maxChunkLines))
			paths, in := c.paths(t)
			r := run(t, Options{Paths: paths, Stdin: in, Location: seoul, Year: 2021, Workers: 2})
			got := view(r.events)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("events differ from the plain file's:\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, w := range r.warnings {
				t.Errorf("unexpected warning: %v", w)
			}
			if len(r.sources) != 1 || r.sources[0].Bytes != int64(len(data)) || r.sources[0].Events != int64(len(want)) {
				t.Errorf("sources = %+v, want one of %d bytes and %d events", r.sources, len(data), len(want))
			}
		})
	}
}

func cmp(v, dflt int) int {
	if v == 0 {
		return dflt
	}
	return v
}

func TestArchiveMemberPaths(t *testing.T) {
	useTestParser(t)
	mod := time.Date(2021, 10, 8, 0, 0, 0, 0, time.UTC)
	arch := tarBytes(t,
		member{name: "sosreport-web3/etc/localtime", link: "../usr/share/zoneinfo/Asia/Seoul"},
		member{name: "sosreport-web3/var/log/syslog", data: []byte("Oct  7 06:20:21 live\n"), mod: mod},
		member{name: "sosreport-web3/var/log/syslog.1", data: []byte("Oct  6 06:20:21 older\n"), mod: mod},
		member{name: "sosreport-web3/var/log/syslog.2.gz", data: gzipBytes(t, []byte("Oct  5 06:20:21 oldest\n"), time.Date(2020, 10, 6, 0, 0, 0, 0, time.UTC))},
		member{name: "sosreport-web3/sos_commands/date/date", data: []byte("Thu Oct  7 06:30:00 KST 2021\n")},
		member{name: "sosreport-web3/proc/kmsg", data: []byte("Oct  7 06:20:21 not read\n")},
	)
	p := writeFile(t, t.TempDir(), "sosreport-web3.tar", arch)
	r := run(t, Options{Paths: []string{p}})
	var paths []string
	for _, s := range r.sources {
		paths = append(paths, strings.TrimPrefix(s.Path, p+":")+" "+s.TimeQuality)
	}
	wantPaths := []string{
		"sosreport-web3/var/log/syslog.2.gz year_inferred from gzip header; zone_from etc/localtime (Asia/Seoul)",
		"sosreport-web3/var/log/syslog.1 year_inferred from archive member time; zone_from etc/localtime (Asia/Seoul)",
		"sosreport-web3/var/log/syslog year_inferred from archive member time; zone_from etc/localtime (Asia/Seoul)",
	}
	if strings.Join(paths, "\n") != strings.Join(wantPaths, "\n") {
		t.Errorf("sources:\n%s\nwant:\n%s", strings.Join(paths, "\n"), strings.Join(wantPaths, "\n"))
	}
	seoul, _ := time.LoadLocation("Asia/Seoul")
	want := []string{
		"2020-10-05T06:20:21+09:00 oldest " + p + ":sosreport-web3/var/log/syslog.2.gz",
		"2021-10-06T06:20:21+09:00 older " + p + ":sosreport-web3/var/log/syslog.1",
		"2021-10-07T06:20:21+09:00 live " + p + ":sosreport-web3/var/log/syslog",
	}
	var got []string
	for _, ev := range r.events {
		got = append(got, ev.Time.In(seoul).Format(time.RFC3339)+" "+ev.Message+" "+ev.Source.Path)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMerge(t *testing.T) {
	useTestParser(t)
	tests := []struct {
		name  string
		files []string // contents; given as paths a, b, c...
		want  []string // "file:line message"
		warn  []string
	}{
		{
			name: "interleave by time",
			files: []string{
				"2021-10-07T06:20:17Z a1\n2021-10-07T06:20:21Z a2\n2021-10-07T06:20:25Z a3\n",
				"2021-10-07T06:20:18Z b1\n2021-10-07T06:20:22Z b2\n2021-10-07T06:20:30Z b3\n",
			},
			want: []string{"a:1 a1", "b:1 b1", "a:2 a2", "b:2 b2", "a:3 a3", "b:3 b3"},
		},
		{
			name: "equal times keep source order, then file order",
			files: []string{
				"2021-10-07T06:20:21Z a1\n2021-10-07T06:20:21Z a2\n",
				"2021-10-07T06:20:21Z b1\n2021-10-07T06:20:21Z b2\n",
			},
			want: []string{"a:1 a1", "a:2 a2", "b:1 b1", "b:2 b2"},
		},
		{
			name: "offsets compare as instants",
			files: []string{
				"2021-10-07T06:20:21+09:00 seoul\n",
				"2021-10-06T21:20:20Z utc\n",
			},
			want: []string{"b:1 utc", "a:1 seoul"},
		},
		{
			name: "untimed lines stay beside their neighbours",
			files: []string{
				"2021-10-07T06:20:17Z a1\nno time here\n2021-10-07T06:20:25Z a3\n",
				"2021-10-07T06:20:18Z b1\n2021-10-07T06:20:22Z b2\n",
			},
			want: []string{"a:1 a1", "a:2 no time here", "b:1 b1", "b:2 b2", "a:3 a3"},
		},
		{
			name: "a source going backwards is kept in file order and warned about",
			files: []string{
				"2021-10-07T06:20:17Z a1\n2021-10-07T06:30:00Z a2\n2021-10-07T06:20:40Z a3\n2021-10-07T06:29:30Z a4\n",
				"2021-10-07T06:25:00Z b1\n",
			},
			want: []string{"a:1 a1", "b:1 b1", "a:2 a2", "a:3 a3", "a:4 a4"},
			warn: []string{"a:3: time goes backwards by 9m20s"},
		},
		{
			// (The test parser reads "stamp message": the order is what counts.)
			name: "a container log export sorted newest first is read in file order, with one warning",
			files: []string{func() string {
				var b strings.Builder
				for i := 20; i >= 1; i-- {
					fmt.Fprintf(&b, "2021-10-07T06:%02d:00Z line %d\n", i, i)
				}
				return b.String()
			}()},
			want: func() []string {
				var w []string
				for i := 20; i >= 1; i-- {
					w = append(w, fmt.Sprintf("a:%d line %d", 21-i, i))
				}
				return w
			}(),
			warn: []string{"a:0: times run newest first (19 of 19 steps go back, 2021-10-07T06:20:00Z to 2021-10-07T06:01:00Z); read in file order"},
		},
		{
			name: "a long source with a few steps back warns about each",
			files: []string{func() string {
				var b strings.Builder
				for i := 1; i <= 20; i++ {
					m := i
					if i == 5 || i == 18 {
						m = i - 3
					}
					fmt.Fprintf(&b, "2021-10-07T06:%02d:00Z l%d\n", m, i)
				}
				return b.String()
			}()},
			want: func() []string {
				var w []string
				for i := 1; i <= 20; i++ {
					w = append(w, fmt.Sprintf("a:%d l%d", i, i))
				}
				return w
			}(),
			warn: []string{"a:5: time goes backwards by 2m0s", "a:18: time goes backwards by 2m0s"},
		},
		{
			name: "continuations join their entry",
			files: []string{
				"2021-10-07T06:20:17Z panic: runtime error\n  goroutine 1 [running]:\n\n2021-10-07T06:20:18Z next\n",
			},
			want: []string{"a:1 panic: runtime error\ngoroutine 1 [running]:", "a:4 next"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			for i, f := range tt.files {
				paths = append(paths, writeFile(t, dir, string(rune('a'+i)), []byte(f)))
			}
			r := run(t, Options{Paths: paths, Location: time.UTC})
			var got []string
			for _, ev := range r.events {
				got = append(got, fmt.Sprintf("%s:%d %s", filepath.Base(ev.Source.Path), ev.Source.Line, ev.Message))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			checkWarnings(t, r.warnings, tt.warn, func(w event.Warning) string {
				return fmt.Sprintf("%s:%d: %s", filepath.Base(w.Path), w.Line, w.Msg)
			})
		})
	}
}

// checkWarnings requires each of want to prefix one warning and no other
// warning to exist.
func checkWarnings(t *testing.T, ws []event.Warning, want []string, show func(event.Warning) string) {
	t.Helper()
	if show == nil {
		show = event.Warning.String
	}
	var got []string
	for _, w := range ws {
		got = append(got, show(w))
	}
	if len(got) != len(want) {
		t.Errorf("warnings %q, want %q", got, want)
		return
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("warning %q, want it to start with %q", got[i], want[i])
		}
	}
}

func TestSinceUntil(t *testing.T) {
	useTestParser(t)
	p := writeFile(t, t.TempDir(), "syslog", []byte(
		"2021-10-07T06:00:00Z early\nuntimed first\n2021-10-07T06:20:00Z in1\n2021-10-07T06:25:00Z in2\n2021-10-07T07:00:00Z late\n"))
	at := func(hm string) time.Time {
		t, _ := time.Parse(time.RFC3339, "2021-10-07T"+hm+":00Z")
		return t
	}
	tests := []struct {
		name         string
		since, until time.Time
		want         string
	}{
		{"unbounded", time.Time{}, time.Time{}, "early|untimed first|in1|in2|late"},
		{"since", at("06:20"), time.Time{}, "in1|in2|late"},
		{"until inclusive", time.Time{}, at("06:20"), "early|untimed first|in1"},
		{"both", at("06:10"), at("06:30"), "in1|in2"},
		{"empty window", at("06:21"), at("06:22"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, Options{Paths: []string{p}, Location: time.UTC, Since: tt.since, Until: tt.until})
			if got := strings.Join(messages(r.events), "|"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if r.sources[0].Events != 5 {
				t.Errorf("stats count %d events, want 5 (before filtering)", r.sources[0].Events)
			}
		})
	}
}

func TestUntimedBeforeAnyTime(t *testing.T) {
	// The untimed "no time" line in a has no earlier time in its source: it
	// keys at the zero time and so leads the merge.
	useTestParser(t)
	dir := t.TempDir()
	a := writeFile(t, dir, "a", []byte("no time\n2021-10-07T06:20:19Z a2\n"))
	b := writeFile(t, dir, "b", []byte("2021-10-07T06:20:18Z b1\n"))
	r := run(t, Options{Paths: []string{b, a}, Location: time.UTC})
	if got := strings.Join(messages(r.events), "|"); got != "no time|b1|a2" {
		t.Errorf("got %q", got)
	}
}

func TestAnchors(t *testing.T) {
	useTestParser(t)
	oct8 := time.Date(2021, 10, 8, 3, 0, 0, 0, time.UTC)
	jan3 := time.Date(2022, 1, 3, 3, 0, 0, 0, time.UTC)
	lines := []byte("Dec 31 23:59:58 last of the year\nJan  1 00:00:01 first of the next\n")
	tests := []struct {
		name    string
		file    string
		data    func(t *testing.T) []byte
		mtime   time.Time
		year    int
		want    string // times of the two events
		quality string
	}{
		{"gzip header beats file mtime", "syslog.2.gz", func(t *testing.T) []byte { return gzipBytes(t, lines, jan3) }, oct8.AddDate(3, 0, 0), 0,
			"2021-12-31T23:59:58Z 2022-01-01T00:00:01Z", "year_inferred from gzip header"},
		{"gzip with MTIME 0 falls back to the file mtime", "syslog.2.gz", func(t *testing.T) []byte { return gzipBytes(t, lines, time.Unix(0, 0)) }, jan3.AddDate(2, 0, 0), 0,
			"2023-12-31T23:59:58Z 2024-01-01T00:00:01Z", "year_inferred from file mtime"},
		{"dateext name beats file mtime", "messages-20220103", func(t *testing.T) []byte { return lines }, oct8.AddDate(5, 0, 0), 0,
			"2021-12-31T23:59:58Z 2022-01-01T00:00:01Z", "year_inferred from file name"},
		{"file mtime", "syslog", func(t *testing.T) []byte { return lines }, jan3.AddDate(-1, 0, 0), 0,
			"2020-12-31T23:59:58Z 2021-01-01T00:00:01Z", "year_inferred from file mtime"},
		{"--year beats everything", "syslog.2.gz", func(t *testing.T) []byte { return gzipBytes(t, lines, jan3) }, oct8, 2015,
			"2015-12-31T23:59:58Z 2016-01-01T00:00:01Z", "year_inferred from --year"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), tt.file, tt.data(t))
			if err := os.Chtimes(p, tt.mtime, tt.mtime); err != nil {
				t.Fatal(err)
			}
			r := run(t, Options{Paths: []string{p}, Location: time.UTC, Year: tt.year})
			var got []string
			for _, ev := range r.events {
				got = append(got, ev.Time.UTC().Format(time.RFC3339))
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("times %q, want %q", got, tt.want)
			}
			if q := r.sources[0].TimeQuality; q != tt.quality {
				t.Errorf("TimeQuality %q, want %q", q, tt.quality)
			}
		})
	}
}

func TestStdinDefaults(t *testing.T) {
	useTestParser(t)
	tests := []struct {
		name string
		in   string
		opts Options
		warn []string
	}{
		{"year-less lines warn about zone and year", "Oct  7 06:20:21 x\n", Options{},
			[]string{"<stdin>: zone-less times on stdin read as UTC; set --tz", "<stdin>: the year of year-less times was assumed from the current time; set --year"}},
		{"--tz and --year silence them", "Oct  7 06:20:21 x\n", Options{Location: time.UTC, Year: 2021}, nil},
		{"exact times need neither", "2021-10-07T06:20:21Z x\n", Options{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Paths, tt.opts.Stdin = []string{"-"}, strings.NewReader(tt.in)
			r := run(t, tt.opts)
			checkWarnings(t, r.warnings, tt.warn, nil)
			if len(r.events) != 1 || r.events[0].Source.Path != StdinName {
				t.Errorf("events %+v", r.events)
			}
			if tt.opts.Year == 0 && len(r.events) == 1 && r.events[0].Time.Year() < 2021 {
				t.Errorf("time %v: the year did not come from the current time", r.events[0].Time)
			}
		})
	}
}

func TestJournalExport(t *testing.T) {
	export := "__CURSOR=s=1;i=1\n__REALTIME_TIMESTAMP=1633555221521903\n_BOOT_ID=5c1e0e7a5b8a4c6c8e0a4f0a1b2c3d4e\n_HOSTNAME=web3\nSYSLOG_IDENTIFIER=systemd\n_PID=1\nPRIORITY=6\nMESSAGE=Stopping containerd container runtime...\n\n" +
		"__CURSOR=s=1;i=2\n__REALTIME_TIMESTAMP=1633555221526857\nbad key=x\n\n" +
		"__CURSOR=s=1;i=3\n__REALTIME_TIMESTAMP=1633555221900000\n_HOSTNAME=web3\nSYSLOG_IDENTIFIER=systemd\n_PID=1\nMESSAGE=Stopped containerd container runtime.\n\n"
	tests := []struct {
		name  string
		data  func(t *testing.T) []byte
		stdin bool
	}{
		{"file", func(t *testing.T) []byte { return []byte(export) }, false},
		{"gzip on stdin", func(t *testing.T) []byte { return gzipBytes(t, []byte(export), time.Unix(0, 0)) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Paths: []string{"-"}, Stdin: bytes.NewReader(tt.data(t))}
			name := StdinName
			if !tt.stdin {
				name = writeFile(t, t.TempDir(), "journalctl_-o_export", tt.data(t))
				opts = Options{Paths: []string{name}}
			}
			r := run(t, opts)
			var got []string
			for _, ev := range r.events {
				got = append(got, fmt.Sprintf("%s:%d %s %s %s", ev.Source.Path, ev.Source.Line, ev.Time.UTC().Format(time.RFC3339Nano), ev.Program, ev.Message))
			}
			want := []string{
				name + ":1 2021-10-06T21:20:21.521903Z systemd Stopping containerd container runtime...",
				name + ":14 2021-10-06T21:20:21.9Z systemd Stopped containerd container runtime.",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			checkWarnings(t, r.warnings, []string{name + ":12: bad export entry: invalid field name"}, nil)
			if st := r.sources[0]; st.Format != parse.FormatJournalExport || st.Events != 2 || st.TimeQuality != "exact" || st.Bytes != int64(len(export)) {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// An event without any time (TimeNone: nothing before it to inherit
// from) cannot be placed outside --since/--until: it is kept.
func TestSinceKeepsTimeNone(t *testing.T) {
	useTestParser(t)
	p := writeFile(t, t.TempDir(), "syslog", []byte("no time at all\n2021-10-07T06:00:00Z early\n2021-10-07T06:25:00Z in\n"))
	since := time.Date(2021, 10, 7, 6, 20, 0, 0, time.UTC)
	r := run(t, Options{Paths: []string{p}, Location: time.UTC, Since: since})
	if got := strings.Join(messages(r.events), "|"); got != "no time at all|in" {
		t.Errorf("got %q, want %q", got, "no time at all|in")
	}
	if q := r.events[0].TimeQuality; q != event.TimeNone {
		t.Errorf("time quality %s, want none", q)
	}
}
