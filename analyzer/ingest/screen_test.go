package ingest

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// TestScreen requires the workers to mark the entries the screen rejects
// Unmatchable, each worker with a screen of its own, and a line joined
// to its entry afterwards (a journalctl continuation) to clear the mark,
// since the screen never saw it.
func TestScreen(t *testing.T) {
	setLimits(t, 256, 128, 4) // many chunks, so both workers get some
	var text strings.Builder
	var want []bool // per event: marked
	for i := range 200 {
		switch i % 5 {
		case 0:
			text.WriteString("Oct  7 06:20:21 web-1 dockerd[812]: candidate line\n")
			want = append(want, false)
		case 3:
			text.WriteString("Oct  7 06:20:21 web-1 systemd[1]: quiet entry\n")
			text.WriteString("    candidate continuation\n")
			want = append(want, false)
		default:
			text.WriteString("Oct  7 06:20:21 web-1 sshd[9]: quiet line\n")
			want = append(want, true)
		}
	}
	var screens atomic.Int32
	newScreen := func() func(*event.Event) bool {
		screens.Add(1)
		return func(ev *event.Event) bool { return strings.Contains(ev.Message, "candidate") }
	}
	r := run(t, Options{Paths: []string{"-"}, Stdin: strings.NewReader(text.String()), Workers: 2, Screen: newScreen})
	if len(r.events) != len(want) {
		t.Fatalf("%d events, want %d", len(r.events), len(want))
	}
	for i, ev := range r.events {
		if ev.Unmatchable != want[i] {
			t.Errorf("event %d %q: Unmatchable = %v, want %v", i, ev.Message, ev.Unmatchable, want[i])
		}
	}
	if n := screens.Load(); n != 2 {
		t.Errorf("%d screens made, want one per worker (2)", n)
	}
}
