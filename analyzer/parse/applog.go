package parse

import (
	"bytes"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Application and platform console shapes: what Go programs, web servers
// and container runtimes write when nobody configured a structured log,
// and what people paste from `docker logs`. Each parser here is entered
// on a byte test or two from the dispatch and gives up on the first byte
// that does not fit.

// Format names of the application and platform shapes (family "app").
const (
	FormatZerolog          = "zerolog"           // 2025-11-10T23:03:43Z ERR msg key=value
	FormatLogrus           = "logrus"            // ERRO[0000] msg key=value
	FormatGoLog            = "golog"             // 2020/04/13 10:00:00 msg
	FormatNginx            = "nginx-error"       // 2024/01/15 10:00:00 [error] 1234#1234: *5 msg
	FormatApache           = "apache-error"      // [Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1] msg
	FormatKlog             = "klog"              // E1202 06:20:21.433183    1234 file.go:12] msg
	FormatDockerTimestamps = "docker-timestamps" // docker logs -t: 2021-10-07T06:20:21.433183114Z msg
	FormatContainerTSV     = "container-tsv"     // 2021-10-07T06:20:21Z<TAB>stderr<TAB>msg
)

var (
	nginxName  = []byte("nginx")
	apacheName = []byte("httpd")
)

// parseTStamped parses the lines that start with "YYYY-MM-DDT": CRI
// container logs, tab-separated exports, zerolog console lines and
// `docker logs -t`. RFC3339 syslog and journalctl short-iso lines start
// the same way and are left to the syslog family: a tab, a stream name,
// a zerolog level or a nine-digit UTC fraction tells the others apart,
// each tested on a byte or two.
func parseTStamped(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	sp := bytes.IndexByte(line, ' ')
	if sp < 19 || sp > 40 {
		if tab := tabAfterStamp(line, len(line)); tab > 0 {
			return parseContainerTSV(line, tab, o, ev)
		}
		return KindEntry, false
	}
	rest := line[sp+1:]
	if len(rest) == 0 {
		return KindEntry, false
	}
	// zerologAfter(line, sp), written out: a call per RFC3339 syslog line
	// is dearer than the test (it does not inline).
	zerolog := len(rest) >= 3 && (len(rest) == 3 || rest[3] == ' ') && isZerologLevel(rest[:3])
	switch {
	case zerolog:
		return parseZerolog(line, sp, o, ev)
	case sp == 32 && (line[26] == '+' || line[26] == '-') && rest[0] != 's' && rest[0] != ' ' && rest[0] != '[':
		// RSYSLOG_FileFormat's stamp, the common case: no tab before
		// it, no stream, level or thread after it.
		return KindEntry, false
	case startsWith(rest, "stdout ") || startsWith(rest, "stderr "):
		return parseCRI(line, o, ev)
	case rest[0] == ' ' || rest[0] == '[' || rest[0] >= 'A' && rest[0] <= 'Z':
		// Spring Boot 3: "2024-03-02T10:15:01.123+09:00  INFO 4121 --- ..."
		if k, ok := parseJavaDated(line, o, ev); ok {
			return k, true
		}
	}
	if tab := tabAfterStamp(line, sp); tab > 0 {
		return parseContainerTSV(line, tab, o, ev)
	}
	// Docker prints RFC3339Nano with all nine digits
	// (jsonmessage.RFC3339NanoFixed); rsyslog and journalctl print six.
	if line[19] == '.' && (sp == 30 && line[29] == 'Z' || sp == 35 && (line[29] == '+' || line[29] == '-')) {
		t, q, ok := parseTimeValue(line[:sp], o.Location)
		if !ok {
			return KindEntry, false
		}
		ev.Time, ev.TimeQuality = t, q
		ev.Message = toValidString(rest)
		ev.Source.Format = FormatDockerTimestamps
		return KindEntry, true
	}
	return KindEntry, false
}

// tabAfterStamp returns the index of the tab that ends the stamp at the
// start of line, if one comes before end, at index 19 or later.
func tabAfterStamp(line []byte, end int) int {
	if t := bytes.IndexByte(line[min(19, end):min(end, 41)], '\t'); t >= 0 {
		return 19 + t
	}
	return 0
}

// zerologLevel maps zerolog's console level abbreviations to a
// priority; "???", the console writer's word for a line without a level,
// is NoPriority.
func zerologLevel(b []byte) (event.Priority, bool) {
	switch string(b) {
	case "TRC", "DBG":
		return 7, true
	case "INF":
		return 6, true
	case "WRN":
		return 4, true
	case "ERR":
		return 3, true
	case "FTL":
		return 2, true
	case "PNC":
		return 0, true
	case "???":
		return event.NoPriority, true
	}
	return event.NoPriority, false
}

// isZerologLevel is the cheap test before zerologLevel: three upper case
// letters or "???".
func isZerologLevel(b []byte) bool {
	c := b[0]
	if (c < 'A' || c > 'Z') && c != '?' {
		return false
	}
	_, ok := zerologLevel(b)
	return ok
}

// zerologAfter reports whether a zerolog console level follows the stamp
// that ends at sp in b.
func zerologAfter(b []byte, sp int) bool {
	r := b[min(len(b), sp+1):]
	return sp >= 0 && len(r) >= 3 && (len(r) == 3 || r[3] == ' ') && isZerologLevel(r[:3])
}

// parseZerolog parses zerolog's ConsoleWriter line as Traefik v3 writes
// it: "2025-11-10T23:03:43Z ERR msg key=value", optionally with the
// caller, "... ERR github.com/traefik/traefik/v3/pkg/provider/docker/pdocker.go:85 > msg".
// The stamp ends at sp. Message is the text after the level (and caller);
// the trailing key=value pairs also become fields, as does the stamp as
// written ("time": its offset is the writer's zone).
func parseZerolog(line []byte, sp int, o *Options, ev *event.Event) (Kind, bool) {
	t, q, ok := parseTimeValue(line[:sp], o.Location)
	if !ok {
		return KindEntry, false
	}
	rest := line[sp+1:]
	pri, _ := zerologLevel(rest[:3])
	msg := rest[min(len(rest), 4):]
	var caller []byte
	if c, m, ok := cutCaller(msg); ok {
		caller, msg = c, m
	}
	ev.Time, ev.TimeQuality = t, q
	ev.Priority = pri
	ev.Message = toValidString(msg)
	ev.Source.Format = FormatZerolog
	ev.Fields = append(ev.Fields,
		event.Field{Key: "time", Value: toValidString(line[:sp])},
		event.Field{Key: "level", Value: toValidString(rest[:3])})
	if caller != nil {
		ev.Fields = append(ev.Fields, event.Field{Key: "caller", Value: toValidString(caller)})
	}
	addTrailingPairs(ev, ev.Message)
	return KindEntry, true
}

// cutCaller splits zerolog's "file.go:85 > msg" into the caller and the
// message: the first word must end in ":digits" and be followed by " > ".
func cutCaller(b []byte) (caller, msg []byte, ok bool) {
	sp := bytes.IndexByte(b, ' ')
	if sp < 3 || sp+2 >= len(b) || b[sp+1] != '>' || (sp+2 < len(b) && b[sp+2] != ' ') {
		return nil, nil, false
	}
	w := b[:sp]
	i := len(w)
	for i > 0 && isDigit(w[i-1]) {
		i--
	}
	if i == len(w) || i == 0 || w[i-1] != ':' {
		return nil, nil, false
	}
	return w, b[min(len(b), sp+3):], true
}

// logrusLevel maps logrus' four-letter console levels to a priority.
func logrusLevel(b []byte) (event.Priority, bool) {
	switch string(b) {
	case "TRAC", "DEBU":
		return 7, true
	case "INFO":
		return 6, true
	case "WARN":
		return 4, true
	case "ERRO":
		return 3, true
	case "FATA":
		return 2, true
	case "PANI":
		return 0, true
	}
	return event.NoPriority, false
}

// parseLogrus parses logrus' TextFormatter console line:
// "ERRO[0005] msg   key=value" (seconds since the program started: no
// time) or, with FullTimestamp, "ERRO[2021-04-06T08:31:05+02:00] msg".
// The caller checked line[4] == '['. logrus pads the message to 44
// columns before the fields; Message keeps the text as written, without
// trailing blanks.
func parseLogrus(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	pri, ok := logrusLevel(line[:4])
	if !ok {
		return KindEntry, false
	}
	end := bytes.IndexByte(line[5:min(len(line), 60)], ']')
	if end < 1 {
		return KindEntry, false
	}
	stamp := line[5 : 5+end]
	rest := line[5+end+1:]
	if len(rest) > 0 {
		if rest[0] != ' ' {
			return KindEntry, false
		}
		rest = bytes.TrimRight(rest[1:], " \t")
	}
	if _, digits := atoiN(stamp); digits {
		// Seconds since start: the line holds no time at all.
		ev.TimeQuality = event.TimeNone
		ev.Fields = append(ev.Fields, event.Field{Key: "elapsed", Value: toValidString(stamp)})
	} else if t, q, ok := parseTimeValue(stamp, o.Location); ok {
		ev.Time, ev.TimeQuality = t, q
		ev.Fields = append(ev.Fields, event.Field{Key: "time", Value: toValidString(stamp)})
	} else {
		return KindEntry, false
	}
	ev.Priority = pri
	ev.Message = toValidString(rest)
	ev.Source.Format = FormatLogrus
	ev.Fields = append(ev.Fields, event.Field{Key: "level", Value: toValidString(line[:4])})
	addTrailingPairs(ev, ev.Message)
	return KindEntry, true
}

// addTrailingPairs adds the key=value pairs that end msg as fields: the
// longest tail of msg, starting after a blank, that decodes as logfmt
// pairs only. Console formatters (logrus, zerolog) write the message and
// then the pairs, so the message itself may hold '=' and blanks.
func addTrailingPairs(ev *event.Event, msg string) {
	b := bytesOf(msg)
	var d logfmtDecoder
	for i := 0; i < len(b); {
		// The next word start that looks like "key=".
		if i > 0 || !logfmtStart(msg) {
			sp := bytes.IndexByte(b[i:], ' ')
			if sp < 0 {
				return
			}
			i += sp + 1
			if i >= len(b) || b[i] == ' ' || !logfmtStart(msg[i:]) {
				continue
			}
		}
		if pairsOnly(&d, b[i:]) {
			for d.Reset(b[i:]); d.Next(); {
				ev.Fields = append(ev.Fields, event.Field{Key: internKey(d.Key()), Value: d.valueIn(msg[i:])})
			}
			return
		}
		if i == 0 {
			i = 1 // the whole message was no tail of pairs: look further on
		}
	}
}

// pairsOnly reports whether b is key=value pairs and nothing else.
func pairsOnly(d *logfmtDecoder, b []byte) bool {
	d.Reset(b)
	n := 0
	for d.Next() {
		if !d.HasEq() {
			return false
		}
		n++
	}
	return !d.Err() && n > 0
}

// parseSlashDated parses the lines that start with "YYYY/MM/DD HH:MM:SS":
// Go's standard log package ("2020/04/13 10:00:00 msg", with
// Lmicroseconds a ".123456", with Lshortfile a "main.go:12: " caller)
// and nginx's error log ("2024/01/15 10:00:00 [error] 1234#1234: *5
// msg"), local times without a zone. A "[level]" after the stamp sets the
// priority; a "pid#tid: " after it makes the line nginx's.
func parseSlashDated(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	if len(line) < 20 || line[4] != '/' || line[7] != '/' || line[10] != ' ' || line[13] != ':' || line[16] != ':' {
		return KindEntry, false
	}
	var c civil
	var ok1, ok2, ok3 bool
	c.year, ok1 = atoiN(line[0:4])
	c.month, ok2 = atoiN(line[5:7])
	c.day, ok3 = atoiN(line[8:10])
	if !ok1 || !ok2 || !ok3 {
		return KindEntry, false
	}
	cl, p, ok := readClock(line, 11, '.')
	if !ok || (p < len(line) && line[p] != ' ') {
		return KindEntry, false
	}
	c.hour, c.min, c.sec, c.nsec = cl.h, cl.m, cl.s, cl.ns
	if !c.valid() || c.day > daysIn(time.Month(c.month), c.year) {
		return KindEntry, false
	}
	ev.Time = c.local(o.Location)
	ev.TimeQuality = event.TimeZoneAssumed
	ev.Source.Format = FormatGoLog
	msg := line[min(len(line), p+1):]
	if lv, r, ok := cutBracketLevel(msg); ok {
		if pri, ok := levelPriority(lv); ok {
			ev.Priority = pri
		}
		ev.Fields = append(ev.Fields, event.Field{Key: "level", Value: toValidString(lv)})
		msg = r
		if pid, r, ok := cutNginxPID(msg); ok {
			ev.Program, ev.PID = internProgram(nginxName), pid
			ev.Source.Format = FormatNginx
			msg = r
		}
	} else if caller, r, ok := cutGoCaller(msg); ok {
		ev.Fields = append(ev.Fields, event.Field{Key: "caller", Value: toValidString(caller)})
		msg = r
	}
	ev.Message = toValidString(msg)
	if ev.Source.Format == FormatNginx {
		addNginxContext(ev, ev.Message)
	}
	return KindEntry, true
}

// cutBracketLevel splits "[error] rest" into "error" and "rest" when the
// word in brackets is a log level.
func cutBracketLevel(b []byte) (level, rest []byte, ok bool) {
	if len(b) < 4 || b[0] != '[' {
		return nil, nil, false
	}
	end := bytes.IndexByte(b[1:min(len(b), 14)], ']')
	if end < 1 {
		return nil, nil, false
	}
	lv := b[1 : 1+end]
	if _, ok := levelPriority(lv); !ok {
		return nil, nil, false
	}
	rest = b[2+end:]
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	return lv, rest, true
}

// cutNginxPID splits nginx's "1234#1234: rest" into the PID and the rest
// (the thread id after '#' is dropped).
func cutNginxPID(b []byte) (pid int, rest []byte, ok bool) {
	h := bytes.IndexByte(b[:min(len(b), 12)], '#')
	if h < 1 {
		return 0, nil, false
	}
	pid, ok = atoiN(b[:h])
	if !ok {
		return 0, nil, false
	}
	i := h + 1
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	if i == h+1 || i+1 >= len(b) || b[i] != ':' || b[i+1] != ' ' {
		return 0, nil, false
	}
	return pid, b[i+2:], true
}

// cutGoCaller splits Go log's Lshortfile/Llongfile "main.go:12: msg".
func cutGoCaller(b []byte) (caller, msg []byte, ok bool) {
	sp := bytes.IndexByte(b[:min(len(b), 256)], ' ')
	if sp < 6 || b[sp-1] != ':' {
		return nil, nil, false
	}
	w := b[:sp-1]
	i := len(w)
	for i > 0 && isDigit(w[i-1]) {
		i--
	}
	if i == len(w) || i < 4 || w[i-1] != ':' || !bytes.HasSuffix(w[:i-1], []byte(".go")) {
		return nil, nil, false
	}
	return w, b[sp+1:], true
}

// nginxContext are the ", key: value" pairs nginx appends to an error
// message, in the order it writes them.
var nginxContext = [...]string{", client: ", ", server: ", ", request: ", ", upstream: ", ", host: ", ", referrer: "}

// addNginxContext adds the client, server, request, upstream, host and
// referrer nginx appends to an error as fields (quotes dropped).
func addNginxContext(ev *event.Event, msg string) {
	at := 0
	for k, key := range nginxContext {
		i := indexFrom(msg, key, at)
		if i < 0 {
			continue
		}
		v := i + len(key)
		end := len(msg)
		for _, next := range nginxContext[k+1:] {
			if j := indexFrom(msg, next, v); j >= 0 {
				end = j
				break
			}
		}
		val := msg[v:end]
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		ev.Fields = append(ev.Fields, event.Field{Key: key[2 : len(key)-2], Value: val})
		at = end
	}
}

func indexFrom(s, sub string, from int) int {
	if from > len(s) {
		return -1
	}
	if i := bytes.Index(bytesOf(s[from:]), bytesOf(sub)); i >= 0 {
		return from + i
	}
	return -1
}

// parseApacheError reads Apache httpd's error log: 2.4's "[Wed Oct 11
// 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client
// 1.2.3.4:5678] AH00037: msg" and 2.2's "[Wed Oct 11 14:32:52 2000]
// [error] [client 1.2.3.4] msg". The weekday stamp is dmesg -T's too; the
// "] [" after it tells them apart. Local time, no zone.
func parseApacheError(line []byte, o *Options, h *header) bool {
	// [Www Mmm dd HH:MM:SS[.uuuuuu] YYYY] [
	c, p, ok := weekdayStamp(line, '.')
	if !ok || p+2 > len(line) || line[p] != ' ' || line[p+1] != '[' {
		return false
	}
	rest := line[p+1:]
	// [module:level] (2.4) or [level] (2.2)
	end := bytes.IndexByte(rest[:min(len(rest), 40)], ']')
	if end < 2 {
		return false
	}
	tagText := rest[1:end]
	level := tagText
	if i := bytes.IndexByte(tagText, ':'); i >= 0 {
		level = tagText[i+1:]
	}
	pri, ok := apacheLevel(level)
	if !ok {
		return false
	}
	if len(level) != len(tagText) {
		h.key, h.val = "module", tagText[:len(tagText)-len(level)-1]
	}
	rest = bytes.TrimLeft(rest[end+1:], " ")
	// [pid 35708:tid 4328636416] or [pid 35708]
	if hasPrefix(rest, "[pid ") {
		i := 5
		pid := 0
		for i < len(rest) && isDigit(rest[i]) && pid < 1<<30 {
			pid = pid*10 + int(rest[i]-'0')
			i++
		}
		if e := bytes.IndexByte(rest, ']'); e >= i {
			h.pid = pid
			rest = bytes.TrimLeft(rest[e+1:], " ")
		}
	}
	h.t = c.local(o.Location)
	h.q = event.TimeZoneAssumed
	h.format = FormatApache
	h.prog = apacheName
	h.setPriority(pri)
	h.msg = rest
	return true
}

// apacheLevel maps an httpd LogLevel name (trace1..trace8 included).
func apacheLevel(b []byte) (event.Priority, bool) {
	if len(b) == 6 && hasPrefix(b, "trace") && b[5] >= '1' && b[5] <= '8' {
		return 7, true
	}
	return levelPriority(b)
}

// parseKlogLine parses a klog line on its own, as `kubectl logs` prints a
// Kubernetes component's output: "E1202 06:20:21.433183    1234
// kubelet.go:2000] msg". klog writes no year and local time; the number
// after the clock is the process id. The caller checked the level letter
// and a digit after it.
func parseKlogLine(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	if len(line) < 30 {
		return KindEntry, false
	}
	t, p, ok := klogStamp(line, o)
	if !ok || p >= len(line) || line[p] != ' ' {
		return KindEntry, false
	}
	for p < len(line) && line[p] == ' ' {
		p++
	}
	pid := 0
	d := p
	for p < len(line) && isDigit(line[p]) && p-d < 10 {
		pid = pid*10 + int(line[p]-'0')
		p++
	}
	if p == d || p >= len(line) || line[p] != ' ' {
		return KindEntry, false
	}
	s := p + 1
	e := s
	for e < len(line) && line[e] != ']' && line[e] != ' ' {
		e++
	}
	if e == s || e >= len(line) || line[e] != ']' || (e+1 < len(line) && line[e+1] != ' ') {
		return KindEntry, false
	}
	ev.Time, ev.TimeQuality = t, event.TimeYearInferred
	ev.PID = pid
	ev.Priority = klogPriority(line[0])
	ev.Source.Format = FormatKlog
	ev.Message = toValidString(line[min(len(line), e+2):])
	ev.Fields = append(ev.Fields, event.Field{Key: "source", Value: toValidString(line[s:e])})
	klogStructured(ev, ev.Message, 0)
	return KindEntry, true
}

// klogStamp reads the stamp a klog header starts with, "Lmmdd
// hh:mm:ss[.uuuuuu]" (L the level letter): a local time without a year,
// built in o's provisional year. It returns the index after the clock.
func klogStamp(b []byte, o *Options) (t time.Time, end int, ok bool) {
	if len(b) < 14 || b[5] != ' ' {
		return t, 0, false
	}
	switch b[0] {
	case 'I', 'W', 'E', 'F':
	default:
		return t, 0, false
	}
	mo, ok1 := num2(b, 1)
	d, ok2 := num2(b, 3)
	c, p, ok3 := readClock(b, 6, '.')
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), 2000) {
		return t, 0, false
	}
	m := time.Month(mo)
	lc := civil{provisionalYear(o.Year, m, d), mo, d, c.h, c.m, c.s, c.ns}
	return lc.local(o.Location), p, true
}

func klogPriority(c byte) event.Priority {
	switch c {
	case 'I':
		return 6
	case 'W':
		return 4
	case 'E':
		return 3
	}
	return 2
}

// parseContainerTSV parses a tab-separated container log export, one
// record per line: time, stream, text ("2021-10-07T06:20:21.433Z
// <TAB>stderr<TAB>msg"; the time may also be "2021-10-07 06:20:21"). The
// first tab is at tab.
func parseContainerTSV(line []byte, tab int, o *Options, ev *event.Event) (Kind, bool) {
	rest := line[tab+1:]
	var stream string
	switch {
	case startsWith(rest, "stdout\t"):
		stream = "stdout"
	case startsWith(rest, "stderr\t"):
		stream = "stderr"
	default:
		return KindEntry, false
	}
	t, q, ok := parseTimeValue(bytes.TrimRight(line[:tab], " "), o.Location)
	if !ok {
		return KindEntry, false
	}
	ev.Time, ev.TimeQuality = t, q
	ev.Message = toValidString(bytes.TrimRight(rest[7:], "\r"))
	ev.Source.Format = FormatContainerTSV
	ev.Fields = append(ev.Fields, event.Field{Key: "stream", Value: stream})
	return KindEntry, true
}

// consolePayload reads the console shapes above when they are the
// payload of another envelope (a compose prefix, a Docker json-file
// record, a CRI line, a syslog message): the level sets the priority when
// the envelope gave none (or only journald's stream default), the
// payload's stamp sets the time when the envelope had none, and the stamp
// as written, the level and trailing key=value pairs become fields. The
// message is not changed. The caller tested the first byte.
func consolePayload(ev *event.Event, m string) {
	b := bytesOf(m)
	var (
		pri   = event.NoPriority
		level []byte
		stamp []byte
		body  int // where the text after the header starts
		ok    bool
	)
	switch c := b[0]; {
	case isDigit(c):
		switch {
		case len(b) > 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T':
			sp := bytes.IndexByte(b[:min(len(b), 41)], ' ')
			if sp < 19 || !zerologAfter(b, sp) {
				return
			}
			pri, _ = zerologLevel(b[sp+1 : sp+4])
			stamp, level, body, ok = b[:sp], b[sp+1:sp+4], min(len(b), sp+5), true
		case len(b) > 20 && b[4] == '/' && b[7] == '/' && b[10] == ' ' && b[13] == ':':
			p := 19
			if b[p] == '.' {
				for p++; p < len(b) && isDigit(b[p]); p++ {
				}
			}
			if p >= len(b) || b[p] != ' ' {
				return
			}
			lv, _, isLevel := cutBracketLevel(b[p+1:])
			if !isLevel {
				return // plain Go log: a stamp says nothing about the level
			}
			pri, _ = levelPriority(lv)
			level, ok = lv, true
			// The stamp is local time without a zone: leave the time to
			// the envelope.
		}
	case c >= 'A' && c <= 'Z' && len(b) > 6 && b[4] == '[':
		p, isLevel := logrusLevel(b[:4])
		end := bytes.IndexByte(b[5:min(len(b), 60)], ']')
		if !isLevel || end < 1 {
			return
		}
		pri, level, ok = p, b[:4], true
		if _, digits := atoiN(b[5 : 5+end]); !digits {
			stamp = b[5 : 5+end]
		}
		body = min(len(b), 5+end+2)
	}
	if !ok {
		return
	}
	if weakPriority(ev) {
		ev.Priority = pri
	}
	if stamp != nil {
		if ev.TimeQuality == event.TimeUnknown {
			if t, q, ok := parseTimeValue(stamp, time.UTC); ok && q == event.TimeExact {
				ev.Time, ev.TimeQuality = t, q
			}
		}
		ev.Fields = append(ev.Fields, event.Field{Key: "time", Value: within(m, b, stamp)})
	}
	ev.Fields = append(ev.Fields, event.Field{Key: "level", Value: within(m, b, level)})
	if body > 0 {
		addTrailingPairs(ev, m[body:])
	}
}

// within returns x, a slice of b (the bytes of s), as a substring of s.
func within(s string, b, x []byte) string {
	off := cap(b) - cap(x)
	return s[off : off+len(x)]
}

// FormatJavaLog is a JVM logging line: logback, log4j2 or Spring Boot's
// layout, whose stack traces follow it on lines of their own.
const FormatJavaLog = "java-log"

// parseJavaLog reads the rest of a JVM logging line after its stamp,
// which ends at sp (a blank): the level and a "[thread]" in either order
// (logback "2024-03-02 10:15:01.123 ERROR [main] c.e.App - msg", log4j2
// "2024-03-02 10:15:01,123 [main] ERROR c.e.App - msg"), or Spring Boot's
// "2024-03-02 10:15:01.123 ERROR 4121 --- [main] o.s.b.SpringApplication
// : msg". A thread or Spring's pid is required: a stamp and a level
// alone are many formats' (unattended-upgrades' among them). The time is
// set by the caller.
func parseJavaLog(line []byte, sp int, ev *event.Event) bool {
	rest := bytes.TrimLeft(line[sp:], " ")
	var thread, level []byte
	if len(rest) > 0 && rest[0] == '[' {
		thread, rest = cutBracket(rest)
		if thread == nil {
			return false
		}
	}
	level, rest = cutSpace(rest)
	pri, ok := javaLevel(level)
	if !ok {
		return false
	}
	pid := 0
	if thread == nil {
		// Spring Boot: "4121 --- [app] [thread] logger : msg"
		if i := bytes.Index(rest[:min(len(rest), 16)], []byte(" --- ")); i > 0 {
			if n, ok := atoiN(rest[:i]); ok {
				pid = n
				rest = bytes.TrimLeft(rest[i+5:], " ")
				for len(rest) > 0 && rest[0] == '[' {
					t, r := cutBracket(rest)
					if t == nil {
						break
					}
					thread, rest = t, bytes.TrimLeft(r, " ")
				}
			}
		} else if len(rest) > 0 && rest[0] == '[' {
			thread, rest = cutBracket(rest)
		}
		if thread == nil {
			return false
		}
	}
	// "logger - msg" (logback, log4j) or "logger   : msg" (Spring)
	var logger []byte
	if w, r := cutSpace(rest); len(w) > 0 {
		switch {
		case startsWith(r, "- "):
			logger, rest = w, r[2:]
		case startsWith(r, ": "):
			logger, rest = w, r[2:]
		}
	}
	ev.Priority = pri
	ev.PID = pid
	ev.Message = toValidString(rest)
	ev.Source.Format = FormatJavaLog
	ev.Fields = append(ev.Fields,
		event.Field{Key: "level", Value: toValidString(level)},
		event.Field{Key: "thread", Value: toValidString(bytes.TrimSpace(thread))})
	if logger != nil {
		ev.Fields = append(ev.Fields, event.Field{Key: "logger", Value: toValidString(logger)})
	}
	return true
}

// cutBracket splits "[main] rest" into "main" and "rest" (blanks after
// the bracket dropped); nil when b has no closing bracket early on.
func cutBracket(b []byte) (inner, rest []byte) {
	end := bytes.IndexByte(b[:min(len(b), 128)], ']')
	if end < 1 {
		return nil, b
	}
	return b[1:end], bytes.TrimLeft(b[end+1:], " ")
}

// javaLevel maps the JVM loggers' level names (java.util.logging's
// SEVERE and FINE included) to a priority.
func javaLevel(b []byte) (event.Priority, bool) {
	switch string(b) {
	case "TRACE", "FINEST", "FINER", "FINE", "DEBUG":
		return 7, true
	case "INFO", "CONFIG":
		return 6, true
	case "WARN", "WARNING":
		return 4, true
	case "ERROR", "SEVERE":
		return 3, true
	case "FATAL":
		return 2, true
	}
	return event.NoPriority, false
}

// parseJavaDated parses a JVM logging line stamped "YYYY-MM-DD
// HH:MM:SS.mmm" or with a ',' (log4j), or Spring Boot 3's RFC3339 stamp:
// local time unless the stamp has a zone.
func parseJavaDated(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	n := 19
	if n < len(line) && (line[n] == '.' || line[n] == ',') {
		n++
		for n < len(line) && isDigit(line[n]) {
			n++
		}
	}
	for n < len(line) && n < 36 && line[n] != ' ' {
		n++ // a zone: "Z", "+09:00"
	}
	if n >= len(line) || line[n] != ' ' {
		return KindEntry, false
	}
	t, q, ok := parseTimeValue(line[:n], o.Location)
	if !ok {
		return KindEntry, false
	}
	if !parseJavaLog(line, n, ev) {
		return KindEntry, false
	}
	ev.Time, ev.TimeQuality = t, q
	return KindEntry, true
}

// parseJavaClock parses logback's default console layout, a clock
// without a date: "10:15:01.123 [main] ERROR c.e.App - msg". The line
// has no date, so no time (the clock is kept as field "clock").
func parseJavaClock(line []byte, ev *event.Event) (Kind, bool) {
	_, p, ok := readClock(line, 0, '.')
	if !ok || p >= len(line) || line[p] != ' ' || p+1 >= len(line) || line[p+1] != '[' {
		return KindEntry, false
	}
	if !parseJavaLog(line, p, ev) {
		return KindEntry, false
	}
	ev.TimeQuality = event.TimeNone
	ev.Fields = append(ev.Fields, event.Field{Key: "clock", Value: toValidString(line[:p])})
	return KindEntry, true
}
