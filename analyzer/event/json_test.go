package event

import (
	"encoding/json"
	"testing"
	"time"
)

func TestAppendJSON(t *testing.T) {
	kst := time.FixedZone("KST", 9*3600)
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{
			name: "systemd lifecycle line",
			ev: Event{
				Time:        time.Date(2021, 10, 7, 6, 20, 21, 0, kst),
				TimeQuality: TimeYearInferred,
				Host:        "userver", Program: "systemd", PID: 1,
				Unit: "containerd.service", Lifecycle: Stopping, Priority: NoPriority,
				Message: "Stopping containerd container runtime...",
				Source:  SourceRef{Path: "var/log/syslog", Line: 3, Format: "rfc3164"},
			},
			want: `{"time":"2021-10-06T21:20:21Z","time_quality":"year_inferred","host":"userver","program":"systemd","pid":1,"unit":"containerd.service","lifecycle":"stopping","message":"Stopping containerd container runtime...","source":{"path":"var/log/syslog","line":3,"format":"rfc3164"}}`,
		},
		{
			name: "dockerd logfmt with fields and quotes",
			ev: Event{
				Time:        time.Date(2021, 10, 7, 6, 20, 21, 521938060, kst),
				TimeQuality: TimeExact,
				Host:        "userver", Program: "dockerd", PID: 1067496, Priority: 3,
				Message: `time="2021-10-07T06:20:21.521938060+09:00" level=error msg="Failed to get event"`,
				Fields: []Field{
					{"time", "2021-10-07T06:20:21.521938060+09:00"},
					{"level", "error"},
					{"msg", "Failed to get event"},
					{"error", "rpc error: code = Unavailable desc = transport is closing"},
				},
				Source: SourceRef{Path: "syslog", Line: 5, Format: "rfc3164"},
			},
			want: `{"time":"2021-10-06T21:20:21.52193806Z","time_quality":"exact","host":"userver","program":"dockerd","pid":1067496,"priority":3,` +
				`"message":"time=\"2021-10-07T06:20:21.521938060+09:00\" level=error msg=\"Failed to get event\"",` +
				`"fields":{"time":"2021-10-07T06:20:21.521938060+09:00","level":"error","msg":"Failed to get event","error":"rpc error: code = Unavailable desc = transport is closing"},` +
				`"source":{"path":"syslog","line":5,"format":"rfc3164"}}`,
		},
		{
			name: "unknown time, nothing known but the message",
			ev: Event{
				TimeQuality: TimeUnknown, Priority: NoPriority,
				Message: "",
				Source:  SourceRef{Path: "-", Line: 1, Format: "text"},
			},
			want: `{"time_quality":"unknown","message":"","source":{"path":"-","line":1,"format":"text"}}`,
		},
		{
			name: "journal entry with cursor and boot, priority 0",
			ev: Event{
				Time:        time.Date(2021, 10, 7, 6, 20, 23, 250900000, time.UTC),
				TimeQuality: TimeExact,
				Host:        "userver", BootID: "6c5a1e1d0f9b4a0c8f5c2b3a4d5e6f70",
				Program: "kernel", Priority: 0,
				Message: "Kernel panic - not syncing: Fatal exception",
				Source:  SourceRef{Path: "system.journal", Format: "journal", Cursor: "s=abc;i=1f"},
			},
			want: `{"time":"2021-10-07T06:20:23.2509Z","time_quality":"exact","host":"userver","boot_id":"6c5a1e1d0f9b4a0c8f5c2b3a4d5e6f70","program":"kernel","priority":0,"message":"Kernel panic - not syncing: Fatal exception","source":{"path":"system.journal","format":"journal","cursor":"s=abc;i=1f"}}`,
		},
		{
			name: "continuation lines, tabs, control and invalid bytes",
			ev: Event{
				TimeQuality: TimeInherited, Priority: NoPriority,
				Time:    time.Date(2021, 10, 7, 1, 40, 18, 0, time.UTC),
				Message: "panic: runtime error\n\tmain.main()\x01 \xff<b>&\u2028",
				Source:  SourceRef{Path: "app.log", Line: 9},
			},
			want: `{"time":"2021-10-07T01:40:18Z","time_quality":"inherited","message":"panic: runtime error\n\tmain.main()\u0001 \ufffd<b>&\u2028","source":{"path":"app.log","line":9}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(AppendJSON(nil, &tt.ev))
			if got != tt.want {
				t.Errorf("AppendJSON\n got: %s\nwant: %s", got, tt.want)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("output is not valid JSON: %s", got)
			}
		})
	}
}

func TestAppendJSONAppends(t *testing.T) {
	ev := Event{Priority: NoPriority, Message: "x", Source: SourceRef{Path: "p"}}
	got := string(AppendJSON([]byte("prefix "), &ev))
	if want := `prefix {"time_quality":"unknown","message":"x","source":{"path":"p"}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// FuzzAppendJSONString checks the hand-written escaper against
// encoding/json: both must decode to the same string.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{
		"Stopping containerd container runtime...",
		`time="2021-10-07T06:20:21.521938060+09:00" level=error msg="Failed to get event"`,
		"panic: x\n\tmain.main()\x01 \xff<b>&\u2028",
		"한국어 메시지 ünïcödé", "\xed\xa0\x80", "\x00\x1f\x7f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("AppendJSONString(%q) = %s: invalid JSON: %v", s, out, err)
		}
		ref, _ := json.Marshal(s)
		var want string
		if err := json.Unmarshal(ref, &want); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("AppendJSONString(%q) decodes to %q, encoding/json to %q", s, got, want)
		}
	})
}

func BenchmarkAppendJSON(b *testing.B) {
	ev := Event{
		Time:        time.Date(2021, 10, 7, 6, 20, 21, 521938060, time.UTC),
		TimeQuality: TimeYearInferred,
		Host:        "userver", Program: "dockerd", PID: 1067496, Priority: 3,
		Message: `time="2021-10-07T06:20:21.521938060+09:00" level=error msg="Failed to get event" error="rpc error: code = Unavailable desc = transport is closing" module=libcontainerd namespace=moby`,
		Fields:  []Field{{"level", "error"}, {"msg", "Failed to get event"}, {"module", "libcontainerd"}},
		Source:  SourceRef{Path: "/var/log/syslog", Line: 1190, Format: "rfc3164"},
	}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendJSON(buf[:0], &ev)
	}
	b.SetBytes(int64(len(buf)))
}

func TestSourceRefString(t *testing.T) {
	for _, c := range []struct {
		ref  SourceRef
		want string
	}{
		{SourceRef{Path: "syslog.1", Line: 412}, "syslog.1:412"},
		{SourceRef{Path: "journal:local", Cursor: "s=ab;i=7"}, "journal:local@s=ab;i=7"},
		{SourceRef{Path: "<stdin>"}, "<stdin>"},
	} {
		if got := c.ref.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.ref, got, c.want)
		}
	}
}
