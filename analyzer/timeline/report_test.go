package timeline

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// TestJSONStable checks that two runs over the same input diff clean
// (DESIGN §6): the JSON does not depend on the order the engine hands
// findings and near misses over, even when findings tie on severity,
// outcome, start, signature and host (one upgrade leaving two units
// stopped: same first event, different units), and rendering the same
// report twice gives the same bytes.
func TestJSONStable(t *testing.T) {
	t0 := time.Date(2025, 11, 11, 6, 0, 0, 0, time.UTC)
	sig := &signature.Signature{ID: "unit-left-stopped", Severity: signature.High,
		Match: signature.Match{Kind: signature.MatchSequence, MaxSpan: time.Hour}}
	mk := func(line int64, msg string) *event.Event {
		return &event.Event{Time: t0.Add(time.Duration(line) * time.Second), Host: "web-1", Program: "systemd", PID: 1,
			Message: msg, Source: event.SourceRef{Path: "syslog", Line: line}}
	}
	upgrade := mk(1, "Starting apt-daily-upgrade.service - Daily apt upgrade and clean activities...")
	finding := func(unit string, line int64) *engine.Finding {
		down := mk(line, "Stopping "+unit+"...")
		return &engine.Finding{Signature: sig, Outcome: engine.Unresolved, Reason: engine.ReasonEndOfLog, Host: "web-1",
			Start: upgrade.Time, End: upgrade.Time.Add(time.Hour), Count: 1,
			Captures: []signature.Capture{{Name: "down.unit", Value: unit}},
			Evidence: []engine.Evidence{{Step: "upgrade", Event: upgrade}, {Step: "down", Event: down}},
			Summary:  unit + " was left stopped"}
	}
	findings := []*engine.Finding{finding("containerd.service", 3), finding("docker.service", 2), finding("kubelet.service", 4)}
	near := []*engine.NearMiss{
		{Signature: sig, Group: "web-2", Steps: 1, Reason: "r2", Time: t0},
		{Signature: sig, Group: "web-3", Steps: 1, Reason: "r3", Time: t0},
	}
	render := func(fs []*engine.Finding, ns []*engine.NearMiss) []byte {
		r := Build(Input{Findings: fs, NearMisses: ns})
		var buf bytes.Buffer
		if err := RenderJSON(&buf, r, RenderOptions{NearMisses: true}); err != nil {
			t.Fatal(err)
		}
		again := bytes.Buffer{}
		if err := RenderJSON(&again, r, RenderOptions{NearMisses: true}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), again.Bytes()) {
			t.Fatalf("rendering one report twice differs:\n%s\n---\n%s", buf.Bytes(), again.Bytes())
		}
		return buf.Bytes()
	}
	want := render(findings, near)
	for _, perm := range [][]int{{0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}} {
		fs := make([]*engine.Finding, len(perm))
		for i, p := range perm {
			fs[i] = findings[p]
		}
		ns := slices.Clone(near)
		slices.Reverse(ns)
		if got := render(fs, ns); !bytes.Equal(got, want) {
			t.Fatalf("findings in order %v give another report:\n%s\nwant:\n%s", perm, got, want)
		}
	}
	// The tie is broken by the evidence: docker.service (stopped first,
	// line 2) is f1.
	r := Build(Input{Findings: findings})
	if got := r.Findings[0].Captures[0].Value; got != "docker.service" {
		t.Errorf("f1 is %s, want docker.service", got)
	}
}

// TestTextLabels pins the wording a person reads in the text report: a
// capped evidence chain says so, a source of one event is "1 event", a
// gap in a source whose lines share their second is not "every 0s", an
// error seen once shows one time, and long prose wraps at textWidth
// while log lines stay whole.
func TestTextLabels(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 6, 0, 0, 0, time.UTC)
	long := "a headline that goes on and on about what happened to the service on the host and why it matters to whoever reads it"
	sig := &signature.Signature{ID: "ssh", Severity: signature.Medium}
	f := &engine.Finding{Signature: sig, Outcome: engine.Confirmed, Host: "h", Start: t0, End: t0.Add(time.Minute), Count: 14,
		Summary: long, Remediation: []string{long}}
	logLine := "Failed password for root from 203.0.113.7 port 50122 ssh2 " + strings.Repeat("x", 120)
	for i := range 10 {
		f.Evidence = append(f.Evidence, engine.Evidence{Step: "fail", Event: &event.Event{Time: t0.Add(time.Duration(i) * time.Second),
			Host: "h", Program: "sshd", Message: logLine, Source: event.SourceRef{Path: "auth.log", Line: int64(i + 1)}}})
	}
	r := Build(Input{Findings: []*engine.Finding{f}})
	r.Coverage.Sources = []ingest.SourceStats{{Path: "auth.log", Format: "rfc3164", Events: 1, First: t0, Last: t0, TimeQuality: "exact"}}
	r.Coverage.Gaps = []Gap{{Source: "auth.log", From: t0, To: t0.Add(2 * time.Hour), Typical: 0}}
	r.Unexplained = []*ErrorGroup{{Template: "boom", Program: "app", Count: 1, First: t0, Last: t0,
		Example: &event.Event{Time: t0, Message: "boom", Source: event.SourceRef{Path: "app.log", Line: 3}}}}
	var buf bytes.Buffer
	if err := RenderText(&buf, r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"\n  14 events, the first 10 shown\n",
		"auth.log: rfc3164, 1 event, ",
		"(usually under a second apart)",
		"\n    2025-01-01T06:00:00Z, e.g. app.log:3: boom\n",
		"\nINCIDENT 1: [medium] a headline that goes on and on about what happened to the service on the host\n  and why it matters to whoever reads it\n",
		"\n    - a headline that goes on and on about what happened to the service on the host and why it\n      matters to whoever reads it\n",
		"> " + logLine + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if len(line) > textWidth && !strings.Contains(line, logLine) && !strings.Contains(line, "auth.log") {
			t.Errorf("prose line longer than %d: %q", textWidth, line)
		}
	}
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{0, "usually under a second apart"}, {805 * time.Millisecond, "usually under a second apart"}, {25800 * time.Millisecond, "usually every 25.8s"}} {
		if got := usualText(c.d); got != c.want {
			t.Errorf("usualText(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

// TestIncidentHeader checks that every format heads an incident with the
// signature's title and, under it, the rendered explanation; a finding
// whose explanation is its title, or that has no title, is named once.
func TestIncidentHeader(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 6, 0, 0, 0, time.UTC)
	cases := []struct {
		name, title, summary string
		want                 map[string][]string // format -> substrings in order
		once                 string
	}{
		{"title and explanation", "Runtime left stopped", "docker stopped on h",
			map[string][]string{
				FormatText:  {"INCIDENT 1: [high] Runtime left stopped\n  docker stopped on h\n"},
				FormatTable: {"INCIDENT 1 [high] Runtime left stopped\n  docker stopped on h\n"},
				FormatMD:    {"## Incident 1: \\[high\\] Runtime left stopped\n\ndocker stopped on h\n"},
				FormatHTML:  {"high</span> Runtime left stopped</h3>\n<p class=\"explanation\">docker stopped on h</p>"},
				FormatJSON:  {`"title": "Runtime left stopped"`, `"summary": "docker stopped on h"`},
			}, ""},
		{"explanation equals title", "Runtime left stopped", "Runtime left stopped",
			map[string][]string{FormatText: {"INCIDENT 1: [high] Runtime left stopped\n  f1 "}, FormatMD: {"## Incident 1: \\[high\\] Runtime left stopped\n\n**f1**"}},
			"Runtime left stopped"},
		{"no title", "", "docker stopped on h",
			map[string][]string{FormatText: {"INCIDENT 1: [high] docker stopped on h\n  f1 "}, FormatTable: {"INCIDENT 1 [high] docker stopped on h\n  f1 "}},
			"docker stopped on h"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sig := &signature.Signature{ID: "stop", Title: c.title, Severity: signature.High}
			f := &engine.Finding{Signature: sig, Outcome: engine.Confirmed, Host: "h", Start: t0, End: t0, Summary: c.summary,
				Evidence: []engine.Evidence{{Step: "down", Event: &event.Event{Time: t0, Host: "h", Program: "systemd", Message: "Stopped docker.service.",
					Source: event.SourceRef{Path: "syslog", Line: 1}}}}}
			r := Build(Input{Findings: []*engine.Finding{f}})
			for format, wants := range c.want {
				var buf bytes.Buffer
				if err := Render(&buf, r, format, RenderOptions{}); err != nil {
					t.Fatal(err)
				}
				out := buf.String()
				for _, w := range wants {
					if !strings.Contains(out, w) {
						t.Errorf("%s lacks %q:\n%s", format, w, out)
					}
				}
				if c.once != "" && format != FormatHTML {
					head, _, _ := strings.Cut(out, "Stopped docker.service.")
					if n := strings.Count(head, c.once); n != 1 {
						t.Errorf("%s names %q %d times before the evidence, want once:\n%s", format, c.once, n, out)
					}
				}
			}
		})
	}
}
