package parse

import (
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Header variants other parsers' suites (plaso, rsyslog, lnav) accept, in
// lines of our own: README "Syslog header variants". Year 2021, UTC
// (testOptions).
var headerVariantCases = []lineCase{
	// BSD/macOS syslogd's own lines: a colon after the clock, no host.
	{
		name: "BSD comment line keeps its own time, no host",
		line: "Jul 14 03:22:10: --- last message repeated 3 times ---",
		want: want{time: "2021-07-14T03:22:10Z", q: event.TimeYearInferred,
			msg: "--- last message repeated 3 times ---", fields: f("repeated", "3"), format: FormatRFC3164},
	},
	{
		name: "BSD comment line with other text",
		line: "Jan  9 23:00:01: --- syslogd restarted ---",
		want: want{time: "2021-01-09T23:00:01Z", q: event.TimeYearInferred,
			msg: "--- syslogd restarted ---", format: FormatRFC3164},
	},
	{
		name: "colon after the clock, then host and tag",
		line: "<30>Aug 9 17:45:03: gw01 ntpd[771]: time reset +0.2 s",
		want: want{time: "2021-08-09T17:45:03Z", q: event.TimeYearInferred, host: "gw01", prog: "ntpd", pid: 771, pri: "info",
			msg: "time reset +0.2 s", format: FormatRFC3164},
	},
	// rsyslog's lenient receptions: the PRI gives the priority.
	{
		name: "space after PRI",
		line: "<30> Aug  9 17:45:03 gw01 ntpd[771]: time reset +0.2 s",
		want: want{time: "2021-08-09T17:45:03Z", q: event.TimeYearInferred, host: "gw01", prog: "ntpd", pid: 771, pri: "info",
			msg: "time reset +0.2 s", format: FormatRFC3164},
	},
	{
		name: "year before the clock: the line's own year, zone assumed",
		line: "<30>Aug 9 2019 17:45:03 gw01 ntpd[771]: synchronized to 192.0.2.1, stratum 2",
		want: want{time: "2019-08-09T17:45:03Z", q: event.TimeZoneAssumed, host: "gw01", prog: "ntpd", pid: 771, pri: "info",
			msg: "synchronized to 192.0.2.1, stratum 2", format: FormatRFC3164},
	},
	{
		name: "year and a colon after the clock",
		line: "<30>Aug 9 2019 17:45:03: gw01 ntpd[771]: synchronized to 192.0.2.1, stratum 2",
		want: want{time: "2019-08-09T17:45:03Z", q: event.TimeZoneAssumed, host: "gw01", prog: "ntpd", pid: 771, pri: "info",
			msg: "synchronized to 192.0.2.1, stratum 2", format: FormatRFC3164},
	},
	{
		name: "year without PRI, leap day",
		line: "Feb 29 2020 06:00:00 gw01 cron[5]: (root) CMD (run-parts /etc/cron.daily)",
		want: want{time: "2020-02-29T06:00:00Z", q: event.TimeZoneAssumed, host: "gw01", prog: "cron", pid: 5,
			msg: "(root) CMD (run-parts /etc/cron.daily)", format: FormatRFC3164},
	},
	// Tags without a colon.
	{
		name: "rsyslog tag of an RFC5424 message: APP-NAME[PROCID] without colon",
		line: "Apr 12 08:15:00 nas01 rsyncd[812] connect from 10.1.2.3 (10.1.2.3)",
		want: want{time: "2021-04-12T08:15:00Z", q: event.TimeYearInferred, host: "nas01", prog: "rsyncd", pid: 812,
			msg: "connect from 10.1.2.3 (10.1.2.3)", format: FormatRFC3164},
	},
	{
		name: "APP-NAME without PROCID: a snake_case name",
		line: "Apr 12 08:15:00 nas01 backup_agent nightly snapshot finished",
		want: want{time: "2021-04-12T08:15:00Z", q: event.TimeYearInferred, host: "nas01", prog: "backup_agent",
			msg: "nightly snapshot finished", format: FormatRFC3164},
	},
	{
		name: "APP-NAME without PROCID: a reverse-DNS name",
		line: "Apr 12 08:15:00 nas01 org.example.indexer rebuilt 3 shards",
		want: want{time: "2021-04-12T08:15:00Z", q: event.TimeYearInferred, host: "nas01", prog: "org.example.indexer",
			msg: "rebuilt 3 shards", format: FormatRFC3164},
	},
	{
		// plaso (syslog_rsyslog_traditional) makes "Job" the program of
		// "Job `cron.daily' terminated". It is anacron's message whose tag
		// was lost: "Job" names no program, and cutting it off would hide
		// the text from signatures. A plain word stays message text.
		name: "plain first word without colon stays message text",
		line: "Apr 12 08:15:00 nas01 Job `cron.weekly' terminated",
		want: want{time: "2021-04-12T08:15:00Z", q: event.TimeYearInferred, host: "nas01",
			msg: "Job `cron.weekly' terminated", format: FormatRFC3164},
	},
	{
		name: "a key=value pair is no APP-NAME",
		line: "Apr 12 08:15:00 nas01 request_id=7 status=done",
		want: want{time: "2021-04-12T08:15:00Z", q: event.TimeYearInferred, host: "nas01",
			msg: "request_id=7 status=done", format: FormatRFC3164},
	},
	{
		name: "a word ending in a dot is no APP-NAME",
		line: "Apr 12 08:15:00 nas01 Done. 4 files copied",
		want: want{time: "2021-04-12T08:15:00Z", q: event.TimeYearInferred, host: "nas01",
			msg: "Done. 4 files copied", format: FormatRFC3164},
	},
	// macOS: the level between tag and colon.
	{
		name: "macOS tag with PID and level",
		line: "Jun  2 14:03:55 mbp-lab configd[77] <Notice>: network changed: v4(en0+:192.168.1.20)",
		want: want{time: "2021-06-02T14:03:55Z", q: event.TimeYearInferred, host: "mbp-lab", prog: "configd", pid: 77, pri: "notice",
			msg: "network changed: v4(en0+:192.168.1.20)", format: FormatRFC3164},
	},
	{
		name: "macOS tag with level, no PID",
		line: "Jun  2 14:03:55 mbp-lab powerd <Error>: sleep assertion timed out",
		want: want{time: "2021-06-02T14:03:55Z", q: event.TimeYearInferred, host: "mbp-lab", prog: "powerd", pri: "err",
			msg: "sleep assertion timed out", format: FormatRFC3164},
	},
	{
		name: "PRI wins over the macOS level",
		line: "<13>Jun  2 14:03:55 mbp-lab powerd <Error>: sleep assertion timed out",
		want: want{time: "2021-06-02T14:03:55Z", q: event.TimeYearInferred, host: "mbp-lab", prog: "powerd", pri: "notice",
			msg: "sleep assertion timed out", format: FormatRFC3164},
	},
	// ChromeOS: a severity word where the host would be.
	{
		name: "ChromeOS severity instead of host",
		line: "2024-03-02T09:10:11.123456+01:00 WARNING shill[1123]: Service 5 failed to connect",
		want: want{time: "2024-03-02T08:10:11.123456Z", q: event.TimeExact, prog: "shill", pid: 1123, pri: "warning",
			msg: "Service 5 failed to connect", format: FormatRFC3339},
	},
	{
		name: "ChromeOS kernel line",
		line: "2024-03-02T09:10:11.200000+01:00 ERR kernel: [  412.500000] usb 1-1: device descriptor read/64, error -71",
		want: want{time: "2024-03-02T08:10:11.2Z", q: event.TimeExact, prog: "kernel", pri: "err",
			msg: "usb 1-1: device descriptor read/64, error -71", fields: f("kernel_time", "412.500000"), format: FormatRFC3339},
	},
	{
		name: "PRI wins over the severity word",
		line: "<14>2024-03-02T09:10:11Z ERR updater[9]: retrying in 30s",
		want: want{time: "2024-03-02T09:10:11Z", q: event.TimeExact, prog: "updater", pid: 9, pri: "info",
			msg: "retrying in 30s", format: FormatRFC3339},
	},
	// Spaces after the tag.
	{
		name: "two spaces after the tag",
		line: "Sep  3 11:40:03 edge-gw sshd[4810]:  Failed password for root from 198.51.100.23 port 51611 ssh2",
		want: want{time: "2021-09-03T11:40:03Z", q: event.TimeYearInferred, host: "edge-gw", prog: "sshd", pid: 4810,
			msg: "Failed password for root from 198.51.100.23 port 51611 ssh2", format: FormatRFC3164},
	},
	{
		name: "padding after a tag without PID",
		line: "Sep  3 11:40:03 edge-gw sudo:     ops : TTY=pts/1 ; PWD=/home/ops ; USER=root ; COMMAND=/usr/bin/id",
		want: want{time: "2021-09-03T11:40:03Z", q: event.TimeYearInferred, host: "edge-gw", prog: "sudo",
			msg: "ops : TTY=pts/1 ; PWD=/home/ops ; USER=root ; COMMAND=/usr/bin/id", format: FormatRFC3164},
	},
	// RFC5424 whose structured data breaks the grammar keeps its header.
	{
		name: "RFC5424 SD with a space after '=': raw field sd",
		line: `<13>1 2024-05-01T10:00:00Z web1 billing 4411 INV7 [meta@32473 region= "eu" note="a]b"] invoice run done`,
		want: want{time: "2024-05-01T10:00:00Z", q: event.TimeExact, host: "web1", prog: "billing", pid: 4411, pri: "notice",
			msg: "invoice run done", fields: f("sd", `[meta@32473 region= "eu" note="a]b"]`, "msgid", "INV7"), format: FormatRFC5424},
	},
	{
		name: "RFC5424 malformed SD and no MSG",
		line: `<13>1 2024-05-01T10:00:00Z web1 billing - INV7 [meta@32473 region= "eu"][b@1 x="1"]`,
		want: want{time: "2024-05-01T10:00:00Z", q: event.TimeExact, host: "web1", prog: "billing", pri: "notice",
			fields: f("sd", `[meta@32473 region= "eu"][b@1 x="1"]`, "msgid", "INV7"), format: FormatRFC5424},
	},
	{
		name: "RFC5424 SD that never closes is message text",
		line: `<13>1 2024-05-01T10:00:00Z web1 billing 4411 INV7 [meta@32473 region="eu" invoice run`,
		want: want{time: "2024-05-01T10:00:00Z", q: event.TimeExact, host: "web1", prog: "billing", pid: 4411, pri: "notice",
			msg: `[meta@32473 region="eu" invoice run`, fields: f("msgid", "INV7"), format: FormatRFC5424},
	},
	{
		name: "RFC5424 without the SD field",
		line: `<13>1 2024-05-01T10:00:00Z web1 billing 4411 INV7 invoice run done`,
		want: want{time: "2024-05-01T10:00:00Z", q: event.TimeExact, host: "web1", prog: "billing", pid: 4411, pri: "notice",
			msg: "invoice run done", fields: f("msgid", "INV7"), format: FormatRFC5424},
	},
}

func TestHeaderVariants(t *testing.T) { runCases(t, headerVariantCases) }

// variantNearMisses are shapes the variants above must not stretch to.
var variantNearMisses = []string{
	"Jul 14 03:22:10:x --- y ---",
	"Jul 14 03:22:10:: host prog: msg",
	"Aug  9 20199 17:45:03 gw01 ntpd: x",
	"Aug  9 2019x17:45:03 gw01 ntpd: x",
	"Feb 29 2019 10:00:00 gw01 cron[5]: not a leap year",
	"Aug  9 2019 17:45 gw01 ntpd: x",
	"Aug  9 0000 17:45:03 gw01 ntpd: no year zero",
	"<30>   ",
	"<30> 1 2024-05-01T10:00:00Z web1 app - - - the RFC5424 form takes no space",
	"<13>1 2024-05-01T10:00:00Z web1 billing",
}

func TestHeaderVariantNearMisses(t *testing.T) {
	for _, line := range variantNearMisses {
		var ev event.Event
		ev.Reset()
		if k, ok := parseSyslogFamily([]byte(line), &Options{Location: time.UTC, Year: 2021}, &ev); ok {
			t.Errorf("%q: ok=true, kind %d, event %+v", line, k, ev)
		}
	}
}

// BSD comment lines are placed by the same year inference as the lines
// around them: plaso's relative years, with year 0 a leap year here.
func TestAssemblerCommentLinesOwnTime(t *testing.T) {
	a := NewAssembler(AssemblerConfig{Location: time.UTC, Anchor: Anchor{Time: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC), Provenance: "--year"}})
	o := &Options{Location: time.UTC, Year: a.ProvisionalYear()}
	lines := []string{
		"Jan 22 07:52:33 host a[1]: first",
		"Feb 29 01:15:43: --- leap day ---",
		"Dec 18 17:54:32 host a[1]: late in the first year",
		"Mar 23 23:01:18 host a[1]: the next year",
		"Nov 18 01:15:43: --- last message repeated 5 times ---",
		"Feb  6 15:16:30 host a[1]: the year after",
		"Nov 18 01:15:43: --- last message repeated 2 times ---",
	}
	var in []Parsed
	for _, l := range lines {
		var p Parsed
		p.Event.Reset()
		p.Kind = ParseLine([]byte(l), o, &p.Event)
		in = append(in, p)
	}
	var got []string
	for _, ev := range feed(a, in) {
		got = append(got, ev.Time.Format(time.DateTime)+" "+ev.TimeQuality.String())
	}
	want := []string{
		"2016-01-22 07:52:33 year_inferred", "2016-02-29 01:15:43 year_inferred", "2016-12-18 17:54:32 year_inferred",
		"2017-03-23 23:01:18 year_inferred", "2017-11-18 01:15:43 year_inferred", "2018-02-06 15:16:30 year_inferred",
		"2018-11-18 01:15:43 year_inferred",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("times\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// JSON lines that wrap a syslog line in "message" or "msg" (log shippers,
// lnav's demultiplexer input) become the inner line's event.
func TestUnwrapSyslogJSON(t *testing.T) {
	cases := []struct {
		name string
		line string
		want swant
	}{
		{"inner time, year from the wrapper's time",
			`{"timestamp":"2023-06-01 12:00:05","source":"node-a.log","message":"Jun  1 14:59:58 node-a containerd[901]: starting containerd"}`,
			swant{format: FormatRFC3164, time: "2023-06-01T14:59:58Z", quality: event.TimeZoneAssumed, host: "node-a", program: "containerd", pid: 901,
				priority: noPrio, message: "starting containerd", fields: kvs("timestamp", "2023-06-01 12:00:05", "source", "node-a.log")}},
		{"the year nearest the wrapper's time, across New Year",
			`{"time":"2024-01-01T00:00:03Z","msg":"Dec 31 23:59:58 edge kernel: [    5.000000] eth0: link down"}`,
			swant{format: FormatRFC3164, time: "2023-12-31T23:59:58Z", quality: event.TimeZoneAssumed, host: "edge", program: "kernel",
				priority: noPrio, message: "eth0: link down", fields: kvs("time", "2024-01-01T00:00:03Z", "kernel_time", "5.000000")}},
		{"the wrapper's host and level win; without its time the year is inferred",
			`{"host":"node-a.prod","level":"error","message":"<30>Jun  1 14:59:58 node-a app[7]: cache miss"}`,
			swant{format: FormatRFC3164, time: "2021-06-01T14:59:58Z", quality: event.TimeYearInferred, host: "node-a.prod", program: "app", pid: 7,
				priority: 3, message: "cache miss", fields: kvs("host", "node-a.prod", "level", "error")}},
		{"an inner RFC3339 line keeps its exact time",
			`{"ts":"2024-05-01T10:00:09Z","message":"2024-05-01T10:00:00.5+00:00 web1 nginx[88]: worker exited"}`,
			swant{format: FormatRFC3339, time: "2024-05-01T10:00:00.5Z", quality: event.TimeExact, host: "web1", program: "nginx", pid: 88,
				priority: noPrio, message: "worker exited", fields: kvs("ts", "2024-05-01T10:00:09Z")}},
		{"escapes in the wrapped line are decoded",
			`{"message":"Jun  1 14:59:58 node-a app[7]: said \"hi\"\tthen left"}`,
			swant{format: FormatRFC3164, time: "2021-06-01T14:59:58Z", quality: event.TimeYearInferred, host: "node-a", program: "app", pid: 7,
				priority: noPrio, message: "said \"hi\"\tthen left"}},
		{"a message that is no syslog line stays an application log",
			`{"time":"2023-06-01T12:00:05Z","level":"info","msg":"GET /healthz 200"}`,
			swant{format: FormatJSONLine, time: "2023-06-01T12:00:05Z", quality: event.TimeExact, priority: 6,
				message: `{"time":"2023-06-01T12:00:05Z","level":"info","msg":"GET /healthz 200"}`,
				fields:  kvs("time", "2023-06-01T12:00:05Z", "level", "info", "msg", "GET /healthz 200")}},
		{"a stamp without a tag is not unwrapped",
			`{"ts":"2023-06-01T12:00:05Z","msg":"Jun  1 maintenance window starts"}`,
			swant{format: FormatJSONLine, time: "2023-06-01T12:00:05Z", quality: event.TimeExact, priority: noPrio,
				message: `{"ts":"2023-06-01T12:00:05Z","msg":"Jun  1 maintenance window starts"}`,
				fields:  kvs("ts", "2023-06-01T12:00:05Z", "msg", "Jun  1 maintenance window starts")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := &Options{Location: time.UTC, Year: 2021}
			ev := freshEvent()
			k := ParseLine([]byte(tc.line), o, ev)
			checkStructured(t, k, ev, tc.want)
		})
	}
}

// plaso (test_data/syslog, 16 events) drops a line whose month does not
// parse with an extraction warning. Here it stays an event of its own, as
// text with the time of the line before (DESIGN §4: nothing is dropped
// silently); it cannot continue the line before, since it starts like a
// header.
func TestUnparsedStampStaysAnEntry(t *testing.T) {
	ev := freshEvent()
	line := "MMM 14 08:00:00 nas01 anacron[412]: Normal exit (2 jobs run)"
	k := ParseLine([]byte(line), &Options{Location: time.UTC, Year: 2021}, ev)
	if k != KindEntry || ev.Source.Format != FormatText || ev.Message != line || !ev.Time.IsZero() {
		t.Errorf("ParseLine(%q) = kind %d, format %q, message %q, time %v; want an entry of format text with the whole line and no time",
			line, k, ev.Source.Format, ev.Message, ev.Time)
	}
}
