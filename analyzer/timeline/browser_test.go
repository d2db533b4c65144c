package timeline

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/internal/testenv"
)

// chromium returns the headless browser; skipped without it, except in
// CI (CI=true), where it must run.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.Missing(t, "chromium is not on PATH (apt-get install chromium)")
	return ""
}

// writeReport renders r as HTML into a temporary file and returns its
// path.
func writeReport(t *testing.T, r *Report, o RenderOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderHTML(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return page
}

// runChromium loads url in headless Chromium, with its own profile, and
// returns what it printed: the DOM after the page's script ran, for
// --dump-dom.
func runChromium(t *testing.T, bin, url string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args = append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + filepath.Join(t.TempDir(), "profile")}, args...)
	cmd := exec.CommandContext(ctx, bin, append(args, url)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, stderr.String())
	}
	return out
}

// TestHTMLInBrowser renders the k8s-node report, loads it in headless
// Chromium and checks the live DOM: the incident headline, one evidence
// mark per evidence event on the overview and one point on the
// incident's lane, the error marks, the script having run (data-ready
// holds the count of what it wired up), and no element created from the
// hostile log lines.
func TestHTMLInBrowser(t *testing.T) {
	bin := chromium(t)
	r := analyzeCase(t, []string{"testdata/cases/k8s-node/syslog"}, CollectorOptions{Context: 1})
	page := writeReport(t, r, RenderOptions{Location: time.UTC})
	dom := string(runChromium(t, bin, "file://"+page, "--dump-dom"))

	evidence := 0
	for _, f := range r.Findings {
		evidence += len(f.Evidence)
	}
	if evidence == 0 || len(r.Unexplained) == 0 {
		t.Fatalf("the case should have evidence and unexplained errors: %d, %d", evidence, len(r.Unexplained))
	}
	marks := strings.Count(dom, `<rect class="mark `) + strings.Count(dom, `<rect class="span `) + strings.Count(dom, `<rect class="gap"`)
	checks := []struct {
		what, sub string
		want      int
	}{
		{"incident headline", "Incident 1: ", 1},
		{"root cause summary (heading, finding, span title)", "docker.service was stopped on node-7 during apt-daily-upgrade", 3},
		{"evidence marks", `class="mark evidence"`, evidence},
		{"evidence points on the incident lane", `<circle class="point"`, evidence},
		{"error marks", `class="mark error"`, len(r.Unexplained)},
		{"incident spans", `class="span sev-high"`, 1},
		{"the absence window, with its outcome", `restart: absent 30m, confirmed</text>`, 1},
		// The script ran: it counts every mark, span and point it wired up.
		{"script ran", `data-ready="` + strconv.Itoa(marks+evidence) + `"`, 1},
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

// weekOfSyslog writes a week of an ordinary node's syslog (RSYSLOG_FileFormat,
// cron and sshd every hour) with one short incident on the fifth day:
// apt-daily-upgrade stops docker 25 minutes in, nothing starts it again,
// kubelet complains. Returns the path and the incident's first time.
func weekOfSyslog(t *testing.T) (string, time.Time) {
	t.Helper()
	seoul := time.FixedZone("KST", 9*3600)
	start := time.Date(2025, 11, 6, 0, 0, 0, 0, seoul)
	incident := time.Date(2025, 11, 10, 6, 0, 12, 118201000, seoul)
	type line struct {
		at  time.Time
		msg string
	}
	var lines []line
	add := func(at time.Time, format string, args ...any) {
		lines = append(lines, line{at, fmt.Sprintf(format, args...)})
	}
	pid := 88101
	for h := range 7 * 24 {
		hour := start.Add(time.Duration(h) * time.Hour)
		add(hour.Add(17*time.Minute+1402113*time.Microsecond), "CRON[%d]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)", pid)
		add(hour.Add(40*time.Minute+118044*time.Microsecond), "CRON[%d]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)", pid+1)
		add(hour.Add(51*time.Minute+3*time.Second+220310*time.Microsecond), "sshd[%d]: Accepted publickey for deploy from 10.20.0.4 port %d ssh2: ED25519 SHA256:Wq9dTn1yD0r4sGmY0kq2bJp6A1xvE3Lr8cUe5HfZt7o", pid+2, 40000+h)
		pid += 7
	}
	add(incident, "systemd[1]: Starting apt-daily-upgrade.service - Daily apt upgrade and clean activities...")
	add(incident.Add(25*time.Minute+28*time.Second), "systemd[1]: Stopping docker.service - Docker Application Container Engine...")
	add(incident.Add(25*time.Minute+28*time.Second+268*time.Millisecond), `dockerd[1021]: time="2025-11-10T06:25:40.386103512+09:00" level=info msg="Processing signal 'terminated'"`)
	add(incident.Add(25*time.Minute+30*time.Second), "systemd[1]: docker.service: Deactivated successfully.")
	add(incident.Add(25*time.Minute+30*time.Second+400*time.Microsecond), "systemd[1]: Stopped docker.service - Docker Application Container Engine.")
	add(incident.Add(27*time.Minute+18*time.Second), "systemd[1]: Finished apt-daily-upgrade.service - Daily apt upgrade and clean activities.")
	add(incident.Add(28*time.Minute+59*time.Second), `kubelet[1183]: E1110 06:29:11.442170    1183 kubelet.go:2183] "Container runtime not ready" runtimeReady="RuntimeReady=false reason:DockerDaemonNotReady message:docker: failed to get docker version: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"`)
	slices.SortStableFunc(lines, func(a, b line) int { return a.at.Compare(b.at) })
	var sb strings.Builder
	for _, l := range lines {
		sb.WriteString(l.at.Format("2006-01-02T15:04:05.000000-07:00") + " node-7 " + l.msg + "\n")
	}
	path := filepath.Join(t.TempDir(), "syslog")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, incident
}

// pointColor is the fill of the incident lane's evidence points
// (report.html.tmpl, circle.point), found in the screenshot.
var pointColor = [3]uint32{0x5f, 0x3d, 0xc4}

// widestRun returns, over the rows of img, the widest horizontal extent
// (from the leftmost to the rightmost pixel of one row) of pixels of
// colour c, as a fraction of the image's width.
func widestRun(img image.Image, c [3]uint32) float64 {
	b := img.Bounds()
	widest := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		lo, hi := -1, -1
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, c[0]) && near(g>>8, c[1]) && near(bl>>8, c[2]) {
				if lo < 0 {
					lo = x
				}
				hi = x
			}
		}
		if lo >= 0 {
			widest = max(widest, hi-lo+1)
		}
	}
	return float64(widest) / float64(b.Dx())
}

func near(a, b uint32) bool { return a+6 >= b && b+6 >= a }

var overviewEvidenceX = regexp.MustCompile(`<rect class="mark evidence" x="(-?[0-9.]+)"`)

// overviewSpread returns how far apart, in axis units of 1000, the
// overview's evidence marks are in a dumped DOM.
func overviewSpread(t *testing.T, dom string) float64 {
	t.Helper()
	lo, hi := 1e9, -1e9
	for _, m := range overviewEvidenceX.FindAllStringSubmatch(dom, -1) {
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	if hi < lo {
		t.Fatal("no evidence marks on the overview")
	}
	return hi - lo
}

// A short incident in a week of logs is a sliver on the overview; its own
// lane shows it across the page. The screenshot must show the lane's
// evidence points spread over much of the page's width (drawn at the
// overview's scale, 25 minutes of a week, they would be 2 pixels apart),
// and #zoom=f1 must zoom the overview to the incident.
func TestHTMLIncidentLaneInBrowser(t *testing.T) {
	bin := chromium(t)
	path, incident := weekOfSyslog(t)
	r := analyzeCase(t, []string{path}, CollectorOptions{})
	if len(r.Incidents) != 1 || r.Incidents[0].Root.Signature.ID != "runtime-left-stopped" || r.Incidents[0].Root.Outcome != "confirmed" {
		t.Fatalf("want one confirmed runtime-left-stopped incident, got %d incidents, findings %v", len(r.Incidents), r.Findings)
	}
	if from, to := r.Coverage.Sources[0].First, r.Coverage.Sources[0].Last; to.Sub(from) < 6*24*time.Hour || !r.Incidents[0].Root.Start.Equal(incident) {
		t.Fatalf("the log covers %s .. %s, the incident starts %s", from, to, r.Incidents[0].Root.Start)
	}
	page := writeReport(t, r, RenderOptions{Location: time.FixedZone("KST", 9*3600)})

	shot := filepath.Join(t.TempDir(), "report.png")
	runChromium(t, bin, "file://"+page, "--hide-scrollbars", "--force-device-scale-factor=1",
		"--window-size=1200,1000", "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("%s: %v", shot, err)
	}
	// upgrade at 06:00:12 and down at 06:25:40 on a lane from about
	// 05:59 to 06:57 (down's 30-minute window): two fifths of the
	// lane's plot, itself nine tenths of the page.
	if got := widestRun(img, pointColor); got < 0.3 {
		t.Errorf("the incident lane's evidence points span %.1f%% of the screenshot's width, want at least 30%% (screenshot %s)", got*100, shot)
		keep := filepath.Join(os.TempDir(), "logsleuth-incident-lane.png")
		if data, err := os.ReadFile(shot); err == nil && os.WriteFile(keep, data, 0o644) == nil {
			t.Logf("screenshot kept as %s", keep)
		}
	}

	// The overview draws the week: the incident is a sliver there
	// until it is zoomed to.
	dom := string(runChromium(t, bin, "file://"+page, "--dump-dom"))
	if got := overviewSpread(t, dom); got > 5 {
		t.Errorf("unzoomed, the overview's evidence marks are %.1f units apart, want a sliver (<5 of 1000)", got)
	}
	for _, want := range []string{`<text class="step"`, `>upgrade</text>`, `>down</text>`, `<rect class="window confirmed"`, `restart: absent 30m, confirmed</text>`, `href="#zoom=f1"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the DOM lacks %q", want)
		}
	}
	zoomed := string(runChromium(t, bin, "file://"+page+"#zoom=f1", "--dump-dom"))
	if got := overviewSpread(t, zoomed); got < 250 {
		t.Errorf("zoomed to f1, the overview's evidence marks are %.1f units apart, want at least 250 of 1000", got)
	}
	if !strings.Contains(zoomed, `<button type="button" id="zoom-reset">`) {
		t.Errorf("zoomed, the whole-range button is still hidden")
	}
	if t.Failed() {
		t.Logf("DOM zoomed:\n%s", zoomed)
	}
}
