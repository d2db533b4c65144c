package parse

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// deferLines are syslog lines with structured payloads, among them
// every way a level can make an event error-level or look like it.
var deferLines = []string{
	`Oct  7 06:20:21 web-1 dockerd[812]: time="2021-10-07T06:20:21Z" level=info msg="ignoring event" container=3f2a`,
	`Oct  7 06:20:21 web-1 dockerd[812]: time="2021-10-07T06:20:21Z" level=error msg="Handler for GET failed"`,
	`Oct  7 06:20:21 web-1 dockerd[812]: time="2021-10-07T06:20:21Z" level=ERROR msg=x`,
	`Oct  7 06:20:21 web-1 dockerd[812]: time="2021-10-07T06:20:21Z" level="fatal" msg=x`,
	`Oct  7 06:20:21 web-1 dockerd[812]: time="2021-10-07T06:20:21Z" level="fat\al" msg=x`,
	`Oct  7 06:20:21 web-1 dockerd[812]: time="2021-10-07T06:20:21Z" level=warning msg="level=error inside"`,
	`Oct  7 06:20:21 web-1 dockerd[812]: time="2021-10-07T06:20:21Z" level=info msg="see \"level\"=error"`,
	`Oct  7 06:20:21 web-1 dockerd[812]: ts=2021-10-07T06:20:21Z lvl=crit msg=x`,
	`Oct  7 06:20:21 web-1 dockerd[812]: ts=2021-10-07T06:20:21Z lvl=3 msg=x`,
	`Oct  7 06:20:21 web-1 dockerd[812]: ts=2021-10-07T06:20:21Z lvl=6 msg=x`,
	`Oct  7 06:20:21 web-1 app[9]: severity=alert msg=x`,
	`Oct  7 06:20:21 web-1 app[9]: severity=notice loglevel=emerg msg=x`,
	`Oct  7 06:20:21 web-1 app[9]: level=error, msg=x`,
	`Oct  7 06:20:21 web-1 app[9]: level=errors msg=x`,
	`Oct  7 06:20:21 web-1 app[9]: level= msg=x`,
	`Oct  7 06:20:21 web-1 app[9]: level`,
	`Oct  7 06:20:21 web-1 app[9]: "level"="error" msg=x`,
	`Oct  7 06:20:21 web-1 app[9]: {"level":"error","msg":"x"}`,
	`Oct  7 06:20:21 web-1 containerd[700]: time="2021-10-07T06:20:21.1Z" level=info msg="shim disconnected" id=3f2a namespace=moby`,
	`Oct  7 06:20:21 web-1 kubelet[1234]: I1007 06:20:21.433183    1234 kubelet.go:2000] "SyncLoop ADD" source="api" pods=["default/web-1"]`,
	`Oct  7 06:20:21 web-1 kubelet[1234]: W1007 06:20:21.433183    1234 kubelet.go:2000] "Slow" level=error`,
	`Oct  7 06:20:21 web-1 kubelet[1234]: E1007 06:20:21.433183    1234 kubelet.go:2000] "Error syncing pod" err="x"`,
	`Oct  7 06:20:21 web-1 kubelet[1234]: F1007 06:20:21.433183    1234 kubelet.go:2000] "fatal"`,
	`Oct  7 06:20:21 web-1 systemd[1]: level=info msg="Started docker.service"`,
	`<11>Oct  7 06:20:21 web-1 dockerd[812]: level=info msg=x`,
	`Oct  7 06:20:21 web-1 sshd[9]: Failed password for root from 10.0.0.1 port 22 ssh2`,
	`2021-10-07T06:20:21.123456+09:00 web-1 dockerd[812]: time="2021-10-07T06:20:21Z" level=info msg="x" a=b`,
}

// errorLevel mirrors what the timeline's IsError reads of a payload:
// priority err or worse, or a "level" field naming one.
func errorLevel(ev *event.Event) bool {
	if ev.Priority >= 0 && ev.Priority <= 3 {
		return true
	}
	v, _ := ev.Field("level")
	switch strings.ToLower(v) {
	case "error", "err", "fatal", "panic", "crit", "critical", "emerg", "alert":
		return true
	}
	return false
}

// TestDeferPayload requires a Parser with DeferPayload to leave only
// payloads that do not change whether the event is error-level, and
// CompletePayload
// to make of a deferred event exactly what ParseLine makes of the line.
func TestDeferPayload(t *testing.T) {
	lines := append(append(append([]string{}, deferLines...), mixLines...), mixLinesRFC3339()...)
	for _, cases := range [][]lineCase{rfc3164Cases, rfc3339Cases, rfc5424Cases, kernelCases} {
		for _, c := range cases {
			lines = append(lines, c.line)
		}
	}
	o := &Options{Location: time.UTC, Year: 2021}
	p := Parser{DeferPayload: true}
	deferred := 0
	for _, line := range lines {
		var got, want event.Event
		got.Reset()
		want.Reset()
		gk := p.ParseLine([]byte(line), o, &got)
		wk := ParseLine([]byte(line), o, &want)
		if p.Deferred() {
			deferred++
			if errorLevel(&got) != errorLevel(&want) {
				t.Errorf("%q: deferred, but its payload makes it error-level", line)
			}
			CompletePayload(&got)
		}
		if gk != wk || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: deferred %v, completed %v %+v; ParseLine %v %+v", line, p.Deferred(), gk, got, wk, want)
		}
	}
	if deferred < 8 {
		t.Errorf("only %d lines deferred: the test proves little", deferred)
	}
}

// TestAssemblerCompletesBeforeJoining requires a deferred entry to be
// completed before a continuation line joins it, within one AddAll call
// and across two.
func TestAssemblerCompletesBeforeJoining(t *testing.T) {
	o := &Options{Location: time.UTC, Year: 2021}
	head := `Oct  7 06:20:21 web-1 dockerd[812]: level=info msg="x" container=3f2a`
	cont := `    more detail`
	parse := func(p *Parser, line string) Parsed {
		var ps Parsed
		ps.Event.Reset()
		ps.Kind = p.ParseLine([]byte(line), o, &ps.Event)
		ps.Deferred = p.Deferred()
		return ps
	}
	eager, lazy := Parser{}, Parser{DeferPayload: true}
	ref := NewAssembler(AssemblerConfig{Path: "x"})
	want := ref.Flush(ref.AddAll(nil, []Parsed{parse(&eager, head), parse(&eager, cont)}))
	for _, split := range []bool{false, true} {
		a := NewAssembler(AssemblerConfig{Path: "x"})
		h := parse(&lazy, head)
		if !h.Deferred {
			t.Fatal("the head line was not deferred")
		}
		var got []event.Event
		if split {
			got = a.AddAll(got, []Parsed{h})
			got = a.AddAll(got, []Parsed{parse(&lazy, cont)})
		} else {
			got = a.AddAll(got, []Parsed{h, parse(&lazy, cont)})
		}
		got = a.Flush(got)
		if len(got) != 1 || !reflect.DeepEqual(got[0].Fields, want[0].Fields) || got[0].Message != want[0].Message {
			t.Errorf("split=%v: %+v, want %+v", split, got, want)
		}
	}
}
