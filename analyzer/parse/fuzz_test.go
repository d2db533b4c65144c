package parse

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// syslogFuzzHints are the Options.Hint values that change parseSyslogFamily's
// choices; the fuzzer picks one per input.
var syslogFuzzHints = []string{"", FormatDmesg, FormatJournalShortMonotonic, FormatJournalShort, FormatRFC3164}

// FuzzParseLine feeds arbitrary lines to parseSyslogFamily and ParseLine.
// Neither may panic; parseSyslogFamily either leaves the event untouched
// (ok=false) or fills it consistently; a Parser whose caches hold parts of
// the line parses it as ParseLine does.
func FuzzParseLine(f *testing.F) {
	for _, cases := range [][]lineCase{rfc3164Cases, rfc3339Cases, rfc5424Cases, journalShortCases,
		journalMarkerCases, localizedCases, kernelCases, headerVariantCases} {
		for _, c := range cases {
			f.Add(c.line, uint8(0))
			if c.hint != "" {
				for i, h := range syslogFuzzHints {
					if h == c.hint {
						f.Add(c.line, uint8(i))
					}
				}
			}
		}
	}
	for _, l := range append(nearMisses, variantNearMisses...) {
		f.Add(l, uint8(0))
	}
	for _, bl := range benchLines {
		f.Add(bl.line, uint8(1))
	}
	for _, l := range deferLines {
		f.Add(l, uint8(0))
	}
	for _, c := range appCases {
		f.Add(c.line, uint8(0))
	}
	for _, c := range pasteCases {
		f.Add(c.line, uint8(0))
	}
	loc := time.FixedZone("KST", 9*3600)
	f.Fuzz(func(t *testing.T, line string, hint uint8) {
		o := &Options{Location: loc, Year: 2021, Hint: syslogFuzzHints[int(hint)%len(syslogFuzzHints)]}

		var ev event.Event
		ev.Reset()
		ev.Source.Path = "sentinel"
		k, ok := parseSyslogFamily([]byte(line), o, &ev)
		if !ok {
			clean := event.Event{Priority: event.NoPriority, Source: event.SourceRef{Path: "sentinel"}}
			if len(ev.Fields) == 0 {
				ev.Fields = nil
			}
			if !reflect.DeepEqual(ev, clean) {
				t.Fatalf("%q: ok=false but the event was modified: %+v", line, ev)
			}
		} else {
			checkInvariants(t, line, k, &ev)
		}

		var ev2 event.Event
		ev2.Reset()
		k2 := ParseLine([]byte(line), o, &ev2)
		if k2 > KindText {
			t.Fatalf("ParseLine(%q): invalid kind %d", line, k2)
		}
		if k2 == KindEntry && ev2.Source.Format == "" {
			t.Fatalf("ParseLine(%q): entry without format", line)
		}
		var p Parser
		checkParserAgrees(t, &p, stampVariants(line), line, o)

		// Deferring the payload and completing it later comes to the same
		// event, and a deferred event is error-level as the full one is.
		dp := Parser{DeferPayload: true}
		var lazy event.Event
		lazy.Reset()
		dk := dp.ParseLine([]byte(line), o, &lazy)
		if dp.Deferred() {
			if errorLevel(&lazy) != errorLevel(&ev2) {
				t.Fatalf("%q: deferred, error-level %v; in full %v", line, errorLevel(&lazy), errorLevel(&ev2))
			}
			CompletePayload(&lazy)
		}
		if dk != k2 || !reflect.DeepEqual(lazy, ev2) {
			t.Fatalf("deferred then completed: %q = %v %+v; ParseLine = %v %+v", line, dk, lazy, k2, ev2)
		}

		// Given a block holding the line (and no NUL byte, as ingest
		// promises), a Parser still agrees.
		if !strings.Contains(line, "\x00") {
			block := []byte("x\n" + line + "\ny")
			var bp Parser
			bp.SetBlock(block, string(block))
			var got event.Event
			got.Reset()
			gk := bp.ParseLine(block[2:2+len(line)], o, &got)
			if gk != k2 || !reflect.DeepEqual(got, ev2) {
				t.Fatalf("Parser with block: %q = %v %+v; ParseLine = %v %+v", line, gk, got, k2, ev2)
			}
		}
	})
}

func checkInvariants(t *testing.T, line string, k Kind, ev *event.Event) {
	t.Helper()
	if k > KindBanner {
		t.Fatalf("%q: kind %d", line, k)
	}
	if ev.Source.Path != "sentinel" || ev.Source.Line != 0 {
		t.Fatalf("%q: Source.Path/Line changed: %+v", line, ev.Source)
	}
	if ev.Source.Format == "" {
		t.Fatalf("%q: ok without a format", line)
	}
	if ev.Priority < event.NoPriority || ev.Priority > 7 {
		t.Fatalf("%q: priority %d", line, ev.Priority)
	}
	if strings.IndexByte(ev.Message, 0) >= 0 {
		t.Fatalf("%q: NUL in message %q", line, ev.Message)
	}
	if k != KindEntry {
		return
	}
	if Family(ev.Source.Format) == "text" {
		t.Fatalf("%q: entry with format %q", line, ev.Source.Format)
	}
	if !ev.Time.IsZero() && ev.Time.Location() != time.UTC {
		t.Fatalf("%q: time %v not in UTC", line, ev.Time)
	}
	if ev.Time.IsZero() != (ev.TimeQuality == event.TimeUnknown || ev.TimeQuality == event.TimeNone) {
		t.Fatalf("%q: time %v with quality %v", line, ev.Time, ev.TimeQuality)
	}
	if ev.TimeQuality == event.TimeInherited || ev.TimeQuality > event.TimeNone {
		t.Fatalf("%q: quality %v", line, ev.TimeQuality)
	}
	if ev.PID < 0 {
		t.Fatalf("%q: pid %d", line, ev.PID)
	}
	for _, s := range []string{ev.Host, ev.Program} {
		for i := 0; i < len(s); i++ {
			if s[i] <= ' ' || s[i] == 0x7f {
				t.Fatalf("%q: control or space byte in host/program %q", line, s)
			}
		}
	}
	// Host and program are read from the line; only dmesg supplies
	// "kernel" itself, and Apache's error log "httpd".
	if !strings.Contains(line, ev.Host) || !strings.Contains(line, ev.Program) && ev.Program != "kernel" &&
		!(ev.Program == "httpd" && ev.Source.Format == FormatApache) {
		t.Fatalf("%q: host %q or program %q not in the line", line, ev.Host, ev.Program)
	}
}
