package ingest

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// TestScreen requires the workers to keep the screen's result for each
// entry in Event.Screen and the error verdict in Event.ErrorLevel, each
// worker with a screen of its own, and a line joined to its entry
// afterwards (a journalctl continuation) to clear both, since neither
// saw that line.
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
		Workers: 2, Screen: newScreen, Warnings: &event.Warnings{},
		JudgeError: func(ev *event.Event) bool { return ev.Program == "dockerd" }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	i := 0
	for ; s.Next(); i++ {
		// (Clones drop Screen: look at the stream's own event.)
		ev := s.Event()
		if i >= len(want) {
			continue
		}
		if ev.Screen != want[i] {
			t.Errorf("event %d %q: Screen = %v, want %v", i, ev.Message, ev.Screen, want[i])
		}
		verdict := map[any]event.Verdict{"hit": event.VerdictYes, "none": event.VerdictNo, nil: event.VerdictNone}[want[i]]
		if ev.ErrorLevel != verdict {
			t.Errorf("event %d %q: ErrorLevel = %v, want %v", i, ev.Message, ev.ErrorLevel, verdict)
		}
	}
	if i != len(want) {
		t.Fatalf("%d events, want %d", i, len(want))
	}
	if n := screens.Load(); n != 2 {
		t.Errorf("%d screens made, want one per worker (2)", n)
	}
}
