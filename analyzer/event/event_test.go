package event

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// TestCloneSharesNothing requires an equal event none of whose strings
// or fields share memory with the original.
func TestCloneSharesNothing(t *testing.T) {
	block := "web-1 dockerd docker.service 3f2a level=error msg=x cursor"
	e := &Event{
		Time: time.Date(2021, 10, 7, 6, 20, 21, 0, time.UTC), Host: block[:5], Program: block[6:13],
		Unit: block[14:28], BootID: block[29:33], Message: block[34:54], Priority: 3,
		Fields: []Field{{Key: block[34:39], Value: block[40:45]}, {Key: "msg", Value: block[52:53]}},
		Source: SourceRef{Path: "syslog", Line: 7, Format: "rfc3164", Cursor: block[55:]},
	}
	c := e.Clone()
	if !reflect.DeepEqual(c, e) {
		t.Fatalf("clone %+v\ndiffers from %+v", c, e)
	}
	own := func(name, a, b string) {
		if a != "" && unsafe.StringData(a) == unsafe.StringData(b) {
			t.Errorf("%s shares memory with the original", name)
		}
	}
	own("Host", c.Host, e.Host)
	own("Program", c.Program, e.Program)
	own("Unit", c.Unit, e.Unit)
	own("BootID", c.BootID, e.BootID)
	own("Message", c.Message, e.Message)
	own("Cursor", c.Source.Cursor, e.Source.Cursor)
	for i := range e.Fields {
		own("field key", c.Fields[i].Key, e.Fields[i].Key)
		own("field value", c.Fields[i].Value, e.Fields[i].Value)
	}
	c.Fields[0].Value = "changed"
	if e.Fields[0].Value == "changed" {
		t.Error("the clone's fields alias the original's")
	}
	if (&Event{Screen: 1}).Clone().Screen != nil {
		t.Error("a clone carries the screen's result")
	}
	if (&Event{}).Clone().Fields != nil {
		t.Error("a clone of an event without fields has fields")
	}
}

// TestCopyInto: the copy equals the event (but for the screen's
// result), keeps nothing of the event's memory, so it survives the
// block the event's strings were slices of being overwritten, and
// reuses its buffers: no allocation once they have grown.
func TestCopyInto(t *testing.T) {
	block := []byte("web-1 dockerd docker.service 3f2a level=error msg=x cursor")
	text := unsafe.String(&block[0], len(block))
	events := []*Event{
		{
			Time: time.Date(2021, 10, 7, 6, 20, 21, 0, time.UTC), Host: text[:5], Program: text[6:13],
			Unit: text[14:28], BootID: text[29:33], Message: text[34:54], Priority: 3, Screen: 1,
			Fields: []Field{{Key: text[34:39], Value: text[40:45]}, {Key: "msg", Value: text[52:53]}},
			Source: SourceRef{Path: "syslog", Line: 7, Format: "rfc3164", Cursor: text[55:]},
		},
		{Message: text[34:54]}, // no fields
		{Host: text[:5], Fields: []Field{{Key: "k", Value: ""}}},
		{},
	}
	for i, e := range events {
		want := *e.Clone() // (its own strings: the block changes below)
		var dst Event
		fields, buf := e.CopyInto(&dst, nil, nil)
		if !reflect.DeepEqual(dst, want) {
			t.Fatalf("event %d: copy %+v\ndiffers from %+v", i, dst, want)
		}
		saved := slices.Clone(block)
		for j := range block {
			block[j] = 'X' // the stream reuses the block
		}
		if !reflect.DeepEqual(dst, want) {
			t.Errorf("event %d: copy changed with the block: %+v", i, dst)
		}
		copy(block, saved)
		// Again into the same buffers: no allocation.
		if n := testing.AllocsPerRun(10, func() { fields, buf = e.CopyInto(&dst, fields, buf) }); n != 0 {
			t.Errorf("event %d: %v allocations copying into grown buffers", i, n)
		}
		if !reflect.DeepEqual(dst, want) {
			t.Errorf("event %d: copy into reused buffers %+v\ndiffers from %+v", i, dst, want)
		}
	}
}

func TestMinMaxTime(t *testing.T) {
	early := time.Date(2021, 10, 7, 6, 20, 0, 0, time.UTC)
	late := early.Add(time.Second)
	for _, tc := range []struct{ a, b, min, max time.Time }{
		{early, late, early, late},
		{late, early, early, late},
		{early, early, early, early},
		{time.Time{}, late, time.Time{}, late}, // zero is the earliest
		{late, time.Time{}, time.Time{}, late},
	} {
		if got := MinTime(tc.a, tc.b); !got.Equal(tc.min) {
			t.Errorf("MinTime(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.min)
		}
		if got := MaxTime(tc.a, tc.b); !got.Equal(tc.max) {
			t.Errorf("MaxTime(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.max)
		}
	}
}

func TestNanos(t *testing.T) {
	base := time.Date(2021, 10, 7, 6, 20, 21, 500, time.UTC)
	for _, c := range []struct {
		a, b time.Time
		want int64 // Nanos(a) - Nanos(b)
	}{
		{base, base, 0},
		{base.Add(time.Second), base, int64(time.Second)},
		{base, base.Add(90 * time.Minute), -int64(90 * time.Minute)},
		{base.In(time.FixedZone("KST", 9*3600)), base, 0},
		{time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), time.Unix(0, 0), -int64(time.Second)},
		// Far out: clamped to the limits, and the difference still fits.
		{time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(nanosLimit, 0), 0},
		{time.Unix(-nanosLimit, 0), time.Time{}, 0},
		{time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{}, 2 * nanosLimit * 1e9},
	} {
		if got := Nanos(c.a) - Nanos(c.b); got != c.want {
			t.Errorf("Nanos(%v) - Nanos(%v) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestKindAndTimeNoneNames(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		name string
	}{{KindLog, "log"}, {KindState, "state"}, {KindCommand, "command"}} {
		if got := tc.kind.String(); got != tc.name {
			t.Errorf("Kind(%d).String() = %q, want %q", tc.kind, got, tc.name)
		}
		if k, ok := ParseKind(tc.name); !ok || k != tc.kind {
			t.Errorf("ParseKind(%q) = %v, %v", tc.name, k, ok)
		}
	}
	if _, ok := ParseKind("bogus"); ok {
		t.Error("ParseKind accepted bogus")
	}
	if got := TimeNone.String(); got != "none" {
		t.Errorf("TimeNone.String() = %q", got)
	}
	e := Event{Kind: KindState, TimeQuality: TimeNone, Priority: NoPriority, Message: "m"}
	got := string(AppendJSON(nil, &e))
	want := `{"time_quality":"none","kind":"state","message":"m","source":{"path":""}}`
	if got != want {
		t.Errorf("AppendJSON = %s\nwant %s", got, want)
	}
}

// TestCloneCapped cuts the message and field values of the copy, never
// the original, at a UTF-8 boundary, and counts what it left out.
func TestCloneCapped(t *testing.T) {
	e := &Event{Host: "web", Message: strings.Repeat("가", 10), Fields: []Field{{"a", "short"}, {"b", strings.Repeat("x", 20)}}}
	c, cut := e.CloneCapped(8) // "가" is 3 bytes: 2 runes fit
	if c.Message != "가가" || c.Fields[0].Value != "short" || c.Fields[1].Value != strings.Repeat("x", 8) || c.Host != "web" {
		t.Fatalf("clone = %+v", c)
	}
	if want := (30 - 6) + (20 - 8); cut != want {
		t.Fatalf("cut = %d, want %d", cut, want)
	}
	if len(e.Message) != 30 || len(e.Fields[1].Value) != 20 {
		t.Fatalf("original changed: %+v", e)
	}
	if c, cut := e.CloneCapped(-1); cut != 0 || c.Message != e.Message {
		t.Fatalf("uncapped clone = %+v, %d", c, cut)
	}
}

// TestCloneFieldsBeside: a clone of an event with up to 8 fields keeps
// them beside itself, two allocations in all (the event and its fields,
// the strings); with more, three. Either way the clone's fields are its
// own, with no room past them that an append would share. (Cut fields,
// TestCloneCapped's, take a copy more.)
func TestCloneFieldsBeside(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 5, 8, 9, 20} {
		e := &Event{Host: "web-1", Message: "blocked for more than 120 seconds"}
		for i := range n {
			e.Fields = append(e.Fields, Field{Key: fmt.Sprintf("k%d", i), Value: strings.Repeat("v", i)})
		}
		for name, clone := range map[string]func() *Event{
			"Clone":       e.Clone,
			"CloneCapped": func() *Event { c, _ := e.CloneCapped(64); return c },
		} {
			c := clone()
			if len(c.Fields) != n || cap(c.Fields) != n {
				t.Fatalf("%s of %d fields: len %d cap %d", name, n, len(c.Fields), cap(c.Fields))
			}
			for i := range c.Fields {
				if c.Fields[i] != e.Fields[i] {
					t.Fatalf("%s of %d fields: field %d is %v, want %v", name, n, i, c.Fields[i], e.Fields[i])
				}
				c.Fields[i].Value = "changed"
				if e.Fields[i].Value == "changed" {
					t.Fatalf("%s of %d fields: the clone's fields alias the original's", name, n)
				}
			}
			want := 2.0
			if n > 8 {
				want = 3
			}
			if got := testing.AllocsPerRun(20, func() { clone() }); got != want {
				t.Errorf("%s of %d fields: %v allocations, want %v", name, n, got, want)
			}
		}
	}
}
