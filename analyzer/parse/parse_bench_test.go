package parse

import (
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// mixLines is a slice of the benchmark corpus (make bench) in about its
// proportions: the programs that dominate a busy host's syslog, with
// hosts and stamps repeating the way they do in a real file.
var mixLines = []string{
	`Dec 29 18:00:00 k8s-node-2 dockerd[20436]: time="2020-12-29T18:00:00.102673664+09:00" level=info msg="ignoring event" container=92d190b6ab4aab8de073d6dd4945cc57930dd4a6b848ea7940f2c9cf15fa16ab module=libcontainerd namespace=moby topic=/tasks/delete type="*events.TaskDelete"`,
	`Dec 29 18:00:00 web-3 sshd[20512]: Failed password for invalid user ftpuser from 172.85.163.88 port 3344 ssh2`,
	`Dec 29 18:00:00 db-1 systemd-resolved[603]: Using degraded feature set UDP instead of UDP+EDNS0 for DNS server 10.0.0.2.`,
	`Dec 29 18:00:00 web-3 systemd[1]: Starting Message of the Day...`,
	`Dec 29 18:00:00 web-1 kernel: [259200.210607] IPv6: ADDRCONF(NETDEV_CHANGE): veth25872d7: link becomes ready`,
	`Dec 29 18:00:00 db-1 kernel: [1555200.224025] br-4f0a7c2e9d11: port 7(vethf5a304f) entered disabled state`,
	`Dec 29 18:00:00 db-1 rsyslogd: [origin software="rsyslogd" swVersion="8.2001.0" x-pid="573" x-info="https://www.rsyslog.com"] rsyslogd was HUPed`,
	`Dec 29 18:00:00 web-1 systemd[1]: logrotate.service: Succeeded.`,
	`Dec 29 18:00:00 web-2 systemd-resolved[601]: Using degraded feature set UDP instead of UDP+EDNS0 for DNS server 10.0.0.2.`,
	`Dec 29 18:00:00 web-2 CRON[20514]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)`,
	`Dec 29 18:00:00 web-2 sshd[20517]: pam_unix(sshd:session): session opened for user admin by (uid=0)`,
	`Dec 29 18:00:00 web-2 postfix/smtp[20551]: 948640A159: to=<ops@example.net>, relay=mx.example.net[198.51.100.7]:25, delay=0.29, delays=0.01/0/0.2/0.21, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 6f783d1a10)`,
	`Dec 29 18:00:01 db-1 containerd[20279]: time="2020-12-29T18:00:01.135902426+09:00" level=warning msg="cleaning up after shim disconnected" id=e602b1c0eff445fe01e146915388d30c98f5716eb0319046debf7919616b5348 namespace=moby`,
	`Dec 29 18:00:01 k8s-node-1 kubelet[20403]: I1229 18:00:01.260951    20403 kubelet.go:2076] "SyncLoop (PLEG): event for pod" pod="kube-system/coredns-558bd4d5db-zx4lm" event=&{ID:3967deb7-c98c Type:ContainerStarted Data:d1723a408984186ed3b3d533295cd2b8e9078cc5c3d50da6105adff4f35dbeb7}`,
	`Dec 29 18:00:01 k8s-node-2 kernel: [2419200.276183] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:ab:cd:ef:08:00 SRC=198.157.184.56 DST=10.0.0.27 LEN=40 TOS=0x00 PREC=0x00 TTL=241 ID=40500 PROTO=TCP SPT=29505 DPT=8080 WINDOW=1024 RES=0x00 SYN URGP=0`,
	`Dec 29 18:00:01 web-2 sshd[20575]: Invalid user ftpuser from 198.180.147.30 port 16074`,
	`Dec 29 18:00:02 web-2 postfix/qmgr[20149]: DB3AB1B5D6: from=<noreply@web-2.example.com>, size=5768, nrcpt=1 (queue active)`,
	`Dec 29 18:00:02 web-1 postfix/smtpd[20779]: connect from unknown[203.206.237.252]`,
	`Dec 29 18:00:02 web-3 dockerd[20162]: time="2020-12-29T18:00:02.670211145+09:00" level=info msg="ignoring event" container=4e440d73dfe707689281ee260a8ef9774821a8cf4d734f9e33d2f6dfa593a5dc module=libcontainerd namespace=moby topic=/tasks/delete type="*events.TaskDelete"`,
	`Dec 29 18:00:02 db-1 containerd[20279]: time="2020-12-29T18:00:02.792541404+09:00" level=warning msg="cleaning up after shim disconnected" id=5c815137c67be918bed700d2fcb48c07cd2d710c5314d0f3835dfa0a0564d4ab namespace=moby`,
	`Dec 29 18:00:04 k8s-node-1 kubelet[20403]: I1229 18:00:04.661272    20403 prober.go:116] "Probe failed" probeType="Readiness" pod="kube-system/coredns-558bd4d5db-zx4lm" podUID=0ea72796-0bd7 containerName="app" probeResult=failure output="Get \"http://10.244.1.37:8080/healthz\": dial tcp 10.244.1.37:8080: connect: connection refused"`,
	`Dec 29 18:00:04 web-3 systemd-resolved[603]: Using degraded feature set UDP instead of UDP+EDNS0 for DNS server 10.0.0.2.`,
	`Dec 29 18:00:04 web-1 CRON[20590]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)`,
	`Dec 29 18:00:09 web-2 myapp[21769]: panic: runtime error: index out of range [3] with length 3#012#012goroutine 1 [running]:#012main.main()#012#011/src/main.go:9 +0x1d`,
}

// mixLinesRFC3339 is mixLines as RSYSLOG_FileFormat writes them.
func mixLinesRFC3339() []string {
	out := make([]string, len(mixLines))
	for i, l := range mixLines {
		// "Dec 29 18:00:00" -> "2020-12-29T18:00:00.1234NN+09:00"
		out[i] = "2020-12-29T" + l[7:15] + ".1234" + string(rune('0'+i/10)) + string(rune('0'+i%10)) + "+09:00" + l[15:]
	}
	return out
}

// BenchmarkParseLine parses the mix as one ingest worker does: one Event
// reused (Reset) for every line, the source's format as the hint. One op
// is the whole mix; allocs/op are for all of its lines.
func BenchmarkParseLine(b *testing.B) {
	benchMix(b, func(line []byte, o *Options, ev *event.Event) Kind {
		return ParseLine(line, o, ev)
	})
}

// BenchmarkParser is BenchmarkParseLine through one Parser, whose caches
// see the mix's repeated stamps and hosts.
func BenchmarkParser(b *testing.B) {
	var p Parser
	benchMix(b, p.ParseLine)
}

func benchMix(b *testing.B, parse func([]byte, *Options, *event.Event) Kind) {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		loc = time.FixedZone("KST", 9*3600)
	}
	for _, c := range []struct {
		name, hint string
		lines      []string
	}{
		{"rfc3164", FormatRFC3164, mixLines},
		{"rfc3339", FormatRFC3339, mixLinesRFC3339()},
	} {
		lines := make([][]byte, len(c.lines))
		size := 0
		for i, l := range c.lines {
			lines[i] = []byte(l)
			size += len(l) + 1
		}
		o := &Options{Location: loc, Year: 2020, Hint: c.hint}
		b.Run(c.name, func(b *testing.B) {
			var ev event.Event
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, l := range lines {
					ev.Reset()
					parse(l, o, &ev)
				}
			}
		})
	}
}

// TestMixLinesParse keeps the benchmark honest: every line of the mix is
// a syslog line with a host and a tag, as in the corpus.
func TestMixLinesParse(t *testing.T) {
	loc := time.FixedZone("KST", 9*3600)
	for _, lines := range [][]string{mixLines, mixLinesRFC3339()} {
		for _, l := range lines {
			var ev event.Event
			ev.Reset()
			ParseLine([]byte(l), &Options{Location: loc, Year: 2020}, &ev)
			if ev.Source.Format != FormatRFC3164 && ev.Source.Format != FormatRFC3339 || ev.Host == "" || ev.Program == "" {
				t.Errorf("%q: format %q host %q program %q", l, ev.Source.Format, ev.Host, ev.Program)
			}
		}
	}
}

// BenchmarkDispatch prices the per-line dispatch on the clean syslog
// path, side by side in one process: "dispatch" is Parser.ParseLine,
// "direct" what ParseLine did before the dispatch (structured formats,
// then the syslog family, then text: no decoration test, no recognizers
// after them). Run it with -count 10, or under valgrind --tool=cachegrind
// for instruction counts on a busy machine.
func BenchmarkDispatch(b *testing.B) {
	b.Run("direct", func(b *testing.B) {
		var p Parser
		benchMix(b, func(line []byte, o *Options, ev *event.Event) Kind {
			p.deferred = false
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			if isBlank(line) {
				return KindSkip
			}
			if k, ok := parseStructured(line, o, ev); ok {
				if k == KindEntry {
					finishEntry(ev)
				}
				return k
			}
			if k, ok := p.parseSyslogFamily(line, o, ev); ok {
				if k == KindEntry {
					p.finish(ev)
				}
				return k
			}
			ev.Message = p.str(line)
			ev.Source.Format = FormatText
			return KindText
		})
	})
	b.Run("dispatch", func(b *testing.B) {
		var p Parser
		benchMix(b, p.ParseLine)
	})
}
