package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/internal/testenv"
)

// sigQuickDown is the unattended-upgrade signature with windows of
// seconds, so that a test sees its absence pass on the wall clock.
const sigQuickDown = `schema: logsleuth/v1
id: quick-runtime-down
title: Upgrade stopped the runtime and nothing restarted it (test)
severity: high
events:
  upgrade:
    unit: apt-daily-upgrade.service
    lifecycle: [starting, started]
  down:
    unit|re: '^(?P<svc>docker|containerd)\.service$'
    lifecycle: [stopping, stopped]
  up:
    unit|re: '^(?P<svc>docker|containerd)\.service$'
    lifecycle: started
match:
  sequence:
    by: [host]
    maxspan: 1h
    steps:
      - {event: upgrade, as: upgrade}
      - {event: down, as: down, within: 1m}
      - {absent: up, as: restart, join: {svc: down.svc}, for: 1s}
explain: '{{.down.svc}} stopped ({{.down.message}}): {{.outcome}}'
`

// quickWindow is sigQuickDown's absence window, and watchTolerance the
// engine's default out-of-order tolerance added to it.
const (
	quickWindow    = time.Second
	watchTolerance = 2 * time.Second
)

// syncBuffer is a bytes.Buffer safe to write from watch and read from
// the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// watchRun is a `logsleuth watch` running in the test process.
type watchRun struct {
	out, errOut *syncBuffer
	cancel      context.CancelFunc
	done        chan int
}

func startWatch(t *testing.T, args ...string) *watchRun {
	t.Helper()
	w := &watchRun{out: &syncBuffer{}, errOut: &syncBuffer{}, done: make(chan int, 1)}
	ios := &IOStreams{In: strings.NewReader(""), Out: w.out, ErrOut: w.errOut}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	go func() { w.done <- run(ctx, ios, append([]string{"watch", "--poll", "50ms"}, args...)) }()
	t.Cleanup(func() { w.stop(t) })
	return w
}

// startReady starts watch with --state (a file in a new directory
// unless args name one) and waits until it has caught up with its
// inputs: it writes the state file then. Lines written after it
// returns are read as new.
func startReady(t *testing.T, args ...string) *watchRun {
	t.Helper()
	state := ""
	for i, a := range args {
		if a == "--state" && i+1 < len(args) {
			state = args[i+1]
		}
	}
	if state == "" {
		state = filepath.Join(t.TempDir(), "watch.state")
		args = append([]string{"--state", state}, args...)
	}
	before, _ := os.Stat(state)
	w := startWatch(t, args...)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if fi, err := os.Stat(state); err == nil && (before == nil || fi.ModTime().After(before.ModTime()) || !os.SameFile(fi, before)) {
			return w
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("watch did not catch up (stderr %q)", w.errOut.String())
	return nil
}

// stop ends the run as SIGTERM does and returns its exit status.
func (w *watchRun) stop(t *testing.T) int {
	w.cancel()
	select {
	case code, ok := <-w.done:
		if !ok {
			return 0
		}
		close(w.done)
		return code
	case <-time.After(5 * time.Second):
		t.Fatal("watch did not stop")
		return -1
	}
}

// alerts returns the alert lines printed so far.
func (w *watchRun) alerts() []string {
	var out []string
	for _, l := range strings.Split(w.out.String(), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// waitAlerts waits until n alerts were printed, at most d.
func (w *watchRun) waitAlerts(n int, d time.Duration) []string {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && len(w.alerts()) < n {
		time.Sleep(20 * time.Millisecond)
	}
	return w.alerts()
}

// writeLog appends lines to path, each "host unit-line" stamped now in
// RSYSLOG_FileFormat.
func writeLog(t *testing.T, path string, msgs ...string) {
	t.Helper()
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString(time.Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00") + " web-3 systemd[1]: " + m + "\n")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
}

const (
	upgradeLine = "Starting apt-daily-upgrade.service - Daily apt upgrade and clean activities..."
	stopLine    = "Stopping docker.service - Docker Application Container Engine..."
	startLine   = "Started docker.service - Docker Application Container Engine."
	ctrStart    = "Started containerd.service - containerd container runtime."
)

func quickSigDir(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "quick.yaml"), []byte(sigQuickDown), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestWatchAbsence: the lines of an upgrade that stops docker are
// appended in real time; with no further input, the alert comes once
// the window (and the tolerance) has passed on the wall clock, once. A
// restart inside the window refutes it; a restart of another unit does
// not; the file rotated in the middle changes nothing.
func TestWatchAbsence(t *testing.T) {
	t.Parallel()
	sigs := quickSigDir(t)
	cases := []struct {
		name  string
		write func(t *testing.T, log string)
		want  int
	}{
		{"no restart: one confirmed alert", func(t *testing.T, log string) {
			writeLog(t, log, upgradeLine, stopLine)
		}, 1},
		{"docker restarted inside the window: none", func(t *testing.T, log string) {
			writeLog(t, log, upgradeLine, stopLine)
			time.Sleep(300 * time.Millisecond)
			writeLog(t, log, startLine)
		}, 0},
		{"another unit started: still one", func(t *testing.T, log string) {
			writeLog(t, log, upgradeLine, stopLine)
			time.Sleep(300 * time.Millisecond)
			writeLog(t, log, ctrStart)
		}, 1},
		{"rotated by rename between the upgrade and the stop", func(t *testing.T, log string) {
			writeLog(t, log, upgradeLine)
			time.Sleep(200 * time.Millisecond)
			if err := os.Rename(log, log+".1"); err != nil {
				t.Fatal(err)
			}
			writeLog(t, log, stopLine)
		}, 1},
		{"truncated (copytruncate) between the upgrade and the stop", func(t *testing.T, log string) {
			writeLog(t, log, upgradeLine)
			time.Sleep(200 * time.Millisecond)
			if err := os.Truncate(log, 0); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond)
			writeLog(t, log, stopLine)
		}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			log := filepath.Join(t.TempDir(), "syslog")
			writeLog(t, log, "Started Session 1 of User root.")
			w := startReady(t, "--patterns", sigs, "--only", "quick-runtime-down", log)
			start := time.Now()
			tc.write(t, log)
			got := w.waitAlerts(1, quickWindow+watchTolerance+3*time.Second)
			if tc.want == 0 {
				if len(got) != 0 {
					t.Fatalf("alerts %q, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("alerts %q (stderr %q), want one", got, w.errOut.String())
			}
			if d := time.Since(start); d < quickWindow+watchTolerance {
				t.Errorf("alerted %s after the stop, before the window and tolerance passed", d)
			}
			if !strings.Contains(got[0], "HIGH confirmed web-3 quick-runtime-down [a1]: docker stopped (Stopping docker.service") {
				t.Errorf("alert %q", got[0])
			}
			time.Sleep(500 * time.Millisecond)
			if got := w.alerts(); len(got) != 1 {
				t.Errorf("alerts %q: want it once", got)
			}
		})
	}
}

// TestWatchStateRestart: stopped in the middle of an open window and
// started again with the same --state, watch alerts once, after the
// window; a third run alerts no more.
func TestWatchStateRestart(t *testing.T) {
	t.Parallel()
	sigs := quickSigDir(t)
	dir := t.TempDir()
	log, state := filepath.Join(dir, "syslog"), filepath.Join(dir, "watch.state")
	writeLog(t, log, "Started Session 1 of User root.")
	args := []string{"--patterns", sigs, "--only", "quick-runtime-down", "--state", state, log}

	first := startReady(t, args...)
	saved, _ := os.Stat(state)
	writeLog(t, log, upgradeLine, stopLine)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if fi, err := os.Stat(state); err == nil && !os.SameFile(fi, saved) {
			break // read and saved, the window open
		}
	}
	if code := first.stop(t); code != 0 {
		t.Fatalf("exit status %d at SIGTERM (stderr %q), want 0", code, first.errOut.String())
	}
	if got := first.alerts(); len(got) != 0 {
		t.Fatalf("first run alerted %q inside the window", got)
	}
	if fi, err := os.Stat(state); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v, want mode 0600", fi, err)
	}

	second := startReady(t, args...)
	got := second.waitAlerts(1, quickWindow+watchTolerance+3*time.Second)
	if len(got) != 1 || !strings.Contains(got[0], "confirmed web-3 quick-runtime-down [a1]") {
		t.Fatalf("second run: alerts %q (stderr %q), want the one confirmed", got, second.errOut.String())
	}
	time.Sleep(300 * time.Millisecond)
	second.stop(t)

	third := startReady(t, args...)
	time.Sleep(quickWindow + watchTolerance)
	if got := third.alerts(); len(got) != 0 {
		t.Errorf("third run repeated %q", got)
	}
}

// TestWatchJSONLAndExec: --format jsonl prints the timeline JSON's
// finding object; --exec gets it on stdin and the LOGSLEUTH_ variables,
// without a shell: log text that looks like shell runs nothing.
func TestWatchJSONLAndExec(t *testing.T) {
	t.Parallel()
	sigs := quickSigDir(t)
	dir := t.TempDir()
	log, hookOut, canary := filepath.Join(dir, "syslog"), filepath.Join(dir, "hook.out"), filepath.Join(dir, "canary")
	writeLog(t, log, "Started Session 1 of User root.")
	hook := `sh -c 'cat > "$0"; printf "%s|%s|%s|%s\n" "$LOGSLEUTH_ID" "$LOGSLEUTH_SEVERITY" "$LOGSLEUTH_HOST" "$LOGSLEUTH_SUMMARY" >> "$0"' ` + hookOut
	w := startReady(t, "--patterns", sigs, "--only", "quick-runtime-down", "--format", "jsonl", "--exec", hook, log)
	writeLog(t, log, upgradeLine, "Stopping docker.service - $(touch "+canary+"); `touch "+canary+"`...")
	got := w.waitAlerts(1, quickWindow+watchTolerance+3*time.Second)
	if len(got) != 1 {
		t.Fatalf("alerts %q (stderr %q), want one", got, w.errOut.String())
	}
	var f struct {
		ID, Signature, Severity, Outcome, Host, Summary string
		Captures                                        map[string]string
		Evidence                                        []struct{ Step, Message string }
	}
	if err := json.Unmarshal([]byte(got[0]), &f); err != nil {
		t.Fatalf("alert %q: %v", got[0], err)
	}
	if f.ID != "a1" || f.Signature != "quick-runtime-down" || f.Severity != "high" || f.Outcome != "confirmed" ||
		f.Host != "web-3" || f.Captures["down.svc"] != "docker" || len(f.Evidence) != 2 {
		t.Errorf("finding %+v", f)
	}
	deadline := time.Now().Add(3 * time.Second)
	var hooked []byte
	for time.Now().Before(deadline) {
		if hooked, _ = os.ReadFile(hookOut); bytes.Contains(hooked, []byte("|")) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	lines := strings.Split(strings.TrimSpace(string(hooked)), "\n")
	if len(lines) != 2 || lines[0] != got[0] {
		t.Fatalf("hook got %q, want the alert's JSON then its variables", hooked)
	}
	if !strings.HasPrefix(lines[1], "a1|high|web-3|docker stopped (Stopping docker.service - $(touch ") {
		t.Errorf("hook variables %q", lines[1])
	}
	if _, err := os.Stat(canary); err == nil {
		t.Errorf("log text ran as a command: %s exists", canary)
	}
}

func TestNewCmdWatch(t *testing.T) {
	tests := []struct {
		name    string
		cli     []string
		want    WatchOptions
		wantErr string
	}{
		{"a file", []string{"/var/log/syslog"}, WatchOptions{Paths: []string{"/var/log/syslog"}, Format: "text"}, ""},
		{"the journal, jsonl", []string{"--journal", "--format", "jsonl"}, WatchOptions{Journal: true, Format: "jsonl"}, ""},
		{"exec split without a shell", []string{"--exec", `notify --title 'logsleuth alert' -v`, "f"},
			WatchOptions{Paths: []string{"f"}, Format: "text", Exec: `notify --title 'logsleuth alert' -v`,
				ExecArgv: []string{"notify", "--title", "logsleuth alert", "-v"}}, ""},
		{"nothing to watch", nil, WatchOptions{}, "nothing to watch"},
		{"stdin", []string{"-"}, WatchOptions{}, "not stdin"},
		{"an exec with an open quote", []string{"--exec", "notify 'oops", "f"}, WatchOptions{}, "invalid --exec"},
		{"a pipe is no command", []string{"--exec", "notify | tee x", "f"}, WatchOptions{}, "invalid --exec"},
		{"a bad format", []string{"--format", "json", "f"}, WatchOptions{}, "valid values are text, jsonl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _, _ := Test()
			var got *WatchOptions
			cmd := NewCmdWatch(ios, func(o *WatchOptions) error { got = o; return nil })
			cmd.SetArgs(tc.cli)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			_, err := cmd.ExecuteC()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Paths, tc.want.Paths) || got.Journal != tc.want.Journal || got.Format != tc.want.Format ||
				got.Exec != tc.want.Exec || !slices.Equal(got.ExecArgv, tc.want.ExecArgv) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// journalEntry is one export entry of systemd on web-3, stamped now.
func journalEntry(seq int, unit, msg string) string {
	return fmt.Sprintf("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=5e2b1c0a9f8e7d6c5b4a392817060504\n"+
		"_MACHINE_ID=0f1e2d3c4b5a69788796a5b4c3d2e1f0\n_HOSTNAME=web-3\nPRIORITY=6\nSYSLOG_IDENTIFIER=systemd\n_PID=1\n"+
		"_TRANSPORT=journal\n_SYSTEMD_UNIT=init.scope\nUNIT=%s\nMESSAGE=%s\n\n", time.Now().UnixMicro(), 1000000+seq, unit, msg)
}

// writeJournal appends entries to the journal file jf through
// systemd-journal-remote, which writes real journal files.
func writeJournal(t *testing.T, jf string, entries ...string) {
	t.Helper()
	tool := testenv.FirstFile(t, "systemd-journal-remote", "/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote")
	exp := filepath.Join(t.TempDir(), "entries.export")
	if err := os.WriteFile(exp, []byte(strings.Join(entries, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool, "-o", jf, exp).CombinedOutput(); err != nil {
		t.Fatalf("systemd-journal-remote: %v\n%s", err, out)
	}
}

// TestWatchJournalFile: entries written to a real journal file while
// watch --journal-file follows it make the alert, once.
func TestWatchJournalFile(t *testing.T) {
	t.Parallel()
	sigs := quickSigDir(t)
	jf := filepath.Join(t.TempDir(), "remote-web-3.journal")
	writeJournal(t, jf, journalEntry(1, "ssh.service", "Started OpenBSD Secure Shell server."))
	w := startReady(t, "--patterns", sigs, "--only", "quick-runtime-down", "--journal-file", jf)
	writeJournal(t, jf,
		journalEntry(2, "apt-daily-upgrade.service", "Starting Daily apt upgrade and clean activities..."),
		journalEntry(3, "docker.service", "Stopping Docker Application Container Engine..."))
	got := w.waitAlerts(1, quickWindow+watchTolerance+5*time.Second)
	if len(got) != 1 || !strings.Contains(got[0], "HIGH confirmed web-3 quick-runtime-down [a1]: docker stopped (Stopping Docker Application Container Engine...)") {
		t.Fatalf("alerts %q (stderr %q), want one confirmed", got, w.errOut.String())
	}
	time.Sleep(500 * time.Millisecond)
	if got := w.alerts(); len(got) != 1 {
		t.Errorf("alerts %q: want it once", got)
	}
}

// sigQuickKubelet is a symptom that sigQuickDown (with explains:)
// explains.
const sigQuickKubelet = `schema: logsleuth/v1
id: quick-kubelet-down
title: kubelet lost its container runtime (test)
severity: medium
events:
  rt: {program: kubelet, message|contains: "container runtime is down"}
match:
  event: rt
explain: 'kubelet: runtime down'
`

// TestWatchIncidents: a symptom alerted before its cause is named by
// the cause's alert (explains), and a symptom after it is an update of
// its incident (update_of), in text and in JSON lines.
func TestWatchIncidents(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	root := strings.Replace(sigQuickDown, "explain: ", "explains: [quick-kubelet-down]\nexplain: ", 1)
	for name, text := range map[string]string{"quick.yaml": root, "kubelet.yaml": sigQuickKubelet} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kubelet := func(log string) {
		f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		f.WriteString(time.Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00") +
			` web-3 kubelet[812]: E1111 06:21:03.120044     812 kubelet.go:2412] "Skipping pod synchronization" err="container runtime is down"` + "\n")
	}
	for _, format := range []string{"text", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			log := filepath.Join(t.TempDir(), "syslog")
			writeLog(t, log, "Started Session 1 of User root.")
			w := startReady(t, "--patterns", dir, "--only", "quick-runtime-down,quick-kubelet-down", "--format", format, log)
			writeLog(t, log, upgradeLine, stopLine)
			kubelet(log)
			if got := w.waitAlerts(2, quickWindow+watchTolerance+3*time.Second); len(got) != 2 {
				t.Fatalf("alerts %q (stderr %q), want the symptom then its cause", got, w.errOut.String())
			}
			kubelet(log)
			got := w.waitAlerts(3, 3*time.Second)
			if len(got) != 3 {
				t.Fatalf("alerts %q, want 3", got)
			}
			if format == "text" {
				for i, want := range []string{"quick-kubelet-down [a1]: kubelet", "quick-runtime-down [a2, explains a1]: docker", "quick-kubelet-down [a3, update of a2]: kubelet"} {
					if !strings.Contains(got[i], want) {
						t.Errorf("alert %d %q, want %q in it", i+1, got[i], want)
					}
				}
				return
			}
			var links []string
			for _, l := range got {
				var f struct {
					ID, Signature string
					UpdateOf      string `json:"update_of"`
					Explains      []string
				}
				if err := json.Unmarshal([]byte(l), &f); err != nil {
					t.Fatal(err)
				}
				links = append(links, fmt.Sprintf("%s %s update_of=%s explains=%v", f.ID, f.Signature, f.UpdateOf, f.Explains))
			}
			want := []string{"a1 quick-kubelet-down update_of= explains=[]", "a2 quick-runtime-down update_of= explains=[a1]", "a3 quick-kubelet-down update_of=a2 explains=[]"}
			if !slices.Equal(links, want) {
				t.Errorf("links %q, want %q", links, want)
			}
		})
	}
}

// TestWatchSkipsItself: watch's own lines, read back from the journal
// it follows as a service, quote evidence; they must not alert again.
func TestWatchSkipsItself(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sig := strings.Replace(sigQuickKubelet, `{program: kubelet, message|contains: "container runtime is down"}`, `{message|contains: "container runtime is down"}`, 1)
	if err := os.WriteFile(filepath.Join(dir, "kubelet.yaml"), []byte(sig), 0o644); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "syslog")
	writeLog(t, log, "Started Session 1 of User root.")
	w := startReady(t, "--patterns", dir, "--only", "quick-kubelet-down", log)
	now := time.Now().UTC()
	stamp := func(d time.Duration) string { return now.Add(d).Format("2006-01-02T15:04:05.000000Z07:00") }
	f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(stamp(0) + ` web-3 logsleuth[9]: {"id":"a1","evidence":[{"message":"container runtime is down"}]}` + "\n")
	f.WriteString(stamp(time.Millisecond) + ` web-3 kubelet[812]: "Skipping pod synchronization" err="container runtime is down"` + "\n")
	f.Close()
	got := w.waitAlerts(2, 2*time.Second)
	if len(got) != 1 || !strings.Contains(got[0], "quick-kubelet-down [a1]") {
		t.Errorf("alerts %q, want the kubelet's line's only", got)
	}
}
