package timeline

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// TestBuildShow checks the selections' rule (Input.Show): an incident
// stays, whole, when one evidence line of its root or of a symptom
// passes; near misses likewise; the rest are counted as hidden and the
// report says so instead of "no signature matched".
func TestBuildShow(t *testing.T) {
	t0 := time.Date(2024, 3, 3, 6, 2, 0, 0, time.UTC)
	mk := func(sec int, program, unit, msg string) *event.Event {
		return &event.Event{Time: t0.Add(time.Duration(sec) * time.Second), Host: "node-7", Program: program, Unit: unit,
			Message: msg, Source: event.SourceRef{Path: "syslog", Line: int64(sec)}}
	}
	cause := &signature.Signature{ID: "upgrade-stop", Severity: signature.High, Explains: []string{"runtime-down"},
		Match: signature.Match{Kind: signature.MatchSequence, MaxSpan: time.Hour}}
	symptom := &signature.Signature{ID: "runtime-down", Severity: signature.Medium, Match: signature.Match{Kind: signature.MatchEvent}}
	other := &signature.Signature{ID: "ssh-noise", Severity: signature.Low, Match: signature.Match{Kind: signature.MatchEvent}}
	apt := mk(0, "systemd", "apt-daily-upgrade.service", "Starting Daily apt upgrade and clean activities...")
	stop := mk(29, "systemd", "docker.service", "Stopping Docker Application Container Engine...")
	kubelet := mk(600, "kubelet", "", `"Status from runtime service failed" err="connection refused"`)
	sshd := mk(900, "sshd", "", "error: kex_exchange_identification: Connection closed by remote host")
	findings := []*engine.Finding{
		{Signature: cause, Outcome: engine.Confirmed, Host: "node-7", Start: apt.Time, End: stop.Time.Add(30 * time.Minute),
			Evidence: []engine.Evidence{{Step: "upgrade", Event: apt}, {Step: "down", Event: stop}}},
		{Signature: symptom, Outcome: engine.Confirmed, Host: "node-7", Start: kubelet.Time, End: kubelet.Time,
			Evidence: []engine.Evidence{{Step: "probe", Event: kubelet}}},
		{Signature: other, Outcome: engine.Confirmed, Host: "node-7", Start: sshd.Time, End: sshd.Time,
			Evidence: []engine.Evidence{{Step: "kex", Event: sshd}}},
	}
	near := []*engine.NearMiss{
		{Signature: cause, Group: "node-7", Steps: 1, Reason: "step 2 never came", Time: apt.Time, Evidence: []engine.Evidence{{Step: "upgrade", Event: apt}}},
	}
	tests := []struct {
		name      string
		show      func(*event.Event) bool
		roots     []string // incident roots, in order
		findings  int
		nearMiss  int
		hidden    int
		noneShown string
	}{
		{"no selection", nil, []string{"upgrade-stop", "ssh-noise"}, 3, 1, 0, ""},
		{"a unit keeps its incident whole, the apt step too", func(e *event.Event) bool { return e.Unit == "docker.service" },
			[]string{"upgrade-stop"}, 2, 0, 1, ""},
		{"a symptom's line keeps its cause", func(e *event.Event) bool { return e.Program == "kubelet" },
			[]string{"upgrade-stop"}, 2, 0, 1, ""},
		{"the apt line keeps the near miss", func(e *event.Event) bool { return strings.Contains(e.Message, "apt") },
			[]string{"upgrade-stop"}, 2, 1, 1, ""},
		{"nothing passes", func(e *event.Event) bool { return e.Program == "cron" },
			nil, 0, 0, 2, "No incidents shown: 2 incidents have no evidence line that passes the selections."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Build(Input{Findings: findings, NearMisses: near, Show: tt.show})
			var roots []string
			for _, inc := range r.Incidents {
				roots = append(roots, inc.Root.Signature.ID)
			}
			if strings.Join(roots, ",") != strings.Join(tt.roots, ",") || len(r.Findings) != tt.findings ||
				len(r.NearMisses) != tt.nearMiss || r.Hidden != tt.hidden {
				t.Fatalf("roots %v, %d findings, %d near misses, %d hidden; want %v, %d, %d, %d",
					roots, len(r.Findings), len(r.NearMisses), r.Hidden, tt.roots, tt.findings, tt.nearMiss, tt.hidden)
			}
			for _, f := range r.Findings {
				if f.Signature == cause && len(f.Evidence) != 2 {
					t.Errorf("the cause keeps %d evidence lines, want both (upgrade and down)", len(f.Evidence))
				}
			}
			if tt.noneShown != "" {
				var buf bytes.Buffer
				if err := RenderText(&buf, r, RenderOptions{}); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(buf.String(), "\n"+tt.noneShown+"\n") {
					t.Errorf("text report lacks %q:\n%s", tt.noneShown, buf.String())
				}
			}
		})
	}
}
