package ingest

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// TestScreen requires the workers to keep the screen's result for each
// entry in Event.Screen, each worker with a screen of its own, and a line
// joined to its entry afterwards (a journalctl continuation) to clear
// it, since the screen never saw that line.
func TestScreen(t *testing.T) {
	setLimits(t, 256, 128, 4) // many chunks, so both workers get some
	var text strings.Builder
	var want []any // per event: Screen
	for i := range 200 {
		switch i % 5 {
		case 0:
			text.WriteString("Oct  7 06:20:21 web-1 dockerd[812]: candidate line\n")
			want = append(want, "hit")
		case 3:
			text.WriteString("Oct  7 06:20:21 web-1 systemd[1]: quiet entry\n")
			text.WriteString("    candidate continuation\n")
			want = append(want, nil)
		default:
			text.WriteString("Oct  7 06:20:21 web-1 sshd[9]: quiet line\n")
			want = append(want, "none")
		}
	}
	var screens atomic.Int32
	newScreen := func() Screen {
		screens.Add(1)
		return func(ev *event.Event, complete func(*event.Event)) any {
			if strings.Contains(ev.Message, "candidate") {
				return "hit"
			}
			return "none"
		}
	}
	s, err := Open(context.Background(), Options{Paths: []string{"-"}, Stdin: strings.NewReader(text.String()),
		Workers: 2, Screen: newScreen, Warnings: &event.Warnings{}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	i := 0
	for ; s.Next(); i++ {
		// (Clones drop Screen: look at the stream's own event.)
		if ev := s.Event(); i < len(want) && ev.Screen != want[i] {
			t.Errorf("event %d %q: Screen = %v, want %v", i, ev.Message, ev.Screen, want[i])
		}
	}
	if i != len(want) {
		t.Fatalf("%d events, want %d", i, len(want))
	}
	if n := screens.Load(); n != 2 {
		t.Errorf("%d screens made, want one per worker (2)", n)
	}
}
