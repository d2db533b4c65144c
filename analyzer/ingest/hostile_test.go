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
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Regression tests of issue 19 (hostile input): ingest, parse and
// output-file items, one test or more per item.

// TestSymlinkToDirArgument: a symlink to a directory named as an argument
// is walked like the directory (item 12); links inside a walk still are
// not followed.
func TestSymlinkToDirArgument(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	writeFile(t, logs, "syslog", []byte(incident))
	writeFile(t, dir, "elsewhere/messages", []byte(incident))
	link := filepath.Join(dir, "link")
	if err := os.Symlink(logs, link); err != nil {
		t.Fatal(err)
	}
	// A link inside the walk is not followed (sos links to .tailed copies).
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(logs, "inner")); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{Paths: []string{link}})
	if len(r.sources) != 1 || r.sources[0].Path != filepath.Join(link, "syslog") {
		t.Fatalf("sources %+v, want only %s", r.sources, filepath.Join(link, "syslog"))
	}
	if want := run(t, Options{Paths: []string{logs}}); len(r.events) != len(want.events) || len(r.events) == 0 {
		t.Errorf("%d events through the link, %d through the directory", len(r.events), len(want.events))
	}
	for _, w := range r.warnings {
		t.Errorf("warning: %v", w)
	}
}

// crOnlySyslog is n syslog lines ended by lone CRs; every tenth is the
// kernel's OOM kill line.
func crOnlySyslog(n int) []byte {
	var b []byte
	for i := range n {
		msg := "CRON[3120]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)"
		if i%10 == 9 {
			msg = fmt.Sprintf("kernel: [33431.%06d] Out of memory: Killed process %d (java) total-vm:8123456kB, anon-rss:4012345kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:9000kB oom_score_adj:0", i, 4000+i)
		}
		b = fmt.Appendf(b, "Oct  7 06:%02d:%02d web3 %s\r", i/60, i%60, msg)
	}
	return b
}

// TestLoneCRLineEnds: lone CRs end lines (item 15): 20 CR-only lines are
// 20 events, both OOM lines among them, through every way of reading;
// a CRLF file reads as before.
func TestLoneCRLineEnds(t *testing.T) {
	data := crOnlySyslog(20)
	dir := t.TempDir()
	plain := writeFile(t, dir, "syslog", data)
	gz := writeFile(t, dir, "syslog.2.gz", gzipBytes(t, data, time.Time{}))
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"mapped file", Options{Paths: []string{plain}}},
		{"gzip", Options{Paths: []string{gz}}},
		{"stdin", Options{Paths: []string{"-"}, Stdin: bytes.NewReader(data)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Location, tc.opts.Year = time.UTC, 2021
			r := run(t, tc.opts)
			if len(r.events) != 20 {
				t.Fatalf("%d events, want 20", len(r.events))
			}
			oom := 0
			for i, ev := range r.events {
				if ev.Source.Line != int64(i+1) || strings.ContainsRune(ev.Message, '\r') {
					t.Errorf("event %d: line %d, message %q", i, ev.Source.Line, ev.Message)
				}
				if strings.HasPrefix(ev.Message, "Out of memory: Killed process") {
					oom++
				}
			}
			if oom != 2 {
				t.Errorf("%d OOM lines, want 2", oom)
			}
		})
	}
	crlf := bytes.ReplaceAll(data, []byte("\r"), []byte("\r\n"))
	r := run(t, Options{Paths: []string{writeFile(t, dir, "crlf.log", crlf)}, Location: time.UTC, Year: 2021})
	if len(r.events) != 20 || r.events[19].Source.Line != 20 {
		t.Errorf("CRLF: %d events", len(r.events))
	}
}

// peakRSS resets the process's peak RSS, runs f, and returns how far the
// peak rose above the RSS before f (Linux: /proc/self/clear_refs).
func peakRSS(t *testing.T, f func()) int64 {
	t.Helper()
	if raceEnabled {
		t.Skip("memory bounds are checked without the race detector (make unit runs this test)")
	}
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak RSS: %v", err)
	}
	before := procStatus(t, "VmRSS")
	f()
	return procStatus(t, "VmHWM") - before
}

// procStatus reads a field of /proc/self/status, in bytes.
func procStatus(t *testing.T, field string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// TestOverlongLinePagesDropped: the pages of a skipped over-long line of
// a mapped file are dropped as it is skipped (item 6): a 512 MiB one-line
// sparse file (2 GB in the issue) raises the peak RSS by a few strides,
// not by its size.
func TestOverlongLinePagesDropped(t *testing.T) {
	const size = 512 << 20
	p := filepath.Join(t.TempDir(), "one-line.log")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	// A real first line, then one line of 512 MiB of NULs (a hole), then
	// one more line.
	f.WriteString("Oct  7 06:20:21 web3 kernel: [1.000000] first\n")
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Seek(size, 0)
	f.WriteString("\nOct  7 06:20:22 web3 kernel: [2.000000] after the long line\n")
	f.Close()
	var r result
	grew := peakRSS(t, func() {
		r = run(t, Options{Paths: []string{p}, Location: time.UTC, Year: 2021})
	})
	if n := len(r.events); n < 2 || !strings.HasPrefix(r.events[0].Message, "first") || r.events[n-1].Message != "after the long line" {
		t.Fatalf("%d events, the last %.80q", n, r.events[n-1].Message)
	}
	t.Logf("peak RSS grew by %d MiB", grew>>20)
	if grew > 96<<20 {
		t.Errorf("peak RSS grew by %d MiB reading a %d MiB line, want under 96", grew>>20, size>>20)
	}
}

// zeros is an endless stream of NULs: `cat /dev/zero`.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestCancelSkippingEndlessLine: a stopped stream ends while an endless
// over-long line is skipped (item 8: Ctrl-C on `cat /dev/zero |
// logsleuth events -`); Close returns.
func TestCancelSkippingEndlessLine(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Open(ctx, Options{Paths: []string{"-"}, Stdin: zeros{}, Warnings: &event.Warnings{}})
	if err != nil {
		t.Fatal(err)
	}
	// The truncated line is held back until the line after it starts,
	// which never comes: Next waits until the stream is stopped.
	time.AfterFunc(200*time.Millisecond, cancel)
	for s.Next() {
	}
	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close still waits 5s after cancellation: the skip loop ignores it")
	}
	if !errors.Is(s.Err(), context.Canceled) {
		t.Errorf("Err %v, want context.Canceled", s.Err())
	}
}

// TestArchiveMemberStreams: a tar member is read like a file, never held
// in memory whole (item 1): the peak RSS of reading a gzip member of
// generated lines inside a tar stays near that of the same lines as a
// plain file (the old reader parsed the member into memory: about three
// times its text).
func TestArchiveMemberStreams(t *testing.T) {
	data := benchData(48 << 20)
	dir, tmp := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the member's copy goes
	plain := writeFile(t, dir, "syslog.1", data)
	archive := writeFile(t, dir, "ticket.tar", tarBytes(t,
		member{name: "var/log/syslog.1.gz", data: gzipBytes(t, data, time.Date(2021, 10, 30, 0, 0, 0, 0, time.UTC))}))
	data = nil
	count := func(p string) (n int) {
		s, err := Open(context.Background(), Options{Paths: []string{p}, Warnings: &event.Warnings{}, Location: time.UTC, Year: 2021})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for s.Next() {
			n++
		}
		return n
	}
	var nPlain, nTar int
	plainPeak := peakRSS(t, func() { nPlain = count(plain) })
	tarPeak := peakRSS(t, func() { nTar = count(archive) })
	t.Logf("peak RSS above the start: plain file %d MiB, tar member %d MiB", plainPeak>>20, tarPeak>>20)
	if nTar != nPlain || nPlain == 0 {
		t.Fatalf("%d events from the tar, %d from the file", nTar, nPlain)
	}
	if tarPeak > plainPeak+48<<20 {
		t.Errorf("the tar member peaks %d MiB above the start, the plain file %d MiB", tarPeak>>20, plainPeak>>20)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
		t.Errorf("temporary copies left behind: %v", left)
	}
}

// TestNestedArchive: a sosreport tar.xz wrapped in an upload tar is read
// (item 13), member by member; archives nested deeper than
// maxArchiveDepth are warned about.
func TestNestedArchive(t *testing.T) {
	sos := xzBytes(t, tarBytes(t,
		member{name: "sosreport-web3/var/log/syslog", data: []byte(incident), mod: time.Date(2021, 10, 7, 7, 0, 0, 0, time.UTC)}))
	upload := tarBytes(t, member{name: "case-01234/sosreport-web3.tar.xz", data: sos}, member{name: "case-01234/notes.txt", data: []byte("customer says docker died\n")})
	dir := t.TempDir()
	t.Setenv("TMPDIR", t.TempDir())
	p := writeFile(t, dir, "upload.tar", upload)
	r := run(t, Options{Paths: []string{p}, Location: time.UTC})
	want := p + ":case-01234/sosreport-web3.tar.xz:sosreport-web3/var/log/syslog"
	if len(r.sources) != 1 || r.sources[0].Path != want || !r.readable {
		t.Fatalf("sources %+v, want one: %s", r.sources, want)
	}
	if plain := run(t, Options{Paths: []string{writeFile(t, dir, "syslog", []byte(incident))}, Location: time.UTC, Year: 2021}); len(r.events) != len(plain.events) {
		t.Errorf("%d events from the nested archive, %d from the log", len(r.events), len(plain.events))
	}

	// Four deep: the innermost is not read, and says so.
	deep := tarBytes(t, member{name: "var/log/syslog", data: []byte(incident)})
	for i := range maxArchiveDepth + 1 {
		deep = tarBytes(t, member{name: fmt.Sprintf("level%d.tar", i), data: deep})
	}
	r = run(t, Options{Paths: []string{writeFile(t, dir, "deep.tar", deep)}, Location: time.UTC})
	if len(r.events) != 0 || r.readable {
		t.Errorf("%d events from an archive nested %d deep (readable %v)", len(r.events), maxArchiveDepth+1, r.readable)
	}
	if !hasWarning(r.warnings, "nested more than 3 deep") {
		t.Errorf("no warning about the depth: %v", r.warnings)
	}
}

func hasWarning(ws []event.Warning, s string) bool {
	for _, w := range ws {
		if strings.Contains(w.String(), s) {
			return true
		}
	}
	return false
}

// TestArchivedJournals: a tar holding only native journal files is read
// through the journal reader from a private copy (item 13), removed
// afterwards; an archive with nothing readable is not readable (exit 2)
// and says why.
func TestArchivedJournals(t *testing.T) {
	j1 := makeJournal(t, "testdata/journal/web-1.export", "")
	j2 := makeJournal(t, "testdata/journal/web-2.export", "")
	b1, _ := os.ReadFile(j1)
	b2, _ := os.ReadFile(j2)
	dir, tmp := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	p := writeFile(t, dir, "journals.tar.gz", gzipBytes(t, tarBytes(t,
		member{name: "var/log/journal/0f1e/system.journal", data: b1},
		member{name: "var/log/journal/0f1e/system@0001.journal", data: zstdBytes(t, b2)}), time.Time{}))
	r := run(t, Options{Paths: []string{p}})
	direct := run(t, Options{JournalFiles: []string{j1, j2}})
	if !r.readable || len(r.sources) != 1 || r.sources[0].Path != journalPrefix+p {
		t.Fatalf("readable %v, sources %+v", r.readable, r.sources)
	}
	if len(r.events) == 0 || len(r.events) != len(direct.events) {
		t.Errorf("%d events from the archived journals, %d read directly", len(r.events), len(direct.events))
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
		t.Errorf("temporary copies left behind: %v", left)
	}

	// Nothing readable in it: not readable, and a warning says so.
	p = writeFile(t, dir, "empty.tar", tarBytes(t, member{name: "etc/hostname", data: []byte("web3\n")}))
	r = run(t, Options{Paths: []string{p}})
	if r.readable || !hasWarning(r.warnings, "no log members found in the archive") {
		t.Errorf("readable %v, warnings %v", r.readable, r.warnings)
	}
}

// segments is a reader of generated text: each segment is a prefix, n
// copies of a byte, and a suffix; nothing is held but the current one.
type segments struct {
	segs []segment
	pos  int // in the current segment
}

type segment struct {
	prefix string
	fill   byte
	n      int
	suffix string
}

func (s *segments) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && len(s.segs) > 0 {
		g := &s.segs[0]
		size := len(g.prefix) + g.n + len(g.suffix)
		for n < len(p) && s.pos < size {
			switch {
			case s.pos < len(g.prefix):
				k := copy(p[n:], g.prefix[s.pos:])
				n, s.pos = n+k, s.pos+k
			case s.pos < len(g.prefix)+g.n:
				k := min(len(p)-n, len(g.prefix)+g.n-s.pos)
				for i := range k {
					p[n+i] = g.fill
				}
				n, s.pos = n+k, s.pos+k
			default:
				k := copy(p[n:], g.suffix[s.pos-len(g.prefix)-g.n:])
				n, s.pos = n+k, s.pos+k
			}
		}
		if s.pos == size {
			s.segs, s.pos = s.segs[1:], 0
		}
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// TestExportEntryCap: an export entry's total size is capped (item 4):
// an entry of 40 fields of 8 MiB (400 in the issue) is skipped with a
// warning, in bounded memory, and the entries around it are read.
func TestExportEntryCap(t *testing.T) {
	entry := func(ts int64, msg string) string {
		return fmt.Sprintf("__REALTIME_TIMESTAMP=%d\n_HOSTNAME=web-1\nSYSLOG_IDENTIFIER=app\n_PID=7\nPRIORITY=3\nMESSAGE=%s\n\n", ts, msg)
	}
	segs := []segment{{prefix: entry(1633568401000000, "before the huge entry")}}
	segs = append(segs, segment{prefix: "__REALTIME_TIMESTAMP=1633568402000000\n"})
	for i := range 40 {
		segs = append(segs, segment{prefix: fmt.Sprintf("HUGE_%03d=", i), fill: 'x', n: 8 << 20, suffix: "\n"})
	}
	segs = append(segs, segment{prefix: "MESSAGE=huge\n\n" + entry(1633568403000000, "after the huge entry")})
	var r result
	grew := peakRSS(t, func() {
		r = run(t, Options{Paths: []string{"-"}, Stdin: &segments{segs: segs}})
	})
	t.Logf("peak RSS grew by %d MiB for a 320 MiB entry", grew>>20)
	if got := strings.Join(messages(r.events), "|"); got != "before the huge entry|after the huge entry" {
		t.Errorf("messages %q", got)
	}
	if !hasWarning(r.warnings, "entry larger than 32 MiB or 1024 fields; skipped") {
		t.Errorf("no warning about the entry: %v", r.warnings)
	}
	if grew > 160<<20 {
		t.Errorf("peak RSS grew by %d MiB reading a 320 MiB entry, want under 160", grew>>20)
	}
}

// TestManySmallFiles: a directory of many small files is read in full
// under a low open-files limit (item 11: 100k files, 52,048 unread):
// inputs are opened a bounded number at a time, each read to its end
// and closed while the rest wait; goroutines stay bounded too.
func TestManySmallFiles(t *testing.T) {
	const files = 3000
	dir := t.TempDir()
	for i := range files {
		line := fmt.Sprintf("2025-03-02T10:%02d:%02dZ app-%d CRON[%d]: (root) CMD (run-parts /etc/cron.hourly)\n", i/60%60, i%60, i, 1000+i)
		writeFile(t, dir, fmt.Sprintf("host-%04d.log", i), []byte(line))
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip(err)
	}
	low := lim
	low.Cur = 256
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skip(err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	var peak atomic.Int64
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				if n := int64(runtime.NumGoroutine()); n > peak.Load() {
					peak.Store(n)
				}
			}
		}
	}()
	r := run(t, Options{Paths: []string{dir}})
	close(stop)
	if len(r.sources) != files || len(r.events) != files {
		t.Errorf("%d sources, %d events of %d files", len(r.sources), len(r.events), files)
	}
	for i, w := range r.warnings {
		if i < 3 {
			t.Errorf("warning: %v", w)
		}
	}
	t.Logf("peak goroutines %d", peak.Load())
	if peak.Load() > 500 {
		t.Errorf("%d goroutines at once for %d files", peak.Load(), files)
	}
}

// within fails the test when f does not return within d.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	ret := make(chan struct{})
	go func() {
		defer close(ret)
		f()
	}()
	select {
	case <-ret:
	case <-time.After(d):
		t.Fatalf("%s: still blocked after %v", what, d)
	}
}

// TestFIFOs: a FIFO never blocks a run that was stopped, and a walk or a
// bundle never opens one (item 8): an explicit FIFO without a writer,
// one whose writer never writes, a FIFO as a bundle's etc/localtime and
// as --journal-file.
func TestFIFOs(t *testing.T) {
	dir := t.TempDir()
	fifo := func(name string) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		return p
	}
	stopped := func(t *testing.T, p string) {
		ctx, cancel := context.WithCancel(context.Background())
		s, err := Open(ctx, Options{Paths: []string{p}, Warnings: &event.Warnings{}})
		if err != nil {
			t.Fatal(err)
		}
		time.AfterFunc(100*time.Millisecond, cancel)
		within(t, 5*time.Second, "Next after the stop", func() {
			for s.Next() {
			}
		})
		within(t, 5*time.Second, "Close after the stop", func() { s.Close() })
		if !errors.Is(s.Err(), context.Canceled) {
			t.Errorf("Err %v, want context.Canceled", s.Err())
		}
	}
	t.Run("no writer", func(t *testing.T) { stopped(t, fifo("no-writer")) })
	t.Run("silent writer", func(t *testing.T) {
		p := fifo("silent")
		done := make(chan struct{})
		defer close(done)
		go func() {
			w, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err == nil {
				<-done
				w.Close()
			}
		}()
		stopped(t, p)
	})
	t.Run("in a bundle and as a journal file", func(t *testing.T) {
		bundle := filepath.Join(dir, "sosreport-web3")
		writeFile(t, bundle, "var/log/syslog", []byte(incident))
		fifo("sosreport-web3/etc/localtime")
		fifo("sosreport-web3/var/log/messages")
		j := fifo("system.journal")
		var r result
		within(t, 10*time.Second, "reading the bundle", func() {
			r = run(t, Options{Paths: []string{bundle}, JournalFiles: []string{j}, Year: 2021})
		})
		if len(r.events) == 0 || len(r.sources) != 2 {
			t.Errorf("%d events, sources %+v", len(r.events), r.sources)
		}
		if !hasWarning(r.warnings, "not a regular file") {
			t.Errorf("no warning about the journal FIFO: %v", r.warnings)
		}
	})
}
