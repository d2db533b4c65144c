package ingest

import (
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// syslogLine is an RFC 3164 line of web-3's cron at second s past 06:00.
func syslogLine(s int, msg string) string {
	return fmt.Sprintf("Oct  7 06:%02d:%02d web-3 CRON[%d]: %s\n", s/60, s%60, 1000+s, msg)
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func startFollow(t *testing.T, opts FollowOptions) (*Follower, *event.Warnings) {
	t.Helper()
	ws := &event.Warnings{}
	opts.Warnings = ws
	opts.Poll = 10 * time.Millisecond
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	f, err := Follow(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, ws
}

// caughtUp returns "path:line message" of every event until the
// follower has caught up.
func caughtUp(t *testing.T, f *Follower) []string {
	t.Helper()
	var out []string
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		// The quiet period is many polls long: a follower is caught up
		// as of its sources' last look, and a source starved of the
		// CPU on a loaded machine looks late (50ms flaked).
		ev, err := f.Next(250 * time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if ev == nil {
			return out
		}
		out = append(out, fmt.Sprintf("%s:%d %s", filepath.Base(ev.Source.Path), ev.Source.Line, ev.Message))
	}
	t.Fatal("never caught up")
	return nil
}

func TestFollowFile(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "syslog")
	appendFile(t, log, syslogLine(1, "before")+syslogLine(2, "before too"))

	cases := []struct {
		name      string
		fromStart bool
		want      []string
	}{
		{"from the end: what was there is not read, line numbers go on", false, []string{"syslog:3 appended"}},
		{"from the start", true, []string{"syslog:1 before", "syslog:2 before too", "syslog:3 appended"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			os.WriteFile(log, []byte(syslogLine(1, "before")+syslogLine(2, "before too")), 0o644)
			f, _ := startFollow(t, FollowOptions{Paths: []string{log}, FromStart: tc.fromStart})
			caughtUp(t, f)
			appendFile(t, log, syslogLine(3, "appended"))
			got := caughtUp(t, f)
			if tc.fromStart {
				got = got[:0]
				// (read again from a fresh follower to see it all)
				f2, _ := startFollow(t, FollowOptions{Paths: []string{log}, FromStart: true})
				got = caughtUp(t, f2)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// A partial line is held until its end is written.
func TestFollowPartialLine(t *testing.T) {
	log := filepath.Join(t.TempDir(), "syslog")
	appendFile(t, log, "")
	f, _ := startFollow(t, FollowOptions{Paths: []string{log}})
	caughtUp(t, f)
	line := syslogLine(5, "written in two parts")
	appendFile(t, log, line[:20])
	if got := caughtUp(t, f); len(got) != 0 {
		t.Fatalf("a partial line was handed out: %q", got)
	}
	appendFile(t, log, line[20:])
	// (Caught up once the line is out: a follower starved of the CPU
	// can miss one quiet period's look at a loaded machine.)
	got := caughtUp(t, f)
	for deadline := time.Now().Add(10 * time.Second); len(got) == 0 && time.Now().Before(deadline); {
		got = caughtUp(t, f)
	}
	if want := []string{"syslog:1 written in two parts"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestFollowRotation(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "syslog")
	appendFile(t, log, syslogLine(1, "old"))
	f, ws := startFollow(t, FollowOptions{Paths: []string{log}})
	caughtUp(t, f)

	// By rename: a line lands in the old file after the rename (the
	// writer has not reopened yet), then the writer writes the new one.
	appendFile(t, log, syslogLine(2, "before rotation"))
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, log+".1", syslogLine(3, "late in the old file"))
	appendFile(t, log, syslogLine(4, "first of the new file"))
	time.Sleep(30 * time.Millisecond)
	got := caughtUp(t, f)
	want := []string{"syslog:2 before rotation", "syslog:3 late in the old file", "syslog:1 first of the new file"}
	if !slices.Equal(got, want) {
		t.Errorf("rename: got %q, want %q", got, want)
	}

	// By copytruncate: the file is copied, emptied, and written again.
	if err := os.Truncate(log, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	caughtUp(t, f)
	appendFile(t, log, syslogLine(5, "after truncation"))
	if got, want := caughtUp(t, f), []string{"syslog:1 after truncation"}; !slices.Equal(got, want) {
		t.Errorf("copytruncate: got %q, want %q", got, want)
	}
	if !strings.Contains(warningText(ws), "truncated to 0 bytes") || !strings.Contains(warningText(ws), "rotated") {
		t.Errorf("warnings %q: want the rotation and the truncation named", warningText(ws))
	}
}

// A directory: its live logs, also one created later, from their start;
// rotated and compressed copies are not followed.
func TestFollowDirectory(t *testing.T) {
	dir := t.TempDir()
	appendFile(t, filepath.Join(dir, "syslog"), syslogLine(1, "live"))
	appendFile(t, filepath.Join(dir, "syslog.1"), syslogLine(0, "rotated copy"))
	gz, _ := os.Create(filepath.Join(dir, "syslog.2.gz"))
	zw := gzip.NewWriter(gz)
	zw.Write([]byte(syslogLine(0, "compressed copy")))
	zw.Close()
	gz.Close()
	f, _ := startFollow(t, FollowOptions{Paths: []string{dir}, FromStart: true})
	if got, want := caughtUp(t, f), []string{"syslog:1 live"}; !slices.Equal(got, want) {
		t.Errorf("at start: got %q, want %q", got, want)
	}
	appendFile(t, filepath.Join(dir, "app.log"), syslogLine(7, "a new log"))
	deadline := time.Now().Add(5 * time.Second)
	var got []string
	for len(got) == 0 && time.Now().Before(deadline) {
		got = caughtUp(t, f)
	}
	if want := []string{"app.log:1 a new log"}; !slices.Equal(got, want) {
		t.Errorf("later: got %q, want %q", got, want)
	}
}

// A position saved by one follower resumes the next: nothing is read
// twice, nothing written in between is lost, also across a rotation.
func TestFollowResume(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "syslog")
	appendFile(t, log, syslogLine(1, "one"))
	f, _ := startFollow(t, FollowOptions{Paths: []string{log}, FromStart: true})
	caughtUp(t, f)
	pos := f.Position()
	f.Close()
	if len(pos.Files) != 1 || pos.Files[0].Line != 1 {
		t.Fatalf("position %+v: want syslog after line 1", pos)
	}

	appendFile(t, log, syslogLine(2, "two"))
	f2, _ := startFollow(t, FollowOptions{Paths: []string{log}, Resume: pos})
	if got, want := caughtUp(t, f2), []string{"syslog:2 two"}; !slices.Equal(got, want) {
		t.Errorf("resume: got %q, want %q", got, want)
	}
	pos = f2.Position()
	f2.Close()

	appendFile(t, log, syslogLine(3, "three"))
	os.Rename(log, log+".1")
	appendFile(t, log, syslogLine(4, "four"))
	f3, _ := startFollow(t, FollowOptions{Paths: []string{log}, Resume: pos})
	if got, want := caughtUp(t, f3), []string{"syslog:3 three", "syslog:1 four"}; !slices.Equal(got, want) {
		t.Errorf("resume across a rotation: got %q, want %q", got, want)
	}
}

// liveLine is an RSYSLOG_FileFormat line stamped d after base.
func liveLine(base time.Time, d time.Duration, msg string) string {
	return base.Add(d).Format("2006-01-02T15:04:05.000000Z07:00") + " web-3 app[7]: " + msg + "\n"
}

// Two files merge by time, also when the lines of one are read before
// those of the other, which was idle; a missing file is waited for and
// then read from its start.
func TestFollowMerge(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	now, ms := time.Now().UTC(), time.Millisecond
	appendFile(t, a, liveLine(now, 1*ms, "a1")+liveLine(now, 4*ms, "a4"))
	f, ws := startFollow(t, FollowOptions{Paths: []string{a, b}, FromStart: true})
	if got, want := caughtUp(t, f), []string{"a.log:1 a1", "a.log:2 a4"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if !strings.Contains(warningText(ws), "b.log: not there (yet)") {
		t.Errorf("warnings %q: want b.log's absence", warningText(ws))
	}
	// b is written first, a may well be read first.
	appendFile(t, b, liveLine(now, 5*ms, "b5")+liveLine(now, 6*ms, "b6"))
	appendFile(t, a, liveLine(now, 7*ms, "a7"))
	if got, want := caughtUp(t, f), []string{"b.log:1 b5", "b.log:2 b6", "a.log:3 a7"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func warningText(ws *event.Warnings) string {
	var b strings.Builder
	for _, w := range ws.List() {
		b.WriteString(w.String() + "\n")
	}
	return b.String()
}
