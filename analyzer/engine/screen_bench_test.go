package engine

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// badDay is a minute of a log from a bad day (issue 20), in the shares
// of bench/gen -dense: a brute force over SSH in sshd's and pam_unix's
// lines for unknown and known users, containerd's shim chatter, kernel
// trouble, and the everyday lines around them: half of them candidates
// of the built-in signatures, six of those matches.
var badDay = []string{
	"Dec 29 18:00:00 web-2 sshd[20552]: Invalid user oracle from 198.51.100.23 port 31864",
	"Dec 29 18:00:00 web-2 sshd[20552]: pam_unix(sshd:auth): check pass; user unknown",
	"Dec 29 18:00:00 web-2 sshd[20552]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.23",
	"Dec 29 18:00:02 web-2 sshd[20552]: Failed password for invalid user oracle from 198.51.100.23 port 31864 ssh2",
	"Dec 29 18:00:02 web-2 sshd[20552]: Disconnected from invalid user oracle 198.51.100.23 port 31864 [preauth]",
	"Dec 29 18:00:03 web-1 sshd[20581]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.77  user=root",
	"Dec 29 18:00:05 web-1 sshd[20581]: Failed password for root from 203.0.113.77 port 40022 ssh2",
	"Dec 29 18:00:05 web-1 sshd[20581]: Received disconnect from 203.0.113.77 port 40022:11: Bye Bye [preauth]",
	`Dec 29 18:00:06 db-1 containerd[20279]: time="2020-12-29T18:00:06.654398801+09:00" level=info msg="shim disconnected" id=245e64284cb2434bfa0ca6b6743331ca7acb4e32727c9f41c00104dd4ae82c43 namespace=moby`,
	`Dec 29 18:00:06 db-1 containerd[20279]: time="2020-12-29T18:00:06.655102388+09:00" level=warning msg="cleaning up after shim disconnected" id=245e64284cb2434bfa0ca6b6743331ca7acb4e32727c9f41c00104dd4ae82c43 namespace=moby`,
	`Dec 29 18:00:06 db-1 containerd[20279]: time="2020-12-29T18:00:06.671209311+09:00" level=info msg="cleaning up dead shim"`,
	`Dec 29 18:00:07 web-3 dockerd[20162]: time="2020-12-29T18:00:07.691748116+09:00" level=info msg="ignoring event" container=9f647cee346efac7e633adac3de602b1c0eff445fe01e146915388d30c98f571 module=libcontainerd namespace=moby topic=/tasks/delete type="*events.TaskDelete"`,
	"Dec 29 18:00:08 web-1 kernel: [259208.037161] worker[31337]: segfault at 0 ip 000055d0c1a2b3c4 sp 00007ffd5e6f7a80 error 4 in worker[55d0c1a00000+2c000]",
	"Dec 29 18:00:08 db-1 kernel: [1555208.612657] INFO: task rsync:40211 blocked for more than 120 seconds.",
	"Dec 29 18:00:09 db-1 kernel: [1555209.100331] nfs: server nas-1 not responding, still trying",
	"Dec 29 18:00:09 web-1 kernel: [259209.512000] IPv6: ADDRCONF(NETDEV_CHANGE): vethaccfcd0: link becomes ready",
	`Dec 29 18:00:10 k8s-node-2 kubelet[20478]: I1229 18:00:10.593695    20478 kubelet.go:2076] "SyncLoop (PLEG): event for pod" pod="monitoring/node-exporter-9k2lp" event=&{ID:ca09f5c6-f783 Type:ContainerStarted Data:d1a102d9984e}`,
	"Dec 29 18:00:10 web-3 systemd-resolved[602]: Using degraded feature set UDP instead of UDP+EDNS0 for DNS server 10.0.0.2.",
	"Dec 29 18:00:11 web-2 postfix/smtp[20507]: F53DBF6064: to=<ops@example.net>, relay=mx.example.net[198.51.100.7]:25, delay=0.14, delays=0.01/0/0.2/0.21, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9c25872d7e)",
	"Dec 29 18:00:11 web-3 CRON[20566]: pam_unix(cron:session): session closed for user root",
	"Dec 29 18:00:12 k8s-node-2 systemd[1]: Starting Daily man-db regeneration...",
	`Dec 29 18:00:12 web-1 rsyslogd: [origin software="rsyslogd" swVersion="8.2001.0" x-pid="509" x-info="https://www.rsyslog.com"] rsyslogd was HUPed`,
}

// BenchmarkScreenBadDay runs the screen of the built-in signatures (the
// prefilter and the matchers of its candidates) over badDay's events,
// once the prefilter has learned from them: the per-line and
// per-candidate work of a dense log, without the parse.
func BenchmarkScreenBadDay(b *testing.B) {
	sigs, err := signature.LoadFS(os.DirFS("../../patterns"), ".")
	if err != nil {
		b.Fatal(err)
	}
	evs := make([]event.Event, len(badDay))
	var n int64
	for i, l := range badDay {
		evs[i].Reset()
		parse.ParseLine([]byte(l), &parse.Options{Location: time.UTC, Year: 2020}, &evs[i])
		n += int64(len(l))
	}
	screen := New(sigs, Options{}).NewScreen()
	matched := 0
	for i := range gramSample {
		if screen(&evs[i%len(evs)], nil) != unmatched && i < len(evs) {
			matched++
		}
	}
	if matched != 6 {
		b.Fatalf("%d of %d lines matched, want 6", matched, len(evs))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for i := range evs {
			screen(&evs[i], nil)
		}
	}
}

// BenchmarkProcessBadDay screens badDay's events and feeds them, with
// the screen's answers, to the engine of the built-in signatures, as the
// pipeline does: a minute of the log per round, the brute force coming
// from one of 64 addresses in turn, so that its groups are made, slid
// and kept as on a dense log. Its allocations are the candidates' cost
// from the screen to the runners' state.
func BenchmarkProcessBadDay(b *testing.B) {
	sigs, err := signature.LoadFS(os.DirFS("../../patterns"), ".")
	if err != nil {
		b.Fatal(err)
	}
	const addrs = 64
	rounds := make([][]event.Event, addrs)
	var n int64
	for k := range rounds {
		addr := fmt.Sprintf("198.51.100.%d", k+1)
		for _, l := range badDay {
			var ev event.Event
			ev.Reset()
			l = strings.ReplaceAll(l, "198.51.100.23", addr)
			parse.ParseLine([]byte(l), &parse.Options{Location: time.UTC, Year: 2020}, &ev)
			ev.Time = ev.Time.Add(time.Duration(k) * time.Minute)
			rounds[k] = append(rounds[k], ev)
			if k == 0 {
				n += int64(len(l))
			}
		}
	}
	e := New(sigs, Options{})
	screen := e.NewScreen()
	b.SetBytes(n)
	b.ReportAllocs()
	round := 0
	var ev event.Event // (one for all: a pipeline's events are its chunks')
	for b.Loop() {
		shift := time.Duration(round/addrs*addrs) * time.Minute
		for i := range rounds[round%addrs] {
			ev = rounds[round%addrs][i]
			ev.Time = ev.Time.Add(shift)
			ev.Screen = screen(&ev, nil)
			e.Process(&ev)
		}
		round++
	}
}
