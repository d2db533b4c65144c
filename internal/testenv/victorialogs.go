package testenv

import (
	"bufio"
	"go/build"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// VictoriaLogsBin returns the victoria-logs binary: $VICTORIALOGS_BIN,
// else $GOBIN, $GOPATH/bin (where scripts/deps.sh's go install puts it)
// or PATH; Missing when there is none.
func VictoriaLogsBin(t testing.TB) string {
	t.Helper()
	var paths []string
	if p := os.Getenv("VICTORIALOGS_BIN"); p != "" {
		paths = append(paths, p)
	}
	if p := os.Getenv("GOBIN"); p != "" {
		paths = append(paths, filepath.Join(p, "victoria-logs"))
	}
	for _, gp := range filepath.SplitList(build.Default.GOPATH) {
		paths = append(paths, filepath.Join(gp, "bin", "victoria-logs"))
	}
	if p, err := exec.LookPath("victoria-logs"); err == nil {
		paths = append(paths, p)
	}
	return FirstFile(t, "victoria-logs (go install github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@v1.52.2)", paths...)
}

var vlStarted = regexp.MustCompile(`started server at (http://127\.0\.0\.1:\d+)/`)

// StartVictoriaLogs starts a VictoriaLogs single node on a free loopback
// port with its data in a temporary directory, stopped when the test
// ends, and returns its base URL. args are extra flags.
func StartVictoriaLogs(t testing.TB, args ...string) string {
	t.Helper()
	bin := VictoriaLogsBin(t)
	argv := append([]string{"-httpListenAddr=127.0.0.1:0", "-storageDataPath=" + t.TempDir(),
		"-retentionPeriod=100y", "-futureRetention=100y", "-loggerLevel=INFO"}, args...)
	cmd := exec.Command(bin, argv...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start victoria-logs: %v", err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			if m := vlStarted.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		io.Copy(io.Discard, stderr)
		if !sent {
			close(found)
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatal("victoria-logs exited before serving")
		}
		for range 100 {
			if resp, err := http.Get(u + "/health"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return u
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("victoria-logs at %s never became healthy", u)
	case <-time.After(30 * time.Second):
		t.Fatal("victoria-logs did not start within 30s")
	}
	return ""
}
