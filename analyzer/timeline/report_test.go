package timeline

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
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
