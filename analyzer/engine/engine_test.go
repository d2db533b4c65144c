package engine

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"
	"unsafe"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

const sigUnattended = `schema: logsleuth/v1
id: unattended
title: Unattended upgrade stopped the runtime
severity: high
events:
  upgrade:
    unit: apt-daily-upgrade.service
    lifecycle: [starting, started]
  down:
    unit|re: '^(?P<svc>docker|containerd)\.service$'
    lifecycle: [stopping, stopped]
  up:
    unit|re: '^(?P<svc>docker|containerd)\.service$'
    lifecycle: started
match:
  sequence:
    by: [host]
    maxspan: 4h
    steps:
      - {event: upgrade, as: upgrade}
      - {event: down, as: down, within: 2h}
      - {absent: up, as: restart, join: {svc: down.svc}, for: 30m}
explain: '{{.down.svc}} stopped at {{ts .down.time}}; {{.outcome}}{{if .reason}} ({{.reason}}){{end}}'
remediation: ["systemctl start {{.down.svc}}.service"]
`

const sigBrute = `schema: logsleuth/v1
id: brute
title: SSH brute force
events:
  fail:
    program: sshd
    message|re: 'Failed password for (invalid user )?(?P<user>\S+) from (?P<addr>[0-9.]+)'
match:
  threshold: {event: fail, by: [addr], count: 3, window: 1m}
explain: '{{.count}} failures from {{.first.addr}}'
`

const sigOOM = `schema: logsleuth/v1
id: oom
title: OOM kill
events:
  kill:
    program: kernel
    message|re: 'Out of memory: Killed process (?P<pid>\d+) \((?P<comm>[^)]+)\)'
match:
  event: kill
  dedupe: {by: [host], window: 10m}
explain: 'killed {{.kill.comm}}'
`

const sigUntil = `schema: logsleuth/v1
id: flap
title: Service failed then came back
events:
  fail: {unit: web.service, lifecycle: failed}
  note: {unit: web.service, message|contains: "Scheduled restart job"}
  back: {unit: web.service, lifecycle: started}
  reset: {unit: web.service, message|contains: "manual reset"}
match:
  sequence:
    until: [reset]
    steps:
      - {event: fail}
      - {event: note, optional: true}
      - {event: back, within: 10m}
`

func loadSigs(t testing.TB, docs ...string) []*signature.Signature {
	t.Helper()
	var all []*signature.Signature
	for i, d := range docs {
		sigs, errs := signature.Parse(fmt.Sprintf("sig%d.yaml", i), []byte(d))
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		all = append(all, sigs...)
	}
	return all
}

var day = time.Date(2021, 10, 7, 0, 0, 0, 0, time.UTC)

// ev builds an event at "hh:mm:ss" on day: "host prog unit lifecycle | message".
func ev(clock, spec string) event.Event {
	t, err := time.Parse("15:04:05", clock)
	if err != nil {
		panic(err)
	}
	head, msg, _ := strings.Cut(spec, "|")
	f := strings.Fields(head)
	for len(f) < 4 {
		f = append(f, "-")
	}
	e := event.Event{
		Time: day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second),
		Host: f[0], Program: f[1], Priority: event.NoPriority, Message: strings.TrimSpace(msg),
		Source: event.SourceRef{Path: "syslog", Format: "rfc3164"}, TimeQuality: event.TimeExact,
	}
	if f[2] != "-" {
		e.Unit = f[2]
	}
	if f[3] != "-" {
		e.Lifecycle, _ = event.ParseLifecycle(f[3])
	}
	return e
}

func run(t testing.TB, sigs []*signature.Signature, naive bool, events []event.Event) ([]*Finding, []*NearMiss) {
	t.Helper()
	e := New(sigs, Options{Naive: naive, Warnings: &event.Warnings{}})
	for i := range events {
		if events[i].Source.Line == 0 {
			events[i].Source.Line = int64(i + 1)
		}
		e.Process(&events[i])
	}
	fs, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return fs, e.NearMisses()
}

func describe(f *Finding) string {
	var caps []string
	for _, c := range f.Captures {
		caps = append(caps, c.Name+"="+c.Value)
	}
	s := fmt.Sprintf("%s %s", f.Signature.ID, f.Outcome)
	if f.Reason != "" {
		s += " (" + f.Reason + ")"
	}
	if len(caps) > 0 {
		s += " " + strings.Join(caps, ",")
	}
	if f.Count != 1 {
		s += fmt.Sprintf(" count=%d", f.Count)
	}
	return s
}

const (
	upgradeStart = "web-3 systemd apt-daily-upgrade.service starting | Starting Daily apt upgrade and clean activities..."
	dockerStop   = "web-3 systemd docker.service stopping | Stopping Docker Application Container Engine..."
	dockerStart  = "web-3 systemd docker.service started | Started Docker Application Container Engine."
	ctrStop      = "web-3 systemd containerd.service stopped | Stopped containerd container runtime."
	cron         = "web-3 CRON - - | (root) CMD (   cd / && run-parts --report /etc/cron.hourly)"
)

func TestEngine(t *testing.T) {
	reboot := func(clock string) event.Event {
		e := ev(clock, "web-3 kernel - - | Linux version 5.4.0-89-generic")
		e.BootID = "2"
		return e
	}
	cases := []engineCase{
		{"absence confirmed by a later event of the host", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("07:17:01", cron)},
			[]string{"unattended confirmed down.svc=docker"}, ""},
		{"absence unresolved at end of log", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("06:25:01", cron)},
			[]string{"unattended unresolved (end of log) down.svc=docker"}, ""},
		{"another host's events prove nothing", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("09:00:00", "db-1 CRON - - | tick")},
			[]string{"unattended unresolved (end of log) down.svc=docker"}, ""},
		{"reboot before the window closed", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), reboot("06:30:00"), ev("07:30:00", cron)},
			[]string{"unattended boundary (reboot) down.svc=docker"}, ""},
		{"refuted one second inside the window", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("06:50:20", dockerStart), ev("07:30:00", cron)},
			nil, "step 3 `absent restart` refuted by `Started Docker Application Container Engine.` at syslog:3, 29m59s after `down`"},
		{"a start one second outside the window does not refute", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("06:50:22", dockerStart), ev("07:30:00", cron)},
			[]string{"unattended confirmed down.svc=docker"}, ""},
		{"out of order within the tolerance still refutes", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("06:50:22", cron), ev("06:50:20", dockerStart), ev("07:30:00", cron)},
			nil, "refuted"},
		{"join: the start of another unit does not refute", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("06:20:23", ctrStop),
				ev("06:25:09", "web-3 systemd containerd.service started | Started containerd container runtime."), ev("08:00:00", cron)},
			[]string{"unattended confirmed down.svc=docker"}, ""},
		{"two units stopped: tracked separately", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("06:20:23", ctrStop), ev("08:00:00", cron)},
			[]string{"unattended confirmed down.svc=docker", "unattended confirmed down.svc=containerd"}, ""},
		{"stopping then stopped is one finding", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop),
				ev("06:20:22", "web-3 systemd docker.service stopped | Stopped Docker Application Container Engine."), ev("08:00:00", cron)},
			[]string{"unattended confirmed down.svc=docker"}, ""},
		{"stop too long after the upgrade", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("08:20:18", dockerStop), ev("09:00:00", cron)},
			nil, "step 2 `down` did not happen within 2h0m0s of `upgrade`"},
		{"two upgrades on two hosts", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:18", strings.Replace(upgradeStart, "web-3", "web-4", 1)),
				ev("06:20:21", dockerStop), ev("06:20:22", strings.Replace(dockerStop, "web-3", "web-4", 1)),
				ev("06:21:00", strings.Replace(dockerStart, "web-3", "web-4", 1)), ev("08:00:00", cron)},
			[]string{"unattended confirmed down.svc=docker"}, "refuted"},
		{"threshold at exactly N", []string{sigBrute},
			[]event.Event{
				ev("10:00:00", "h sshd - - | Failed password for root from 218.188.2.4 port 4242 ssh2"),
				ev("10:00:20", "h sshd - - | Failed password for invalid user admin from 218.188.2.4 port 4243 ssh2"),
				ev("10:00:40", "h sshd - - | Failed password for root from 218.188.2.4 port 4244 ssh2")},
			[]string{"brute confirmed fail.user=root,fail.addr=218.188.2.4 count=3"}, ""},
		{"threshold one short", []string{sigBrute},
			[]event.Event{
				ev("10:00:00", "h sshd - - | Failed password for root from 218.188.2.4 port 4242 ssh2"),
				ev("10:00:20", "h sshd - - | Failed password for root from 218.188.2.4 port 4243 ssh2"),
				ev("10:00:40", "h sshd - - | Failed password for root from 10.0.0.9 port 4244 ssh2")},
			nil, "2 of the 3 `fail` events needed within 1m"},
		{"threshold outside the window", []string{sigBrute},
			[]event.Event{
				ev("10:00:00", "h sshd - - | Failed password for root from 218.188.2.4 port 4242 ssh2"),
				ev("10:00:30", "h sshd - - | Failed password for root from 218.188.2.4 port 4243 ssh2"),
				ev("10:01:01", "h sshd - - | Failed password for root from 218.188.2.4 port 4244 ssh2")},
			nil, ""},
		{"threshold burst is one finding", []string{sigBrute},
			[]event.Event{
				ev("10:00:00", "h sshd - - | Failed password for root from 218.188.2.4 port 1 ssh2"),
				ev("10:00:01", "h sshd - - | Failed password for root from 218.188.2.4 port 2 ssh2"),
				ev("10:00:02", "h sshd - - | Failed password for root from 218.188.2.4 port 3 ssh2"),
				ev("10:00:03", "h sshd - - | Failed password for root from 218.188.2.4 port 4 ssh2"),
				ev("10:00:04", "h sshd - - | Failed password for root from 218.188.2.4 port 5 ssh2")},
			[]string{"brute confirmed fail.user=root,fail.addr=218.188.2.4 count=5"}, ""},
		{"dedupe folds hits within the window", []string{sigOOM},
			[]event.Event{
				ev("03:00:00", "h kernel - - | Out of memory: Killed process 4242 (java) total-vm:8388608kB"),
				ev("03:05:00", "h kernel - - | Out of memory: Killed process 4301 (java) total-vm:8388608kB"),
				ev("03:16:00", "h kernel - - | Out of memory: Killed process 4399 (postgres) total-vm:1048576kB")},
			[]string{"oom confirmed kill.pid=4242,kill.comm=java count=2", "oom confirmed kill.pid=4399,kill.comm=postgres"}, ""},
		{"near miss wording is not a finding", []string{sigOOM},
			[]event.Event{ev("03:00:00", "h myapp - - | retrying: Out of memory while allocating buffer")},
			nil, ""},
		{"optional step absent", []string{sigUntil},
			[]event.Event{ev("01:00:00", "h systemd web.service failed | web.service: Failed with result 'exit-code'."),
				ev("01:00:05", "h systemd web.service started | Started Web.")},
			[]string{"flap confirmed"}, ""},
		{"optional step bound", []string{sigUntil},
			[]event.Event{ev("01:00:00", "h systemd web.service failed | web.service: Failed with result 'exit-code'."),
				ev("01:00:01", "h systemd web.service - | web.service: Scheduled restart job, restart counter is at 1."),
				ev("01:00:05", "h systemd web.service started | Started Web.")},
			[]string{"flap confirmed"}, ""},
		{"until drops the pending instance", []string{sigUntil},
			[]event.Event{ev("01:00:00", "h systemd web.service failed | web.service: Failed with result 'exit-code'."),
				ev("01:00:02", "h systemd web.service - | manual reset by operator"),
				ev("01:00:05", "h systemd web.service started | Started Web.")},
			nil, "dropped by until event `manual reset by operator`"},
	}
	runCases(t, cases, false)
}

// engineCase is one table-driven engine test: signatures, an event
// stream, the findings expected (describe's form) and, when one is
// expected, a substring of a near miss's reason.
type engineCase struct {
	name   string
	sigs   []string
	events []event.Event
	want   []string
	miss   string
}

// runCases runs each case with and without the prefilter. ordered says
// the findings must come in the order of want; else any order will do.
func runCases(t *testing.T, cases []engineCase, ordered bool) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sigs := loadSigs(t, c.sigs...)
			for _, naive := range []bool{true, false} {
				fs, ms := run(t, sigs, naive, slices.Clone(c.events))
				var got []string
				for _, f := range fs {
					got = append(got, describe(f))
				}
				want := c.want
				if !ordered {
					want = slices.Clone(c.want)
					slices.Sort(got)
					slices.Sort(want)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("naive=%v findings:\n  %s\nwant:\n  %s", naive, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
				}
				if c.miss != "" {
					requireNearMiss(t, ms, c.miss)
				}
			}
		})
	}
}

// requireNearMiss fails unless some near miss's reason contains want.
func requireNearMiss(t *testing.T, ms []*NearMiss, want string) {
	t.Helper()
	var reasons []string
	for _, m := range ms {
		if strings.Contains(m.Reason, want) {
			return
		}
		reasons = append(reasons, m.Reason)
	}
	t.Fatalf("near misses %q lack %q", reasons, want)
}

// A threshold finding's .last is the burst's latest event, whether the
// burst ended on the event that fired it or went on after.
func TestThresholdLast(t *testing.T) {
	sigs := loadSigs(t, strings.Replace(sigBrute, "explain: '{{.count}} failures from {{.first.addr}}'",
		"explain: '{{.count}} from {{.first.addr}}, {{ts .first.time}} to {{ts .last.time}}: {{.last.message}}'", 1))
	fail := func(clock, port string) event.Event {
		return ev(clock, "h sshd - - | Failed password for root from 218.188.2.4 port "+port+" ssh2")
	}
	for _, c := range []struct {
		name   string
		events []event.Event
		want   string
	}{
		{"fired on the last", []event.Event{fail("10:00:00", "1"), fail("10:00:01", "2"), fail("10:00:02", "3")},
			"3 from 218.188.2.4, 2021-10-07 10:00:00 UTC to 2021-10-07 10:00:02 UTC: Failed password for root from 218.188.2.4 port 3 ssh2"},
		{"extended after firing", []event.Event{fail("10:00:00", "1"), fail("10:00:01", "2"), fail("10:00:02", "3"),
			fail("10:00:30", "4"), fail("10:01:20", "5")},
			"5 from 218.188.2.4, 2021-10-07 10:00:00 UTC to 2021-10-07 10:01:20 UTC: Failed password for root from 218.188.2.4 port 5 ssh2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs, _ := run(t, sigs, false, c.events)
			if len(fs) != 1 || fs[0].Summary != c.want {
				var got []string
				for _, f := range fs {
					got = append(got, f.Summary)
				}
				t.Fatalf("summaries %q, want [%q]", got, c.want)
			}
		})
	}
}

func TestFindingRendering(t *testing.T) {
	sigs := loadSigs(t, sigUnattended)
	fs, _ := run(t, sigs, false, []event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("06:25:00", cron)})
	if len(fs) != 1 {
		t.Fatalf("got %d findings", len(fs))
	}
	f := fs[0]
	if f.Summary != "docker stopped at 2021-10-07 06:20:21 UTC; unresolved (end of log)" {
		t.Errorf("summary = %q", f.Summary)
	}
	if len(f.Remediation) != 1 || f.Remediation[0] != "systemctl start docker.service" {
		t.Errorf("remediation = %q", f.Remediation)
	}
	if len(f.Evidence) != 2 || f.Evidence[0].Step != "upgrade" || f.Evidence[1].Event.Source.Line != 2 {
		t.Errorf("evidence = %+v", f.Evidence)
	}
	if f.Host != "web-3" || !f.Start.Equal(day.Add(6*time.Hour+20*time.Minute+17*time.Second)) {
		t.Errorf("host %q start %v", f.Host, f.Start)
	}
}

func TestStateIsBounded(t *testing.T) {
	sigs := loadSigs(t, `schema: logsleuth/v1
id: jobs
title: Job started and never finished
events:
  begin: {message|re: 'job (?P<id>\d+) started'}
  done: {message|re: 'job (?P<id>\d+) finished'}
match:
  sequence:
    by: [host]
    steps:
      - {event: begin}
      - {absent: done, join: {id: begin.id}, for: 1h}
`)
	ws := &event.Warnings{}
	e := New(sigs, Options{MaxPending: 4, Warnings: ws})
	for i := 0; i < 50; i++ {
		x := ev("06:00:00", fmt.Sprintf("h worker - - | job %d started", i))
		x.Time = x.Time.Add(time.Duration(i) * time.Second)
		e.Process(&x)
	}
	seq := e.runners[0].(*sequence)
	if n := len(seq.groups["h"]); n != 4 {
		t.Fatalf("%d instances kept, want the cap of 4", n)
	}
	if seq.absentOpen != 4 {
		t.Fatalf("absentOpen = %d, want 4", seq.absentOpen)
	}
	if len(ws.List()) != 1 || !strings.Contains(ws.List()[0].Msg, "more than 4 partial matches") {
		t.Fatalf("warnings = %v", ws.List())
	}
	fs, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 4 || fs[0].Captures[0].Value != "46" {
		t.Fatalf("findings: %d, first %v; want the 4 newest jobs (46..49) unresolved", len(fs), fs[0].Captures)
	}
}

func TestExplainInLocationAndNoNearMissWhereItFired(t *testing.T) {
	sigs := loadSigs(t, sigUnattended)
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	e := New(sigs, Options{Location: seoul})
	// docker stays down; containerd is restarted: a finding for docker,
	// and the refuted containerd instance is in the same host group.
	events := []event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("06:20:23", ctrStop),
		ev("06:21:00", "web-3 systemd containerd.service started | Started containerd container runtime."), ev("08:00:00", cron)}
	for i := range events {
		e.Process(&events[i])
	}
	fs, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Summary != "docker stopped at 2021-10-07 15:20:21 KST; confirmed" {
		t.Fatalf("findings: %d, summary %q", len(fs), fs[0].Summary)
	}
	if ms := e.NearMisses(); len(ms) != 0 {
		t.Fatalf("near misses in a group where the signature fired: %+v", ms[0])
	}
}

func TestCaptureOfAnotherBranchIsEmpty(t *testing.T) {
	sigs := loadSigs(t, `schema: logsleuth/v1
id: branches
title: Branches
events:
  e:
    any:
      - {message|re: 'code (?P<code>\d+) failure'}
      - {message|contains: "plain failure"}
match: {event: e}
explain: 'code {{default "unknown" .e.code}}{{if .e.code}} (captured){{end}}'
`)
	fs, _ := run(t, sigs, false, []event.Event{ev("01:00:00", "h app - - | plain failure"), ev("01:00:01", "h app - - | code 42 failure")})
	if len(fs) != 2 || fs[0].Summary != "code unknown" || fs[1].Summary != "code 42 (captured)" {
		t.Fatalf("summaries: %q", []string{fs[0].Summary, fs[1].Summary})
	}
}

func TestOnMatch(t *testing.T) {
	sigs := loadSigs(t, sigOOM)
	var got []int64
	e := New(sigs, Options{OnMatch: func(ev *event.Event) { got = append(got, ev.Source.Line) }})
	events := []event.Event{
		ev("03:00:00", "h kernel - - | Out of memory: Killed process 4242 (java) total-vm:8388608kB"),
		ev("03:00:01", "h kernel - - | eth0: link up"),
		ev("03:00:02", "h kernel - - | Out of memory: Killed process 4243 (java) total-vm:8388608kB"),
	}
	for i := range events {
		events[i].Source.Line = int64(i + 1)
		e.Process(&events[i])
	}
	if !slices.Equal(got, []int64{1, 3}) {
		t.Fatalf("OnMatch saw lines %v, want [1 3]", got)
	}
}

func TestDeterministic(t *testing.T) {
	sigs := loadSigs(t, sigUnattended, sigBrute, sigOOM)
	events := []event.Event{
		ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("06:20:23", ctrStop),
		ev("06:20:23", "web-3 kernel - - | Out of memory: Killed process 1 (a) x"),
		ev("06:20:23", "web-4 kernel - - | Out of memory: Killed process 2 (b) x"),
	}
	first, _ := run(t, sigs, false, slices.Clone(events))
	for i := 0; i < 5; i++ {
		again, _ := run(t, sigs, false, slices.Clone(events))
		for j := range first {
			if describe(first[j])+first[j].Host != describe(again[j])+again[j].Host {
				t.Fatalf("run %d differs at %d: %s vs %s", i, j, describe(first[j]), describe(again[j]))
			}
		}
	}
}

// A finding carries its absent steps' windows, anchored at the step
// before, whatever the outcome; other kinds of match have none.
func TestFindingAbsences(t *testing.T) {
	reboot := ev("06:30:00", "web-3 kernel - - | Linux version 5.4.0-89-generic")
	reboot.BootID = "2"
	at := func(clock string) time.Time { return ev(clock, cron).Time }
	window := Absence{Step: "restart", Start: at("06:20:21"), End: at("06:50:21"), For: 30 * time.Minute}
	for _, c := range []struct {
		name   string
		sigs   []string
		events []event.Event
		want   []Absence
	}{
		{"confirmed", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("07:17:01", cron)}, []Absence{window}},
		{"unresolved", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("06:25:01", cron)}, []Absence{window}},
		{"boundary", []string{sigUnattended},
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), reboot, ev("07:30:00", cron)}, []Absence{window}},
		{"threshold", []string{sigBrute},
			[]event.Event{
				ev("10:00:00", "h sshd - - | Failed password for root from 218.188.2.4 port 4242 ssh2"),
				ev("10:00:20", "h sshd - - | Failed password for root from 218.188.2.4 port 4243 ssh2"),
				ev("10:00:40", "h sshd - - | Failed password for root from 218.188.2.4 port 4244 ssh2")}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs, _ := run(t, loadSigs(t, c.sigs...), false, c.events)
			if len(fs) != 1 {
				t.Fatalf("%d findings", len(fs))
			}
			if got := fs[0].Absences; !slices.Equal(got, c.want) {
				t.Errorf("%s: absences %+v, want %+v", describe(fs[0]), got, c.want)
			}
		})
	}
}

// TestFindingEnd: an absence left open when the log ended ends where the
// log did, not where its window would have (a template's "when the log
// ended ({{since .down.time .end}} later)" said 30m for a log that ended
// 9m after the stop).
func TestFindingEnd(t *testing.T) {
	reboot := ev("06:30:00", "web-3 kernel - - | Linux version 5.4.0-89-generic")
	reboot.BootID = "2"
	at := func(clock string) time.Time { return ev(clock, cron).Time }
	for _, c := range []struct {
		name   string
		events []event.Event
		want   time.Time
	}{
		{"confirmed: the window's end",
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("07:17:01", cron)}, at("06:50:21")},
		{"unresolved: the last line",
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("06:25:01", cron)}, at("06:25:01")},
		{"unresolved at the stop itself",
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop)}, at("06:20:21")},
		{"unresolved, another host's log went on: the window's end",
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), ev("09:00:00", "db-1 CRON - - | tick")}, at("06:50:21")},
		{"boundary: the reboot",
			[]event.Event{ev("06:20:17", upgradeStart), ev("06:20:21", dockerStop), reboot, ev("07:30:00", cron)}, at("06:30:00")},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs, _ := run(t, loadSigs(t, sigUnattended), false, c.events)
			if len(fs) != 1 {
				t.Fatalf("%d findings", len(fs))
			}
			if !fs[0].End.Equal(c.want) {
				t.Errorf("%s: end %s, want %s", describe(fs[0]), fs[0].End.Format(time.TimeOnly), c.want.Format(time.TimeOnly))
			}
		})
	}
}

// closesByWalk is sequence.closes without its sum of the windows: every
// open window of ev's host is looked at.
func closesByWalk(s *sequence, e *Engine, ev *event.Event) bool {
	for _, list := range s.groups {
		for _, in := range list {
			if in.winEnd.IsZero() || !s.sameHost(in, ev) {
				continue
			}
			if s.rebooted(in, ev) && !ev.Time.After(in.winEnd) || ev.Time.After(in.winEnd.Add(e.opts.Tolerance)) {
				return true
			}
		}
	}
	return false
}

// TestClosesSumsUpWindows: on a stream of hosts, sources and boots that
// interleave, with times out of order within the tolerance, reboots and
// windows opening and closing, closes (answered from the sum of the open
// windows when it can) agrees with the walk over every window, before
// each event and again as Process asks it.
func TestClosesSumsUpWindows(t *testing.T) {
	sigs := loadSigs(t, `schema: logsleuth/v1
id: jobs
title: Job started and never finished
events:
  begin: {message|re: 'job (?P<id>\d+) started'}
  done: {message|re: 'job (?P<id>\d+) finished'}
match:
  sequence:
    by: [host]
    steps:
      - {event: begin}
      - {absent: done, join: {id: begin.id}, for: 5s}
`)
	e := New(sigs, Options{Warnings: &event.Warnings{}})
	seq := e.runners[0].(*sequence)
	hosts := []string{"web-1", "web-2", ""}
	paths := []string{"syslog", "kern.log"}
	boots := []string{"", "", "", "1", "2", "5f0c8a1e2b3d4c5e6f708192a3b4c5d6", "0a0b0c0d0e0f10111213141516171819"}
	// A fixed linear congruential sequence: the same stream every run.
	x := uint32(7)
	next := func(n int) int {
		x = x*1664525 + 1013904223
		return int(x>>16) % n
	}
	at := day.Add(6 * time.Hour)
	closed, summed := 0, 0
	for i := range 20000 {
		at = at.Add(time.Duration(next(1000)) * time.Millisecond)
		ev := event.Event{Time: at.Add(-time.Duration(next(3000)) * time.Millisecond), Host: hosts[next(len(hosts))],
			BootID: boots[next(len(boots))], Priority: event.NoPriority, TimeQuality: event.TimeExact,
			Source: event.SourceRef{Path: paths[next(len(paths))], Line: int64(i + 1)}}
		// Runs of one host, boot and source, as a log has them.
		if i > 0 && next(8) != 0 {
			ev.Host, ev.BootID, ev.Source.Path = hosts[(i/20)%len(hosts)], boots[(i/500)%len(boots)], paths[(i/200)%len(paths)]
		}
		switch next(8) {
		case 0, 1:
			ev.Message = fmt.Sprintf("job %d started", next(6))
		case 2:
			ev.Message = fmt.Sprintf("job %d finished", next(6))
		default:
			ev.Message = "nothing to see"
		}
		for round := range 2 {
			want := closesByWalk(seq, e, &ev)
			q := seq.quiet
			if q.valid && q.uniform && ev.BootID == q.boot && !ev.Time.After(q.until) {
				summed++
			}
			if got := seq.closes(e, &ev); got != want {
				t.Fatalf("event %d (%s %s %q %s), ask %d: closes = %v, the walk says %v", i, ev.Time.Format(time.TimeOnly),
					ev.Host, ev.BootID, ev.Source.Path, round, got, want)
			}
			if want && round == 0 {
				closed++
			}
		}
		e.Process(&ev)
	}
	if closed < 100 || summed < 5000 || seq.absentOpen == 0 {
		t.Fatalf("%d events closed a window, %d were answered from the sum, %d windows open at the end: the stream tests too little",
			closed, summed, seq.absentOpen)
	}
}

// TestCompiledByKeys: a `by` key reads the event field it names, a
// fields.NAME key the field NAME, any other key the capture of that
// name; compiled keys give the same group key as the names.
func TestCompiledByKeys(t *testing.T) {
	e := ev("06:00:00", "web-3 sshd ssh.service - | Failed password for root from 203.0.113.7 port 22 ssh2")
	e.BootID = "5f0c"
	e.Source.Path = "/var/log/syslog"
	e.Fields = []event.Field{{Key: "level", Value: "error"}, {Key: "fields.x", Value: "nested"}}
	caps := signature.Captures{{Name: "addr", Value: "203.0.113.7"}, {Name: "host", Value: "a capture named host"}}
	cases := []struct{ key, want string }{
		{"host", "web-3"},
		{"unit", "ssh.service"},
		{"program", "sshd"},
		{"boot_id", "5f0c"},
		{"message", "Failed password for root from 203.0.113.7 port 22 ssh2"},
		{"source", "/var/log/syslog"},
		{"fields.level", "error"},
		{"fields.fields.x", "nested"},
		{"fields.missing", ""},
		{"addr", "203.0.113.7"},
		{"missing", ""},
		{"", ""},
	}
	var by []string
	for _, c := range cases {
		by = append(by, c.key)
		if got := keyValue(c.key, &e, caps); got != c.want {
			t.Errorf("key %q: %q, want %q", c.key, got, c.want)
		}
	}
	compiled := compileBy(by)
	if got, want := appendKeys(nil, compiled, &e, caps), appendGroupKey(nil, by, &e, caps); string(got) != string(want) {
		t.Errorf("group key %q, want %q", got, want)
	}
}

// TestRenderFindingsInParallel: findings rendered on two cores read as
// rendered one after another, summaries, remediation and warnings; and
// when a template hits its limit on one finding, every later finding
// skips it, as in order.
func TestRenderFindingsInParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	const n = 5 * minParallelRender
	for _, explain := range []string{
		`killed {{.kill.comm}} ({{.kill.pid}}) on {{.host}} at {{ts .kill.time}}`,
		`{{if eq .kill.pid "150"}}{{range 1000000000}}x{{end}}{{end}}killed {{.kill.comm}}`,
	} {
		sig := strings.Replace(sigOOM, "explain: 'killed {{.kill.comm}}'", "explain: '"+explain+"'\nremediation: [\"kill -9 {{.kill.pid}}\", \"plain step\"]", 1)
		sig = strings.Replace(sig, "  dedupe: {by: [host], window: 10m}\n", "", 1)
		render := func(sequential bool) ([]*Finding, []event.Warning) {
			ws := &event.Warnings{}
			e := New(loadSigs(t, sig), Options{Warnings: ws, Location: time.FixedZone("KST", 9*3600)})
			if sequential {
				e.spent = map[*template.Template]bool{template.New("unrelated"): true}
			}
			for i := range n {
				x := ev("06:00:00", fmt.Sprintf("web-%d kernel - - | Out of memory: Killed process %d (java)", i%3, i))
				x.Time = x.Time.Add(time.Duration(i) * time.Second)
				e.Process(&x)
			}
			fs, err := e.Finish()
			if err != nil {
				t.Fatal(err)
			}
			return fs, ws.List()
		}
		par, parWarn := render(false)
		seq, seqWarn := render(true)
		if len(par) != n || len(seq) != n {
			t.Fatalf("%d and %d findings, want %d", len(par), len(seq), n)
		}
		for i := range par {
			if par[i].Summary != seq[i].Summary || !slices.Equal(par[i].Remediation, seq[i].Remediation) ||
				!slices.Equal(par[i].Warnings, seq[i].Warnings) {
				t.Fatalf("%s: finding %d in parallel %q %q %q, in order %q %q %q", explain, i, par[i].Summary, par[i].Remediation,
					par[i].Warnings, seq[i].Summary, seq[i].Remediation, seq[i].Warnings)
			}
		}
		if !slices.Equal(parWarn, seqWarn) {
			t.Fatalf("%s: warnings in parallel %v, in order %v", explain, parWarn, seqWarn)
		}
		warned := 0
		for _, f := range seq {
			if len(f.Warnings) > 0 {
				warned++
			}
		}
		if strings.Contains(explain, "range") && (warned != n-150 || !strings.Contains(seq[n-1].Warnings[0], "earlier finding")) {
			t.Fatalf("the limit case: %d findings warned, the last one %q; want the %d from pid 150 on", warned, seq[n-1].Warnings, n-150)
		}
	}
}

// TestSequenceGroupKeysOwned: the keys a sequence keeps its groups
// under are copies, never slices of an event's text (a parse worker's
// 128 KiB block): lookups use the event's own value, storing takes the
// instances' copy.
func TestSequenceGroupKeysOwned(t *testing.T) {
	e := New(loadSigs(t, sigUnattended), Options{Warnings: &event.Warnings{}})
	block := strings.Repeat("x", 1<<10) + "web-3 web-4"
	inBlock := func(s string) bool {
		p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(block)))
		return len(s) > 0 && p >= lo && p < lo+uintptr(len(block))
	}
	for i, spec := range []string{
		"H systemd apt-daily-upgrade.service starting | Starting Daily apt upgrade and clean activities...",
		"H systemd docker.service stopping | Stopping Docker Application Container Engine...",
		"H systemd docker.service stopped | Stopped Docker Application Container Engine.",
		"H systemd apt-daily-upgrade.service starting | Starting Daily apt upgrade and clean activities...",
	} {
		for _, host := range []string{block[1024:1029], block[1030:]} {
			x := ev(fmt.Sprintf("06:0%d:00", i), spec)
			x.Host = host
			e.Process(&x)
		}
	}
	seq := e.runners[0].(*sequence)
	if len(seq.groups) != 2 {
		t.Fatalf("%d groups, want web-3's and web-4's", len(seq.groups))
	}
	for k, list := range seq.groups {
		if inBlock(k) {
			t.Errorf("group %q is kept under a slice of the event's text", k)
		}
		for _, in := range list {
			if inBlock(in.group) || inBlock(in.host) {
				t.Errorf("an instance of group %q keeps a slice of the event's text", k)
			}
		}
	}
}
