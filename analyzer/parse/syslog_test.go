package parse

import (
	"reflect"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// want is every event field parseSyslogFamily sets.
type want struct {
	kind   Kind
	time   string // RFC3339Nano in UTC; "" for the zero time
	q      event.TimeQuality
	host   string
	prog   string
	pid    int
	pri    string // Priority.String(): "" for NoPriority
	msg    string
	fields []event.Field
	format string
	boot   string
}

type lineCase struct {
	name string
	line string
	hint string         // Options.Hint
	loc  *time.Location // Options.Location; UTC when nil
	want want
}

// f builds a field list: f("k1", "v1", "k2", "v2").
func f(kv ...string) []event.Field {
	var out []event.Field
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, event.Field{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

func testOptions(c lineCase) *Options {
	o := &Options{Location: time.UTC, Year: 2021, Hint: c.hint}
	if c.loc != nil {
		o.Location = c.loc
	}
	return o
}

func runCases(t *testing.T, cases []lineCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ev event.Event
			ev.Reset()
			k, ok := parseSyslogFamily([]byte(c.line), testOptions(c), &ev)
			if !ok {
				t.Fatalf("parseSyslogFamily(%q): ok=false", c.line)
			}
			checkEvent(t, c.line, k, &ev, c.want)
		})
	}
}

func checkEvent(t *testing.T, line string, k Kind, ev *event.Event, w want) {
	t.Helper()
	got := want{
		kind:   k,
		q:      ev.TimeQuality,
		host:   ev.Host,
		prog:   ev.Program,
		pid:    ev.PID,
		pri:    ev.Priority.String(),
		msg:    ev.Message,
		fields: ev.Fields,
		format: ev.Source.Format,
		boot:   ev.BootID,
	}
	if !ev.Time.IsZero() {
		got.time = ev.Time.UTC().Format(time.RFC3339Nano)
		if ev.Time.Location() != time.UTC {
			t.Errorf("line %q: time %v not in UTC", line, ev.Time)
		}
	}
	if len(got.fields) == 0 {
		got.fields = nil
	}
	if !reflect.DeepEqual(got, w) {
		t.Errorf("line %q\n got %+v\nwant %+v", line, got, w)
	}
	if ev.Source.Path != "" || ev.Source.Line != 0 {
		t.Errorf("line %q: parser set Source.Path/Line", line)
	}
}

// Lines from seed 001 (an Ubuntu /var/log/syslog excerpt) and
// research/inputs-parsing.md §2.2.
var rfc3164Cases = []lineCase{
	{
		name: "systemd space-padded day",
		line: "Oct  7 06:20:21 userver systemd[1]: Stopping containerd container runtime...",
		want: want{time: "2021-10-07T06:20:21Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Stopping containerd container runtime...", format: FormatRFC3164},
	},
	{
		name: "cron",
		line: "Oct  7 06:17:01 userver CRON[1526502]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
		want: want{time: "2021-10-07T06:17:01Z", q: event.TimeYearInferred, host: "userver", prog: "CRON", pid: 1526502,
			msg: "(root) CMD (   cd / && run-parts --report /etc/cron.hourly)", format: FormatRFC3164},
	},
	{
		name: "dockerd logfmt payload stays in the message",
		line: `Oct  7 06:20:21 userver dockerd[1067496]: time="2021-10-07T06:20:21.521938060+09:00" level=error msg="Failed to get event" error="rpc error: code = Unavailable desc = transport is closing" module=libcontainerd namespace=plugins.moby`,
		want: want{time: "2021-10-07T06:20:21Z", q: event.TimeYearInferred, host: "userver", prog: "dockerd", pid: 1067496,
			msg:    `time="2021-10-07T06:20:21.521938060+09:00" level=error msg="Failed to get event" error="rpc error: code = Unavailable desc = transport is closing" module=libcontainerd namespace=plugins.moby`,
			format: FormatRFC3164},
	},
	{
		name: "unit message",
		line: "Oct  7 06:20:25 userver systemd[1]: mdmonitor-oneshot.service: Succeeded.",
		want: want{time: "2021-10-07T06:20:25Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "mdmonitor-oneshot.service: Succeeded.", format: FormatRFC3164},
	},
	{
		name: "two-digit day",
		line: "Nov 22 10:40:09 vm CRON[7001]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
		want: want{time: "2021-11-22T10:40:09Z", q: event.TimeYearInferred, host: "vm", prog: "CRON", pid: 7001,
			msg: "(root) CMD (   cd / && run-parts --report /etc/cron.hourly)", format: FormatRFC3164},
	},
	{
		name: "sshd with a colon in the message",
		line: "Oct  7 06:20:23 userver sshd[1201]: Accepted publickey for ubuntu from 10.0.0.5 port 52234 ssh2: RSA SHA256:abc",
		want: want{time: "2021-10-07T06:20:23Z", q: event.TimeYearInferred, host: "userver", prog: "sshd", pid: 1201,
			msg: "Accepted publickey for ubuntu from 10.0.0.5 port 52234 ssh2: RSA SHA256:abc", format: FormatRFC3164},
	},
	{
		name: "kernel with printk stamp",
		line: "Oct  7 06:20:22 userver kernel: [33431.000100] docker0: port 1(veth3a1b2c4) entered disabled state",
		want: want{time: "2021-10-07T06:20:22Z", q: event.TimeYearInferred, host: "userver", prog: "kernel",
			msg: "docker0: port 1(veth3a1b2c4) entered disabled state", fields: f("kernel_time", "33431.000100"), format: FormatRFC3164},
	},
	{
		name: "kernel with padded printk stamp",
		line: "Oct  7 06:20:22 userver kernel: [    2.572326] EXT4-fs (vda): mounted filesystem with ordered data mode.",
		want: want{time: "2021-10-07T06:20:22Z", q: event.TimeYearInferred, host: "userver", prog: "kernel",
			msg: "EXT4-fs (vda): mounted filesystem with ordered data mode.", fields: f("kernel_time", "2.572326"), format: FormatRFC3164},
	},
	{
		name: "kernel boot marker stays an entry",
		line: "Oct  7 06:30:01 userver kernel: [    0.000000] Linux version 5.4.0-88-generic (buildd@lgw01-amd64-008) (gcc version 9.3.0)",
		want: want{time: "2021-10-07T06:30:01Z", q: event.TimeYearInferred, host: "userver", prog: "kernel",
			msg: "Linux version 5.4.0-88-generic (buildd@lgw01-amd64-008) (gcc version 9.3.0)", fields: f("kernel_time", "0.000000"), format: FormatRFC3164},
	},
	{
		name: "kernel without stamp (RHEL imjournal)",
		line: "Jun 14 15:16:01 combo kernel: Linux version 2.6.5-1.358 (bhcompile@bugs.build.redhat.com)",
		want: want{time: "2021-06-14T15:16:01Z", q: event.TimeYearInferred, host: "combo", prog: "kernel",
			msg: "Linux version 2.6.5-1.358 (bhcompile@bugs.build.redhat.com)", format: FormatRFC3164},
	},
	{
		name: "kernel with a bracket that is no stamp",
		line: "Oct  7 06:20:22 userver kernel: [drm] Initialized i915 1.6.0 20190619 for 0000:00:02.0 on minor 0",
		want: want{time: "2021-10-07T06:20:22Z", q: event.TimeYearInferred, host: "userver", prog: "kernel",
			msg: "[drm] Initialized i915 1.6.0 20190619 for 0000:00:02.0 on minor 0", format: FormatRFC3164},
	},
	{
		name: "tag with subsystem, trailing space kept",
		line: "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ",
		want: want{time: "2021-06-14T15:16:01Z", q: event.TimeYearInferred, host: "combo", prog: "sshd", pid: 19939,
			msg: "authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ", fields: f("subsystem", "pam_unix"), format: FormatRFC3164},
	},
	{
		name: "tag without pid",
		line: "Mar 11 09:39:39 ubuntu2015 dhclient: DHCPACK of 10.0.2.15 from 10.0.2.2",
		want: want{time: "2021-03-11T09:39:39Z", q: event.TimeYearInferred, host: "ubuntu2015", prog: "dhclient",
			msg: "DHCPACK of 10.0.2.15 from 10.0.2.2", format: FormatRFC3164},
	},
	{
		name: "tag with slash",
		line: "Oct  7 06:20:30 mail postfix/smtpd[2210]: connect from unknown[203.0.113.9]",
		want: want{time: "2021-10-07T06:20:30Z", q: event.TimeYearInferred, host: "mail", prog: "postfix/smtpd", pid: 2210,
			msg: "connect from unknown[203.0.113.9]", format: FormatRFC3164},
	},
	{
		name: "tag with dots and dashes",
		line: "Oct  7 06:20:30 desk org.gnome.Shell.desktop[2134]: Window manager warning: Overwriting existing binding",
		want: want{time: "2021-10-07T06:20:30Z", q: event.TimeYearInferred, host: "desk", prog: "org.gnome.Shell.desktop", pid: 2134,
			msg: "Window manager warning: Overwriting existing binding", format: FormatRFC3164},
	},
	{
		name: "tag with at sign",
		line: "Oct  7 06:20:30 desk systemd@1000[2003]: Started Tracker metadata database store and lookup manager.",
		want: want{time: "2021-10-07T06:20:30Z", q: event.TimeYearInferred, host: "desk", prog: "systemd@1000", pid: 2003,
			msg: "Started Tracker metadata database store and lookup manager.", format: FormatRFC3164},
	},
	{
		name: "no tag",
		line: "Oct  7 06:20:21 userver some text without a tag",
		want: want{time: "2021-10-07T06:20:21Z", q: event.TimeYearInferred, host: "userver",
			msg: "some text without a tag", format: FormatRFC3164},
	},
	{
		name: "no space after a tag with pid",
		line: "Oct  7 06:20:21 router dnsmasq[611]:query[A] example.com from 192.168.1.20",
		want: want{time: "2021-10-07T06:20:21Z", q: event.TimeYearInferred, host: "router", prog: "dnsmasq", pid: 611,
			msg: "query[A] example.com from 192.168.1.20", format: FormatRFC3164},
	},
	{
		name: "name:text without pid is no tag",
		line: "Oct  7 06:20:21 router note:text goes here",
		want: want{time: "2021-10-07T06:20:21Z", q: event.TimeYearInferred, host: "router",
			msg: "note:text goes here", format: FormatRFC3164},
	},
	{
		name: "empty message after tag",
		line: "Oct  7 06:20:21 userver myapp[42]:",
		want: want{time: "2021-10-07T06:20:21Z", q: event.TimeYearInferred, host: "userver", prog: "myapp", pid: 42,
			format: FormatRFC3164},
	},
	{
		name: "rsyslog repeated message",
		line: "Nov 22 10:40:09 vm myapp[42]: message repeated 3 times: [ same message again]",
		want: want{time: "2021-11-22T10:40:09Z", q: event.TimeYearInferred, host: "vm", prog: "myapp", pid: 42,
			msg: "message repeated 3 times: [ same message again]", fields: f("repeated", "3"), format: FormatRFC3164},
	},
	{
		name: "sysklogd repeated message",
		line: "Mar 11 09:39:39 ubuntu2015 dhclient: --- last message repeated 5 times ---",
		want: want{time: "2021-03-11T09:39:39Z", q: event.TimeYearInferred, host: "ubuntu2015", prog: "dhclient",
			msg: "--- last message repeated 5 times ---", fields: f("repeated", "5"), format: FormatRFC3164},
	},
	{
		name: "sysklogd repeated message without tag",
		line: "Mar 11 09:39:40 ubuntu2015 last message repeated 2 times",
		want: want{time: "2021-03-11T09:39:40Z", q: event.TimeYearInferred, host: "ubuntu2015",
			msg: "last message repeated 2 times", fields: f("repeated", "2"), format: FormatRFC3164},
	},
	{
		name: "repeated without a count is plain text",
		line: "Nov 22 10:40:09 vm myapp[42]: message repeated many times",
		want: want{time: "2021-11-22T10:40:09Z", q: event.TimeYearInferred, host: "vm", prog: "myapp", pid: 42,
			msg: "message repeated many times", format: FormatRFC3164},
	},
	{
		name: "rsyslog tab escape",
		line: "Nov 22 10:40:09 vm multi[77]: #011third line",
		want: want{time: "2021-11-22T10:40:09Z", q: event.TimeYearInferred, host: "vm", prog: "multi", pid: 77,
			msg: "\tthird line", format: FormatRFC3164},
	},
	{
		name: "rsyslog newline escapes",
		line: "Nov 22 01:40:18 vm myapp[4242]: panic: runtime error: index out of range [3] with length 3#012#012goroutine 1 [running]:#012main.main()#012#011/src/main.go:9 +0x1d",
		want: want{time: "2021-11-22T01:40:18Z", q: event.TimeYearInferred, host: "vm", prog: "myapp", pid: 4242,
			msg: "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:9 +0x1d", format: FormatRFC3164},
	},
	{
		name: "other #0 escapes stay",
		line: "Nov 22 01:40:18 vm myapp[4242]: bell #007 and #01 and #0123",
		want: want{time: "2021-11-22T01:40:18Z", q: event.TimeYearInferred, host: "vm", prog: "myapp", pid: 4242,
			msg: "bell #007 and #01 and \n3", format: FormatRFC3164},
	},
	{
		name: "sysklogd version tag",
		line: "Jun 19 04:09:11 combo syslogd 1.4.1: restart.",
		want: want{time: "2021-06-19T04:09:11Z", q: event.TimeYearInferred, host: "combo", prog: "syslogd",
			msg: "restart.", fields: f("version", "1.4.1"), format: FormatRFC3164},
	},
	{
		name: "unpadded day",
		line: "Oct 7 06:20:21 userver systemd[1]: Reloading.",
		want: want{time: "2021-10-07T06:20:21Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Reloading.", format: FormatRFC3164},
	},
	{
		name: "Feb 29 in a provisional non-leap year is built in the next leap year",
		line: "Feb 29 23:59:59 userver systemd[1]: Reloading.",
		want: want{time: "2024-02-29T23:59:59Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Reloading.", format: FormatRFC3164},
	},
	{
		name: "forward format with PRI",
		line: "<30>Nov 22 10:40:09 vm systemd[14856]: Stopping containerd container runtime...",
		want: want{time: "2021-11-22T10:40:09Z", q: event.TimeYearInferred, host: "vm", prog: "systemd", pid: 14856, pri: "info",
			msg: "Stopping containerd container runtime...", format: FormatRFC3164},
	},
	{
		name: "PRI with facility auth, severity err",
		line: "<35>Oct  7 06:20:21 userver sshd[1201]: error: kex_exchange_identification: Connection closed by remote host",
		want: want{time: "2021-10-07T06:20:21Z", q: event.TimeYearInferred, host: "userver", prog: "sshd", pid: 1201, pri: "err",
			msg: "error: kex_exchange_identification: Connection closed by remote host", format: FormatRFC3164},
	},
	{
		name: "non-UTF-8 bytes pass through",
		line: "Nov 22 10:40:09 vm myapp[42]: bad \xff\xfe bytes",
		want: want{time: "2021-11-22T10:40:09Z", q: event.TimeYearInferred, host: "vm", prog: "myapp", pid: 42,
			msg: "bad \xff\xfe bytes", format: FormatRFC3164},
	},
	{
		name: "NUL replaced",
		line: "Nov 22 10:40:09 vm myapp[42]: nul\x00here",
		want: want{time: "2021-11-22T10:40:09Z", q: event.TimeYearInferred, host: "vm", prog: "myapp", pid: 42,
			msg: "nul\uFFFDhere", format: FormatRFC3164},
	},
	{
		name: "local zone",
		line: "Oct  7 06:20:21 userver systemd[1]: Stopping containerd container runtime...",
		loc:  time.FixedZone("KST", 9*3600),
		want: want{time: "2021-10-06T21:20:21Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Stopping containerd container runtime...", format: FormatRFC3164},
	},
}

func TestRFC3164(t *testing.T) { runCases(t, rfc3164Cases) }

// RSYSLOG_FileFormat lines from research §2.3.
var rfc3339Cases = []lineCase{
	{
		name: "systemd +09:00",
		line: "2026-11-22T10:40:09.598949+09:00 vm systemd[14856]: Stopping containerd container runtime...",
		want: want{time: "2026-11-22T01:40:09.598949Z", q: event.TimeExact, host: "vm", prog: "systemd", pid: 14856,
			msg: "Stopping containerd container runtime...", format: FormatRFC3339},
	},
	{
		name: "utf-8 message +00:00",
		line: "2026-11-22T01:40:18.357285+00:00 vm kor[1]: 한국어 메시지 ünïcödé",
		want: want{time: "2026-11-22T01:40:18.357285Z", q: event.TimeExact, host: "vm", prog: "kor", pid: 1,
			msg: "한국어 메시지 ünïcödé", format: FormatRFC3339},
	},
	{
		name: "Z zone",
		line: "2025-11-11T06:20:21.123456Z web01 nginx[812]: 2025/11/11 06:20:21 [error] 812#812: *1 connect() failed (111: Connection refused)",
		want: want{time: "2025-11-11T06:20:21.123456Z", q: event.TimeExact, host: "web01", prog: "nginx", pid: 812,
			msg: "2025/11/11 06:20:21 [error] 812#812: *1 connect() failed (111: Connection refused)", format: FormatRFC3339},
	},
	{
		name: "negative offset",
		line: "2025-11-11T06:20:21.123456-05:00 web01 sshd[1201]: Connection closed by 10.0.0.5 port 52234 [preauth]",
		want: want{time: "2025-11-11T11:20:21.123456Z", q: event.TimeExact, host: "web01", prog: "sshd", pid: 1201,
			msg: "Connection closed by 10.0.0.5 port 52234 [preauth]", format: FormatRFC3339},
	},
	{
		name: "repeated message",
		line: "2026-11-22T10:40:09.618791+09:00 vm myapp[42]: message repeated 3 times: [ same message again]",
		want: want{time: "2026-11-22T01:40:09.618791Z", q: event.TimeExact, host: "vm", prog: "myapp", pid: 42,
			msg: "message repeated 3 times: [ same message again]", fields: f("repeated", "3"), format: FormatRFC3339},
	},
	{
		name: "escapes decoded",
		line: "2026-11-22T10:40:18.000001+09:00 vm myapp[4242]: panic: boom#012#011/src/main.go:9",
		want: want{time: "2026-11-22T01:40:18.000001Z", q: event.TimeExact, host: "vm", prog: "myapp", pid: 4242,
			msg: "panic: boom\n\t/src/main.go:9", format: FormatRFC3339},
	},
	{
		name: "kernel stamp",
		line: "2026-11-22T10:40:09.100000+09:00 vm kernel: [33431.000100] docker0: port 1(veth3a1b2c4) entered disabled state",
		want: want{time: "2026-11-22T01:40:09.1Z", q: event.TimeExact, host: "vm", prog: "kernel",
			msg: "docker0: port 1(veth3a1b2c4) entered disabled state", fields: f("kernel_time", "33431.000100"), format: FormatRFC3339},
	},
	{
		name: "forward format with PRI",
		line: "<30>2026-11-22T10:40:09.598949+09:00 vm systemd[14856]: Stopping containerd container runtime...",
		want: want{time: "2026-11-22T01:40:09.598949Z", q: event.TimeExact, host: "vm", prog: "systemd", pid: 14856, pri: "info",
			msg: "Stopping containerd container runtime...", format: FormatRFC3339},
	},
	{
		name: "rsyslog-mangled local RFC5424",
		line: `2026-11-22T10:40:09.628012+09:00 vm 1 2026-11-22T01:40:09.627963+00:00 vm rfcapp 55 ID47 [timeQuality tzKnown="1" isSynced="0"][exampleSDID@32473 iut="3"] RFC5424 message with SD`,
		want: want{time: "2026-11-22T01:40:09.627963Z", q: event.TimeExact, host: "vm", prog: "rfcapp", pid: 55,
			msg: "RFC5424 message with SD",
			fields: f("msgid", "ID47", "sd.timeQuality.tzKnown", "1", "sd.timeQuality.isSynced", "0",
				"sd.exampleSDID@32473.iut", "3"),
			format: FormatRFC5424},
	},
	{
		name: "application log with a level word has no host",
		line: "2025-11-11T06:20:21.5Z INFO starting server on :8080",
		want: want{time: "2025-11-11T06:20:21.5Z", q: event.TimeExact,
			msg: "INFO starting server on :8080", format: FormatRFC3339},
	},
	{
		name: "bracketed level is no host",
		line: "2025-11-11T06:20:21.5Z [warn] disk almost full",
		want: want{time: "2025-11-11T06:20:21.5Z", q: event.TimeExact,
			msg: "[warn] disk almost full", format: FormatRFC3339},
	},
}

func TestRFC3339(t *testing.T) { runCases(t, rfc3339Cases) }

// RFC 5424 examples (§6.5 of the RFC) and rsyslog's
// RSYSLOG_SyslogProtocol23Format (research §2.4).
var rfc5424Cases = []lineCase{
	{
		name: "RFC example 1",
		line: "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8",
		want: want{time: "2003-10-11T22:14:15.003Z", q: event.TimeExact, host: "mymachine.example.com", prog: "su", pri: "crit",
			msg: "'su root' failed for lonvick on /dev/pts/8", fields: f("msgid", "ID47"), format: FormatRFC5424},
	},
	{
		name: "RFC example with SD and BOM",
		line: "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBFAn application event log entry...",
		want: want{time: "2003-10-11T22:14:15.003Z", q: event.TimeExact, host: "mymachine.example.com", prog: "evntslog", pri: "notice",
			msg: "An application event log entry...",
			fields: f("msgid", "ID47", "sd.exampleSDID@32473.iut", "3", "sd.exampleSDID@32473.eventSource", "Application",
				"sd.exampleSDID@32473.eventID", "1011"),
			format: FormatRFC5424},
	},
	{
		name: "SD only, no MSG",
		line: "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\"][examplePriority@32473 class=\"high\"]",
		want: want{time: "2003-10-11T22:14:15.003Z", q: event.TimeExact, host: "mymachine.example.com", prog: "evntslog", pri: "notice",
			fields: f("msgid", "ID47", "sd.exampleSDID@32473.iut", "3", "sd.examplePriority@32473.class", "high"),
			format: FormatRFC5424},
	},
	{
		name: "rsyslog protocol23 with numeric PROCID",
		line: "<30>1 2026-11-22T10:40:09.598949+09:00 vm systemd 14856 - -  Stopping containerd container runtime...",
		want: want{time: "2026-11-22T01:40:09.598949Z", q: event.TimeExact, host: "vm", prog: "systemd", pid: 14856, pri: "info",
			msg: "Stopping containerd container runtime...", format: FormatRFC5424},
	},
	{
		name: "rsyslog protocol23 auth facility",
		line: "<86>1 2026-11-22T10:40:09.622492+09:00 vm sshd 1201 - -  Accepted publickey for ubuntu from 10.0.0.5 port 52234 ssh2: RSA SHA256:abc",
		want: want{time: "2026-11-22T01:40:09.622492Z", q: event.TimeExact, host: "vm", prog: "sshd", pid: 1201, pri: "info",
			msg: "Accepted publickey for ubuntu from 10.0.0.5 port 52234 ssh2: RSA SHA256:abc", format: FormatRFC5424},
	},
	{
		name: "escaped SD value",
		line: `<14>1 2026-11-22T01:00:00Z host app - - [meta@1 path="C:\\tmp" q="say \"hi\"" br="a\]b" other="\n"] done`,
		want: want{time: "2026-11-22T01:00:00Z", q: event.TimeExact, host: "host", prog: "app", pri: "info",
			msg:    "done",
			fields: f("sd.meta@1.path", `C:\tmp`, "sd.meta@1.q", `say "hi"`, "sd.meta@1.br", "a]b", "sd.meta@1.other", `\n`),
			format: FormatRFC5424},
	},
	{
		name: "nil timestamp, host and app; non-numeric PROCID",
		line: "<13>1 - - - worker-3 - - hello",
		want: want{q: event.TimeUnknown, pri: "notice", msg: "hello", fields: f("procid", "worker-3"), format: FormatRFC5424},
	},
	{
		name: "colon-less PRI 0",
		line: "<0>1 2026-11-22T01:00:00+00:00 host kernel - - - Kernel panic - not syncing: Fatal exception",
		want: want{time: "2026-11-22T01:00:00Z", q: event.TimeExact, host: "host", prog: "kernel", pri: "emerg",
			msg: "Kernel panic - not syncing: Fatal exception", format: FormatRFC5424},
	},
}

func TestRFC5424(t *testing.T) { runCases(t, rfc5424Cases) }

// nearMisses look like a header but are none: parseSyslogFamily must
// report ok=false and leave the event as it was.
var nearMisses = []string{
	"Octopus 7 06:20:21 host prog: msg",
	"Oct 32 06:20:21 host prog: msg",
	"Feb 30 06:20:21 host prog: msg",
	"Oct  7 24:20:21 host prog: msg",
	"Oct  7 06:60:21 host prog: msg",
	"Oct  7 6:20:21 host prog: msg",
	"Oct  7 06:20:21host prog: msg",
	"Oct  07 06:20:21 host prog: msg",
	"Oct",
	"2025-13-45T06:20:21Z host prog: msg",
	"2025-02-29T06:20:21Z host prog: msg",
	"2025-11-11T06:20:21 host prog: msg",
	"2025-11-11T06:20:21+2500 host prog: msg",
	"2025-11-11T06:20:21.Z host prog: msg",
	"2025-11-11T06:20:21Zhost prog: msg",
	"2025-11-11 06:20:21 host prog: msg",
	"[abc] foo",
	"[12345] foo",
	"[ 1.5x] foo",
	"<999>Oct  7 06:20:21 host prog: msg",
	"<>Oct  7 06:20:21 host prog: msg",
	"<34>2 2003-10-11T22:14:15.003Z host su - ID47 - msg",
	"<34>1 2003-10-11T22:14:15.003Z host su",
	"Thu 2021-10-07 06:20:23",
	"Thu 2021-10-47 06:20:23 UTC host prog: msg",
	"Thursday 2021-10-07 06:20:23 UTC host prog: msg",
	"1633587623.250900 no tag here",
	"1633587623 userver systemd[1]: no fraction",
	"12.5 percent done: ok",
	"13월 07 15:20:17 userver systemd[1]: x",
	"  1월 02 15:56:02 test-server systemd[1]: x",
	"Okt 7x 06:20:17 userver systemd[1]: x",
	"-- some comment",
	"-- Boot 123 --",
	"--help",
	"░ single shade",
	"just a line of text",
	"Error: something failed",
	"kern  :bogus : [    2.572326] EXT4-fs (vda): mounted",
	"kern  :info  : no stamp",
	"warning: something odd",
}

func TestNearMisses(t *testing.T) {
	for _, line := range nearMisses {
		var ev event.Event
		ev.Reset()
		ev.Source.Path = "kept"
		k, ok := parseSyslogFamily([]byte(line), &Options{Location: time.UTC, Year: 2021}, &ev)
		if ok {
			t.Errorf("%q: ok=true, kind %d, event %+v", line, k, ev)
			continue
		}
		clean := event.Event{Priority: event.NoPriority, Source: event.SourceRef{Path: "kept"}}
		if len(ev.Fields) == 0 {
			ev.Fields = nil
		}
		if !reflect.DeepEqual(ev, clean) {
			t.Errorf("%q: ok=false but the event was modified: %+v", line, ev)
		}
	}
}

// TestParseLineSyslog runs lines through the dispatcher and checks only the
// fields this parser owns (payload and systemd derivation add others).
func TestParseLineSyslog(t *testing.T) {
	o := &Options{Location: time.UTC, Year: 2021}
	cases := []struct {
		line   string
		kind   Kind
		format string
		prog   string
		msg    string
	}{
		{"Oct  7 06:20:21 userver systemd[1]: Stopped containerd container runtime.\r", KindEntry, FormatRFC3164, "systemd", "Stopped containerd container runtime."},
		{" 1월 02 15:56:02 test-server systemd[1]: Started Daily apt download activities.", KindEntry, FormatJournalShort, "systemd", "Started Daily apt download activities."},
		{"-- Boot 9a8b7c6d5e4f30211203f4e5d6c7b8a9 --", KindBoot, FormatJournalShort, "", ""},
		{"░░ Support: https://www.debian.org/support", KindContinuation, FormatJournalShort, "", ""},
		{"                                     goroutine 1 [running]:", KindContinuation, FormatText, "", "                                     goroutine 1 [running]:"},
		{"[abc] foo", KindText, FormatText, "", "[abc] foo"},
		// Cut right after the stamp's space: nothing follows it.
		{"2025-11-11T06:20:21.123456+09:00 ", KindEntry, FormatRFC3339, "", ""},
	}
	for _, c := range cases {
		var ev event.Event
		ev.Reset()
		k := ParseLine([]byte(c.line), o, &ev)
		if k != c.kind || ev.Source.Format != c.format || ev.Program != c.prog || ev.Message != c.msg {
			t.Errorf("ParseLine(%q) = kind %d format %q program %q message %q; want %d %q %q %q",
				c.line, k, ev.Source.Format, ev.Program, ev.Message, c.kind, c.format, c.prog, c.msg)
		}
	}
}

var benchLines = []struct{ name, line string }{
	{"rfc3164", "Oct  7 06:20:21 userver systemd[1]: Stopping containerd container runtime..."},
	{"rfc3164-dockerd", `Oct  7 06:20:21 userver dockerd[1067496]: time="2021-10-07T06:20:21.521938060+09:00" level=error msg="Failed to get event" error="rpc error: code = Unavailable desc = transport is closing" module=libcontainerd namespace=plugins.moby`},
	{"rfc3339", "2026-11-22T10:40:09.622492+09:00 vm sshd[1201]: Accepted publickey for ubuntu from 10.0.0.5 port 52234 ssh2: RSA SHA256:abc"},
	{"journal-short-ko", "12월 02 06:56:02 test-server systemd[1]: Stopping Docker Application Container Engine..."},
	{"rfc5424", `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event log entry...`},
}

func BenchmarkParseSyslog(b *testing.B) {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		loc = time.FixedZone("KST", 9*3600)
	}
	o := &Options{Location: loc, Year: 2021}
	for _, bl := range benchLines {
		line := []byte(bl.line)
		b.Run(bl.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(line)))
			var ev event.Event
			for b.Loop() {
				ev.Reset()
				if _, ok := parseSyslogFamily(line, o, &ev); !ok {
					b.Fatal("not parsed")
				}
			}
		})
	}
}
