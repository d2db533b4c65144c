package engine

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
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

// TestThresholdAboveMaxPending: a count far above the pending cap fires
// (it used to need MaxPending+1 stored events and never could), with the
// first events as evidence and the rest counted, and a window one event
// short is a near miss; memory stays bounded by the kept events.
func TestThresholdAboveMaxPending(t *testing.T) {
	sig := `schema: logsleuth/v1
id: flood
title: Login flood
events:
  fail: {program: sshd, message|re: '^Failed password for (?P<user>\S+) from (?P<addr>\S+)'}
match:
  threshold: {event: fail, by: [addr], count: 5000, window: 10m}
explain: '{{.count}} failures from {{.first.addr}}, first as {{.first.user}}, last as {{.last.user}}'
`
	sigs := loadSigs(t, sig)
	mk := func(n int, addr string, from time.Time) []event.Event {
		out := make([]event.Event, n)
		for i := range out {
			out[i] = event.Event{Time: from.Add(time.Duration(i) * 50 * time.Millisecond), Host: "bastion", Program: "sshd",
				Priority: event.NoPriority, Message: fmt.Sprintf("Failed password for u%d from %s port 22 ssh2", i, addr),
				Source: event.SourceRef{Path: "auth.log", Line: int64(i + 1)}}
		}
		return out
	}
	events := append(mk(6000, "203.0.113.9", day), mk(4999, "198.51.100.4", day.Add(time.Hour))...)
	e := New(sigs, Options{Warnings: &event.Warnings{}})
	for i := range events {
		e.Process(&events[i])
	}
	fs, _ := e.Finish()
	if len(fs) != 1 {
		t.Fatalf("%d findings, want 1", len(fs))
	}
	f := fs[0]
	if f.Count != 6000 || len(f.Evidence) != maxEvidence || f.EvidenceOmitted != 6000-maxEvidence {
		t.Fatalf("count %d, evidence %d, omitted %d", f.Count, len(f.Evidence), f.EvidenceOmitted)
	}
	if f.Summary != "6000 failures from 203.0.113.9, first as u0, last as u5999" || f.Evidence[0].Event.Source.Line != 1 {
		t.Fatalf("summary %q, first evidence %v", f.Summary, f.Evidence[0].Event.Source)
	}
	nm := e.NearMisses()
	if len(nm) != 1 || nm[0].Steps != 4999 || !strings.Contains(nm[0].Reason, "4999 of the 5000") {
		t.Fatalf("near misses %+v", nm)
	}
	for _, g := range e.runners[0].(*threshold).groups {
		if len(g.kept) > e.opts.MaxPending+maxEvidence {
			t.Fatalf("a group keeps %d events", len(g.kept))
		}
	}
	// A count above the limit is a load error.
	_, errs := signature.Parse("x.yaml", []byte(strings.Replace(sig, "count: 5000", "count: 100001", 1)))
	if len(errs) != 1 || !strings.Contains(errs[0].Msg, "threshold.count 100001 is above the limit") || errs[0].Line != 7 {
		t.Fatalf("errors %v", errs)
	}
}

// TestThresholdSlidingAboveMaxPending: the window slides over a steady
// trickle (one event a second, never 5000 in 10m) without firing, and
// fires once a burst fills it.
func TestThresholdSlidingAboveMaxPending(t *testing.T) {
	sigs := loadSigs(t, `schema: logsleuth/v1
id: flood
title: Flood
events:
  fail: {program: sshd, message|startswith: "Failed password"}
match:
  threshold: {event: fail, count: 1000, window: 1m}
`)
	e := New(sigs, Options{Warnings: &event.Warnings{}})
	at := day
	for i := 0; i < 20000; i++ { // 100/min: below 1000/min
		at = at.Add(600 * time.Millisecond)
		ev := event.Event{Time: at, Program: "sshd", Priority: event.NoPriority, Message: "Failed password for root", Source: event.SourceRef{Path: "a", Line: int64(i + 1)}}
		e.Process(&ev)
	}
	for i := 0; i < 1000; i++ { // then 1000 in 10s
		at = at.Add(10 * time.Millisecond)
		ev := event.Event{Time: at, Program: "sshd", Priority: event.NoPriority, Message: "Failed password for admin", Source: event.SourceRef{Path: "a", Line: int64(20001 + i)}}
		e.Process(&ev)
	}
	fs, _ := e.Finish()
	if len(fs) != 1 || fs[0].Count < 1000 || fs[0].Count > 1100 {
		t.Fatalf("findings %d (count %d)", len(fs), fs[0].Count)
	}
	// The window held the trickle's last minute, then the burst.
	if first := fs[0].Evidence[0].Event.Source.Line; first < 19800 || first > 20001 {
		t.Fatalf("first evidence at line %d", first)
	}
}

// TestEvidenceTextIsCapped: 300 segfault lines of 1 MiB become 300
// findings that keep 8 KiB of each line (they kept all of it, and 3000
// such lines took 12 GB), with the bytes cut counted per evidence line
// and warned about once; a regex saw only the first MaxRegexInput bytes
// of each line, so no capture is longer.
func TestEvidenceTextIsCapped(t *testing.T) {
	sigs := loadSigs(t, `schema: logsleuth/v1
id: crash
title: Segfault
events:
  crash: {program: kernel, message|re: '^(?P<process>[^\[]+)\[\d+\]: segfault .* in (?P<object>.*)'}
match: {event: crash}
explain: '{{.crash.process}} crashed'
`)
	const n, size = 300, 1 << 20
	junk := strings.Repeat("A", size)
	ws := &event.Warnings{}
	e := New(sigs, Options{Warnings: ws})
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < n; i++ {
		ev := event.Event{Time: day.Add(time.Duration(i) * time.Second), Host: "web", Program: "kernel", Priority: event.NoPriority,
			Message: "app[1]: segfault at 0 ip 0 sp 0 error 4 in " + junk, Source: event.SourceRef{Path: "kern.log", Line: int64(i + 1)}}
		e.Process(&ev)
	}
	fs, _ := e.Finish()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 32<<20 {
		t.Fatalf("findings hold %d MiB", grown>>20)
	}
	if len(fs) != n {
		t.Fatalf("%d findings", len(fs))
	}
	ev := fs[0].Evidence[0]
	if len(ev.Event.Message) != MaxEvidenceText || ev.Cut != size+len("app[1]: segfault at 0 ip 0 sp 0 error 4 in ")-MaxEvidenceText {
		t.Fatalf("kept %d bytes, cut %d", len(ev.Event.Message), ev.Cut)
	}
	if v, _ := signature.Captures(fs[0].Captures).Get("crash.object"); len(v) < 8000 || len(v) > signature.MaxRegexInput {
		t.Fatalf("capture of %d bytes", len(v))
	}
	var warned []string
	for _, w := range ws.List() {
		warned = append(warned, w.Msg)
	}
	all := strings.Join(warned, "\n")
	for _, want := range []string{"300 evidence lines were longer than 8192 bytes",
		"300 events were longer than 8192 bytes: regexes (|re) matched their first 8192 bytes only"} {
		if !strings.Contains(all, want) {
			t.Errorf("no warning %q in:\n%s", want, all)
		}
	}
	runtime.KeepAlive(fs)
}

// TestCutCopiesAreNotHeld: the copies keep cuts that nothing keeps any
// more (a threshold window's events past its evidence) are freed, and
// the warning counts the evidence lines cut, not every copy. They used
// to stay in the engine's table of cuts: 5000 lines of 64 KiB held
// 40 MiB of 8 KiB copies, and were counted as evidence.
func TestCutCopiesAreNotHeld(t *testing.T) {
	sigs := loadSigs(t, `schema: logsleuth/v1
id: flood
title: Flood
events:
  fail: {program: app, message|startswith: "request failed: "}
match:
  threshold: {event: fail, count: 8000, window: 1h}
`)
	const n = 5000
	junk := strings.Repeat("A", 64<<10)
	ws := &event.Warnings{}
	e := New(sigs, Options{Warnings: ws})
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < n; i++ {
		ev := event.Event{Time: day.Add(time.Duration(i) * time.Millisecond), Host: "web", Program: "app", Priority: event.NoPriority,
			Message: "request failed: " + junk, Source: event.SourceRef{Path: "app.log", Line: int64(i + 1)}}
		e.Process(&ev)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 16<<20 {
		t.Fatalf("the engine holds %d MiB for %d kept events", grown>>20, e.opts.MaxPending+maxEvidence)
	}
	fs, _ := e.Finish()
	nm := e.NearMisses()
	if len(fs) != 0 || len(nm) != 1 || len(nm[0].Evidence) != maxEvidence || nm[0].Evidence[0].Cut != 16+64<<10-MaxEvidenceText {
		t.Fatalf("findings %d, near misses %+v", len(fs), nm)
	}
	var warned []string
	for _, w := range ws.List() {
		warned = append(warned, w.Msg)
	}
	if all, want := strings.Join(warned, "\n"), "10 evidence lines were longer than 8192 bytes"; !strings.Contains(all, want) {
		t.Errorf("no warning %q in:\n%s", want, all)
	}
	runtime.KeepAlive(e)
}
