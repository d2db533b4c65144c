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

// A finding whose evidence has events of unknown time (pasted lines
// whose stamp was cut): every format shows "time unknown" (JSON leaves
// the time empty), Δ "-" for them, and the chain keeps input order
// instead of sorting the unknown time first.
func TestUnknownTimesRendered(t *testing.T) {
	t0 := time.Date(2023, 5, 16, 6, 18, 24, 0, time.UTC)
	sig := &signature.Signature{ID: "unattended-upgrade", Severity: signature.High,
		Match: signature.Match{Kind: signature.MatchSequence}}
	upgrade := &event.Event{Time: t0, TimeQuality: event.TimeYearInferred, Host: "web-3", Program: "systemd", PID: 1,
		Message: "Starting Daily apt upgrade and clean activities...", Source: event.SourceRef{Path: "ticket.txt", Line: 12}}
	down := &event.Event{TimeQuality: event.TimeNone, Host: "web-3", Program: "systemd", PID: 1,
		Message: "Stopping Docker Application Container Engine...", Source: event.SourceRef{Path: "ticket.txt", Line: 38}}
	f := &engine.Finding{Signature: sig, Outcome: engine.Unresolved, Reason: engine.ReasonEndOfLog, Host: "web-3",
		Start: t0, Count: 1, Summary: "docker.service was stopped",
		Evidence: []engine.Evidence{{Step: "upgrade", Event: upgrade}, {Step: "down", Event: down}}}
	r := Build(Input{Findings: []*engine.Finding{f}})
	if ev := r.Findings[0].Evidence; ev[0].Event != upgrade || ev[1].Event != down {
		t.Fatalf("evidence not in input order: %v, %v", ev[0].Event.Source, ev[1].Event.Source)
	}
	for _, format := range Formats {
		var buf bytes.Buffer
		if err := Render(&buf, r, format, RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if format == FormatJSON {
			if !strings.Contains(out, `"time": "",`) || !strings.Contains(out, `"end": "",`) {
				t.Errorf("json: no empty time for the untimed evidence and end:\n%s", out)
			}
			continue
		}
		if !strings.Contains(out, "time unknown") {
			t.Errorf("%s: no \"time unknown\":\n%s", format, out)
		}
		if strings.Contains(out, "0001-01-01") || strings.Contains(out, "-2023") {
			t.Errorf("%s: an invented time:\n%s", format, out)
		}
		up, dn := strings.Index(out, "Starting Daily apt"), strings.Index(out, "Stopping Docker")
		if up < 0 || dn < 0 || up > dn {
			t.Errorf("%s: evidence not in input order:\n%s", format, out)
		}
	}
}
