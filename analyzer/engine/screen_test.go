package engine

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// TestScreenAgreesWithMatchers requires NewScreen to find exactly the
// events some signature's event matcher matches, before and after its
// gram finder has learned, for a signature set with literal, regex,
// program-indexed and sequence events, with two screens at work at once
// (go test -race); and the engine, given the screens' results, to make
// the findings it makes without them.
func TestScreenAgreesWithMatchers(t *testing.T) {
	sigs := genSignatures(t, 40)
	evs := benchEvents(3 * gramSample)
	// Incidents for some of the signatures, spread through the stream,
	// and near misses that only the prefilter lets through.
	for i, k := range []int{0, 1, 2, 3, 4, 5, 6, 7, 9, 13, 38, 1, 2} {
		ev := &evs[len(evs)/14*(i+1)]
		switch {
		case i >= 11 && k == 1:
			ev.Message = "subsystem q0001 stalled for many seconds"
		case i >= 11 && k == 2:
			ev.Program, ev.Priority = "gen0002", 6
		case k%4 == 0:
			ev.Message = fmt.Sprintf("unit 7: failure code GX%04d detected", k)
		case k%4 == 1:
			ev.Message = fmt.Sprintf("subsystem q%04d stalled for 31 seconds", k)
		case k%4 == 2:
			ev.Program, ev.Priority = fmt.Sprintf("gen%04d", k), 3
		case k%4 == 3:
			ev.Message = fmt.Sprintf("job J%04d started", k)
		}
	}
	eng := New(sigs, Options{})
	matches := func(ev *event.Event) bool {
		for _, d := range eng.defs {
			var caps signature.Captures
			if d.def.Matcher.Match(ev, &caps) {
				return true
			}
		}
		return false
	}
	want := make([]bool, len(evs))
	n := 0
	for i := range evs {
		if want[i] = matches(&evs[i]); want[i] {
			n++
		}
	}
	if n < 9 || n > len(evs)/10 {
		t.Fatalf("%d of %d events match: the test proves little", n, len(evs))
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			screen := eng.NewScreen()
			for i := range evs {
				if got := len(screen(&evs[i], nil).(*screened).hits) > 0; got != want[i] {
					t.Errorf("event %d %q: screen %v, want %v", i, evs[i].Message, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()

	run := func(screen func(*event.Event, func(*event.Event)) any) []*Finding {
		e := New(sigs, Options{})
		for i := range evs {
			ev := evs[i]
			if screen != nil {
				ev.Screen = screen(&ev, nil)
			}
			e.Process(&ev)
		}
		f, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	plain, screenedRun := run(nil), run(eng.NewScreen())
	if len(plain) < 8 || len(plain) != len(screenedRun) {
		t.Fatalf("%d findings unscreened, %d screened", len(plain), len(screenedRun))
	}
	for i := range plain {
		a, b := plain[i], screenedRun[i]
		if a.Signature.ID != b.Signature.ID || !a.Start.Equal(b.Start) || !slices.Equal(a.Captures, b.Captures) {
			t.Errorf("finding %d: %s at %v %v, screened %s at %v %v", i, a.Signature.ID, a.Start, a.Captures, b.Signature.ID, b.Start, b.Captures)
		}
	}
}

// TestProcessTrustsScreen requires an event a screen found nothing in to
// reach no matcher (the engine trusts the screen) except in Naive mode.
func TestProcessTrustsScreen(t *testing.T) {
	sigs := genSignatures(t, 4)
	for _, naive := range []bool{false, true} {
		e := New(sigs, Options{Naive: naive})
		ev := event.Event{Message: "unit 7: failure code GX0000 detected", Priority: event.NoPriority, Screen: unmatched}
		e.Process(&ev)
		f, _ := e.Finish()
		if want := map[bool]int{false: 0, true: 1}[naive]; len(f) != want {
			t.Errorf("naive=%v: %d findings, want %d", naive, len(f), want)
		}
	}
}

// TestScreenCompletesBeforeMatching requires the screen to call
// complete (decode a deferred payload) at most once: before a matcher
// that tests a field runs, and for an event matched by a signature that
// reads fields of what it keeps, or whose text is long enough to be cut
// as evidence; never for an event only signatures that read neither
// match, or that the prefilter rejects.
func TestScreenCompletesBeforeMatching(t *testing.T) {
	sigs := loadSigs(t, `schema: logsleuth/v1
id: by-message
title: Matched by its message
events:
  shim: {program: containerd, message|re: 'msg="shim disconnected" id=(?P<id>[0-9a-f]+)'}
match: {event: shim}
explain: '{{.shim.id}} at {{ts .shim.time}}: {{.shim.message}}'
`, `schema: logsleuth/v1
id: tests-field
title: Tests a field
events:
  exit: {program: containerd, message|contains: task exit, fields.id|re: '^[0-9a-f]+$'}
match: {event: exit}
`, `schema: logsleuth/v1
id: keeps-field
title: Shows a field
events:
  oom: {program: containerd, message|contains: oom event}
match: {event: oom}
explain: 'container {{.oom.fields.id}}'
`)
	screen := New(sigs, Options{}).NewScreen()
	long := `msg="shim disconnected" id=abc ` + strings.Repeat("x", MaxEvidenceText)
	for _, c := range []struct {
		msg       string
		completes int
		matched   bool
	}{
		{`msg="shim disconnected" id=abc`, 0, true},
		{`msg="task exit" id=abc`, 1, true}, // only with its field
		{`msg="task exit" id=`, 1, false},
		{`msg="oom event" id=abc`, 1, true},
		{long, 1, true},
		{`msg="nothing to see" id=abc`, 0, false},
	} {
		ev := event.Event{Program: "containerd", Message: c.msg, Priority: event.NoPriority}
		calls := 0
		got := screen(&ev, func(ev *event.Event) {
			calls++
			if _, id, ok := strings.Cut(ev.Message, " id="); ok {
				ev.Fields = append(ev.Fields, event.Field{Key: "id", Value: id})
			}
		})
		name := c.msg[:min(len(c.msg), 40)]
		if calls != c.completes {
			t.Errorf("%q: complete called %d times, want %d", name, calls, c.completes)
		}
		if m := len(got.(*screened).hits) > 0; m != c.matched {
			t.Errorf("%q: matched %v, want %v", name, m, c.matched)
		}
	}
}

// TestScreenCapturesKept requires the screen's hits to carry each
// matching def's captures, as its matcher finds them (borrowed from the
// event: for one def or several matching an event, with no captures,
// two, or more than the room kept beside the first hit), and what the
// runners keep of them and of the event to be their own: the test
// overwrites the event's text after each event, as a parse worker
// reuses its block, and single, threshold and sequence findings, made
// from captures in the copied message (whole, and cut as evidence) and
// in a field, must still read what the lines said.
func TestScreenCapturesKept(t *testing.T) {
	sigs := loadSigs(t, `schema: logsleuth/v1
id: three
title: Three captures
events:
  e: {message|re: '^(?P<proc>\w+)\[(?P<pid>\d+)\]: segfault at (?P<addr>[0-9a-f]+)'}
match: {event: e}
`, `schema: logsleuth/v1
id: two
title: Two captures, and another def without any
events:
  e: {message|re: '(?P<proc>\w+)\[(?P<pid>\d+)\]: segfault'}
  f: {message|contains: ': segfault at '}
match: {event: e}
`, `schema: logsleuth/v1
id: none
title: No capture
events:
  e: {message|contains: 'segfault at '}
match: {event: e}
`, `schema: logsleuth/v1
id: burst
title: A threshold, by a capture
events:
  e: {message|re: '(?P<proc>\w+)\[(?P<pid>\d+)\]: segfault'}
match: {threshold: {event: e, by: [proc], count: 2, window: 1h}}
`, `schema: logsleuth/v1
id: chain
title: A sequence, one capture from a field
events:
  a: {message|re: '(?P<proc>\w+)\[\d+\]: segfault at', fields.code|re: '(?P<code>E\d+)'}
  b: {message|re: 'segfault near (?P<where>\S+)$'}
match:
  sequence:
    by: [host]
    steps:
      - {event: a, as: a}
      - {event: b, as: b, within: 1h}
`)
	eng := New(sigs, Options{})
	screen := eng.NewScreen()
	long := "bigjob[7]: segfault, then " + strings.Repeat("z", MaxEvidenceText) // (cut as evidence)
	lines := []string{
		"worker[31337]: segfault at 7f ip 0 sp 0 error 4",
		"a worker[31337]: segfault near 7f",
		"segfault at 7f",
		"segfault at 7f, then worker[2]: segfault",
		"nothing here",
		long,
	}
	block := make([]byte, 2*MaxEvidenceText)
	for i, msg := range lines {
		// The message is a slice of a block, as the parser's are.
		n := copy(block, msg)
		copy(block[n:], "E42")
		ev := event.Event{Time: day.Add(time.Duration(i) * time.Second), Host: "web-3",
			Message: unsafe.String(&block[0], n), Priority: event.NoPriority,
			Fields: []event.Field{{Key: "code", Value: unsafe.String(&block[n], 3)}}}
		var want []screenHit
		for i, d := range eng.defs {
			var caps signature.Captures
			if d.def.Matcher.Match(&ev, &caps) {
				want = append(want, screenHit{def: i, caps: caps})
			}
		}
		ev.Screen = screen(&ev, nil)
		got := slices.Clone(ev.Screen.(*screened).hits)
		slices.SortFunc(got, func(a, b screenHit) int { return a.def - b.def })
		if len(got) != len(want) {
			t.Fatalf("%q: %d hits, want %d", msg, len(got), len(want))
		}
		for i := range got {
			if got[i].def != want[i].def || !slices.Equal(got[i].caps, want[i].caps) || (len(got[i].caps) == 0) != (got[i].caps == nil) {
				t.Errorf("%q: hit %d is %v, want %v", msg, i, got[i], want[i])
			}
		}
		eng.Process(&ev)
		for j := range block {
			block[j] = '#'
		}
	}
	for i, s := range eng.onlyHit {
		if len(s.hits) != 1 || s.hits[0].def != i || s.hits[0].caps != nil {
			t.Errorf("the shared answer for def %d alone became %v", i, s.hits)
		}
	}
	fs, err := eng.Finish()
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, f := range fs {
		s := f.Signature.ID + ":"
		for _, c := range f.Captures {
			s += " " + c.Name + "=" + c.Value
		}
		for _, ev := range f.Evidence {
			if msg := ev.Event.Message; !slices.Contains(lines, msg) && !strings.HasPrefix(long, msg) {
				t.Errorf("%s: evidence %q is no line's", f.Signature.ID, msg)
			}
		}
		found = append(found, s)
	}
	slices.Sort(found)
	want := []string{
		"burst: e.proc=worker e.pid=31337",
		"chain: a.proc=worker a.code=E42 b.where=7f",
		"none:",
		"none:",
		"none:",
		"three: e.proc=worker e.pid=31337 e.addr=7f",
		"two: e.proc=bigjob e.pid=7",
		"two: e.proc=worker e.pid=2",
		"two: e.proc=worker e.pid=31337",
		"two: e.proc=worker e.pid=31337",
	}
	if !slices.Equal(found, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(found, "\n"), strings.Join(want, "\n"))
	}
}

// TestThresholdLastCapturesKept: a burst past its evidence keeps of its
// latest event only the time and, when the templates read them, the
// captures (readsOnlyTime): those must be its own too, not slices of the
// event's text, which the test overwrites after each event as a parse
// worker reuses its block.
func TestThresholdLastCapturesKept(t *testing.T) {
	sigs := loadSigs(t, `schema: logsleuth/v1
id: flood
title: Login flood
events:
  fail: {message|re: '^Failed password for (?P<user>\S+) from (?P<addr>\S+)'}
match:
  threshold: {event: fail, by: [addr], count: 2, window: 10m}
explain: '{{.count}} failures from {{.first.addr}}, first as {{.first.user}}, last as {{.last.user}}'
`)
	eng := New(sigs, Options{})
	if th := eng.runners[0].(*threshold); !th.lastTimeOnly || !th.lastCaps {
		t.Fatalf("lastTimeOnly %v, lastCaps %v; want both", th.lastTimeOnly, th.lastCaps)
	}
	screen := eng.NewScreen()
	block := make([]byte, 128)
	const n = 3 * maxEvidence
	for i := range n {
		k := copy(block, fmt.Sprintf("Failed password for user%02d from 203.0.113.9 port 22 ssh2", i))
		ev := event.Event{Time: day.Add(time.Duration(i) * time.Second), Host: "bastion",
			Message: unsafe.String(&block[0], k), Priority: event.NoPriority}
		ev.Screen = screen(&ev, nil)
		eng.Process(&ev)
		for j := range block {
			block[j] = '#'
		}
	}
	fs, _ := eng.Finish()
	want := fmt.Sprintf("%d failures from 203.0.113.9, first as user00, last as user%02d", n, n-1)
	if len(fs) != 1 || fs[0].Summary != want {
		var got []string
		for _, f := range fs {
			got = append(got, f.Summary)
		}
		t.Fatalf("findings %q, want one saying %q", got, want)
	}
}
