package parse

import (
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// parsePayload adds fields and priority from a structured message body:
// logfmt (dockerd, containerd, Traefik), a JSON object, or a klog header
// (kubelet). The message itself is never changed. Field values that need
// no unescaping are substrings of the message, so a dockerd line costs no
// allocation beyond the Fields slice growing.
//
// The level in the payload sets Priority when the envelope said nothing,
// and also when the envelope is a journal stdout/stderr stream, whose
// PRIORITY is only the unit's default (info) for every line.
func parsePayload(ev *event.Event) {
	m := ev.Message
	if len(m) < 4 {
		return
	}
	switch ev.Source.Format {
	case FormatLogfmt, FormatZerolog, FormatLogrus, FormatGoLog, FormatNginx:
		return // the line parser already took its fields
	case FormatJSONLine:
		if _, docker := ev.Field("stream"); !docker {
			return // an application JSON line: fields already taken
		}
	}
	addPayload(ev, payloadOf(m))
}

// payloadShape is the shape of structured payload a message starts
// with, by its first bytes: what parsePayload decodes.
type payloadShape uint8

const (
	noPayload     payloadShape = iota
	jsonPayload                // {...}
	klogPayload                // "I1007 ", "E1007 ", ...
	consoleShape               // zerolog, nginx or logrus console output
	logfmtPayload              // key=...
)

// payloadOf returns the shape of payload m, of at least 4 bytes, starts
// with.
func payloadOf(m string) payloadShape {
	switch c := m[0]; {
	case c == '{':
		if m[len(m)-1] == '}' {
			return jsonPayload
		}
	case (c == 'I' || c == 'W' || c == 'E' || c == 'F') && m[1] >= '0' && m[1] <= '1':
		return klogPayload
	case c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' && len(m) > 5 && m[4] == '[':
		return consoleShape
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
		if logfmtStart(m) {
			return logfmtPayload
		}
	}
	return noPayload
}

// addPayload is parsePayload's decoding of ev's message, of shape k.
func addPayload(ev *event.Event, k payloadShape) {
	m := ev.Message
	switch k {
	case jsonPayload:
		payloadJSON(ev, m)
	case klogPayload:
		parseKlog(ev, m)
	case consoleShape:
		consolePayload(ev, m)
	case logfmtPayload:
		addLogfmtPayload(ev, m)
	}
}

// addLogfmtPayload adds the pairs of a logfmt message as fields, as
// addLogfmtFields does, when the message has logfmtShape. It decodes the
// message once: the fields are added while the shape is checked and taken
// back if it fails.
func addLogfmtPayload(ev *event.Event, m string) {
	n, pri := len(ev.Fields), ev.Priority
	override := weakPriority(ev)
	var d logfmtDecoder
	d.Reset(bytesOf(m))
	known, bare := false, false
	for d.Next() {
		if !d.HasEq() {
			bare = true
			break
		}
		k := d.Key()
		switch string(k) {
		case "level", "lvl":
			known = true
			fallthrough
		case "severity":
			if ev.Priority == event.NoPriority || override {
				if p, ok := levelPriority(d.Value()); ok {
					ev.Priority = p
				}
			}
		case "time", "ts", "msg", "t":
			known = true
		}
		ev.Fields = append(ev.Fields, event.Field{Key: internKey(k), Value: d.valueIn(m)})
	}
	if d.Err() || bare || !known {
		clear(ev.Fields[n:])
		ev.Fields, ev.Priority = ev.Fields[:n], pri
	}
}

// CompletePayload does the work ParseLine left when it reported
// Deferred: it adds the payload's fields and priority, exactly as
// ParseLine would have.
func CompletePayload(ev *event.Event) {
	// Deferred events are never systemd's, so finishEntry's
	// deriveSystemd has nothing to add after the payload.
	parsePayload(ev)
}

// deferrable reports whether ev's payload may be left for
// CompletePayload: it has a shape parsePayload decodes (a klog header
// or logfmt), ev is not systemd's (deriveSystemd must run after the
// payload), and nothing in the payload can make the event error-level
// (a klog E or F, a level, lvl or severity value of err or worse: the
// timeline's IsError reads Priority and the "level" field).
func deferrable(ev *event.Event) bool {
	m := ev.Message
	if len(m) < 4 {
		return false
	}
	return deferrableShape(ev, payloadOf(m))
}

// deferrableShape is deferrable for ev, whose message of at least 4
// bytes has payload shape k.
func deferrableShape(ev *event.Event, k payloadShape) bool {
	switch k {
	case klogPayload:
		if c := ev.Message[0]; c != 'I' && c != 'W' {
			return false // E and F are error-level
		}
	case logfmtPayload:
	default:
		return false // JSON, console, or nothing to defer
	}
	if ev.Program == "systemd" || ev.Program == "init" || ev.Lifecycle != event.LifecycleNone {
		return false
	}
	return !mayBeErrorLevel(ev.Message)
}

// mayBeErrorLevel reports whether some key=value pair in m whose key
// ends in level, lvl or severity may read as a level of err or worse,
// erring on the side of yes: a quoted value with an escape, a quoted
// key. It looks at each '=' once, and further only after the last byte
// of those keys or a quote.
func mayBeErrorLevel(m string) bool {
	for i := strings.IndexByte(m, '='); i >= 0; {
		if i > 0 {
			switch m[i-1] {
			case 'l', 'y':
				if hasLevelKey(m[:i]) && errorValue(m[i+1:]) {
					return true
				}
			case '"':
				if hasLevelKey(m[:i-1]) {
					return true // a quoted key: not worth reading
				}
			}
		}
		j := strings.IndexByte(m[i+1:], '=')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func hasLevelKey(s string) bool {
	return strings.HasSuffix(s, "level") || strings.HasSuffix(s, "lvl") || strings.HasSuffix(s, "severity")
}

// errorValue reports whether the logfmt value at the start of v may read
// as a level of err or worse.
func errorValue(v string) bool {
	if v != "" && v[0] == '"' {
		end := strings.IndexByte(v[1:], '"')
		if end < 0 || strings.IndexByte(v[1:1+end], '\\') >= 0 {
			return true
		}
		v = v[1 : 1+end]
	} else {
		// The decoder's value starts with this run of letters and
		// digits; if it goes on, it is no level name at all.
		n := 0
		for n < len(v) && (v[n] >= 'a' && v[n] <= 'z' || v[n] >= 'A' && v[n] <= 'Z' || v[n] >= '0' && v[n] <= '9') {
			n++
		}
		v = v[:n]
	}
	p, ok := levelPriority([]byte(v))
	return ok && p <= 3
}

// logfmtStart reports whether s starts with "key=", the cheap test that
// keeps prose ("Started foo.", "level=3 in a sentence") out of the
// decoder. It runs on nearly every syslog message: a table lookup per
// byte, not the nine compares of the class. (Most messages' first word
// is short: a vector search for the '=' first costs more.)
func logfmtStart(s string) bool {
	s = s[:min(len(s), 64)]
	for i := 0; i < len(s); i++ {
		if c := s[i]; !logfmtKeyByte[c] {
			return c == '=' && i > 0
		}
	}
	return false
}

// logfmtKeyByte marks the bytes logfmtStart takes for a key's.
var logfmtKeyByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
	}
	return t
}()

// payloadTime sets ev's time from the time of a logfmt payload (time=,
// ts=) or a JSON object ("time", "ts", "timestamp", "@timestamp"), for an
// envelope that has no stamp of its own. Payloads of neither shape, and
// times that do not parse, leave ev unchanged.
func payloadTime(b []byte, loc *time.Location, ev *event.Event) {
	if len(b) < 4 {
		return
	}
	var v []byte
	switch c := b[0]; {
	case c == '{':
		var obj jsonObject
		if !obj.reset(b) {
			return
		}
		for obj.next() {
			switch string(obj.key) {
			case "time", "ts", "timestamp", "@timestamp":
				if v == nil {
					v = jsonText(obj.val)
				}
			}
		}
		if !obj.done {
			return
		}
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
		var d logfmtDecoder
		if !logfmtShape(&d, b) {
			return
		}
		for d.Reset(b); d.Next(); {
			switch string(d.Key()) {
			case "time", "ts":
				if v == nil {
					v = d.Value()
				}
			}
		}
	}
	if v == nil {
		return
	}
	if t, q, ok := parseTimeValue(v, loc); ok {
		ev.Time, ev.TimeQuality = t, q
	}
}

// weakPriority reports whether ev's priority may be replaced by the one a
// payload states: none was given, or journald assigned its stream default.
func weakPriority(ev *event.Event) bool {
	if ev.Priority == event.NoPriority {
		return true
	}
	t, _ := ev.Field("_TRANSPORT")
	return t == "stdout"
}

// bytesOf returns a read-only view of s's bytes without copying. The
// decoders only read, and the view never outlives the call, so the string
// stays immutable; this saves one copy of every message on the hot path.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// payloadJSON adds the top-level scalar members of a JSON message as
// fields (nested values are skipped: they are still in the message).
func payloadJSON(ev *event.Event, m string) {
	b := bytesOf(m)
	var obj jsonObject
	if !obj.reset(b) {
		return
	}
	for obj.next() {
	}
	if !obj.done {
		return
	}
	override := weakPriority(ev)
	obj.reset(b)
	for obj.next() {
		v := obj.val
		if len(obj.key) == 0 || v[0] == '{' || v[0] == '[' || v[0] == 'n' {
			continue
		}
		switch string(obj.key) {
		case "level", "lvl", "severity":
			if ev.Priority == event.NoPriority || override {
				if p, ok := jsonLevel(v); ok {
					ev.Priority = p
				}
			}
		}
		ev.Fields = append(ev.Fields, event.Field{Key: jsonKey(obj.key), Value: jsonValueIn(b, m, v)})
	}
}

// jsonValueIn returns v, a value inside b (the bytes of m), as a string:
// a substring of m unless escapes must be decoded.
func jsonValueIn(b []byte, m string, v []byte) string {
	off := cap(b) - cap(v)
	if v[0] == '"' {
		for _, c := range v {
			if c == '\\' {
				return jsonString(v)
			}
		}
		return m[off+1 : off+len(v)-1]
	}
	return m[off : off+len(v)]
}

// parseKlog reads a klog header, "Lmmdd hh:mm:ss.uuuuuu threadid
// file:line] msg" (kubelet and most Kubernetes components): priority
// from the level letter, field source = "file:line", and for structured
// klog ("SyncLoop ADD" source="api") the quoted message as msg plus the
// key=value pairs that follow, as far as they parse. A pair whose key is
// already a field (klog's own source=) is skipped.
func parseKlog(ev *event.Event, m string) {
	// I1007 06:20:21.433183    1234 kubelet.go:2000] "SyncLoop ADD"
	if len(m) < 30 || m[5] != ' ' || m[8] != ':' || m[11] != ':' || m[14] != '.' {
		return
	}
	b := bytesOf(m)
	for _, i := range [...]int{1, 2, 3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 17, 18, 19, 20} {
		if b[i] < '0' || b[i] > '9' {
			return
		}
	}
	i := 21
	for i < len(b) && b[i] == ' ' {
		i++
	}
	t0 := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == t0 || i >= len(b) || b[i] != ' ' {
		return
	}
	i++
	s0 := i
	for i < len(b) && b[i] != ']' && b[i] != ' ' {
		i++
	}
	if i == s0 || i+1 >= len(b) || b[i] != ']' || b[i+1] != ' ' {
		return
	}
	src := m[s0:i]
	rest := i + 2
	if weakPriority(ev) {
		ev.Priority = klogPriority(m[0])
	}
	// Room for all the fields at once (an "=" a pair, or more), where
	// growing from a completed event's capped fields took three.
	n := 1
	if rest < len(b) && b[rest] == '"' {
		n += 1 + min(strings.Count(m[rest:], "="), 16)
	}
	ev.Fields = slices.Grow(ev.Fields, n)
	ev.Fields = append(ev.Fields, event.Field{Key: "source", Value: src})
	klogStructured(ev, m, rest)
}

// klogStructured reads structured klog's quoted message and the pairs
// after it, from m[rest:] on ("\"SyncLoop ADD\" source=\"api\""): the
// message as field msg, the pairs as fields, as far as they parse.
func klogStructured(ev *event.Event, m string, rest int) {
	b := bytesOf(m)
	if rest >= len(b) || b[rest] != '"' {
		return
	}
	end, ok := skipString(b, rest)
	if !ok {
		return
	}
	ev.Fields = append(ev.Fields, event.Field{Key: "msg", Value: jsonValueIn(b, m, b[rest:end])})
	var d logfmtDecoder
	d.Reset(b[end:])
	for d.Next() {
		if !d.HasEq() {
			return
		}
		k := d.Key()
		if _, dup := ev.Field(string(k)); dup {
			continue
		}
		v := d.valueIn(m[end:])
		ev.Fields = append(ev.Fields, event.Field{Key: internKey(k), Value: v})
	}
}
