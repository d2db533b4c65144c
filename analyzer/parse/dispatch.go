package parse

import (
	"bytes"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// The per-line dispatch. Every line is read on its own, whatever format
// the source was sniffed as, so that a file that mixes formats (a
// ticket's paste of apt history.log, then journalctl -xe, then a shell
// prompt and its output) reads each line by its own shape:
//
//  1. A line with nothing but blanks is KindSkip.
//  2. Paste decoration is taken off the front: "> " quote markers (also
//     ">" and "> > ") and indentation (spaces, tabs). The decoration
//     never makes a line a continuation by itself.
//  3. The undecorated line is offered to the recognizers, in order; the
//     first that claims it decides what the line is (an entry, a
//     continuation such as a -x catalog line, a boot marker, ...):
//     a. parseStructured: JSON lines, journal JSON, dpkg.log, apt
//        history and term.log, unattended-upgrades, logfmt, docker
//        compose, CRI;
//     b. parseSyslogFamily: RFC3164, RSYSLOG_FileFormat, RFC5424,
//        journalctl short modes, markers and -x catalog lines, localized
//        months, kernel stamps;
//     c. recognizePrompt: shell prompts with a command;
//     d. recognizeCut: syslog messages whose time and host were cut.
//  4. An unindented line no recognizer claims but with a clock
//     ("13:37:00") near its start is a record whose header no format
//     reads: an entry of format text.
//  5. Any other line cannot start an event: it is KindContinuation when
//     it was indented (leading spaces or a tab after any quote marker;
//     Message keeps the indentation) and KindText otherwise (Message
//     without quote markers). The Assembler decides where it goes (see
//     Assembler.AddAll).
//
// A recognizer reads an undecorated, non-blank line into ev (which the
// caller has Reset) and reports whether the line has its shape; when it
// reports false, it has not modified ev. An entry it returns is finished:
// payload fields and systemd lifecycle derived (finishEntry), or left for
// CompletePayload through p.finish. It must reject the lines it does not
// know from their first bytes, cheaply and without allocating: every line
// of every source passes the recognizers before its own, and the clean
// syslog line must reach the syslog family after one failed byte test in
// each.
//
// ParseLine calls a and b itself and the later ones through
// recognizeLater, each directly: a table of funcs would cost an indirect
// call per recognizer per line and move the Parser to the heap, and the
// clean syslog line pays for no call it does not need (BenchmarkDispatch).
// To add a shape, add its recognizer where its lines stop being ambiguous
// with the ones before it: in recognizeLater, or for a format whose lines
// start with a fixed byte, in parseStructured's switch.

// ParseLine is the package's ParseLine, using and updating p's memory.
func (p *Parser) ParseLine(line []byte, o *Options, ev *event.Event) Kind {
	p.deferred = false
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1] // bytes.TrimSuffix, without its call to bytes.Equal
	}
	if isBlank(line) {
		return KindSkip
	}
	body, indent := line, 0
	if c := line[0]; c == ' ' || c == '\t' || c == '>' {
		body, indent = undecorate(line)
		if len(body) == 0 {
			return KindSkip // a bare quote marker: ">" or "> >"
		}
	}
	if k, ok := parseStructured(body, o, ev); ok {
		if k == KindEntry {
			finishEntry(ev)
		}
		return k
	}
	if k, ok := p.parseSyslogFamily(body, o, ev); ok {
		if k == KindEntry {
			p.finishSyslog(ev)
		}
		return k
	}
	if k, ok := p.recognizeLater(body, o, ev); ok {
		return k
	}
	ev.Source.Format = FormatText
	if indent == 0 && clockNearStart(body) {
		// A record whose header no format reads (a damaged month, a
		// variant nobody writes): it starts an event all the same.
		ev.Message = p.str(body)
		return KindEntry
	}
	if indent > 0 {
		// The indentation stays: what of it is the writer's own is for
		// the Assembler to say, which knows the entry it joins.
		ev.Message = p.str(line[len(line)-len(body)-indent:])
		return KindContinuation
	}
	ev.Message = p.str(body)
	return KindText
}

// recognizeLater offers line to the recognizers after the syslog family,
// in order (see the list above).
func (p *Parser) recognizeLater(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	// Shell prompts with a command: "$ docker logs traefik".
	if k, ok := recognizePrompt(p, line, o, ev); ok {
		return k, true
	}
	// Syslog messages whose time and host were cut: "systemd[1]: msg".
	if k, ok := recognizeCut(p, line, o, ev); ok {
		return k, true
	}
	return KindEntry, false
}

// undecorate returns line without its paste decoration ("> " quote
// markers, then indentation), and how many bytes of indentation there
// were after the quote markers.
func undecorate(line []byte) (body []byte, indent int) {
	i := 0
	for i < len(line) && line[i] == '>' {
		i++
		if i < len(line) && line[i] == ' ' && (i+1 >= len(line) || line[i+1] != ' ' && line[i+1] != '\t') {
			i++ // "> text": the marker's own space
		}
	}
	j := i
	for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
		j++
	}
	return line[j:], j - i
}

// finishSyslog is finish for an entry of the syslog family, whose
// payload no header field names (parsePayload's format cases): the
// payload's shape is read once for both.
func (p *Parser) finishSyslog(ev *event.Event) {
	if m := ev.Message; len(m) >= 4 {
		k := payloadOf(m)
		if p.DeferPayload && deferrableShape(ev, k) {
			p.deferred = true
			return
		}
		addPayload(ev, k)
	}
	deriveSystemd(ev)
}

// finish completes an entry a syslog-shaped recognizer read: it leaves a
// deferrable payload for CompletePayload when p.DeferPayload allows it.
func (p *Parser) finish(ev *event.Event) {
	if p.DeferPayload && deferrable(ev) {
		p.deferred = true
		return
	}
	finishEntry(ev)
}

// recognizeCut reads a syslog message whose stamp (and maybe host) was
// cut: "systemd[1]: Stopping containerd container runtime...", "web-3
// dockerd[730415]: time=... level=error msg=...", "kernel: ...". Only a
// tag with a PID, or "kernel", counts: "Note: ..." and "**: ..." are text.
// The time is the payload's own (logfmt time=, JSON "time", a klog
// header's year-less stamp), else none.
func recognizeCut(p *Parser, line []byte, o *Options, ev *event.Event) (Kind, bool) {
	if byteClass[line[0]]&tagNameByte == 0 {
		return KindEntry, false
	}
	h := header{format: FormatSyslogCut}
	if t, ok := scanTag(line, true, false); ok {
		h.setTag(line, t)
	} else {
		sp := bytes.IndexByte(line, ' ')
		if sp <= 0 || !validHost(line[:sp]) {
			return KindEntry, false
		}
		rest := line[sp+1:]
		t, ok := scanTag(rest, true, false)
		if !ok {
			return KindEntry, false
		}
		h.host = line[:sp]
		h.setTag(rest, t)
	}
	h.commit(ev, p)
	ev.TimeQuality = event.TimeNone
	payloadTime(h.msg, o.Location, ev)
	if ev.Time.IsZero() {
		klogTime(h.msg, o, ev)
	}
	p.finish(ev)
	return KindEntry, true
}

// klogTime sets ev's time from a klog header ("E0728 06:21:00.123456
// 1201 remote_runtime.go:116] ...", kubelet's own stamp, in its local
// time and without a year): year_inferred, as a syslog stamp is.
func klogTime(m []byte, o *Options, ev *event.Event) {
	if len(m) < 16 || m[14] != '.' {
		return // klog always writes the microseconds
	}
	if t, _, ok := klogStamp(m, o); ok {
		ev.Time, ev.TimeQuality = t, event.TimeYearInferred
	}
}

// recognizePrompt reads a pasted shell prompt and its command:
//
//	$ docker logs traefik
//	# docker info                      (only a well-known command: see rootCommand)
//	root@web-3:~# systemctl status docker
//	ubuntu@ip-10-0-0-5:/var/log$ zcat syslog.2.gz | grep dockerd
//	[root@web-3 ~]# journalctl -u docker
//
// The entry is of kind command: Message and field "command" hold the
// command line as typed, Host the host a prompt names. It has no time.
func recognizePrompt(p *Parser, line []byte, _ *Options, ev *event.Event) (Kind, bool) {
	var host, cmd []byte
	switch c := line[0]; {
	case c == '$' || c == '#':
		if len(line) < 3 || line[1] != ' ' {
			return KindEntry, false
		}
		cmd = bytes.TrimSpace(line[2:])
		if c == '#' && !rootCommand(cmd) {
			return KindEntry, false // a comment: "# see below"
		}
	case c == '[':
		// [user@host dir]$ cmd
		end := bytes.IndexByte(line[:min(len(line), 129)], ']')
		if end < 4 || end+2 >= len(line) || (line[end+1] != '$' && line[end+1] != '#') || line[end+2] != ' ' {
			return KindEntry, false
		}
		at := bytes.IndexByte(line[1:end], '@')
		if at <= 0 {
			return KindEntry, false
		}
		host, _ = cutSpace(line[at+2 : end])
		cmd = bytes.TrimSpace(line[end+3:])
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
		// user@host:dir$ cmd
		i := 1
		for i < len(line) && i < 64 && isNameByte(line[i]) {
			i++
		}
		if i >= len(line) || line[i] != '@' {
			return KindEntry, false
		}
		j := i + 1
		for j < len(line) && j-i < 128 && isNameByte(line[j]) {
			j++
		}
		if j == i+1 || j >= len(line) || line[j] != ':' {
			return KindEntry, false
		}
		host = line[i+1 : j]
		k := j + 1
		for k < len(line) && k-j < 256 && line[k] != ' ' && line[k] != '$' && line[k] != '#' {
			k++
		}
		if k+1 >= len(line) || (line[k] != '$' && line[k] != '#') || line[k+1] != ' ' {
			return KindEntry, false
		}
		cmd = bytes.TrimSpace(line[k+2:])
	default:
		return KindEntry, false
	}
	if !commandShape(cmd) {
		return KindEntry, false
	}
	ev.Kind = event.KindCommand
	ev.TimeQuality = event.TimeNone
	ev.Source.Format = FormatPrompt
	if len(host) > 0 {
		ev.Host = p.host(host)
	}
	ev.Message = p.str(cmd)
	ev.Fields = append(ev.Fields, event.Field{Key: "command", Value: ev.Message})
	return KindEntry, true
}

// commandShape reports whether cmd starts with a plausible command word:
// a lower-case name or a path ("docker", "./run.sh", "/usr/bin/x"), then
// a space or the end.
func commandShape(cmd []byte) bool {
	if len(cmd) == 0 {
		return false
	}
	if c := cmd[0]; !(c >= 'a' && c <= 'z' || c == '.' || c == '/' || c == '~' || c == '_') {
		return false
	}
	for i, c := range cmd {
		if c == ' ' {
			return i > 0
		}
		if !(isNameByte(c) || c == '/' || c == '~' || c == '+') {
			return false
		}
	}
	return true
}

// rootCommand reports whether cmd, after a bare "# " (root's prompt, or
// a comment), starts with a command an administrator pastes with its
// output: a bare "#" line is a comment more often than not.
func rootCommand(cmd []byte) bool {
	w, _ := cutSpace(cmd)
	switch string(w) {
	case "apt", "apt-get", "apt-cache", "cat", "crictl", "ctr", "df", "dmesg", "docker", "docker-compose",
		"dpkg", "free", "grep", "head", "ip", "journalctl", "kubectl", "less", "ls", "lsb_release",
		"mount", "netstat", "ps", "route", "service", "snap", "ss", "sudo", "systemctl", "tail",
		"timedatectl", "uname", "uptime", "zcat", "zgrep":
		return true
	}
	return false
}

// clockNearStart reports an "HH:MM:SS" in the first bytes of b, where a
// log header puts its stamp.
func clockNearStart(b []byte) bool {
	n := min(len(b), 32)
	for i := 0; i+8 <= n; i++ {
		if b[i+2] == ':' && b[i+5] == ':' && isDigit(b[i]) && isDigit(b[i+1]) &&
			isDigit(b[i+3]) && isDigit(b[i+4]) && isDigit(b[i+6]) && isDigit(b[i+7]) {
			return true
		}
	}
	return false
}
