package engine

import (
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// untimed is ev without a time: a pasted line whose stamp was cut
// (TimeNone). The host is cut too, as it is in such pastes.
func untimed(spec string) event.Event {
	e := ev("00:00:00", spec)
	e.Time, e.TimeQuality, e.Host = time.Time{}, event.TimeNone, ""
	return e
}

// Events of unknown time keep input order, and input order stands in
// for time: within and maxspan hold, an absence window anchored at an
// unknown time lasts until the input ends, and a matching event of
// unknown time after the anchor refutes it.
func TestEngineUnknownTimes(t *testing.T) {
	cases := []engineCase{
		{"all untimed: the sequence runs in input order, unresolved at the end", []string{sigUnattended},
			[]event.Event{untimed(upgradeStart), untimed(dockerStop), untimed(cron)},
			[]string{"unattended unresolved (end of log) down.svc=docker"}, ""},
		{"a timed upgrade, an untimed stop far later: within does not fail", []string{sigUnattended},
			[]event.Event{noHost(ev("01:00:00", upgradeStart)), untimed(dockerStop), noHost(ev("09:00:00", cron))},
			[]string{"unattended unresolved (end of log) down.svc=docker"}, ""},
		{"an untimed start after the stop refutes", []string{sigUnattended},
			[]event.Event{untimed(upgradeStart), untimed(dockerStop), untimed(dockerStart)},
			nil, "refuted by `Started Docker Application Container Engine.` at syslog:3, later in the input than `down`"},
		{"an untimed start after a timed stop refutes", []string{sigUnattended},
			[]event.Event{noHost(ev("06:20:17", upgradeStart)), noHost(ev("06:20:21", dockerStop)), untimed(dockerStart), noHost(ev("09:00:00", cron))},
			nil, "later in the input than `down`"},
		{"a timed event long after an untimed stop proves nothing", []string{sigUnattended},
			[]event.Event{untimed(upgradeStart), untimed(dockerStop), noHost(ev("23:00:00", cron))},
			[]string{"unattended unresolved (end of log) down.svc=docker"}, ""},
	}
	runCases(t, cases, false)
}

func noHost(e event.Event) event.Event {
	e.Host = ""
	return e
}

// An unresolved finding anchored at an unknown time has no invented
// start or end: the window's end is unknown, not the year 9999.
func TestEngineUnknownTimeFindingTimes(t *testing.T) {
	sigs := loadSigs(t, sigUnattended)
	fs, _ := run(t, sigs, false, []event.Event{untimed(upgradeStart), untimed(dockerStop)})
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1", len(fs))
	}
	f := fs[0]
	if !f.Start.IsZero() || !f.End.IsZero() {
		t.Errorf("start %v end %v, want both unknown (zero)", f.Start, f.End)
	}
	if f.Summary == "" {
		t.Fatal("no summary")
	}
	if want := "docker stopped at time unknown; unresolved (end of log)"; f.Summary != want {
		t.Errorf("summary %q, want %q", f.Summary, want)
	}
}
