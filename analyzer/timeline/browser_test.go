package timeline

import (
	"bytes"
	"context"
	"github.com/logsleuth/logsleuth/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHTMLInBrowser renders the k8s-node report, loads it in headless
// Chromium and checks the live DOM: the incident headline, one evidence
// mark per evidence event, the error marks, the script having run
// (data-ready holds the mark count), and no element created from the
// hostile log lines. Skipped without chromium, except in CI (CI=true),
// where it must run.
func TestHTMLInBrowser(t *testing.T) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		testenv.Missing(t, "chromium is not on PATH (apt-get install chromium)")
	}
	r := analyzeCase(t, []string{"testdata/cases/k8s-node/syslog"}, CollectorOptions{Context: 1})
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	if err := RenderHTML(&buf, r, RenderOptions{Location: time.UTC}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+filepath.Join(dir, "profile"), "--dump-dom", "file://"+page)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, stderr.String())
	}
	dom := string(out)

	evidence := 0
	for _, f := range r.Findings {
		evidence += len(f.Evidence)
	}
	if evidence == 0 || len(r.Unexplained) == 0 {
		t.Fatalf("the case should have evidence and unexplained errors: %d, %d", evidence, len(r.Unexplained))
	}
	checks := []struct {
		what, sub string
		want      int
	}{
		{"incident headline", "Incident 1: ", 1},
		{"root cause summary (heading, finding, span title)", "docker.service was stopped on node-7 during apt-daily-upgrade", 3},
		{"evidence marks", `class="mark evidence"`, evidence},
		{"error marks", `class="mark error"`, len(r.Unexplained)},
		{"incident spans", `class="span sev-high"`, 1},
		// The script ran: it counts every mark and span it wired up.
		{"script ran", `data-ready="` + strconv.Itoa(strings.Count(dom, "<rect ")) + `"`, 1},
		// The hostile lines stayed text: no element came out of them.
		{"no injected script", "<script>alert", 0},
		{"no injected img", "<img", 0},
		{"escaped script text (mark title, example)", "&lt;script&gt;alert(1)&lt;/script&gt;", 2},
	}
	for _, c := range checks {
		if got := strings.Count(dom, c.sub); got != c.want {
			t.Errorf("%s: %q occurs %d times in the DOM, want %d", c.what, c.sub, got, c.want)
		}
	}
	if t.Failed() {
		t.Logf("DOM:\n%s", dom)
	}
}
