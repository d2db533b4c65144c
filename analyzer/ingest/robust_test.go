package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// numbered returns n syslog lines whose messages are "line 1".."line n".
func numbered(n int) []byte {
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "Oct  7 %02d:%02d:%02d web3 app[42]: line %d\n", i/3600, i/60%60, i%60, i)
	}
	return b.Bytes()
}

func TestTruncatedCompression(t *testing.T) {
	data := numbered(20000)
	tests := []struct {
		name string
		comp func(t testing.TB, data []byte) []byte
		word string
		min  int64 // lines that must come out before the cut
	}{
		{"gzip", func(t testing.TB, d []byte) []byte { return gzipBytes(t, d, time.Unix(1633587621, 0)) }, "gzip", 1000},
		{"zstd", zstdBytes, "zstd", 1000},
		// ulikunitz/xz hands out nothing of an LZMA2 chunk it could not
		// finish, and this input is about one chunk.
		{"xz", xzBytes, "xz", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			useTestParser(t)
			c := tt.comp(t, data)
			p := writeFile(t, t.TempDir(), "syslog.2", c[:len(c)*2/3])
			r := run(t, Options{Paths: []string{p}, Location: time.UTC, Year: 2021})
			if len(r.warnings) != 1 {
				t.Fatalf("warnings %v, want one", r.warnings)
			}
			w := r.warnings[0]
			var last int64
			if _, err := fmt.Sscanf(w.Msg, "unexpected end of "+tt.word+" data after line %d", &last); err != nil {
				t.Fatalf("warning %q: %v", w.Msg, err)
			}
			if w.Line != last {
				t.Errorf("warning at line %d, want the last line read, %d (file:line)", w.Line, last)
			}
			if last < tt.min || int(last) >= 20000 {
				t.Errorf("last line %d: the events before the cut were not read", last)
			}
			// Every whole line before the cut is an event, in order.
			if int64(len(r.events)) < last-1 {
				t.Fatalf("%d events, want at least %d", len(r.events), last-1)
			}
			for i, ev := range r.events[:max(last-1, 0)] {
				if want := fmt.Sprintf("web3 app[42]: line %d", i+1); ev.Message != want {
					t.Fatalf("event %d: %q, want %q", i, ev.Message, want)
				}
			}
		})
	}
}

// repeatReader yields n bytes of c.
type repeatReader struct {
	c byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.c
	}
	r.n -= int64(len(p))
	return len(p), nil
}

func TestHugeLine(t *testing.T) {
	useTestParser(t)
	const huge = 50 << 20
	in := io.MultiReader(
		strings.NewReader("2021-10-07T06:20:21Z before\n2021-10-07T06:20:22Z "),
		&repeatReader{c: 'x', n: huge},
		strings.NewReader("\n2021-10-07T06:20:23Z after\n"),
	)
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	r := run(t, Options{Paths: []string{"-"}, Stdin: in, Location: time.UTC})
	runtime.ReadMemStats(&m1)
	if grew := m1.TotalAlloc - m0.TotalAlloc; grew > 16<<20 {
		t.Errorf("allocated %d MiB for a %d MiB line", grew>>20, huge>>20)
	}
	checkWarnings(t, r.warnings, []string{"<stdin>:2: line longer than 1048576 bytes truncated"}, nil)
	if got := len(r.events); got != 3 {
		t.Fatalf("%d events, want 3", got)
	}
	if ev := r.events[1]; len(ev.Message) != maxLineLen-len("2021-10-07T06:20:22Z ") || ev.Source.Line != 2 {
		t.Errorf("truncated event: line %d, %d bytes", ev.Source.Line, len(ev.Message))
	}
	if ev := r.events[2]; ev.Message != "after" || ev.Source.Line != 3 {
		t.Errorf("event after the long line: %q at line %d", ev.Message, ev.Source.Line)
	}
}

func TestBinaryLines(t *testing.T) {
	useTestParser(t)
	data := "2021-10-07T06:20:21Z fine\n2021-10-07T06:20:22Z also fine\n2021-10-07T06:20:23Z nul\x00byte\n2021-10-07T06:20:24Z bad \xff\xfe utf8\n2021-10-07T06:20:25Z end\n"
	for _, block := range []int{7, 64, 512 << 10} {
		t.Run(fmt.Sprint(block), func(t *testing.T) {
			setLimits(t, block, maxLineLen, maxChunkLines)
			p := writeFile(t, t.TempDir(), "syslog", []byte(data))
			r := run(t, Options{Paths: []string{p}, Location: time.UTC})
			checkWarnings(t, r.warnings, []string{p + ":3: binary data at line 3"}, nil)
			if got := strings.Join(messages(r.events), "|"); got != "fine|also fine|nul\x00byte|bad \xff\xfe utf8|end" {
				t.Errorf("messages %q", got)
			}
		})
	}
}

func TestUnreadable(t *testing.T) {
	useTestParser(t)
	dir := t.TempDir()
	good := writeFile(t, dir, "logs/syslog", []byte("2021-10-07T06:20:21Z good\n"))
	bad := writeFile(t, dir, "logs/auth.log", []byte("2021-10-07T06:20:22Z never read\n"))
	old := openFile
	openFile = func(name string, flag int) (*os.File, error) {
		if name == bad {
			return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrPermission}
		}
		return old(name, flag)
	}
	t.Cleanup(func() { openFile = old })
	missing := filepath.Join(dir, "nope", "syslog")

	r := run(t, Options{Paths: []string{missing, filepath.Join(dir, "logs")}, Location: time.UTC})
	checkWarnings(t, r.warnings, []string{
		missing + ": cannot read: no such file or directory",
		bad + ": cannot read: permission denied",
	}, nil)
	if got := strings.Join(messages(r.events), "|"); got != "good" {
		t.Errorf("messages %q", got)
	}
	if !r.readable {
		t.Error("Readable() = false, but one file was read")
	}
	if len(r.sources) != 1 || r.sources[0].Path != good {
		t.Errorf("sources %+v", r.sources)
	}

	r = run(t, Options{Paths: []string{missing}})
	if r.readable || len(r.events) != 0 {
		t.Errorf("nothing readable: Readable() = %v, %d events", r.readable, len(r.events))
	}
}

func TestOpenErrors(t *testing.T) {
	ws := &event.Warnings{}
	tests := []struct {
		name string
		opts Options
	}{
		{"no warnings", Options{Paths: []string{"x"}}},
		{"no paths", Options{Warnings: ws}},
		{"stdin without a reader", Options{Paths: []string{"-"}, Warnings: ws}},
		{"stdin twice", Options{Paths: []string{"-", "-"}, Stdin: strings.NewReader(""), Warnings: ws}},
		{"until before since", Options{Paths: []string{"x"}, Warnings: ws, Since: time.Unix(100, 0), Until: time.Unix(50, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s, err := Open(context.Background(), tt.opts); err == nil {
				s.Close()
				t.Error("Open succeeded")
			}
		})
	}
}

func TestDirectoryWalk(t *testing.T) {
	useTestParser(t)
	dir := t.TempDir()
	// A rotated set written out of order, untimed so that only source
	// order decides the merge.
	writeFile(t, dir, "var/log/syslog", []byte("live\n"))
	writeFile(t, dir, "var/log/syslog.1", []byte("rotated once\n"))
	writeFile(t, dir, "var/log/syslog.2.gz", gzipBytes(t, []byte("rotated twice\n"), time.Unix(1633587621, 0)))
	writeFile(t, dir, "var/log/syslog.10.gz", gzipBytes(t, []byte("rotated ten times\n"), time.Unix(1633587621, 0)))
	writeFile(t, dir, "var/log/README", []byte("this directory holds logs\n"))
	writeFile(t, dir, "var/log/wtmp", []byte("\x00\x00\x07\x00binary"))
	writeFile(t, dir, "var/log/journal/abc/system.journal", append([]byte("LPKSHHRH"), make([]byte, 64)...))
	writeFile(t, dir, "var/log/app/worker.log.1", []byte("app log\n"))
	writeFile(t, dir, "proc/kmsg.log", []byte("never walked\n"))
	if err := os.Symlink("../../usr/share/zoneinfo/Asia/Seoul", filepath.Join(dir, "etc/localtime")); err != nil {
		if err := os.MkdirAll(filepath.Join(dir, "etc"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("../usr/share/zoneinfo/Asia/Seoul", filepath.Join(dir, "etc/localtime")); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, dir, "var/log/kern.log", []byte("Oct  7 06:20:21 kernel time\n"))

	r := run(t, Options{Paths: []string{dir}, Year: 2021})
	var got []string
	for _, s := range r.sources {
		rel, _ := filepath.Rel(dir, s.Path)
		got = append(got, rel)
	}
	want := []string{"var/log/app/worker.log.1", "var/log/kern.log",
		"var/log/syslog.10.gz", "var/log/syslog.2.gz", "var/log/syslog.1", "var/log/syslog"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sources %q\nwant    %q", got, want)
	}
	// Untimed events key at the zero time, so source order decides; the
	// one timed event comes last.
	wantMsgs := "app log|rotated ten times|rotated twice|rotated once|live|kernel time"
	if m := strings.Join(messages(r.events), "|"); m != wantMsgs {
		t.Errorf("messages %q\nwant     %q", m, wantMsgs)
	}
	var kern event.Event
	for _, ev := range r.events {
		if ev.Message == "kernel time" {
			kern = ev
		}
	}
	seoul, _ := time.LoadLocation("Asia/Seoul")
	if want := time.Date(2021, 10, 7, 6, 20, 21, 0, seoul); !kern.Time.Equal(want) {
		t.Errorf("kern.log time %v, want %v (the bundle's etc/localtime)", kern.Time, want)
	}
	checkWarnings(t, r.warnings, []string{
		dir + ": skipped 1 native journal file(s) (first: var/log/journal/abc/system.journal): read them with --journal-dir",
		dir + ": skipped 1 binary file(s) (first: var/log/wtmp)",
	}, nil)
	if r.sources[0].Format != "test" || r.sources[0].Events != 1 || r.sources[0].Bytes != 8 {
		t.Errorf("stats %+v", r.sources[0])
	}
}

func TestIsLogName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"var/log/syslog", true},
		{"var/log/syslog.1", true},
		{"var/log/syslog.2.gz", true},
		{"var/log/messages-20211003", true},
		{"var/log/messages-20211003.xz", true},
		{"var/log/kern.log.4.zst", true},
		{"var/log/auth.log", true},
		{"var/log/apt/history.log.1.gz", true},
		{"var/log/apt/term.log", true},
		{"var/log/unattended-upgrades/unattended-upgrades-dpkg.log", true},
		{"var/log/dpkg.log.2.bz2", true},
		{"var/log/nginx/error.log", true},
		{"var/log/app/worker.log-20211003.gz", true},
		{"sos_commands/logs/journalctl_--no-pager", true},
		{"sos_commands/logs/journalctl_--no-pager_--boot_-1", true},
		{"sos_commands/logs/journalctl_--disk-usage", false},
		{"sos_strings/logs/var.log.syslog.tailed", true},
		{"sos_commands/docker/journalctl_--no-pager_--unit_docker", false},
		{"etc/rsyslog.conf", false},
		{"etc/syslog-ng/syslog-ng.conf", false},
		{"var/log/wtmp", false},
		{"var/log/lastlog", false},
		{"var/log/syslogd.pid", false},
		{"var/log/catalog", false},
		{"var/log/dialog.txt", false},
	}
	for _, tt := range tests {
		if got := isLogName(tt.name); got != tt.want {
			t.Errorf("isLogName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestOrderRotated(t *testing.T) {
	tests := []struct{ in, want string }{
		{"syslog syslog.1 syslog.10.gz syslog.2.gz syslog.3.gz", "syslog.10.gz syslog.3.gz syslog.2.gz syslog.1 syslog"},
		{"messages messages-20211003 messages-20210926 secure", "messages-20210926 messages-20211003 messages secure"},
		// Other files keep their places; the set takes the places it held.
		{"auth.log syslog b.log syslog.1 a.log", "auth.log syslog.1 b.log syslog a.log"},
		{"x/syslog y/syslog.1 x/syslog.1", "x/syslog.1 y/syslog.1 x/syslog"},
		{"<stdin> syslog", "<stdin> syslog"},
	}
	for _, tt := range tests {
		items := strings.Fields(tt.in)
		orderRotated(items, func(s string) string { return s })
		if got := strings.Join(items, " "); got != tt.want {
			t.Errorf("orderRotated(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestCloseMidway(t *testing.T) {
	useTestParser(t)
	setLimits(t, 4096, maxLineLen, maxChunkLines)
	dir := t.TempDir()
	a := writeFile(t, dir, "a.log", numbered(50000))
	b := writeFile(t, dir, "b.log.gz", gzipBytes(t, numbered(50000), time.Unix(1633587621, 0)))
	c := writeFile(t, dir, "c.tar", tarBytes(t, member{name: "var/log/syslog", data: numbered(1000)}))
	before := runtime.NumGoroutine()
	for _, stopAfter := range []int{0, 1, 5000} {
		s, err := Open(context.Background(), Options{Paths: []string{a, b, c}, Warnings: &event.Warnings{}, Location: time.UTC, Year: 2021, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < stopAfter && s.Next(); i++ {
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if s.Next() {
			t.Error("Next after Close returned true")
		}
	}
	waitGoroutines(t, before)
}

func TestContextCancel(t *testing.T) {
	useTestParser(t)
	setLimits(t, 4096, maxLineLen, maxChunkLines)
	p := writeFile(t, t.TempDir(), "a.log", numbered(50000))
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := Open(ctx, Options{Paths: []string{p}, Warnings: &event.Warnings{}, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for s.Next() {
		if n++; n == 100 {
			cancel()
		}
	}
	if !errors.Is(s.Err(), context.Canceled) {
		t.Errorf("Err() = %v, want context.Canceled", s.Err())
	}
	if n >= 50000 {
		t.Errorf("read all %d events after cancel", n)
	}
	s.Close()
	waitGoroutines(t, before)
}

func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if runtime.NumGoroutine() <= want {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Errorf("%d goroutines, want <= %d:\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
}
