package engine

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// benchEvents is a realistic mix of syslog messages, none of which the
// generated signatures match except a few injected incident lines.
func benchEvents(n int) []event.Event {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := []struct{ prog, msg string }{
		{"sshd", "Accepted publickey for ubuntu from 10.0.%d.%d port %d ssh2: RSA SHA256:abc"},
		{"sshd", "pam_unix(sshd:session): session opened for user ubuntu(uid=%d) by (uid=0) %d %d"},
		{"CRON", "(root) CMD (   cd / && run-parts --report /etc/cron.hourly) %d %d %d"},
		{"systemd", "Started Session %d of User ubuntu. %d %d"},
		{"kernel", "[%d.%06d] docker0: port %d(veth3a1b2c4) entered forwarding state"},
		{"dockerd", `time="2021-10-07T06:20:21.%09dZ" level=info msg="Container %d health status changed" container=%d`},
		{"containerd", `time="2021-10-07T06:20:21.%dZ" level=info msg="shim disconnected" id=%d namespace=moby %d`},
		{"kubelet", `I1007 06:20:21.%06d    %d kubelet.go:2000] "SyncLoop (PLEG): event for pod" pod="default/web-%d"`},
		{"postfix/smtpd", "connect from unknown[192.168.%d.%d] port %d"},
	}
	out := make([]event.Event, n)
	t := time.Date(2021, 10, 7, 0, 0, 0, 0, time.UTC)
	for i := range out {
		s := shapes[rng.IntN(len(shapes))]
		t = t.Add(time.Duration(rng.IntN(50)) * time.Millisecond)
		out[i] = event.Event{
			Time: t, TimeQuality: event.TimeExact, Host: fmt.Sprintf("web-%d", rng.IntN(4)), Program: s.prog,
			PID: 1000 + rng.IntN(5000), Priority: event.NoPriority,
			Message: fmt.Sprintf(s.msg, rng.IntN(255), rng.IntN(999999), rng.IntN(65535)),
			Source:  event.SourceRef{Path: "syslog", Line: int64(i + 1), Format: "rfc3164"},
		}
	}
	return out
}

// genSignatures makes n distinct signatures of the shapes the built-in set
// uses: literal, regex with a literal, program-indexed, sequence.
func genSignatures(tb testing.TB, n int) []*signature.Signature {
	return genShapes(tb, n, 4)
}

// genShapes makes n signatures of the first shapes of genSignatures' and
// the language's: a state matcher with |cidr, and a sequence joined by
// containment and by version on captures tested with |cidr and
// |version_gte.
func genShapes(tb testing.TB, n, shapes int) []*signature.Signature {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString("---\n")
		}
		fmt.Fprintf(&b, "schema: logsleuth/v1\nid: gen-%d\ntitle: Generated %d\nevents:\n", i, i)
		switch i % shapes {
		case 4:
			fmt.Fprintf(&b, "  e: {kind: state, fields.gw%04d|cidr: [10.0.0.0/8, 172.16.0.0/12]}\nmatch: {event: e}\n", i)
			continue
		case 5:
			fmt.Fprintf(&b, "  a: {message|re: 'net N%04d took (?P<subnet>\\S+) at v(?P<v>\\S+)'}\n", i)
			fmt.Fprintf(&b, "  z: {message|re: 'peer P%04d (?P<peer>[0-9.]+) v(?P<v>\\S+) failed', peer|cidr: 10.0.0.0/8, v|version_gte: '1.2'}\n", i)
			b.WriteString("match:\n  sequence:\n    by: [host]\n    steps:\n      - {event: a}\n      - {event: z, join: {peer|in: a.subnet, v|version_gt: a.v}}\n")
			continue
		}
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "  e: {message|contains: \"failure code GX%04d detected\"}\nmatch: {event: e}\n", i)
		case 1:
			fmt.Fprintf(&b, "  e: {message|re: 'subsystem q%04d stalled for (?P<secs>\\d+) seconds'}\nmatch: {event: e}\n", i)
		case 2:
			fmt.Fprintf(&b, "  e: {program: gen%04d, priority|lte: err}\nmatch: {threshold: {event: e, count: 5, window: 1m, by: [host]}}\n", i)
		case 3:
			fmt.Fprintf(&b, "  a: {message|contains: \"job J%04d started\"}\n  z: {message|contains: \"job J%04d finished\"}\n", i, i)
			b.WriteString("match:\n  sequence:\n    by: [host]\n    steps:\n      - {event: a}\n      - {absent: z, for: 10m}\n")
		}
	}
	sigs, errs := signature.Parse("gen.yaml", []byte(b.String()))
	if len(errs) > 0 {
		tb.Fatal(errs)
	}
	return sigs
}

// BenchmarkEngine reports events/s for 10, 100 and 1000 signatures: with
// the prefilter the cost of an event that cannot match stays nearly flat.
func BenchmarkEngine(b *testing.B) {
	events := benchEvents(200_000)
	var bytes int64
	for i := range events {
		bytes += int64(len(events[i].Message))
	}
	for _, n := range []int{10, 100, 1000, -10, -1000} {
		// n < 0: the same count with the language's shapes mixed in.
		sigs, name := genSignatures(b, n), fmt.Sprintf("sigs=%d", n)
		if n < 0 {
			sigs, name = genShapes(b, -n, 6), fmt.Sprintf("sigs=%d/language", -n)
		}
		for _, naive := range []bool{false, true} {
			if naive && (n > 100 || n < 0) {
				continue // the reference path is quadratic enough already
			}
			if naive {
				name += "/naive"
			}
			b.Run(name, func(b *testing.B) {
				b.SetBytes(bytes)
				b.ReportAllocs()
				for b.Loop() {
					b.StopTimer() // building the automaton is a one-off per run
					e := New(sigs, Options{Naive: naive})
					b.StartTimer()
					for i := range events {
						e.Process(&events[i])
					}
					if _, err := e.Finish(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(events))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

// BenchmarkRenderFindings renders a dense log's 2,709 findings (the
// built-in ssh-bruteforce's explain and remediation shapes): on every
// core (parallel) against one after another (sequential), the run's
// serial tail.
func BenchmarkRenderFindings(b *testing.B) {
	sig := strings.Replace(sigOOM, "explain: 'killed {{.kill.comm}}'",
		`explain: '{{.kill.comm}} ({{.kill.pid}}) was killed on {{.host}} at {{ts .kill.time}}{{with .kill.comm}}, "{{.}}"{{end}}{{if gt .count 1}}; {{.count}} kills{{end}}.'`+
			"\nremediation: [\"check {{shq .kill.comm}} at {{ts .kill.time}}\", \"plain step one\", \"plain step two\"]", 1)
	sig = strings.Replace(sig, "  dedupe: {by: [host], window: 10m}\n", "", 1)
	e := New(loadSigs(b, sig), Options{Location: time.FixedZone("KST", 9*3600)})
	for i := range 2709 {
		x := ev("06:00:00", fmt.Sprintf("web-%d kernel - - | Out of memory: Killed process %d (java)", i%3, i))
		x.Time = x.Time.Add(time.Duration(i) * time.Second)
		e.Process(&x)
	}
	fs, err := e.Finish()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		spent map[*template.Template]bool
	}{{"parallel", nil}, {"sequential", map[*template.Template]bool{template.New("unrelated"): true}}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				e.spent = c.spent
				e.renderFindings(fs)
			}
		})
	}
}
