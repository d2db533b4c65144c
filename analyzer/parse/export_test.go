package parse

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// exportWriter builds journal export streams for tests: text fields as
// KEY=value, values with control bytes in the binary-safe form.
type exportWriter struct{ bytes.Buffer }

func (w *exportWriter) field(k, v string) *exportWriter {
	binarySafe := false
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 && v[i] != '\t' {
			binarySafe = true
		}
	}
	if !binarySafe {
		w.WriteString(k + "=" + v + "\n")
		return w
	}
	w.WriteString(k + "\n")
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(v)))
	w.Write(n[:])
	w.WriteString(v + "\n")
	return w
}

func (w *exportWriter) end() *exportWriter { w.WriteString("\n"); return w }

func stopEntry(w *exportWriter) {
	w.field("__CURSOR", "s=b1a57f169f28412cb21a5eebaae9a7f6;i=7").
		field("__REALTIME_TIMESTAMP", "1633587623250900").
		field("__MONOTONIC_TIMESTAMP", "33432250900").
		field("_BOOT_ID", "5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c").
		field("_HOSTNAME", "userver").
		field("SYSLOG_IDENTIFIER", "systemd").
		field("_PID", "1").
		field("_SYSTEMD_UNIT", "init.scope").
		field("UNIT", "containerd.service").
		field("MESSAGE", "Stopped containerd container runtime.").
		end()
}

func panicEntry(w *exportWriter) {
	w.field("__REALTIME_TIMESTAMP", "1633587625000000").
		field("_BOOT_ID", "5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c").
		field("SYSLOG_IDENTIFIER", "myapp").
		field("_PID", "4242").
		field("PRIORITY", "2").
		field("MESSAGE", "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nbad utf8 \xff\xfe here").
		end()
}

func TestExportReader(t *testing.T) {
	var w exportWriter
	stopEntry(&w)
	panicEntry(&w)
	stopEntry(&w)
	x := NewExportReader(&w)
	ev := &event.Event{}

	if err := x.Next(ev); err != nil {
		t.Fatal(err)
	}
	checkStructured(t, KindEntry, withoutLine(t, ev, 1), swant{
		format: FormatJournalExport, time: "2021-10-07T06:20:23.2509Z", quality: event.TimeExact, host: "userver",
		boot: "5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c", program: "systemd", pid: 1, unit: "containerd.service",
		lifecycle: event.Stopped, priority: noPrio, message: "Stopped containerd container runtime.",
		cursor: "s=b1a57f169f28412cb21a5eebaae9a7f6;i=7",
		fields: kvs("UNIT", "containerd.service", "_SYSTEMD_UNIT", "init.scope", "__MONOTONIC_TIMESTAMP", "33432250900",
			"description", "containerd container runtime"),
	})

	if err := x.Next(ev); err != nil {
		t.Fatal(err)
	}
	checkStructured(t, KindEntry, withoutLine(t, ev, 12), swant{
		format: FormatJournalExport, time: "2021-10-07T06:20:25Z", quality: event.TimeExact,
		boot: "5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c", program: "myapp", pid: 4242, priority: 2,
		message: "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nbad utf8 \xff\xfe here",
	})

	// Lines count 0x0A bytes as a text tool does: 12 + 5 text fields +
	// "MESSAGE" + the data's 3 newlines and its terminator + the blank.
	if err := x.Next(ev); err != nil {
		t.Fatal(err)
	}
	if ev.Source.Line != 23 || ev.Message != "Stopped containerd container runtime." {
		t.Errorf("third entry: line %d message %q", ev.Source.Line, ev.Message)
	}
	for range 2 {
		if err := x.Next(ev); err != io.EOF {
			t.Fatalf("after the last entry: %v, want io.EOF", err)
		}
	}
}

// withoutLine checks Source.Line and clears it, so that checkStructured
// (written for line parsers, which never set it) can compare the rest.
func withoutLine(t *testing.T, ev *event.Event, line int64) *event.Event {
	t.Helper()
	if ev.Source.Line != line {
		t.Errorf("Source.Line = %d, want %d", ev.Source.Line, line)
	}
	ev.Source.Line = 0
	return ev
}

func TestExportReaderErrors(t *testing.T) {
	lenOf := func(n uint64) string {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], n)
		return string(b[:])
	}
	cases := []struct {
		name    string
		bad     string // an entry between two good ones
		errLine int64
		errMsg  string
		after   int // good entries read after the error
		atEOF   bool
	}{
		{"text line instead of a field", "MESSAGE=ok\nthis is not an export stream\n\n", 13, "invalid field name", 1, false},
		{"lower-case junk key", "MESSAGE=ok\n{\"json\": true}=x\n\n", 13, "invalid field name", 1, false},
		{"impossible length", "MESSAGE\n" + lenOf(1<<50) + "xx\nMORE=1\n\n", 12, "impossible length", 1, false},
		{"missing newline after data", "MESSAGE\n" + lenOf(3) + "abcX\nMORE=1\n\n", 12, "not followed by a newline", 1, false},
		{"truncated binary field", "MESSAGE\n" + lenOf(100) + "short", 12, "truncated binary field", 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var w exportWriter
			stopEntry(&w)
			w.WriteString(tc.bad)
			if !tc.atEOF {
				stopEntry(&w)
			}
			x := NewExportReader(&w)
			ev := &event.Event{}
			if err := x.Next(ev); err != nil {
				t.Fatal(err)
			}
			err := x.Next(ev)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *FormatError", err)
			}
			if fe.Line != tc.errLine || !strings.Contains(fe.Msg, tc.errMsg) {
				t.Errorf("err = %v, want line %d containing %q", fe, tc.errLine, tc.errMsg)
			}
			for i := 0; i < tc.after; i++ {
				if err := x.Next(ev); err != nil {
					t.Fatalf("entry after the error: %v", err)
				}
				if ev.Message != "Stopped containerd container runtime." {
					t.Errorf("entry after the error: %q", ev.Message)
				}
			}
			if err := x.Next(ev); err != io.EOF {
				t.Errorf("at the end: %v, want io.EOF", err)
			}
		})
	}
}

func TestExportReaderOversizedField(t *testing.T) {
	var w exportWriter
	stopEntry(&w)
	big := MaxExportField + 16 // no 0x0A byte in the length
	w.WriteString("MESSAGE\n")
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(big))
	w.Write(n[:])
	w.Write(bytes.Repeat([]byte("a\n"), big/2))
	w.WriteString("\nAFTER=1\n\n")
	stopEntry(&w)
	x := NewExportReader(&w)
	ev := &event.Event{}
	if err := x.Next(ev); err != nil {
		t.Fatal(err)
	}
	var fe *FormatError
	if err := x.Next(ev); !errors.As(err, &fe) || fe.Line != 12 || !strings.Contains(fe.Msg, "over the 16 MiB limit") {
		t.Fatalf("err = %v", err)
	}
	if err := x.Next(ev); err != nil || ev.Message != "Stopped containerd container runtime." {
		t.Fatalf("next entry: %v %q", err, ev.Message)
	}
	// 12 (entry start) + 1 name + big/2 data lines + 1 + AFTER + blank.
	if want := int64(12 + 1 + big/2 + 1 + 1 + 1); ev.Source.Line != want {
		t.Errorf("line after skip = %d, want %d", ev.Source.Line, want)
	}
}

// Without the trailing blank line the last entry is still read
// (systemd-journal-remote would drop it silently).
func TestExportReaderNoTrailingBlank(t *testing.T) {
	in := "__REALTIME_TIMESTAMP=1633587623250900\nSYSLOG_IDENTIFIER=dockerd\nMESSAGE=time=\"2021-10-07T06:20:21.500871223Z\" level=error msg=\"failed to get event\""
	x := NewExportReader(strings.NewReader(in))
	ev := &event.Event{}
	if err := x.Next(ev); err != nil {
		t.Fatal(err)
	}
	if ev.Program != "dockerd" || ev.Priority != 3 {
		t.Errorf("program %q priority %v (payload not parsed?)", ev.Program, ev.Priority)
	}
	if err := x.Next(ev); err != io.EOF {
		t.Errorf("err = %v, want io.EOF", err)
	}
}

func FuzzExportReader(f *testing.F) {
	var w exportWriter
	stopEntry(&w)
	panicEntry(&w)
	f.Add(w.Bytes())
	f.Add([]byte("MESSAGE\n\x05\x00\x00\x00\x00\x00\x00\x00hello\n\n"))
	f.Add([]byte("A=1\n\n\n\nB\n\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Add([]byte("Oct  7 06:20:21 userver systemd[1]: Stopping containerd container runtime...\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		x := NewExportReader(bytes.NewReader(data))
		ev := &event.Event{}
		var last int64
		for i := 0; i < 10000; i++ {
			err := x.Next(ev)
			if err == io.EOF {
				return
			}
			var fe *FormatError
			if errors.As(err, &fe) {
				if fe.Line < 1 {
					t.Fatalf("error line %d", fe.Line)
				}
				continue
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if ev.Source.Format != FormatJournalExport || ev.Source.Line <= last {
				t.Fatalf("entry %d: format %q line %d after %d", i, ev.Source.Format, ev.Source.Line, last)
			}
			last = ev.Source.Line
		}
		t.Fatal("reader did not reach EOF")
	})
}

func BenchmarkExportReader(b *testing.B) {
	var w exportWriter
	for range 100 {
		stopEntry(&w)
		panicEntry(&w)
	}
	data := w.Bytes()
	ev := &event.Event{}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		x := NewExportReader(bytes.NewReader(data))
		for x.Next(ev) == nil {
		}
	}
}
