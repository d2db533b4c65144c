package parse

import (
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

var fuzzHints = []string{"", FormatAptHistory, FormatAptTerm, FormatCompose, FormatDpkg}

// FuzzStructured feeds arbitrary lines, under every hint that changes
// parseStructured's behaviour, through parseStructured and the payload
// and systemd passes. Invariants: no panic; a claimed line names its
// format; times are UTC; the payload pass never changes the message;
// field keys are never empty; the logfmt decoder and the one-pass payload
// decoding agree with their byte-at-a-time and two-pass references.
func FuzzStructured(f *testing.F) {
	for _, tc := range structuredCases {
		f.Add(tc.line, uint8(0))
	}
	for _, tc := range appCases {
		f.Add(tc.line, uint8(0))
	}
	for _, tc := range payloadCases {
		f.Add(tc.msg, uint8(1))
	}
	for _, tc := range systemdCases {
		f.Add(tc.msg, uint8(2))
	}
	f.Add("2021-10-07 06:25:12,442 INFO - x", uint8(3))
	f.Fuzz(func(t *testing.T, line string, hint uint8) {
		o := &Options{Location: kstZone, Year: 2021, Hint: fuzzHints[int(hint)%len(fuzzHints)]}
		ev := &event.Event{}
		ev.Reset()
		k, ok := parseStructured([]byte(line), o, ev)
		if ok {
			if ev.Source.Format == "" {
				t.Fatalf("claimed (%v) without a format", k)
			}
			// (kubectl's table headers are banners of their format.)
			if k != KindEntry && k != KindContinuation && !(k == KindBanner && Family(ev.Source.Format) == "kubernetes") {
				t.Fatalf("kind %v", k)
			}
		}
		if !ev.Time.IsZero() && ev.Time.Location() != time.UTC {
			t.Fatalf("time %v not UTC", ev.Time)
		}
		msg := ev.Message
		parsePayload(ev)
		if ev.Message != msg {
			t.Fatalf("payload changed the message %q -> %q", msg, ev.Message)
		}
		// The payload and systemd passes also run on messages that came
		// from other headers: try the raw line as a systemd message.
		ev2 := &event.Event{}
		ev2.Reset()
		ev2.Program, ev2.Message = "systemd", line
		parsePayload(ev2)
		deriveSystemd(ev2)
		for _, e := range []*event.Event{ev, ev2} {
			for _, fl := range e.Fields {
				if fl.Key == "" {
					t.Fatalf("empty field key in %q", e.Fields)
				}
			}
		}
		if strings.ContainsAny(ev2.Unit, " \n") {
			t.Fatalf("unit %q is no unit name", ev2.Unit)
		}
		checkLogfmtPayload(t, line)
		checkLogfmtDecoder(t, line)
	})
}

// FuzzJSONObject checks the JSON walker against its own contract: it
// never reads outside the input and every key/value it returns is a
// slice of it.
func FuzzJSONObject(f *testing.F) {
	for _, tc := range structuredCases {
		if len(tc.line) > 0 && (tc.line[0] == '{' || tc.line[0] == 0x1e) {
			f.Add(tc.line)
		}
	}
	f.Add(`{"a":[[[[{"b":"]}"}]]]],"c":"\u00e9\ud83d\ude00"}`)
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		var o jsonObject
		o.reset(b)
		for o.next() {
			if cap(o.val) > cap(b) || cap(o.key) > cap(b) || len(o.val) == 0 {
				t.Fatalf("bad slice key %q val %q", o.key, o.val)
			}
			_ = jsonString(o.val)
		}
		if o.done && o.err {
			t.Fatal("done and err")
		}
	})
}
