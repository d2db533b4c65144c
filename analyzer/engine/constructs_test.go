package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// sigAfter: `after` measures a step's window from a named earlier step,
// not from the previous one; `maxspan` bounds the whole sequence.
const sigAfter = `schema: logsleuth/v1
id: after
title: Deploy, restart, health check
events:
  deploy: {program: deployer, message|contains: "deploy begins"}
  restart: {program: systemd, message|contains: "Restarting app"}
  healthy: {program: app, message|contains: "health check passed"}
match:
  sequence:
    by: [host]
    maxspan: 1h
    steps:
      - {event: deploy}
      - {event: restart, within: 50m}
      - {event: healthy, after: deploy, within: 10m}
`

// sigSpan: maxspan alone bounds the sequence.
const sigSpan = `schema: logsleuth/v1
id: span
title: Deploy then restart
events:
  deploy: {program: deployer, message|contains: "deploy begins"}
  restart: {program: systemd, message|contains: "Restarting app"}
match:
  sequence:
    maxspan: 1h
    steps:
      - {event: deploy}
      - {event: restart}
`

// sigUntilByHost is sigUntil with one group per host.
var sigUntilByHost = strings.NewReplacer("id: flap", "id: flap-by-host", "until: [reset]", "until: [reset]\n    by: [host]").Replace(sigUntil)

// sigMiddleAbsent: an absence in the middle of a sequence.
const sigMiddleAbsent = `schema: logsleuth/v1
id: quiet-then-crash
title: No heartbeat, then a crash
events:
  up: {program: app, message|contains: "app started"}
  beat: {program: app, message|contains: "heartbeat"}
  crash: {program: app, message|contains: "core dumped"}
match:
  sequence:
    by: [host]
    steps:
      - {event: up}
      - {absent: beat, for: 5m}
      - {event: crash, within: 1h}
`

func TestEngineConstructs(t *testing.T) {
	const (
		deploy  = "h deployer - - | deploy begins: v42"
		restart = "h systemd - - | Restarting app..."
		healthy = "h app - - | health check passed"
		start   = "h app - - | app started"
		beat    = "h app - - | heartbeat ok"
		crash   = "h app - - | Segmentation fault (core dumped)"
		tick    = "h cron - - | tick"
	)
	cases := []engineCase{
		{"after: measured from the named step", []string{sigAfter},
			[]event.Event{ev("10:00:00", deploy), ev("10:05:00", restart), ev("10:09:59", healthy)},
			[]string{"after confirmed"}, ""},
		{"after: not from the previous step", []string{sigAfter},
			[]event.Event{ev("10:00:00", deploy), ev("10:05:00", restart), ev("10:10:01", healthy)},
			nil, "step 3 `healthy` did not happen within 10m0s of `deploy`"},
		{"after: exactly at the bound", []string{sigAfter},
			[]event.Event{ev("10:00:00", deploy), ev("10:05:00", restart), ev("10:10:00", healthy)},
			[]string{"after confirmed"}, ""},
		{"maxspan: a step past it does not bind", []string{sigSpan},
			[]event.Event{ev("10:00:00", deploy), ev("11:00:01", restart)},
			nil, "step 2 `restart` did not happen within maxspan 1h0m0s of step 1"},
		{"maxspan: exactly at it", []string{sigSpan},
			[]event.Event{ev("10:00:00", deploy), ev("11:00:00", restart)},
			[]string{"span confirmed"}, ""},
		{"steps out of order do not match", []string{sigAfter},
			[]event.Event{ev("10:00:00", restart), ev("10:01:00", deploy), ev("10:02:00", healthy)},
			nil, "step 2 `restart` had not happened when the log ended"},
		{"absence in the middle, confirmed, then the last step", []string{sigMiddleAbsent},
			[]event.Event{ev("10:00:00", start), ev("10:06:00", tick), ev("10:30:00", crash)},
			[]string{"quiet-then-crash confirmed"}, ""},
		{"absence in the middle refuted", []string{sigMiddleAbsent},
			[]event.Event{ev("10:00:00", start), ev("10:04:59", beat), ev("10:30:00", crash)},
			nil, "step 2 `absent beat` refuted by `heartbeat ok`"},
		{"absence in the middle undecided at end of log", []string{sigMiddleAbsent},
			[]event.Event{ev("10:00:00", start), ev("10:01:00", tick)},
			nil, "step 2 `absent beat` could not be decided: end of log"},
		{"a heartbeat refutes the open window, not a later one", []string{sigMiddleAbsent},
			[]event.Event{ev("10:00:00", start), ev("10:04:00", beat), ev("10:04:30", start), ev("10:10:00", tick), ev("10:20:00", crash)},
			[]string{"quiet-then-crash confirmed"}, ""},
		{"other hosts' windows are their own", []string{sigMiddleAbsent},
			[]event.Event{ev("10:00:00", start), ev("10:00:01", strings.Replace(start, "h ", "g ", 1)), ev("10:04:00", beat),
				ev("10:10:00", strings.Replace(tick, "h ", "g ", 1)), ev("10:20:00", strings.Replace(crash, "h ", "g ", 1))},
			[]string{"quiet-then-crash confirmed"}, "refuted"},
		{"threshold: interleaved groups count separately", []string{sigBrute},
			[]event.Event{
				ev("10:00:00", "h sshd - - | Failed password for root from 10.0.0.1 port 1 ssh2"),
				ev("10:00:01", "h sshd - - | Failed password for root from 10.0.0.2 port 1 ssh2"),
				ev("10:00:02", "h sshd - - | Failed password for root from 10.0.0.1 port 2 ssh2"),
				ev("10:00:03", "h sshd - - | Failed password for root from 10.0.0.2 port 2 ssh2"),
				ev("10:00:04", "h sshd - - | Failed password for root from 10.0.0.1 port 3 ssh2"),
				ev("10:00:05", "h sshd - - | Failed password for root from 10.0.0.2 port 3 ssh2")},
			[]string{"brute confirmed fail.user=root,fail.addr=10.0.0.1 count=3", "brute confirmed fail.user=root,fail.addr=10.0.0.2 count=3"}, ""},
		{"threshold: exactly the window apart still counts", []string{sigBrute},
			[]event.Event{
				ev("10:00:00", "h sshd - - | Failed password for root from 10.0.0.1 port 1 ssh2"),
				ev("10:00:30", "h sshd - - | Failed password for root from 10.0.0.1 port 2 ssh2"),
				ev("10:01:00", "h sshd - - | Failed password for root from 10.0.0.1 port 3 ssh2")},
			[]string{"brute confirmed fail.user=root,fail.addr=10.0.0.1 count=3"}, ""},
		{"threshold: a second burst after a quiet window is a second finding", []string{sigBrute},
			[]event.Event{
				ev("10:00:00", "h sshd - - | Failed password for root from 10.0.0.1 port 1 ssh2"),
				ev("10:00:01", "h sshd - - | Failed password for root from 10.0.0.1 port 2 ssh2"),
				ev("10:00:02", "h sshd - - | Failed password for root from 10.0.0.1 port 3 ssh2"),
				ev("10:05:00", "h sshd - - | Failed password for admin from 10.0.0.1 port 4 ssh2"),
				ev("10:05:01", "h sshd - - | Failed password for admin from 10.0.0.1 port 5 ssh2"),
				ev("10:05:02", "h sshd - - | Failed password for admin from 10.0.0.1 port 6 ssh2")},
			[]string{"brute confirmed fail.user=root,fail.addr=10.0.0.1 count=3", "brute confirmed fail.user=admin,fail.addr=10.0.0.1 count=3"}, ""},
		{"dedupe: another host is another finding", []string{sigOOM},
			[]event.Event{
				ev("03:00:00", "h kernel - - | Out of memory: Killed process 1 (java) x"),
				ev("03:00:01", "g kernel - - | Out of memory: Killed process 2 (java) x")},
			[]string{"oom confirmed kill.pid=1,kill.comm=java", "oom confirmed kill.pid=2,kill.comm=java"}, ""},
		{"dedupe: exactly the window after the first is folded", []string{sigOOM},
			[]event.Event{
				ev("03:00:00", "h kernel - - | Out of memory: Killed process 1 (java) x"),
				ev("03:10:00", "h kernel - - | Out of memory: Killed process 2 (java) x"),
				ev("03:20:01", "h kernel - - | Out of memory: Killed process 3 (java) x")},
			[]string{"oom confirmed kill.pid=1,kill.comm=java count=2", "oom confirmed kill.pid=3,kill.comm=java"}, ""},
		{"until: only its own group", []string{sigUntilByHost},
			[]event.Event{ev("01:00:00", "h systemd web.service failed | web.service: Failed with result 'exit-code'."),
				ev("01:00:02", "g systemd web.service - | manual reset by operator"),
				ev("01:00:05", "h systemd web.service started | Started Web.")},
			[]string{"flap-by-host confirmed"}, ""},
		{"until: after the sequence completed changes nothing", []string{sigUntilByHost},
			[]event.Event{ev("01:00:00", "h systemd web.service failed | web.service: Failed with result 'exit-code'."),
				ev("01:00:05", "h systemd web.service started | Started Web."),
				ev("01:00:06", "h systemd web.service - | manual reset by operator")},
			[]string{"flap-by-host confirmed"}, ""},
		{"optional: bound, but the required step comes too late", []string{sigUntilByHost},
			[]event.Event{ev("01:00:00", "h systemd web.service failed | web.service: Failed with result 'exit-code'."),
				ev("01:00:01", "h systemd web.service - | web.service: Scheduled restart job, restart counter is at 1."),
				ev("01:11:00", "h systemd web.service started | Started Web.")},
			nil, "step 3 `back` did not happen within 10m0s of `note`"},
	}
	runCases(t, cases, true)
}

// TestGroupsAreBounded feeds many short-lived groups (one source address,
// one process, one job each) and requires the state to follow the groups
// still active, not every group ever seen.
func TestGroupsAreBounded(t *testing.T) {
	sigs := loadSigs(t, sigBrute, `schema: logsleuth/v1
id: crash
title: Crash
events:
  crash: {program: app, message|re: 'worker (?P<w>\d+) crashed'}
match:
  event: crash
  dedupe: {by: [w], window: 1m}
`, `schema: logsleuth/v1
id: job
title: Job did not finish
events:
  begin: {program: app, message|re: 'job (?P<id>\d+) started'}
  done: {program: app, message|re: 'job (?P<id>\d+) finished'}
match:
  sequence:
    by: [id]
    steps:
      - {event: begin}
      - {event: done, within: 1m}
`)
	e := New(sigs, Options{})
	const n = 20000
	for i := 0; i < n; i++ {
		for _, spec := range []string{
			fmt.Sprintf("h sshd - - | Failed password for root from 10.%d.%d.%d port 22 ssh2", i>>16, i>>8&255, i&255),
			fmt.Sprintf("h app - - | worker %d crashed", i),
			fmt.Sprintf("h app - - | job %d started", i),
		} {
			x := ev("00:00:00", spec)
			x.Time = x.Time.Add(time.Duration(i) * time.Second)
			e.Process(&x)
		}
	}
	brute, crash, job := e.runners[0].(*threshold), e.runners[1].(*single), e.runners[2].(*sequence)
	for name, size := range map[string]int{"threshold groups": len(brute.groups), "dedupe keys": len(crash.last), "sequence groups": len(job.groups)} {
		if size > 4096 {
			t.Errorf("%s: %d kept after %d one-off groups", name, size, n)
		}
	}
	fs, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != n {
		t.Fatalf("%d findings, want one per crashed worker (%d)", len(fs), n)
	}
	if ms := e.NearMisses(); len(ms) != n {
		t.Fatalf("%d near misses, want one per unfinished job (%d)", len(ms), n)
	}
}
