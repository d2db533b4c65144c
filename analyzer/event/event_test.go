package event

import (
	"reflect"
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
