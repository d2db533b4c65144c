package engine

import (
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// TestRenderErrorIsTheFindingsWarning: a template that fails on one
// finding's data (slice past a short message) or hits a limit leaves that
// finding with its title and a warning; every other finding, of this
// signature and of others, renders as usual.
func TestRenderErrorIsTheFindingsWarning(t *testing.T) {
	sliceSig := `schema: logsleuth/v1
id: sliced
title: Segfault
events:
  crash: {program: kernel, message|re: '^(?P<comm>\S+)\[\d+\]: segfault'}
match: {event: crash}
explain: '{{slice .crash.message 0 30}}'
remediation: ["coredumpctl info {{shq .crash.comm}}"]
`
	loopSig := `schema: logsleuth/v1
id: loop
title: Loop
events:
  crash: {program: kernel, message|re: '^(?P<comm>\S+)\[\d+\]: segfault'}
match: {event: crash}
explain: '{{range 1000000000}}{{.}}{{end}}'
`
	sigs := loadSigs(t, sliceSig, loopSig, sigOOM)
	events := []event.Event{
		ev("06:00:00", "web kernel | app[1]: segfault at 0 ip 00007f sp 00007ffd error 4 in libc.so.6"),
		ev("06:00:01", "web kernel | a[2]: segfault"),
		ev("06:00:02", "web kernel | Out of memory: Killed process 4242 (java) total-vm:1kB"),
		ev("06:00:03", "web kernel | b[3]: segfault at 0 ip 00007f sp 00007ffd error 4 in libc.so.6"),
	}
	ws := &event.Warnings{}
	e := New(sigs, Options{Warnings: ws})
	for i := range events {
		events[i].Source.Line = int64(i + 1)
		e.Process(&events[i])
	}
	fs, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, f := range fs {
		got[f.Signature.ID] = append(got[f.Signature.ID], f.Summary+" | "+strings.Join(f.Remediation, ";")+" | "+strings.Join(f.Warnings, ";"))
	}
	sliced := got["sliced"]
	if len(sliced) != 3 || !strings.HasPrefix(sliced[0], "app[1]: segfault at 0 ip 00007 | coredumpctl info app | ") ||
		!strings.HasPrefix(sliced[1], "Segfault | coredumpctl info a | signature sliced: rendering explain:") ||
		!strings.HasSuffix(sliced[2], " | ") {
		t.Fatalf("sliced findings:\n%s", strings.Join(sliced, "\n"))
	}
	loops := got["loop"]
	if len(loops) != 3 || !strings.Contains(loops[0], "template limit reached") || !strings.Contains(loops[1], "hit a template limit on an earlier finding") {
		t.Fatalf("loop findings:\n%s", strings.Join(loops, "\n"))
	}
	if o := got["oom"]; len(o) != 1 || !strings.HasPrefix(o[0], "killed java") {
		t.Fatalf("oom findings: %v", o)
	}
	n := 0
	for _, w := range ws.List() {
		if strings.Contains(w.Msg, "signature sliced") || strings.Contains(w.Msg, "signature loop") {
			n++
		}
	}
	if n != 4 {
		t.Fatalf("%d render warnings, want 4: %v", n, ws.List())
	}
}
