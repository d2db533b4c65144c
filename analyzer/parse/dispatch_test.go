package parse

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// pasteCase is one line as pasted into a ticket and what ParseLine must
// make of it.
type pasteCase struct {
	name, line string
	kind       Kind
	evKind     event.Kind
	format     string
	host       string
	program    string
	pid        int
	time       string // RFC3339Nano in UTC; "" for none
	quality    event.TimeQuality
	message    string
	fields     map[string]string
}

var pasteCases = []pasteCase{
	{name: "cut syslog line", line: "systemd[1]: Stopping containerd container runtime...",
		kind: KindEntry, format: FormatSyslogCut, program: "systemd", pid: 1, quality: event.TimeNone,
		message: "Stopping containerd container runtime..."},
	{name: "cut line, time from its logfmt payload",
		line: `dockerd[730415]: time="2021-07-28T06:20:24.570000000Z" level=error msg="failed to get event" error="rpc error: code = Unavailable desc = transport is closing"`,
		kind: KindEntry, format: FormatSyslogCut, program: "dockerd", pid: 730415,
		time: "2021-07-28T06:20:24.57Z", quality: event.TimeExact,
		message: `time="2021-07-28T06:20:24.570000000Z" level=error msg="failed to get event" error="rpc error: code = Unavailable desc = transport is closing"`,
		fields:  map[string]string{"level": "error"}},
	{name: "cut line, time from its JSON payload",
		line: `myapp[42]: {"time":"2021-07-28T06:20:24+09:00","level":"warn","msg":"slow"}`,
		kind: KindEntry, format: FormatSyslogCut, program: "myapp", pid: 42,
		time: "2021-07-27T21:20:24Z", quality: event.TimeExact,
		message: `{"time":"2021-07-28T06:20:24+09:00","level":"warn","msg":"slow"}`},
	{name: "cut line, time from its klog header",
		line: `kubelet[1201]: E0728 06:21:00.123456    1201 remote_runtime.go:116] "RunPodSandbox from runtime service failed" err="rpc error"`,
		kind: KindEntry, format: FormatSyslogCut, program: "kubelet", pid: 1201,
		time: "2021-07-28T06:21:00.123456Z", quality: event.TimeYearInferred,
		message: `E0728 06:21:00.123456    1201 remote_runtime.go:116] "RunPodSandbox from runtime service failed" err="rpc error"`},
	{name: "cut time, host kept", line: "web-3 containerd[911]: shim disconnected",
		kind: KindEntry, format: FormatSyslogCut, host: "web-3", program: "containerd", pid: 911, quality: event.TimeNone,
		message: "shim disconnected"},
	{name: "cut kernel line", line: "kernel: [ 1233.412] docker0: port 1(veth3a1b2c4) entered disabled state",
		kind: KindEntry, format: FormatSyslogCut, program: "kernel", quality: event.TimeNone,
		message: "docker0: port 1(veth3a1b2c4) entered disabled state", fields: map[string]string{"kernel_time": "1233.412"}},
	{name: "indented cut line", line: "    systemd[1]: Stopped Docker Application Container Engine.",
		kind: KindEntry, format: FormatSyslogCut, program: "systemd", pid: 1, quality: event.TimeNone,
		message: "Stopped Docker Application Container Engine."},
	{name: "tab-indented cut line", line: "\tsystemd[1]: docker.service: Succeeded.",
		kind: KindEntry, format: FormatSyslogCut, program: "systemd", pid: 1, quality: event.TimeNone,
		message: "docker.service: Succeeded."},
	{name: "quoted cut line", line: "> systemd[1]: Starting Daily apt upgrade and clean activities...",
		kind: KindEntry, format: FormatSyslogCut, program: "systemd", pid: 1, quality: event.TimeNone,
		message: "Starting Daily apt upgrade and clean activities..."},
	{name: "quoted twice, indented journal line", line: "> >   Jul 28 06:20:24 web-3 systemd[1]: Stopping Docker Application Container Engine...",
		kind: KindEntry, format: FormatRFC3164, host: "web-3", program: "systemd", pid: 1,
		time: "2021-07-28T06:20:24Z", quality: event.TimeYearInferred,
		message: "Stopping Docker Application Container Engine..."},
	{name: "indented journalctl short-iso", line: "  2021-07-28T06:20:24+0000 web-3 dockerd[730415]: Daemon shutdown complete",
		kind: KindEntry, format: FormatJournalShortISO, host: "web-3", program: "dockerd", pid: 730415,
		time: "2021-07-28T06:20:24Z", quality: event.TimeExact, message: "Daemon shutdown complete"},
	{name: "dollar prompt", line: "$ docker logs traefik",
		kind: KindEntry, evKind: event.KindCommand, format: FormatPrompt, quality: event.TimeNone,
		message: "docker logs traefik", fields: map[string]string{"command": "docker logs traefik"}},
	{name: "root prompt with host", line: "root@web-3:~# systemctl status docker",
		kind: KindEntry, evKind: event.KindCommand, format: FormatPrompt, host: "web-3", quality: event.TimeNone,
		message: "systemctl status docker", fields: map[string]string{"command": "systemctl status docker"}},
	{name: "user prompt with a path", line: "ubuntu@ip-10-0-0-5:/var/log$ zcat syslog.2.gz | grep dockerd",
		kind: KindEntry, evKind: event.KindCommand, format: FormatPrompt, host: "ip-10-0-0-5", quality: event.TimeNone,
		message: "zcat syslog.2.gz | grep dockerd"},
	{name: "RHEL prompt", line: "[root@web-3 ~]# journalctl -u docker --no-pager",
		kind: KindEntry, evKind: event.KindCommand, format: FormatPrompt, host: "web-3", quality: event.TimeNone,
		message: "journalctl -u docker --no-pager"},
	{name: "bare root prompt", line: "# docker info",
		kind: KindEntry, evKind: event.KindCommand, format: FormatPrompt, quality: event.TimeNone,
		message: "docker info"},
	{name: "quoted prompt", line: "> $ sudo systemctl status containerd",
		kind: KindEntry, evKind: event.KindCommand, format: FormatPrompt, quality: event.TimeNone,
		message: "sudo systemctl status containerd"},
	{name: "a comment is no prompt", line: "# see the log below", kind: KindText, format: FormatText,
		message: "# see the log below"},
	{name: "a heading is no prompt", line: "# Docker logs", kind: KindText, format: FormatText, message: "# Docker logs"},
	{name: "a lone dollar", line: "$ ", kind: KindText, format: FormatText, message: "$ "},
	{name: "a word and a colon is no tag", line: "Note: containerd was upgraded", kind: KindText, format: FormatText,
		message: "Note: containerd was upgraded"},
	{name: "a tag without pid is no cut line", line: "**: rhythmbox-collection.vala:574: Error", kind: KindText, format: FormatText,
		message: "**: rhythmbox-collection.vala:574: Error"},
	{name: "wrapped message text", line: "signature=dbus.Signature('s')), dbus.Array([dbus.String('')])",
		kind: KindText, format: FormatText, message: "signature=dbus.Signature('s')), dbus.Array([dbus.String('')])"},
	{name: "a damaged header still starts a record", line: "\xefan  1 13:37:00 localhost systemd: Stopped target Swap.",
		kind: KindEntry, format: FormatText, message: "\xefan  1 13:37:00 localhost systemd: Stopped target Swap."},
	{name: "a quoted blank line is blank", line: "> ", kind: KindSkip},
	{name: "a bare quote marker is blank", line: ">>", kind: KindSkip},
	{name: "quoted text loses its marker", line: "> the daemon never came back", kind: KindText, format: FormatText,
		message: "the daemon never came back"},
	{name: "indented text keeps its indentation", line: "\tThose messages may not appear in standard system log files.",
		kind: KindContinuation, format: FormatText, message: "\tThose messages may not appear in standard system log files."},
	{name: "indented catalog line", line: "    ░░ Subject: A stop job for unit docker.service has begun execution",
		kind: KindContinuation, format: FormatJournalShort,
		fields: map[string]string{"catalog": "Subject: A stop job for unit docker.service has begun execution"}},
	{name: "apt history key without the hint", line: "Commandline: /usr/bin/unattended-upgrade",
		kind: KindContinuation, format: FormatAptHistory, message: "Commandline: /usr/bin/unattended-upgrade",
		fields: map[string]string{"commandline": "/usr/bin/unattended-upgrade"}},
	{name: "apt history start without the hint", line: "Start-Date: 2021-07-28  06:18:30",
		kind: KindEntry, format: FormatAptHistory, program: "apt", time: "2021-07-28T06:18:30Z", quality: event.TimeZoneAssumed,
		message: "Start-Date: 2021-07-28  06:18:30"},
}

func TestParseLinePasted(t *testing.T) {
	for _, c := range pasteCases {
		t.Run(c.name, func(t *testing.T) {
			for _, deferPayload := range []bool{false, true} {
				p := Parser{DeferPayload: deferPayload}
				var ev event.Event
				ev.Reset()
				k := p.ParseLine([]byte(c.line), &Options{Location: time.UTC, Year: 2021}, &ev)
				if p.Deferred() {
					CompletePayload(&ev)
				}
				got := ev.Time.UTC().Format(time.RFC3339Nano)
				if ev.Time.IsZero() {
					got = ""
				}
				if k != c.kind || ev.Kind != c.evKind || ev.Source.Format != c.format || ev.Host != c.host ||
					ev.Program != c.program || ev.PID != c.pid || got != c.time || ev.Message != c.message {
					t.Fatalf("ParseLine(%q) = kind %d, %s %q host %q program %q pid %d time %q message %q\nwant kind %d, %s %q host %q program %q pid %d time %q message %q",
						c.line, k, ev.Kind, ev.Source.Format, ev.Host, ev.Program, ev.PID, got, ev.Message,
						c.kind, c.evKind, c.format, c.host, c.program, c.pid, c.time, c.message)
				}
				if c.kind == KindEntry && ev.TimeQuality != c.quality {
					t.Errorf("time quality %s, want %s", ev.TimeQuality, c.quality)
				}
				for k, v := range c.fields {
					if got, _ := ev.Field(k); got != v {
						t.Errorf("field %s = %q, want %q", k, got, v)
					}
				}
			}
		})
	}
}

// assemble runs text through ParseLine and an Assembler, as ingest does.
func assemble(t *testing.T, text string, hint string) []event.Event {
	t.Helper()
	a := NewAssembler(AssemblerConfig{Location: time.UTC, Anchor: Anchor{Time: time.Date(2021, 8, 1, 0, 0, 0, 0, time.UTC), End: true, Provenance: "file mtime"}})
	o := &Options{Location: time.UTC, Year: a.ProvisionalYear(), Hint: hint}
	var p Parser
	var out []event.Event
	for i, line := range strings.Split(text, "\n") {
		ps := Parsed{Line: int64(i + 1)}
		ps.Event.Reset()
		ps.Kind = p.ParseLine([]byte(line), o, &ps.Event)
		out = a.Add(out, &ps)
	}
	return a.Flush(out)
}

// messages lists events as "line:message", for comparing in one string.
func messages(evs []event.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, strconv.FormatInt(ev.Source.Line, 10)+":"+ev.Message)
	}
	return out
}

// TestContinuationRule pins the Assembler's continuation rule down,
// case by case (README "Continuation lines").
func TestContinuationRule(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string // "line:message" per event
	}{
		{"an unindented line that cannot start an event continues a syslog message",
			"Mar 11 22:55:30 ubuntu AptDaemon: INFO: CommitPackages() was called: dbus.Array([dbus.String('')],\nsignature=dbus.Signature('s')), dbus.Ar\nMar 11 22:58:58 ubuntu cron[1]: x",
			[]string{"1:INFO: CommitPackages() was called: dbus.Array([dbus.String('')],\nsignature=dbus.Signature('s')), dbus.Ar", "3:x"}},
		{"a one-space continuation keeps its space",
			"Mar 11 22:58:58 ubuntu music[1378]: unity-music-daemon-WARNING\n **: rhythmbox-collection.vala:574: Error",
			[]string{"1:unity-music-daemon-WARNING\n **: rhythmbox-collection.vala:574: Error"}},
		{"a tab continuation keeps its tab; journalctl's padding goes",
			"Aug 16 00:32:15 air syslogd[314]: Configuration Notice:\n\tASL Module claims selected messages.\n                               padded by journalctl",
			[]string{"1:Configuration Notice:\n\tASL Module claims selected messages.\npadded by journalctl"}},
		{"after a blank line, unindented text stands alone",
			"Jul 28 06:20:24 web-3 systemd[1]: Stopped Docker Application Container Engine.\n\nand docker never came back",
			[]string{"1:Stopped Docker Application Container Engine.", "3:and docker never came back"}},
		{"lines of plain text are an event each; indented ones join them",
			"first line of text\nsecond line of text\n  indented under the second",
			[]string{"1:first line of text", "2:second line of text\nindented under the second"}},
		{"indented cut lines are an event each",
			"    systemd[1]: Starting Daily apt upgrade and clean activities...\n    systemd[1]: Stopping Docker Application Container Engine...\n    dockerd[1042]: Daemon shutdown complete",
			[]string{"1:Starting Daily apt upgrade and clean activities...", "2:Stopping Docker Application Container Engine...", "3:Daemon shutdown complete"}},
		{"quoted lines are an event each",
			"> the upgrade ran at night\n> systemd[1]: Stopping Docker Application Container Engine...\n> and nothing started it again",
			[]string{"1:the upgrade ran at night", "2:Stopping Docker Application Container Engine...\nand nothing started it again"}},
		{"an apt key line joins only an apt history entry",
			"Start-Date: 2021-07-28  06:18:30\nCommandline: /usr/bin/unattended-upgrade\nEnd-Date: 2021-07-28  06:20:40\n\nError: it failed",
			[]string{"1:Start-Date: 2021-07-28  06:18:30\nCommandline: /usr/bin/unattended-upgrade\nEnd-Date: 2021-07-28  06:20:40", "5:Error: it failed"}},
		{"old-style catalog lines join a journal entry as field catalog",
			"Oct 20 06:21:04 bulgaria systemd[1]: Stopping Docker Application Container Engine...\n-- Subject: Unit docker.service has begun shutting down\n-- \n-- Unit docker.service has begun shutting down.",
			[]string{"1:Stopping Docker Application Container Engine..."}},
		{"dpkg console lines after a term.log marker are an event each",
			"Log started: 2021-07-28  06:20:11\nPreparing to unpack .../containerd_1.5.2-0ubuntu1~20.04.2_amd64.deb ...\nUnpacking containerd (1.5.2-0ubuntu1~20.04.2) over (1.4.4-0ubuntu1~20.04.2) ...",
			[]string{"1:Log started: 2021-07-28  06:20:11", "2:Preparing to unpack .../containerd_1.5.2-0ubuntu1~20.04.2_amd64.deb ...", "3:Unpacking containerd (1.5.2-0ubuntu1~20.04.2) over (1.4.4-0ubuntu1~20.04.2) ..."}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := messages(assemble(t, c.text, ""))
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("events:\n  %q\nwant:\n  %q", got, c.want)
			}
		})
	}
}

// A prompt's command is in scope until the next prompt or a line of text
// standing on its own; its output lines go to field "output".
func TestCommandScope(t *testing.T) {
	evs := assemble(t, strings.Join([]string{
		"root@web-3:~# docker info",
		"Client:",
		" Context:    default",
		"",
		"Server:",
		" Docker Root Dir: /var/lib/docker",
		"$ journalctl -u docker --no-pager",
		"Jul 28 06:20:24 web-3 systemd[1]: Stopping Docker Application Container Engine...",
		"    dockerd[730415]: Daemon shutdown complete",
		"",
		"that is all I have",
		"systemd[1]: Stopped Docker Application Container Engine.",
	}, "\n"), "")
	type want struct {
		line             int64
		kind             event.Kind
		command, out     string
		quality          event.TimeQuality
		program, message string
	}
	wants := []want{
		// The prompt names the command; its output is read as state.
		{1, event.KindCommand, "docker info", "", event.TimeNone, "", "docker info"},
		{2, event.KindState, "docker info", "", event.TimeNone, "docker", "docker info: root /var/lib/docker"},
		{7, event.KindCommand, "journalctl -u docker --no-pager", "", event.TimeNone, "", "journalctl -u docker --no-pager"},
		{8, event.KindLog, "journalctl -u docker --no-pager", "", event.TimeYearInferred, "systemd", "Stopping Docker Application Container Engine..."},
		{9, event.KindLog, "journalctl -u docker --no-pager", "", event.TimeNone, "dockerd", "Daemon shutdown complete"},
		{11, event.KindLog, "", "", event.TimeInherited, "", "that is all I have"},
		{12, event.KindLog, "", "", event.TimeNone, "systemd", "Stopped Docker Application Container Engine."},
	}
	if len(evs) != len(wants) {
		t.Fatalf("got %d events, want %d: %q", len(evs), len(wants), messages(evs))
	}
	for i, w := range wants {
		ev := evs[i]
		cmd, _ := ev.Field("command")
		out, _ := ev.Field("output")
		if ev.Source.Line != w.line || ev.Kind != w.kind || cmd != w.command || out != w.out || ev.TimeQuality != w.quality ||
			ev.Program != w.program || ev.Message != w.message {
			t.Errorf("event %d: line %d %s command %q output %q time %s program %q message %q\nwant line %d %s command %q output %q time %s program %q message %q",
				i, ev.Source.Line, ev.Kind, cmd, out, ev.TimeQuality, ev.Program, ev.Message,
				w.line, w.kind, w.command, w.out, w.quality, w.program, w.message)
		}
	}
}

// TestTicketPaste reads the unattended-upgrade ticket fixture, a paste
// that mixes prose, apt history.log, journalctl -xe with catalog lines,
// prompts and indented cut syslog lines: one event per log line, each
// read by its own shape, the catalog and history lines joined to theirs.
func TestTicketPaste(t *testing.T) {
	data, err := os.ReadFile("../../fixtures/unattended-upgrade/ticket-paste/ticket.txt")
	if err != nil {
		t.Fatal(err)
	}
	evs := assemble(t, strings.TrimSuffix(string(data), "\n"), "")
	type want struct {
		line    int64
		format  string
		program string
		host    string
		timed   bool
	}
	cut := func(line int64, program string, timed bool) want {
		return want{line, FormatSyslogCut, program, "web-3", timed}
	}
	wants := []want{
		{1, FormatText, "", "", false}, {2, FormatText, "", "", false}, {4, FormatText, "", "", false},
		{6, FormatAptHistory, "apt", "", true},
		{11, FormatPrompt, "", "web-3", false},
		{12, FormatRFC3164, "systemd", "web-3", true}, {20, FormatRFC3164, "systemd", "web-3", true}, {26, FormatRFC3164, "systemd", "web-3", true},
		{35, FormatText, "", "", true},
		{37, FormatPrompt, "", "web-3", false},
		cut(38, "systemd", false), cut(39, "dockerd", true), cut(40, "dockerd", true), cut(41, "systemd", false), cut(42, "systemd", false),
		cut(43, "systemd", false), cut(44, "systemd", false), cut(45, "systemd", false), cut(46, "systemd", false), cut(47, "containerd", true),
		cut(48, "systemd", false),
		{50, FormatPrompt, "", "web-3", false},
	}
	if len(evs) != len(wants) {
		t.Fatalf("got %d events, want %d:\n%s", len(evs), len(wants), strings.Join(messages(evs), "\n"))
	}
	for i, w := range wants {
		ev := evs[i]
		if ev.Source.Line != w.line || ev.Source.Format != w.format || ev.Program != w.program || ev.Host != w.host || ev.Time.IsZero() == w.timed {
			t.Errorf("event %d: line %d %s program %q host %q time %v (%s); want line %d %s program %q host %q timed %v",
				i, ev.Source.Line, ev.Source.Format, ev.Program, ev.Host, ev.Time, ev.TimeQuality, w.line, w.format, w.program, w.host, w.timed)
		}
		if !ev.Time.IsZero() == (ev.TimeQuality == event.TimeNone) {
			t.Errorf("event %d: time %v with quality %s", i, ev.Time, ev.TimeQuality)
		}
	}
	if c, _ := evs[5].Field("catalog"); !strings.HasPrefix(c, "Subject: A start job for unit apt-daily-upgrade.service") || strings.Count(c, "\n") != 6 {
		t.Errorf("catalog of line 12: %q", c)
	}
	if u, _ := evs[3].Field("upgrade"); !strings.Contains(u, "docker.io:amd64") {
		t.Errorf("apt history upgrade field: %q", u)
	}
	if evs[10].Unit != "docker.service" || evs[10].Lifecycle != event.Stopping {
		t.Errorf("line 38: unit %q lifecycle %s", evs[10].Unit, evs[10].Lifecycle)
	}
	if o, _ := evs[21].Field("output"); !strings.HasPrefix(o, "Cannot connect to the Docker daemon") {
		t.Errorf("docker ps output: %q", o)
	}
}

// A long run of header-less lines after one header joins it up to
// maxJoined; the lines after that are events of their own, with one
// warning, and none is lost.
func TestJoinedCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("Jul 28 06:20:24 web-3 myapp[42]: dumping state\n")
	line := strings.Repeat("x", 99)
	n := 2*maxJoined/100 + 10
	for range n {
		b.WriteString(line + "\n")
	}
	ws := &event.Warnings{}
	a := NewAssembler(AssemblerConfig{Path: "app.log", Location: time.UTC, Warnings: ws})
	o := &Options{Location: time.UTC, Year: 2021}
	var p Parser
	var out []event.Event
	for i, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		ps := Parsed{Line: int64(i + 1)}
		ps.Event.Reset()
		ps.Kind = p.ParseLine([]byte(l), o, &ps.Event)
		out = a.Add(out, &ps)
	}
	out = a.Flush(out)
	if len(out[0].Message) < maxJoined || len(out[0].Message) > maxJoined+100 {
		t.Errorf("first event holds %d bytes, want just past %d", len(out[0].Message), maxJoined)
	}
	joined := strings.Count(out[0].Message, "\n")
	if got := joined + len(out) - 1; got != n {
		t.Errorf("%d lines joined + %d events of their own = %d, want %d", joined, len(out)-1, got, n)
	}
	if len(ws.List()) != 1 || !strings.Contains(ws.List()[0].String(), "app.log") {
		t.Errorf("warnings: %v", ws.List())
	}
}

// Coverage says how many of a source's events have no time.
func TestTimeQualityCountsNone(t *testing.T) {
	a := NewAssembler(AssemblerConfig{Location: time.UTC})
	o := &Options{Location: time.UTC, Year: 2021}
	var p Parser
	var out []event.Event
	for i, l := range []string{"2021-07-28T06:20:24Z web-3 systemd[1]: Stopping Docker Application Container Engine...",
		"systemd[1]: Stopped Docker Application Container Engine.", "$ docker ps"} {
		ps := Parsed{Line: int64(i + 1)}
		ps.Event.Reset()
		ps.Kind = p.ParseLine([]byte(l), o, &ps.Event)
		out = a.Add(out, &ps)
	}
	a.Flush(out)
	if got, want := a.TimeQuality(), "exact, 2 without a time"; got != want {
		t.Errorf("TimeQuality() = %q, want %q", got, want)
	}
}
