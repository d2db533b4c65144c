package parse

import (
	"fmt"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// BenchmarkAssembleSyslog runs the Assembler over parsed RFC3164 lines, in
// blocks as the workers hand them over: the cost the state side adds to
// ordinary log lines (mayStartState) shows here.
func BenchmarkAssembleSyslog(b *testing.B) {
	msgs := []string{
		"systemd[1]: Starting Daily apt upgrade and clean activities...",
		`dockerd[1042]: time="2021-10-07T06:20:21.521938060+09:00" level=error msg="Failed to get event" module=libcontainerd namespace=moby`,
		"sshd[1201]: Accepted publickey for ubuntu from 10.0.0.5 port 52234 ssh2: RSA SHA256:abc",
		"CRON[7001]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
		"kernel: [33431.000100] docker0: port 1(veth3a1b2c4) entered disabled state",
		"systemd[1]: containerd.service: Succeeded.",
	}
	o := Options{Location: time.UTC, Year: 2021}
	var p Parser
	ps := make([]Parsed, 64<<10)
	for i := range ps {
		s := i / 50
		line := fmt.Sprintf("Oct %2d %02d:%02d:%02d web3 %s", 1+s/86400%28, s/3600%24, s/60%60, s%60, msgs[i%len(msgs)])
		ps[i].Event = event.Event{Priority: event.NoPriority}
		ps[i].Line = int64(i + 1)
		ps[i].Kind = p.ParseLine([]byte(line), &o, &ps[i].Event)
	}
	out := make([]event.Event, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		a := NewAssembler(AssemblerConfig{Location: time.UTC, OwnFields: true})
		for i := 0; i < len(ps); i += 4096 {
			out = a.AddAll(out[:0], ps[i:i+4096])
		}
		out = a.Flush(out[:0])
	}
}

// BenchmarkAssembleText is BenchmarkAssembleSyslog for lines of no known
// format (an application's output), every one of which detectState
// looks at.
func BenchmarkAssembleText(b *testing.B) {
	msgs := []string{
		"connection reset by peer while reading response header from upstream",
		"127.0.0.1 - - GET /index.html 200 512",
		"worker 3 finished job 42 in 12ms",
		"  at com.example.Foo.bar(Foo.java:12)",
		"Starting server on port 8080",
		"10 items processed",
	}
	o := Options{Location: time.UTC, Year: 2021}
	var p Parser
	ps := make([]Parsed, 16<<10)
	for i := range ps {
		line := fmt.Sprintf("%s %d", msgs[i%len(msgs)], i)
		ps[i].Event = event.Event{Priority: event.NoPriority}
		ps[i].Line, ps[i].Raw = int64(i+1), line
		ps[i].Kind = p.ParseLine([]byte(line), &o, &ps[i].Event)
	}
	out := make([]event.Event, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		a := NewAssembler(AssemblerConfig{Location: time.UTC, OwnFields: true})
		for i := 0; i < len(ps); i += 4096 {
			out = a.AddAll(out[:0], ps[i:i+4096])
		}
		out = a.Flush(out[:0])
	}
}
