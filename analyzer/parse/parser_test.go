package parse

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// checkParserAgrees fails t unless a Parser that has read warm first
// parses line exactly as the stateless ParseLine does.
func checkParserAgrees(t *testing.T, p *Parser, warm []string, line string, o *Options) {
	t.Helper()
	var ev event.Event
	for _, w := range warm {
		ev.Reset()
		p.ParseLine([]byte(w), o, &ev)
	}
	var got, want event.Event
	got.Reset()
	want.Reset()
	gk := p.ParseLine([]byte(line), o, &got)
	wk := ParseLine([]byte(line), o, &want)
	if gk != wk || !reflect.DeepEqual(got, want) {
		t.Fatalf("after %q, Parser.ParseLine(%q) = %v %+v; ParseLine = %v %+v", warm, line, gk, got, wk, want)
	}
}

// stampVariants are lines that share a prefix of line's first word or
// words: a Parser that read one holds a stamp, host or program that line
// may or may not share.
func stampVariants(line string) []string {
	var out []string
	for i := 0; i < len(line) && len(out) < 6; i++ {
		if line[i] == ' ' {
			out = append(out, line[:i]+" h p[1]: x", line[:i], line[:i]+".5 h p: x", line[:i]+"0 h p: x")
		}
	}
	return out
}

func TestParserAgrees(t *testing.T) {
	var lines []string
	for _, cases := range [][]lineCase{rfc3164Cases, rfc3339Cases, rfc5424Cases, journalShortCases,
		journalMarkerCases, localizedCases, kernelCases} {
		for _, c := range cases {
			lines = append(lines, c.line)
		}
	}
	lines = append(lines, nearMisses...)
	lines = append(lines, mixLines...)
	lines = append(lines, mixLinesRFC3339()...)
	lines = append(lines,
		"Dec 29 18:00:00", "Dec 29 18:00:00 ", "Dec 29 18:00:00 h", "Dec 29 18:00:00.25 h p: x", "Dec 29 18:00:0",
		"Feb 29 10:00:00 h p: x", "Dec 29 18:00:00 h\x00st p\x00g: x", "Dec 29 18:00:00 h p\x00g[1]: x")
	kst := time.FixedZone("KST", 9*3600)
	opts := []*Options{
		{Location: kst, Year: 2021},
		{Location: kst, Year: 2024}, // a leap year: Feb 29 stays
		{Location: time.UTC, Year: 2021},
		{Location: kst, Year: 2021, Hint: FormatDmesg},
	}
	for _, line := range lines {
		for _, o := range opts {
			var p Parser
			// The warm lines are read under every option set, so the
			// cache may hold a stamp of another Location or Year.
			for _, o2 := range opts {
				checkParserAgrees(t, &p, stampVariants(line), line, o2)
			}
			checkParserAgrees(t, &p, []string{line}, line, o)
		}
	}
	// One Parser over all lines in order, and in reverse: hosts and
	// programs come and go from its recent sets.
	for _, o := range opts {
		var p Parser
		for _, line := range lines {
			checkParserAgrees(t, &p, nil, line, o)
		}
		for i := len(lines) - 1; i >= 0; i-- {
			checkParserAgrees(t, &p, nil, lines[i], o)
		}
	}
}

// TestParserSharesStrings checks the point of the Parser: a host and a
// program it saw recently cost no allocation.
func TestParserSharesStrings(t *testing.T) {
	o := &Options{Location: time.UTC, Year: 2021, Hint: FormatRFC3164}
	lines := [][]byte{
		[]byte("Dec 29 18:00:00 web-1 postfix/qmgr[20149]: queue active"),
		[]byte("Dec 29 18:00:00 web-2 postfix/qmgr[20149]: queue active"),
	}
	var p Parser
	var ev event.Event
	allocs := testing.AllocsPerRun(100, func() {
		for _, l := range lines {
			ev.Reset()
			p.ParseLine(l, o, &ev)
		}
	})
	// The message is the one copy left.
	if allocs != float64(len(lines)) {
		t.Errorf("%v allocations for %d lines, want one each", allocs, len(lines))
	}
	if ev.Host != "web-2" || ev.Program != "postfix/qmgr" || ev.Message != "queue active" {
		t.Errorf("host %q program %q message %q", ev.Host, ev.Program, ev.Message)
	}
}

// TestParserBlock requires a Parser given the block its lines come from
// to parse them exactly as ParseLine does, with the syslog messages and
// header fields as slices of the block's text (no allocation for them),
// and to copy what lies outside the block.
func TestParserBlock(t *testing.T) {
	o := &Options{Location: time.UTC, Year: 2021}
	block := []byte(strings.Join(append(append([]string{}, mixLines...),
		"plain text that fits no format",
		"    an indented continuation",
		"Dec 29 18:00:00 web-1 rsyslogd: line#012with an escape",
		"Oct  7 06:20:21 web-1 kernel: [33431.000100] docker0: port 1(veth1) entered forwarding state",
		"Dec 29 18:00:01 web-1 myapp[7]: panic: x#012#011main.go:9",
		"Dec 29 18:00:02 web-1 myapp[7]: a # that is no escape, #0 nor #1",
		"Dec 29 18:00:03 web-1 myapp[7]: tail#011tab",
	), "\n"))
	text := string(block)
	var p Parser
	p.SetBlock(block, text)
	inText := func(s string) bool {
		if s == "" {
			return true
		}
		base := uintptr(unsafe.Pointer(unsafe.StringData(text)))
		at := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		return at >= base && at-base+uintptr(len(s)) <= uintptr(len(text))
	}
	sliced := 0
	lines := bytes.Split(block, []byte("\n"))
	// In block order, then one line again after the escapes after it
	// were found: its own is still decoded.
	for _, l := range append(lines, lines[len(mixLines)+2]) {
		var got, want event.Event
		got.Reset()
		want.Reset()
		gk := p.ParseLine(l, o, &got)
		wk := ParseLine(l, o, &want)
		if gk != wk || !reflect.DeepEqual(got, want) {
			t.Fatalf("Parser with block: %q = %v %+v; ParseLine = %v %+v", l, gk, got, wk, want)
		}
		if strings.ContainsAny(got.Message, "\n\t") { // decoded escapes
			if inText(got.Message) {
				t.Errorf("%q: a decoded message is a slice of the block", l)
			}
			continue
		}
		if !inText(got.Message) {
			t.Errorf("%q: message %q is a copy", l, got.Message)
		}
		sliced++
	}
	if sliced < len(mixLines) {
		t.Fatalf("only %d messages were slices of the block", sliced)
	}
	// A line outside the block is copied, and its escapes are decoded
	// though the block had none.
	var q Parser
	plain := []byte("Dec 29 18:00:00 web-1 sshd[1]: no escapes")
	q.SetBlock(plain, string(plain))
	var ev event.Event
	ev.Reset()
	q.ParseLine([]byte("Dec 29 18:00:00 web-1 rsyslogd: out#011side"), o, &ev)
	if ev.Message != "out\tside" || inText(ev.Message) {
		t.Errorf("a line outside the block: message %q, slice of the block: %v", ev.Message, inText(ev.Message))
	}
}

// TestRecentStrings: up to sixteen names are held, those whose slots
// collide too (web-1, web-9 and web-A differ by 8 in their last byte),
// each found as the string it was added as, never another name.
func TestRecentStrings(t *testing.T) {
	names := []string{"web-1", "web-9", "web-A", "web-2", "db-1", "k8s-node-1", "k8s-node-2", "postfix/qmgr", "postfix/smtp",
		"a", "bb", "ccc", "dddd", "eeeee", "ffffff", "ggggggg"}
	if recentSlot(names[0]) != recentSlot(names[1]) || recentSlot(names[0]) != recentSlot(names[2]) {
		t.Fatalf("slots %d, %d and %d: the test wants three names of one slot", recentSlot(names[0]), recentSlot(names[1]), recentSlot(names[2]))
	}
	var r recentStrings
	for _, n := range names {
		if _, ok := r.lookup([]byte(n)); ok {
			t.Fatalf("%q found before it was added", n)
		}
		r.add(strings.Clone(n))
	}
	for _, n := range names {
		s, ok := r.lookup([]byte(n))
		if !ok || s != n {
			t.Errorf("lookup(%q) = %q, %v", n, s, ok)
		}
	}
	for _, n := range []string{"web-3", "web", "k8s-node-3", "postfix/smtpd"} {
		if s, ok := r.lookup([]byte(n)); ok {
			t.Errorf("lookup(%q) found %q", n, s)
		}
	}
	// Another name takes a slot: sixteen are held.
	r.add("web-10")
	held := 0
	for _, n := range append(names, "web-10") {
		if s, ok := r.lookup([]byte(n)); ok && s == n {
			held++
		}
	}
	if held != 16 {
		t.Errorf("%d names held, want 16", held)
	}
}
