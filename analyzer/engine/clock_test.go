package engine

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

const sigTwoAbsences = `schema: logsleuth/v1
id: quiet
title: Failed and neither restarted nor reported
events:
  fail: {unit: web.service, lifecycle: failed}
  restart: {unit: web.service, lifecycle: started}
  report: {program: pager, message|contains: "web.service"}
match:
  sequence:
    steps:
      - {event: fail, as: fail}
      - {absent: restart, as: restart, for: 10s}
      - {absent: report, as: report, for: 20s}
explain: 'web failed at {{ts .fail.time}}: {{.outcome}}'
`

// at is a wall-clock instant on day: "hh:mm:ss" plus extra.
func at(clock string, extra time.Duration) time.Time {
	return ev(clock, "h x - -").Time.Add(extra)
}

// TestAdvanceClock: in a live run the wall clock closes absence windows
// when the log falls silent; each finding is drained once.
func TestAdvanceClock(t *testing.T) {
	type tick struct {
		now  time.Time
		want []string // what Drain returns after AdvanceClock(now)
	}
	cases := []struct {
		name   string
		sigs   []string
		events []event.Event
		ticks  []tick
		finish []string // what Finish returns at the end
	}{
		{"the window passes on the clock, beyond the tolerance, once", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop)},
			[]tick{
				{at("06:40:00", 0), nil},
				{at("06:50:23", 0), nil}, // window end + 2s tolerance: not yet
				{at("06:50:23", time.Millisecond), []string{"unattended confirmed down.svc=docker"}},
				{at("07:30:00", 0), nil},
			},
			nil},
		{"a restart inside the window refutes: the clock confirms nothing", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("06:21:00", dockerStart)},
			[]tick{{at("08:00:00", 0), nil}},
			nil},
		{"the clock short of the window: unresolved at the end, as in batch", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop)},
			[]tick{{at("06:30:00", 0), nil}},
			[]string{"unattended unresolved (end of log) down.svc=docker"}},
		{"within runs out on the clock: a stop after it starts nothing", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart)},
			[]tick{{at("08:20:20", 0), nil}},
			nil},
		{"two absent steps in a row pass on one tick", []string{sigTwoAbsences},
			[]event.Event{ev("01:00:00", "h systemd web.service failed | web.service: Failed with result 'exit-code'.")},
			[]tick{{at("01:00:11", 0), nil}, {at("01:00:23", 0), []string{"quiet confirmed"}}},
			nil},
		{"the first absence refuted: the second never opens", []string{sigTwoAbsences},
			[]event.Event{ev("01:00:00", "h systemd web.service failed | web.service: Failed with result 'exit-code'."),
				ev("01:00:04", "h systemd web.service started | Started Web.")},
			[]tick{{at("01:01:00", 0), nil}},
			nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := New(loadSigs(t, tc.sigs...), Options{Warnings: &event.Warnings{}})
			for i := range tc.events {
				tc.events[i].Source.Line = int64(i + 1)
				e.Process(&tc.events[i])
			}
			if got := e.Drain(); len(got) != 0 {
				t.Fatalf("findings before any tick: %v", describeAll(got))
			}
			for _, tk := range tc.ticks {
				e.AdvanceClock(tk.now)
				if got := describeAll(e.Drain()); !slices.Equal(got, tk.want) {
					t.Errorf("AdvanceClock(%s): drained %q, want %q", tk.now.Format(time.TimeOnly), got, tk.want)
				}
			}
			fs, _ := e.Finish()
			if got := describeAll(fs); !slices.Equal(got, tc.finish) {
				t.Errorf("Finish: %q, want %q", got, tc.finish)
			}
		})
	}
}

// TestDrainRenders: a drained finding carries its explanation and
// remediation, rendered when it is drained.
func TestDrainRenders(t *testing.T) {
	e := New(loadSigs(t, sigUnattended), Options{Warnings: &event.Warnings{}})
	for _, x := range []event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop)} {
		e.Process(&x)
	}
	e.AdvanceClock(at("07:00:00", 0))
	fs := e.Drain()
	if len(fs) != 1 {
		t.Fatalf("drained %d findings, want 1", len(fs))
	}
	f := fs[0]
	if want := "docker stopped at 2021-10-07 06:20:21 UTC; confirmed"; f.Summary != want {
		t.Errorf("summary %q, want %q", f.Summary, want)
	}
	if want := []string{"systemctl start docker.service"}; !slices.Equal(f.Remediation, want) {
		t.Errorf("remediation %q, want %q", f.Remediation, want)
	}
	if !f.End.Equal(at("06:50:21", 0)) {
		t.Errorf("end %s, want the window's end 06:50:21", f.End)
	}
}

func describeAll(fs []*Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, describe(f))
	}
	return out
}

// TestLiveStateRoundTrip: the partial matches saved by one engine, as
// JSON, go on in another: an open window still closes there (once), a
// restart still refutes it, and a match of a changed signature is
// dropped with a warning. (Two matches are saved: the upgrade waiting
// for another stop, and the stop waiting out its window.)
func TestLiveStateRoundTrip(t *testing.T) {
	saved := func() []byte {
		e := New(loadSigs(t, sigUnattended), Options{Warnings: &event.Warnings{}})
		for _, x := range []event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop)} {
			e.Process(&x)
		}
		b, err := json.Marshal(e.SaveLive())
		if err != nil {
			t.Fatal(err)
		}
		return b
	}()
	restore := func(t *testing.T, sig string) (*Engine, *event.Warnings) {
		var st LiveState
		if err := json.Unmarshal(saved, &st); err != nil {
			t.Fatal(err)
		}
		ws := &event.Warnings{}
		e := New(loadSigs(t, sig), Options{Warnings: ws})
		e.RestoreLive(&st)
		return e, ws
	}
	t.Run("the window closes after the restart", func(t *testing.T) {
		e, _ := restore(t, sigUnattended)
		e.AdvanceClock(at("06:40:00", 0))
		if got := e.Drain(); len(got) != 0 {
			t.Fatalf("drained %q before the window's end", describeAll(got))
		}
		e.AdvanceClock(at("07:00:00", 0))
		fs := e.Drain()
		if got, want := describeAll(fs), []string{"unattended confirmed down.svc=docker"}; !slices.Equal(got, want) {
			t.Fatalf("drained %q, want %q", got, want)
		}
		if got := fs[0].Evidence[1].Event.Message; got != "Stopping Docker Application Container Engine..." {
			t.Errorf("evidence %q: want the saved stop line", got)
		}
		if !fs[0].Start.Equal(at("06:20:17", 0)) {
			t.Errorf("start %s, want the saved upgrade's time", fs[0].Start)
		}
		e.AdvanceClock(at("08:00:00", 0))
		if got := e.Drain(); len(got) != 0 {
			t.Errorf("drained %q again", describeAll(got))
		}
	})
	t.Run("a restart after the restore refutes", func(t *testing.T) {
		e, _ := restore(t, sigUnattended)
		x := ev("06:30:00", dockerStart)
		e.Process(&x)
		e.AdvanceClock(at("08:00:00", 0))
		if got := e.Drain(); len(got) != 0 {
			t.Errorf("drained %q", describeAll(got))
		}
	})
	t.Run("a changed signature drops the match", func(t *testing.T) {
		changed := strings.Replace(sigUnattended, "as: restart", "as: back", 1)
		e, ws := restore(t, changed)
		e.AdvanceClock(at("08:00:00", 0))
		if got := e.Drain(); len(got) != 0 {
			t.Errorf("drained %q", describeAll(got))
		}
		if w := ws.List(); len(w) != 1 || !strings.Contains(w[0].String(), "2 partial matches of signature unattended dropped") {
			t.Errorf("warnings %v", w)
		}
	})
}
