package parse

import (
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// parseStructured runs first on every line: a syslog line must be
// rejected in a few nanoseconds and without allocating.
func BenchmarkParseStructuredRejectRFC3164(b *testing.B) {
	line := []byte("Oct  7 06:20:21 userver dockerd[1067496]: time=\"2021-10-07T06:20:21.521938060+09:00\" level=error msg=\"Failed to get event\"")
	o := &Options{Location: time.UTC, Year: 2021}
	ev := &event.Event{}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := parseStructured(line, o, ev); ok {
			b.Fatal("claimed a syslog line")
		}
	}
}

func BenchmarkParseStructuredRejectRFC3339(b *testing.B) {
	line := []byte("2025-11-11T06:20:21.123456+09:00 web3 systemd[1]: Started Daily apt download activities.")
	o := &Options{Location: time.UTC, Year: 2021}
	ev := &event.Event{}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := parseStructured(line, o, ev); ok {
			b.Fatal("claimed a syslog line")
		}
	}
}

// parsePayload on seed 001's dockerd message: field values are
// substrings of the message, so only the Fields slice could allocate,
// and it is reused across Reset.
func BenchmarkParsePayloadDockerd(b *testing.B) {
	msg := `time="2021-10-07T06:20:21.521938060+09:00" level=error msg="Failed to get event" error="rpc error: code = Unavailable desc = transport is closing" module=libcontainerd namespace=plugins.moby`
	ev := &event.Event{}
	b.ReportAllocs()
	for b.Loop() {
		ev.Reset()
		ev.Program, ev.Message = "dockerd", msg
		parsePayload(ev)
	}
	if len(ev.Fields) != 6 {
		b.Fatalf("fields %q", ev.Fields)
	}
}

func BenchmarkParsePayloadPlain(b *testing.B) {
	ev := &event.Event{}
	b.ReportAllocs()
	for b.Loop() {
		ev.Reset()
		ev.Program, ev.Message = "kernel", "docker0: port 1(veth3a1b2c4) entered disabled state"
		parsePayload(ev)
	}
}

func BenchmarkDeriveSystemdNotSystemd(b *testing.B) {
	ev := &event.Event{}
	ev.Reset()
	ev.Program, ev.Message = "dockerd", "Stopping Docker Application Container Engine..."
	b.ReportAllocs()
	for b.Loop() {
		deriveSystemd(ev)
	}
}

func BenchmarkDeriveSystemdStopping(b *testing.B) {
	ev := &event.Event{}
	b.ReportAllocs()
	for b.Loop() {
		ev.Reset()
		ev.Program, ev.Message = "systemd", "Stopping Docker Application Container Engine..."
		deriveSystemd(ev)
	}
	if ev.Unit != "docker.service" {
		b.Fatal(ev.Unit)
	}
}

func BenchmarkParseLineStructured(b *testing.B) {
	cases := []struct{ name, line string }{
		{"dpkg", "2025-06-24 14:36:25 upgrade libsystemd0:amd64 252.36-1~deb12u1 252.38-1~deb12u1"},
		{"logfmt", `time="2025-11-11T02:13:45Z" level=error msg="Provider error, retrying in 2.07s" providerName=docker`},
		{"compose", `traefik-1  | time="2025-11-11T02:13:45Z" level=error msg="Provider error, retrying in 2.07s" providerName=docker`},
		{"json", `{"level":"error","providerName":"docker","time":"2025-11-11T02:13:45Z","message":"Provider error, retrying in 2.07s"}`},
		{"journal-json", structuredCases[len(structuredCases)-5].line},
	}
	o := &Options{Location: time.UTC, Year: 2021}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			line := []byte(c.line)
			ev := &event.Event{}
			b.ReportAllocs()
			b.SetBytes(int64(len(line)))
			for b.Loop() {
				ev.Reset()
				ParseLine(line, o, ev)
			}
		})
	}
}
