package parse

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

var kstZone = time.FixedZone("KST", 9*3600)

// want is what a parsed line must look like; zero fields must be zero.
type swant struct {
	kind      Kind
	format    string
	time      string // RFC3339Nano in UTC; "" for the zero time
	quality   event.TimeQuality
	host      string
	boot      string
	program   string
	pid       int
	unit      string
	lifecycle event.Lifecycle
	priority  event.Priority
	message   string
	cursor    string
	fields    []event.Field
}

func kvs(kv ...string) []event.Field {
	var out []event.Field
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, event.Field{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

func checkStructured(t *testing.T, k Kind, ev *event.Event, w swant) {
	t.Helper()
	var gotTime string
	if !ev.Time.IsZero() {
		gotTime = ev.Time.Format(time.RFC3339Nano)
		if ev.Time.Location() != time.UTC {
			t.Errorf("time %v is not in UTC", ev.Time)
		}
	}
	check := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	check("kind", k, w.kind)
	check("format", ev.Source.Format, w.format)
	check("time", gotTime, w.time)
	check("time quality", ev.TimeQuality, w.quality)
	check("host", ev.Host, w.host)
	check("boot", ev.BootID, w.boot)
	check("program", ev.Program, w.program)
	check("pid", ev.PID, w.pid)
	check("unit", ev.Unit, w.unit)
	check("lifecycle", ev.Lifecycle, w.lifecycle)
	check("priority", ev.Priority, w.priority)
	check("message", ev.Message, w.message)
	check("cursor", ev.Source.Cursor, w.cursor)
	check("path", ev.Source.Path, "")
	check("line", ev.Source.Line, int64(0))
	if !slices.Equal(ev.Fields, w.fields) {
		t.Errorf("fields\n got %q\nwant %q", ev.Fields, w.fields)
	}
}

func freshEvent() *event.Event {
	ev := &event.Event{}
	ev.Reset()
	return ev
}

const noPrio = event.NoPriority

// Lines that ParseLine must turn into events through parseStructured,
// end to end (payload and systemd derivation included).
var structuredCases = []struct {
	name string
	hint string
	line string
	want swant
}{
	// dpkg.log
	{"dpkg upgrade", "", "2025-06-24 14:36:25 upgrade libsystemd0:amd64 252.36-1~deb12u1 252.38-1~deb12u1", swant{
		format: FormatDpkg, time: "2025-06-24T05:36:25Z", quality: event.TimeZoneAssumed, program: "dpkg", priority: noPrio,
		message: "upgrade libsystemd0:amd64 252.36-1~deb12u1 252.38-1~deb12u1",
		fields:  kvs("action", "upgrade", "package", "libsystemd0", "arch", "amd64", "old_version", "252.36-1~deb12u1", "new_version", "252.38-1~deb12u1")}},
	{"dpkg install none", "", "2025-06-24 14:36:29 install perl-modules-5.36:all <none> 5.36.0-7+deb12u2", swant{
		format: FormatDpkg, time: "2025-06-24T05:36:29Z", quality: event.TimeZoneAssumed, program: "dpkg", priority: noPrio,
		message: "install perl-modules-5.36:all <none> 5.36.0-7+deb12u2",
		fields:  kvs("action", "install", "package", "perl-modules-5.36", "arch", "all", "old_version", "", "new_version", "5.36.0-7+deb12u2")}},
	{"dpkg remove epoch", "", "2026-09-22 04:55:18 remove clang-19:amd64 1:19.1.7-3~deb12u1 <none>", swant{
		format: FormatDpkg, time: "2026-09-21T19:55:18Z", quality: event.TimeZoneAssumed, program: "dpkg", priority: noPrio,
		message: "remove clang-19:amd64 1:19.1.7-3~deb12u1 <none>",
		fields:  kvs("action", "remove", "package", "clang-19", "arch", "amd64", "old_version", "1:19.1.7-3~deb12u1", "new_version", "")}},
	{"dpkg status", "", "2025-06-24 14:36:25 status half-configured libsystemd0:amd64 252.36-1~deb12u1", swant{
		format: FormatDpkg, time: "2025-06-24T05:36:25Z", quality: event.TimeZoneAssumed, program: "dpkg", priority: noPrio,
		message: "status half-configured libsystemd0:amd64 252.36-1~deb12u1",
		fields:  kvs("action", "status", "state", "half-configured", "package", "libsystemd0", "arch", "amd64", "version", "252.36-1~deb12u1")}},
	{"dpkg status not-installed", "", "2026-09-22 04:55:18 status not-installed clang-19:amd64 <none>", swant{
		format: FormatDpkg, time: "2026-09-21T19:55:18Z", quality: event.TimeZoneAssumed, program: "dpkg", priority: noPrio,
		message: "status not-installed clang-19:amd64 <none>",
		fields:  kvs("action", "status", "state", "not-installed", "package", "clang-19", "arch", "amd64", "version", "")}},
	{"dpkg startup", "", "2025-06-24 14:36:25 startup archives unpack", swant{
		format: FormatDpkg, time: "2025-06-24T05:36:25Z", quality: event.TimeZoneAssumed, program: "dpkg", priority: noPrio,
		message: "startup archives unpack", fields: kvs("action", "startup")}},
	{"dpkg conffile", "", "2009-02-25 11:45:23 conffile /etc/X11/Xsession keep", swant{
		format: FormatDpkg, time: "2009-02-25T02:45:23Z", quality: event.TimeZoneAssumed, program: "dpkg", priority: noPrio,
		message: "conffile /etc/X11/Xsession keep", fields: kvs("action", "conffile", "conffile", "/etc/X11/Xsession", "decision", "keep")}},

	// apt history.log block
	{"apt start", "", "Start-Date: 2026-11-22  01:26:32", swant{
		format: FormatAptHistory, time: "2026-11-21T16:26:32Z", quality: event.TimeZoneAssumed, program: "apt", priority: noPrio,
		message: "Start-Date: 2026-11-22  01:26:32"}},
	{"apt commandline", FormatAptHistory, "Commandline: apt-get install -y -qq lnav ripgrep", swant{
		kind: KindContinuation, format: FormatAptHistory, priority: noPrio,
		message: "Commandline: apt-get install -y -qq lnav ripgrep", fields: kvs("commandline", "apt-get install -y -qq lnav ripgrep")}},
	{"apt requested by", FormatAptHistory, "Requested-By: admin (1000)", swant{
		kind: KindContinuation, format: FormatAptHistory, priority: noPrio,
		message: "Requested-By: admin (1000)", fields: kvs("requested_by", "admin (1000)")}},
	{"apt upgrade", FormatAptHistory, "Upgrade: systemd-timesyncd:amd64 (252.38-1~deb12u1, 252.39-1~deb12u2)", swant{
		kind: KindContinuation, format: FormatAptHistory, priority: noPrio,
		message: "Upgrade: systemd-timesyncd:amd64 (252.38-1~deb12u1, 252.39-1~deb12u2)",
		fields:  kvs("upgrade", "systemd-timesyncd:amd64 (252.38-1~deb12u1, 252.39-1~deb12u2)")}},
	{"apt end", FormatAptHistory, "End-Date: 2026-11-22  01:26:43", swant{
		kind: KindContinuation, format: FormatAptHistory, priority: noPrio,
		message: "End-Date: 2026-11-22  01:26:43", fields: kvs("end_date", "2026-11-22  01:26:43")}},

	// apt term.log / unattended-upgrades-dpkg.log
	{"term started", "", "Log started: 2025-06-24  14:36:25", swant{
		format: FormatAptTerm, time: "2025-06-24T05:36:25Z", quality: event.TimeZoneAssumed, program: "apt", priority: noPrio,
		message: "Log started: 2025-06-24  14:36:25"}},
	{"term ended hinted", FormatAptTerm, "Log ended: 2021-10-07  06:26:03", swant{
		format: FormatAptTerm, time: "2021-10-06T21:26:03Z", quality: event.TimeZoneAssumed, program: "apt", priority: noPrio,
		message: "Log ended: 2021-10-07  06:26:03"}},
	{"term body", FormatAptTerm, "Unpacking libsystemd0:amd64 (252.38-1~deb12u1) over (252.36-1~deb12u1) ...", swant{
		format: FormatAptTerm, program: "dpkg", priority: noPrio,
		message: "Unpacking libsystemd0:amd64 (252.38-1~deb12u1) over (252.36-1~deb12u1) ..."}},
	{"term progress junk", FormatAptTerm, "(Reading database ... (Reading database ... 5%(Reading database ... 10%", swant{
		format: FormatAptTerm, program: "dpkg", priority: noPrio,
		message: "(Reading database ... (Reading database ... 5%(Reading database ... 10%"}},

	// unattended-upgrades
	{"unattended info", "", "2021-10-07 06:25:20,118 INFO Packages that will be upgraded: docker.io containerd", swant{
		format: FormatUnattended, time: "2021-10-06T21:25:20.118Z", quality: event.TimeZoneAssumed, program: "unattended-upgrades",
		priority: 6, message: "Packages that will be upgraded: docker.io containerd"}},
	{"unattended shutdown log", "", "2021-10-07 06:30:01,004 WARNING - Unattended-upgrade in progress during shutdown, please don't turn off the computer", swant{
		format: FormatUnattended, time: "2021-10-06T21:30:01.004Z", quality: event.TimeZoneAssumed, program: "unattended-upgrades",
		priority: 4, message: "Unattended-upgrade in progress during shutdown, please don't turn off the computer"}},

	// JSON-line application logs
	{"traefik json", "", `{"level":"error","providerName":"docker","error":"Error response from daemon: client version 1.24 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version","time":"2025-11-11T02:13:45Z","message":"Provider error, retrying in 2.07s"}`, swant{
		format: FormatJSONLine, time: "2025-11-11T02:13:45Z", quality: event.TimeExact, priority: 3,
		message: `{"level":"error","providerName":"docker","error":"Error response from daemon: client version 1.24 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version","time":"2025-11-11T02:13:45Z","message":"Provider error, retrying in 2.07s"}`,
		fields: kvs("level", "error", "providerName", "docker", "error", "Error response from daemon: client version 1.24 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version",
			"time", "2025-11-11T02:13:45Z", "message", "Provider error, retrying in 2.07s")}},
	{"zap epoch float, nested", "", `{"level":"warn","ts":1633587621.5,"caller":"etcdserver/server.go:1093","msg":"slow request","meta":{"a":[1,2]},"gone":null,"ok":true}`, swant{
		format: FormatJSONLine, time: "2021-10-07T06:20:21.5Z", quality: event.TimeExact, priority: 4,
		message: `{"level":"warn","ts":1633587621.5,"caller":"etcdserver/server.go:1093","msg":"slow request","meta":{"a":[1,2]},"gone":null,"ok":true}`,
		fields:  kvs("level", "warn", "ts", "1633587621.5", "caller", "etcdserver/server.go:1093", "msg", "slow request", "meta", `{"a":[1,2]}`, "ok", "true")}},
	{"pino numeric level, zone-less time, escapes", "", `{"level":50,"time":"2025-11-11 11:13:45.250","msg":"db \"main\" down\nretrying"}`, swant{
		format: FormatJSONLine, time: "2025-11-11T02:13:45.25Z", quality: event.TimeZoneAssumed, priority: 3,
		message: `{"level":50,"time":"2025-11-11 11:13:45.250","msg":"db \"main\" down\nretrying"}`,
		fields:  kvs("level", "50", "time", "2025-11-11 11:13:45.250", "msg", "db \"main\" down\nretrying")}},
	{"docker json-file with logfmt inside", "", `{"log":"time=\"2025-11-11T02:13:45Z\" level=error msg=\"Provider error\" providerName=docker\n","stream":"stderr","time":"2025-11-11T02:13:45.123456789Z"}`, swant{
		format: FormatJSONLine, time: "2025-11-11T02:13:45.123456789Z", quality: event.TimeExact, priority: 3,
		message: `time="2025-11-11T02:13:45Z" level=error msg="Provider error" providerName=docker`,
		fields:  kvs("stream", "stderr", "time", "2025-11-11T02:13:45Z", "level", "error", "msg", "Provider error", "providerName", "docker")}},
	{"docker json-file plain", "", `{"log":"panic: runtime error: index out of range\n","stream":"stderr","time":"2021-10-07T06:20:25.000871223Z"}`, swant{
		format: FormatJSONLine, time: "2021-10-07T06:20:25.000871223Z", quality: event.TimeExact, priority: noPrio,
		message: "panic: runtime error: index out of range", fields: kvs("stream", "stderr")}},

	// bare logfmt
	{"traefik logfmt", "", `time="2025-11-11T02:13:45Z" level=error msg="Provider error, retrying in 2.07s" error="Error response from daemon: client version 1.24 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version" providerName=docker`, swant{
		format: FormatLogfmt, time: "2025-11-11T02:13:45Z", quality: event.TimeExact, priority: 3,
		message: `time="2025-11-11T02:13:45Z" level=error msg="Provider error, retrying in 2.07s" error="Error response from daemon: client version 1.24 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version" providerName=docker`,
		fields: kvs("time", "2025-11-11T02:13:45Z", "level", "error", "msg", "Provider error, retrying in 2.07s",
			"error", "Error response from daemon: client version 1.24 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version", "providerName", "docker")}},
	{"traefik logfmt seed 003", "", `time="2021-04-05T13:51:58Z" level=error msg="accept tcp [::]:80: use of closed network connection" entryPointName=http`, swant{
		format: FormatLogfmt, time: "2021-04-05T13:51:58Z", quality: event.TimeExact, priority: 3,
		message: `time="2021-04-05T13:51:58Z" level=error msg="accept tcp [::]:80: use of closed network connection" entryPointName=http`,
		fields:  kvs("time", "2021-04-05T13:51:58Z", "level", "error", "msg", "accept tcp [::]:80: use of closed network connection", "entryPointName", "http")}},

	// docker compose logs
	{"compose v2, time from the logfmt payload", "", `traefik-1  | time="2025-11-11T02:13:45Z" level=error msg="Provider error, retrying in 2.07s" providerName=docker`, swant{
		format: FormatCompose, program: "traefik", time: "2025-11-11T02:13:45Z", quality: event.TimeExact, priority: 3,
		message: `time="2025-11-11T02:13:45Z" level=error msg="Provider error, retrying in 2.07s" providerName=docker`,
		fields:  kvs("container", "traefik-1", "time", "2025-11-11T02:13:45Z", "level", "error", "msg", "Provider error, retrying in 2.07s", "providerName", "docker")}},
	{"compose v1 with -t", "", "traefik_1  | 2025-11-11T02:13:45.123456789Z 2025/11/11 02:13:45 command traefik error: field not found", swant{
		format: FormatCompose, program: "traefik", time: "2025-11-11T02:13:45.123456789Z", quality: event.TimeExact, priority: noPrio,
		message: "2025/11/11 02:13:45 command traefik error: field not found", fields: kvs("container", "traefik_1")}},
	{"compose v2, time from the JSON payload", "", `web-1      | {"time":"2025-11-11T11:13:46.5+09:00","level":"info","msg":"GET / 200"}`, swant{
		format: FormatCompose, program: "web", time: "2025-11-11T02:13:46.5Z", quality: event.TimeExact, priority: 6,
		message: `{"time":"2025-11-11T11:13:46.5+09:00","level":"info","msg":"GET / 200"}`,
		fields:  kvs("container", "web-1", "time", "2025-11-11T11:13:46.5+09:00", "level", "info", "msg", "GET / 200")}},
	{"compose v2, zone-less ts from the payload", "", `db-1  | ts="2025-11-11 11:13:47" level=warn msg="slow query"`, swant{
		format: FormatCompose, program: "db", time: "2025-11-11T02:13:47Z", quality: event.TimeZoneAssumed, priority: 4,
		message: `ts="2025-11-11 11:13:47" level=warn msg="slow query"`,
		fields:  kvs("container", "db-1", "ts", "2025-11-11 11:13:47", "level", "warn", "msg", "slow query")}},
	{"compose v2, -t stamp wins over the payload", "", `traefik-1  | 2025-11-11T02:13:50.000000001Z time="2025-11-11T02:13:45Z" level=error msg="late"`, swant{
		format: FormatCompose, program: "traefik", time: "2025-11-11T02:13:50.000000001Z", quality: event.TimeExact, priority: 3,
		message: `time="2025-11-11T02:13:45Z" level=error msg="late"`,
		fields:  kvs("container", "traefik-1", "time", "2025-11-11T02:13:45Z", "level", "error", "msg", "late")}},
	{"compose v2, prose with an equals sign has no time", "", `web-1  | retry=3 after failure`, swant{
		format: FormatCompose, program: "web", priority: noPrio, message: "retry=3 after failure", fields: kvs("container", "web-1")}},
	{"compose hinted no replica", FormatCompose, "web    | GET / 200", swant{
		format: FormatCompose, program: "web", priority: noPrio, message: "GET / 200", fields: kvs("container", "web")}},

	// CRI
	{"cri full", "", "2021-10-07T06:20:21.433183114Z stderr F E1007 06:20:21.433183       1 reflector.go:138] failed to list *v1.Pod", swant{
		format: FormatCRI, time: "2021-10-07T06:20:21.433183114Z", quality: event.TimeExact, priority: 3,
		message: "E1007 06:20:21.433183       1 reflector.go:138] failed to list *v1.Pod",
		fields:  kvs("stream", "stderr", "source", "reflector.go:138")}},
	{"cri-o partial", "", "2021-10-07T15:20:21.433183114+09:00 stdout P first half of a long line", swant{
		format: FormatCRI, time: "2021-10-07T06:20:21.433183114Z", quality: event.TimeExact, priority: noPrio,
		message: "first half of a long line", fields: kvs("stream", "stdout", "partial", "true")}},

	// journalctl -o json and json-seq
	{"journal json", "", `{"SYSLOG_FACILITY":"3","__REALTIME_TIMESTAMP":"1633587623250900","_UID":"0","__MONOTONIC_TIMESTAMP":"33432250900","_HOSTNAME":"userver","__CURSOR":"s=b1a57f169f28412cb21a5eebaae9a7f6;i=7","PRIORITY":"6","_COMM":"systemd","UNIT":"containerd.service","MESSAGE":"Stopped containerd container runtime.","SYSLOG_IDENTIFIER":"systemd","_PID":"1","_BOOT_ID":"5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c","MESSAGE_ID":"9d1aaa27d60140bd96365438aad20286","_SYSTEMD_UNIT":"init.scope"}`, swant{
		format: FormatJournalJSON, time: "2021-10-07T06:20:23.2509Z", quality: event.TimeExact, host: "userver",
		boot: "5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c", program: "systemd", pid: 1, unit: "containerd.service",
		lifecycle: event.Stopped, priority: 6, message: "Stopped containerd container runtime.", cursor: "s=b1a57f169f28412cb21a5eebaae9a7f6;i=7",
		fields: kvs("MESSAGE_ID", "9d1aaa27d60140bd96365438aad20286", "SYSLOG_FACILITY", "3", "UNIT", "containerd.service",
			"_COMM", "systemd", "_SYSTEMD_UNIT", "init.scope", "_UID", "0", "__MONOTONIC_TIMESTAMP", "33432250900")}},
	{"journal json-seq binary and repeated", "", "\x1e" + `{"__REALTIME_TIMESTAMP":"1633587625000000","MESSAGE":[98,97,100,32,255,254],"TAG":["one","two"],"_COMM":"myapp","_SYSTEMD_UNIT":"myapp.service","BIG":null}`, swant{
		format: FormatJournalJSONSeq, time: "2021-10-07T06:20:25Z", quality: event.TimeExact, program: "myapp",
		unit: "myapp.service", priority: noPrio, message: "bad \xff\xfe",
		fields: kvs("TAG", "one", "TAG", "two", "_COMM", "myapp", "_SYSTEMD_UNIT", "myapp.service", "omitted_fields", "BIG")}},
	{"journal json dockerd logfmt stdout", "", `{"__REALTIME_TIMESTAMP":"1633587621500871","SYSLOG_IDENTIFIER":"dockerd","_PID":"901","PRIORITY":"6","_TRANSPORT":"stdout","MESSAGE":"time=\"2021-10-07T06:20:21.500871223Z\" level=error msg=\"failed to get event\" module=libcontainerd"}`, swant{
		format: FormatJournalJSON, time: "2021-10-07T06:20:21.500871Z", quality: event.TimeExact, program: "dockerd", pid: 901,
		priority: 3, message: `time="2021-10-07T06:20:21.500871223Z" level=error msg="failed to get event" module=libcontainerd`,
		fields: kvs("_TRANSPORT", "stdout", "time", "2021-10-07T06:20:21.500871223Z", "level", "error", "msg", "failed to get event", "module", "libcontainerd")}},
	{"journal json finished oneshot", "", `{"__REALTIME_TIMESTAMP":"1633587629000000","SYSLOG_IDENTIFIER":"systemd","MESSAGE":"Finished Daily apt upgrade and clean activities.","MESSAGE_ID":"39f53479d3a045ac8e11786248231fbf","UNIT":"apt-daily-upgrade.service"}`, swant{
		format: FormatJournalJSON, time: "2021-10-07T06:20:29Z", quality: event.TimeExact, program: "systemd",
		unit: "apt-daily-upgrade.service", lifecycle: event.Finished, priority: noPrio, message: "Finished Daily apt upgrade and clean activities.",
		fields: kvs("MESSAGE_ID", "39f53479d3a045ac8e11786248231fbf", "UNIT", "apt-daily-upgrade.service")}},
	{"journal json text lifecycle without MESSAGE_ID", "", `{"__REALTIME_TIMESTAMP":"1633587623000000","SYSLOG_IDENTIFIER":"systemd","MESSAGE":"containerd.service: Succeeded.","_SYSTEMD_UNIT":"init.scope"}`, swant{
		format: FormatJournalJSON, time: "2021-10-07T06:20:23Z", quality: event.TimeExact, program: "systemd",
		unit: "init.scope", lifecycle: event.Stopped, priority: noPrio, message: "containerd.service: Succeeded.",
		fields: kvs("_SYSTEMD_UNIT", "init.scope")}},
}

func TestParseLineStructured(t *testing.T) {
	for _, tc := range structuredCases {
		t.Run(tc.name, func(t *testing.T) {
			o := &Options{Location: kstZone, Year: 2021, Hint: tc.hint}
			ev := freshEvent()
			k := ParseLine([]byte(tc.line), o, ev)
			checkStructured(t, k, ev, tc.want)
		})
	}
}

// Near misses: lines that look like one of the structured formats but are
// not, so parseStructured must leave them to the syslog family / text.
func TestParseStructuredRejects(t *testing.T) {
	cases := []struct{ name, hint, line string }{
		{"rfc3164", "", "Oct  7 06:20:21 userver systemd[1]: Stopping containerd container runtime..."},
		{"rfc3339 syslog", "", "2025-11-11T06:20:21.123456+09:00 web3 dockerd[901]: time=\"x\" level=info msg=\"y\""},
		{"short-iso", "", "2021-10-07T06:20:23+0000 userver systemd[1]: Stopped containerd container runtime."},
		{"korean month", "", "12월 02 06:56:02 test-server systemd[1]: Stopping Docker Application Container Engine..."},
		{"json array", "", `[{"level":"error"}]`},
		{"json object without log keys", "", `{"user":"alice","action":"login"}`},
		{"truncated json", "", `{"level":"error","msg":"cut here`},
		{"json with trailing junk", "", `{"level":"error"} and more`},
		{"logfmt with prose", "", "level=error happened while reading the disk"},
		{"unterminated logfmt quote", "", `time="2025-11-11T02:13:45Z level=error`},
		{"generic dated app log", "", "2025-06-24 14:36:25 server started on port 8080"},
		{"python log unknown level", "", "2021-10-07 06:25:12,442 NOTE something"},
		{"unknown apt-like key without hint", "", "Note: apt-get upgrade"},
		{"start-date bad stamp", "", "Start-Date: yesterday"},
		{"table row", "", "Total  | 5"},
		{"compose no space after bar", "", "traefik-1  |x"},
		// (With nine digits and "Z" the line is `docker logs -t` output.)
		{"cri unknown stream", "", "2021-10-07T06:20:21.433183+00:00 stdin F message"},
		{"bare word", "", "panic: runtime error: index out of range [3] with length 3"},
		{"record separator only", "", "\x1e"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := &Options{Location: kstZone, Year: 2021, Hint: tc.hint}
			ev := freshEvent()
			if k, ok := parseStructured([]byte(tc.line), o, ev); ok {
				t.Fatalf("claimed as %v %q: %+v", k, ev.Source.Format, ev)
			}
		})
	}
}

func TestParseTimeValue(t *testing.T) {
	cases := []struct {
		in   string
		want string
		q    event.TimeQuality
	}{
		{"2021-10-07T06:20:21.500871223Z", "2021-10-07T06:20:21.500871223Z", event.TimeExact},
		{"2021-10-07T06:20:21.4331831Z", "2021-10-07T06:20:21.4331831Z", event.TimeExact},
		{"2021-10-07T06:20:21.521903779+09:00", "2021-10-06T21:20:21.521903779Z", event.TimeExact},
		{"2021-10-07T06:20:21+0000", "2021-10-07T06:20:21Z", event.TimeExact},
		{"2021-10-07T06:20:21-05", "2021-10-07T11:20:21Z", event.TimeExact},
		{"2026-11-22T01:23:22,572326+00:00", "2026-11-22T01:23:22.572326Z", event.TimeExact},
		{"2021-10-07 06:20:21", "2021-10-06T21:20:21Z", event.TimeZoneAssumed},
		{"1633587621", "2021-10-07T06:20:21Z", event.TimeExact},
		{"1633587621500", "2021-10-07T06:20:21.5Z", event.TimeExact},
		{"1633587621500871", "2021-10-07T06:20:21.500871Z", event.TimeExact},
		{"1633587621500871223", "2021-10-07T06:20:21.500871223Z", event.TimeExact},
		{"1633587621.25", "2021-10-07T06:20:21.25Z", event.TimeExact},
	}
	for _, tc := range cases {
		got, q, ok := parseTimeValue([]byte(tc.in), kstZone)
		if !ok || got.Format(time.RFC3339Nano) != tc.want || q != tc.q {
			t.Errorf("parseTimeValue(%q) = %v, %v, %v; want %s, %v", tc.in, got.Format(time.RFC3339Nano), q, ok, tc.want, tc.q)
		}
	}
	for _, bad := range []string{"", "yesterday", "2021-13-07T06:20:21Z", "2021-10-07T25:20:21Z", "2021-10-07T06:20:21+9",
		"2021-10-07T06:20:21Zjunk", "99999999999999999999", "9999999999999999999", "16335876215.5", "1633587621.", "2021-10-07"} {
		if got, _, ok := parseTimeValue([]byte(bad), kstZone); ok {
			t.Errorf("parseTimeValue(%q) = %v, want failure", bad, got)
		}
	}
}

// The Assembler needs KindContinuation lines to carry nothing but their
// message and fields: no time, no program.
func TestAptHistoryBlock(t *testing.T) {
	block := `Start-Date: 2021-10-07  06:25:21
Commandline: /usr/bin/unattended-upgrade
Upgrade: docker.io:amd64 (20.10.7-0ubuntu1~20.04.1, 20.10.7-0ubuntu1~20.04.2), containerd:amd64 (1.5.2-0ubuntu1~20.04.2, 1.5.5-0ubuntu3~20.04.1)
End-Date: 2021-10-07  06:26:03`
	o := &Options{Location: time.UTC, Hint: FormatAptHistory}
	var kinds []Kind
	var keys []string
	for _, l := range strings.Split(block, "\n") {
		ev := freshEvent()
		kinds = append(kinds, ParseLine([]byte(l), o, ev))
		for _, fl := range ev.Fields {
			keys = append(keys, fl.Key)
		}
		if kinds[len(kinds)-1] == KindContinuation && (!ev.Time.IsZero() || ev.Program != "") {
			t.Errorf("continuation %q has time %v / program %q", l, ev.Time, ev.Program)
		}
	}
	if !slices.Equal(kinds, []Kind{KindEntry, KindContinuation, KindContinuation, KindContinuation}) {
		t.Errorf("kinds = %v", kinds)
	}
	if !slices.Equal(keys, []string{"commandline", "upgrade", "end_date"}) {
		t.Errorf("keys = %v", keys)
	}
}
