package parse

import (
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// logfmtDecoder walks the key=value pairs of a logfmt line
// (`time="2021-10-07T06:20:21Z" level=error msg="failed" module=grpc`).
// Key and Value return slices of the line: no allocation, valid until the
// next Reset. A quoted value is returned without its quotes and still
// escaped; Quoted says so and unquoteLogfmt decodes it. Not safe for
// concurrent use.
type logfmtDecoder struct {
	line   []byte
	pos    int
	key    []byte
	val    []byte
	vs     int // offset of val in line
	quoted bool
	// escaped: the quoted value holds a backslash and needs unquoting.
	escaped bool
	hasEq   bool
	err     bool
}

// Reset starts decoding line.
func (d *logfmtDecoder) Reset(line []byte) {
	*d = logfmtDecoder{line: line}
}

// Next advances to the next pair; false at the end of the line or at a
// syntax error (Err reports which).
func (d *logfmtDecoder) Next() bool {
	b := d.line
	i := d.pos
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	if i >= len(b) || d.err {
		d.pos = i
		return false
	}
	start := i
	for i < len(b) && logfmtClass[b[i]]&keyEnd == 0 {
		i++
	}
	d.key, d.val, d.quoted, d.escaped, d.hasEq = b[start:i], nil, false, false, false
	if i < len(b) && logfmtClass[b[i]]&keyBad != 0 {
		d.err = true // a quote or control byte in a key
		return false
	}
	if i == start {
		d.err = true // "=value" with no key
		return false
	}
	if i >= len(b) || b[i] != '=' {
		d.pos = i
		return true // a bare key
	}
	d.hasEq = true
	i++
	if i < len(b) && b[i] == '"' {
		i++
		vs := i
		for {
			for i < len(b) && logfmtClass[b[i]]&quotedEnd == 0 {
				i++
			}
			if i >= len(b) || b[i] == '"' {
				break
			}
			d.escaped = true // a backslash: skip it and the byte it escapes
			i += 2
		}
		if i >= len(b) {
			d.err = true // unterminated quote
			return false
		}
		d.val, d.vs, d.quoted = b[vs:i], vs, true
		i++
		if i < len(b) && b[i] != ' ' && b[i] != '\t' {
			d.err = true // `a="x"y`
			return false
		}
		d.pos = i
		return true
	}
	vs := i
	for i < len(b) && logfmtClass[b[i]]&valueEnd == 0 {
		i++
	}
	d.val, d.vs = b[vs:i], vs
	d.pos = i
	return true
}

// Byte classes for the scanning loops of Next: one table lookup per byte.
const (
	keyEnd    = 1 << iota // '=', blank, quote or control byte: the key ends
	keyBad                // quote or control byte other than tab: no key
	quotedEnd             // '"' or '\\' inside a quoted value
	valueEnd              // blank: an unquoted value ends
)

var logfmtClass = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] |= keyEnd | keyBad
	}
	t['\t'] = keyEnd | valueEnd
	t[' '] = keyEnd | valueEnd
	t['='] = keyEnd
	t['"'] = keyEnd | keyBad | quotedEnd
	t['\\'] = quotedEnd
	return t
}()

// Key returns the current key. No allocation.
func (d *logfmtDecoder) Key() []byte { return d.key }

// Value returns the current value, still escaped when Quoted. No allocation.
func (d *logfmtDecoder) Value() []byte { return d.val }

// Quoted reports whether the current value was quoted.
func (d *logfmtDecoder) Quoted() bool { return d.quoted }

// HasEq reports whether the current key had "=" (false for a bare key).
func (d *logfmtDecoder) HasEq() bool { return d.hasEq }

// Err reports whether decoding stopped at a syntax error.
func (d *logfmtDecoder) Err() bool { return d.err }

// valueString returns the current value as a string, decoded.
func (d *logfmtDecoder) valueString() string {
	if d.quoted {
		return unquoteLogfmt(d.val)
	}
	return toValidString(d.val)
}

// valueIn returns the current value as a string when line is the same
// text as s: an unescaped value is a substring of s and costs nothing.
func (d *logfmtDecoder) valueIn(s string) string {
	if d.escaped {
		return unquoteLogfmt(d.val)
	}
	return s[d.vs : d.vs+len(d.val)]
}

// unquoteLogfmt decodes the Go-style escapes logrus and friends write
// inside quoted values (\" \\ \n \t \r \uXXXX \xXX). Unknown escapes are
// kept as written rather than failing the line.
func unquoteLogfmt(b []byte) string {
	i := 0
	for i < len(b) && b[i] != '\\' {
		i++
	}
	if i == len(b) {
		return toValidString(b)
	}
	// Unescaped on the stack when it fits: the string is the one copy.
	var room [256]byte
	return toValidString(appendUnescaped(append(room[:0], b[:i]...), b[i:]))
}

func hexRune(b []byte, n int) (rune, bool) {
	if len(b) < n {
		return 0, false
	}
	var r rune
	for _, c := range b[:n] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// logfmtShape reports whether b is entirely key=value pairs (no bare
// words, no syntax error) and names at least one of the keys structured
// loggers always write (time, ts, level, lvl, msg). This keeps prose such
// as "retry=3 after failure" out.
func logfmtShape(d *logfmtDecoder, b []byte) bool {
	d.Reset(b)
	known := false
	for d.Next() {
		if !d.HasEq() {
			return false
		}
		switch string(d.Key()) {
		case "time", "ts", "level", "lvl", "msg", "t":
			known = true
		}
	}
	return !d.Err() && known
}

// parseLogfmtLine parses a whole line of logfmt (the caller checked that
// it starts with "time=" or "level="). Message stays the original line so
// that signatures can grep all of it.
func parseLogfmtLine(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	var d logfmtDecoder
	if !logfmtShape(&d, line) {
		return KindEntry, false
	}
	ev.Message = toValidString(line)
	ev.Source.Format = FormatLogfmt
	addLogfmtFields(&d, ev.Message, o.Location, ev, true, false)
	return KindEntry, true
}

// addLogfmtFields adds every pair of msg as a field; unescaped values are
// substrings of msg, so they cost no allocation. With setTime, a time=/ts=
// value becomes the event time. A level=/lvl= value becomes the priority
// when the event has none, or always with overridePrio.
func addLogfmtFields(d *logfmtDecoder, msg string, loc *time.Location, ev *event.Event, setTime, overridePrio bool) {
	d.Reset(bytesOf(msg))
	for d.Next() {
		k := d.Key()
		switch string(k) {
		case "level", "lvl", "severity":
			if ev.Priority == event.NoPriority || overridePrio {
				if p, ok := levelPriority(d.Value()); ok {
					ev.Priority = p
				}
			}
		case "time", "ts":
			if setTime && ev.TimeQuality == event.TimeUnknown {
				if t, q, ok := parseTimeValue(d.Value(), loc); ok {
					ev.Time, ev.TimeQuality = t, q
				}
			}
		}
		ev.Fields = append(ev.Fields, event.Field{Key: internKey(k), Value: d.valueIn(msg)})
	}
}

// levelPriority maps an application log level, in any letter case, to a
// syslog priority: the event.ParsePriority names plus klog-style letters.
func levelPriority(b []byte) (event.Priority, bool) {
	var buf [12]byte
	if len(b) == 0 || len(b) > len(buf) {
		return event.NoPriority, false
	}
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	l := buf[:len(b)]
	switch string(l) {
	case "emerg", "emergency", "panic", "dpanic":
		return 0, true
	case "alert":
		return 1, true
	case "crit", "critical", "fatal":
		return 2, true
	case "err", "error", "eror":
		return 3, true
	case "warn", "warning":
		return 4, true
	case "notice":
		return 5, true
	case "info", "information", "informational":
		return 6, true
	case "debug", "trace", "dbug":
		return 7, true
	}
	if len(l) == 1 && l[0] >= '0' && l[0] <= '7' {
		return event.Priority(l[0] - '0'), true
	}
	return event.NoPriority, false
}

// internKey returns a shared string for the keys structured loggers
// write over and over, so that a field key costs no allocation.
func internKey(k []byte) string {
	switch string(k) {
	case "time":
		return "time"
	case "ts":
		return "ts"
	case "level":
		return "level"
	case "lvl":
		return "lvl"
	case "msg":
		return "msg"
	case "message":
		return "message"
	case "error":
		return "error"
	case "err":
		return "err"
	case "module":
		return "module"
	case "namespace":
		return "namespace"
	case "caller":
		return "caller"
	case "component":
		return "component"
	case "source":
		return "source"
	case "container":
		return "container"
	case "stream":
		return "stream"
	case "providerName":
		return "providerName"
	case "entryPointName":
		return "entryPointName"
	case "routerName":
		return "routerName"
	case "serviceName":
		return "serviceName"
	case "id":
		return "id"
	case "pod":
		return "pod"
	case "pods":
		return "pods"
	// containerd's and dockerd's task and shim lines, kubelet's PLEG
	// and prober lines (a dense log's, many times a second)
	case "type":
		return "type"
	case "topic":
		return "topic"
	case "runtime":
		return "runtime"
	case "path":
		return "path"
	case "pid":
		return "pid"
	case "event":
		return "event"
	case "podUID":
		return "podUID"
	case "containerName":
		return "containerName"
	case "probeType":
		return "probeType"
	case "probeResult":
		return "probeResult"
	case "output":
		return "output"
	}
	if k, ok := journalKeys[string(k)]; ok {
		return k
	}
	return string(k)
}
