package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// sigBruteExplain is sigBrute (threshold of 3 by addr) with explain
// and remediation in place of its own.
func sigBruteExplain(explain string, remediation ...string) string {
	s := strings.Replace(sigBrute, "explain: '{{.count}} failures from {{.first.addr}}'\n", "", 1)
	s += "explain: '" + explain + "'\n"
	if len(remediation) > 0 {
		s += "remediation: ['" + strings.Join(remediation, "', '") + "']\n"
	}
	return s
}

func TestReadsOnlyTime(t *testing.T) {
	for _, c := range []struct {
		explain     string
		remediation []string
		want        bool
	}{
		{`{{ts .last.time}}`, nil, true},
		{`{{since .first.time .last.time}} as {{.last.user}} from {{$.last.addr}}`, nil, true},
		{`{{with .first.user}}starting with {{.}}{{else}}{{.count}}{{end}}`, nil, true},
		{`{{range $k, $v := .first.fields}}{{$k}}{{end}}`, nil, true},
		{`{{.count}}`, []string{`block {{.first.addr}} since {{ts .last.time}}`}, true},
		{`{{ts .last.time}}: {{.last.message}}`, nil, false},
		{`{{.count}}`, []string{`{{.last.host}}`}, false},
		{`{{$.last.pid}}`, nil, false},
		{`{{with .last}}{{.time}}{{end}}`, nil, false},
		{`{{$l := .last}}{{ts $l.time}}`, nil, false},
		{`{{index . "last"}}`, nil, false},
		{`{{$d := .}}{{ts $d.first.time}}`, nil, false},
		{`{{with .first}}{{.last.message}}{{end}}`, nil, false}, // (not the data's .last, but taken as read)
		{`{{with .first.user}}{{.}}{{else}}{{index . "last"}}{{end}}`, nil, false},
		{`{{define "x"}}{{.last.message}}{{end}}{{template "x" .first}}`, nil, false},
		{`{{.count}} {{$}}`, nil, false},
	} {
		t.Run(c.explain, func(t *testing.T) {
			sig := loadSigs(t, sigBruteExplain(c.explain, c.remediation...))[0]
			if got := readsOnlyTime(sig, "last", sig.Match.Event.Matcher.CaptureNames()); got != c.want {
				t.Errorf("readsOnlyTime = %v, want %v", got, c.want)
			}
		})
	}
}

// TestTemplateData: what templates read of each kind of finding, made
// from the bound events when the finding renders: a single's hit, a
// threshold's step, .first, .last (copied or, past the evidence, only
// its time) and group keys, a sequence's bound, absent and unbound
// optional steps.
func TestTemplateData(t *testing.T) {
	fail := func(sec int, user string) event.Event {
		return ev(fmt.Sprintf("10:00:%02d", sec), "h sshd - - | Failed password for "+user+" from 10.0.0.9 port 22 ssh2")
	}
	burst := func(n int) []event.Event {
		var evs []event.Event
		for i := range n {
			evs = append(evs, fail(i, fmt.Sprintf("u%d", i)))
		}
		return evs
	}
	kill := ev("10:00:00", "h kernel - - | Out of memory: Killed process 4242 (java) total-vm:100kB")
	kill.PID, kill.Unit, kill.Priority = 7, "java.service", 3
	kill.Fields = []event.Field{{Key: "cgroup", Value: "/system.slice/java.service"}}
	const sigByAddr = `schema: logsleuth/v1
id: brute-by
title: SSH brute force
events:
  fail:
    program: sshd
    message|re: 'Failed password for (?P<user>\S+) from (?P<addr>[0-9.]+)'
match:
  threshold: {event: fail, by: [host, addr], count: 3, window: 1m}
explain: '{{.addr}} on {{.host}}: {{.fail.user}}={{.first.user}} to {{.last.user}}, {{ts .first.time}} to {{ts .last.time}}'
`
	for _, c := range []struct {
		name   string
		sig    string
		events []event.Event
		want   string
	}{
		// (A capture named like an attribute wins: pid.)
		{"single", strings.Replace(sigOOM, "'killed {{.kill.comm}}'",
			`'{{.kill.comm}} {{.kill.pid}} {{.kill.host}} {{.kill.program}} {{.kill.unit}} {{.kill.priority}} {{.kill.line}} {{.kill.source}} {{.kill.fields.cgroup}} {{ts .kill.time}}'`, 1),
			[]event.Event{kill}, "java 4242 h kernel java.service err 1 syslog /system.slice/java.service 2021-10-07 10:00:00 UTC"},
		{"threshold fired on its last", sigByAddr, burst(3),
			"10.0.0.9 on h: u0=u0 to u2, 2021-10-07 10:00:00 UTC to 2021-10-07 10:00:02 UTC"},
		{"threshold past its evidence, .last's time and captures", sigByAddr, burst(maxEvidence + 5),
			"10.0.0.9 on h: u0=u0 to u14, 2021-10-07 10:00:00 UTC to 2021-10-07 10:00:14 UTC"},
		{"threshold past its evidence, .last's message", sigBruteExplain(`{{.count}}: {{.last.message}} at {{ts .last.time}}`), burst(maxEvidence + 5),
			"15: Failed password for u14 from 10.0.0.9 port 22 ssh2 at 2021-10-07 10:00:14 UTC"},
		{"sequence", strings.Replace(sigUnattended, "; {{.outcome}}", " ({{ts .restart.start}} to {{ts .restart.end}}: {{.restart.for}}); {{.outcome}}", 1) + "---\n" + strings.Replace(sigUntil, "steps:", "by: [host]\n    steps:", 1) +
			"explain: '{{.fail.unit}} back at {{ts .back.time}}, note [{{.note.message}}]'\n",
			[]event.Event{
				ev("06:00:00", "h systemd apt-daily-upgrade.service starting | Starting Daily apt upgrade and clean activities..."),
				ev("06:00:05", "h systemd docker.service stopping | Stopping Docker Application Container Engine..."),
				ev("06:00:09", "h systemd web.service failed | web.service: Failed with result 'exit-code'."),
				ev("06:01:00", "h systemd web.service started | Started Web."),
				ev("07:00:00", "h systemd - - | Finished."),
			},
			"docker stopped at 2021-10-07 06:00:05 UTC (2021-10-07 06:00:05 UTC to 2021-10-07 06:30:05 UTC: 30m); confirmed | web.service back at 2021-10-07 06:01:00 UTC, note []"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs, _ := run(t, loadSigs(t, strings.Split(c.sig, "---\n")...), false, c.events)
			var got []string
			for _, f := range fs {
				got = append(got, f.Summary)
			}
			if s := strings.Join(got, " | "); s != c.want {
				t.Errorf("summaries\n %s\nwant\n %s", s, c.want)
			}
		})
	}
}
