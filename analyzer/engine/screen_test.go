package engine

import (
	"fmt"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// TestScreenAgreesWithPrefilter requires NewScreen to reject exactly the
// events the engine's own prefilter offers no matcher, before and after
// its gram finder has learned, for a signature set with literal, regex,
// program-indexed and sequence events; and an Unmatchable event to leave
// the findings as they are when the screen was right.
func TestScreenAgreesWithPrefilter(t *testing.T) {
	sigs := genSignatures(t, 40)
	evs := benchEvents(3 * gramSample)
	// Incidents for some of the signatures, spread through the stream.
	for i, k := range []int{0, 1, 2, 3, 4, 5, 6, 7, 9, 13, 38} {
		ev := &evs[len(evs)/12*(i+1)]
		switch k % 4 {
		case 0:
			ev.Message = fmt.Sprintf("unit 7: failure code GX%04d detected", k)
		case 1:
			ev.Message = fmt.Sprintf("subsystem q%04d stalled for 31 seconds", k)
		case 2:
			ev.Program, ev.Priority = fmt.Sprintf("gen%04d", k), 3
		case 3:
			ev.Message = fmt.Sprintf("job J%04d started", k)
		}
	}
	eng := New(sigs, Options{})
	screen := eng.NewScreen()
	rejected := 0
	for i := range evs {
		offered := 0
		eng.pre.candidates(&evs[i], func(int) { offered++ })
		if got := screen(&evs[i]); got != (offered > 0) {
			t.Fatalf("event %d %q: screen %v, prefilter offered %d matchers", i, evs[i].Message, got, offered)
		}
		if offered == 0 {
			rejected++
		}
	}
	if rejected < len(evs)/2 {
		t.Fatalf("only %d of %d events rejected: the test proves little", rejected, len(evs))
	}

	run := func(mark bool) []*Finding {
		e, screen := New(sigs, Options{}), eng.NewScreen()
		for i := range evs {
			ev := evs[i]
			ev.Unmatchable = mark && !screen(&ev)
			e.Process(&ev)
		}
		f, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	plain, marked := run(false), run(true)
	if len(plain) < 8 || len(plain) != len(marked) {
		t.Fatalf("%d findings unmarked, %d marked", len(plain), len(marked))
	}
	for i := range plain {
		if plain[i].Signature.ID != marked[i].Signature.ID || !plain[i].Start.Equal(marked[i].Start) {
			t.Errorf("finding %d: %s at %v, with screening %s at %v", i, plain[i].Signature.ID, plain[i].Start, marked[i].Signature.ID, marked[i].Start)
		}
	}
}

// TestUnmatchableSkipsMatching requires an Unmatchable event to reach no
// matcher (the engine trusts the mark) except in Naive mode.
func TestUnmatchableSkipsMatching(t *testing.T) {
	sigs := genSignatures(t, 4)
	for _, naive := range []bool{false, true} {
		e := New(sigs, Options{Naive: naive})
		ev := event.Event{Message: "unit 7: failure code GX0000 detected", Priority: event.NoPriority, Unmatchable: true}
		e.Process(&ev)
		f, _ := e.Finish()
		if want := map[bool]int{false: 0, true: 1}[naive]; len(f) != want {
			t.Errorf("naive=%v: %d findings, want %d", naive, len(f), want)
		}
	}
}
