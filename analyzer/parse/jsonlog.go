package parse

import (
	"bytes"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// parseJSONLine parses a line that is one JSON object: a journalctl -o
// json entry, a Docker json-file record or an application's JSON log
// line. A line that is no valid object, or an object with none of the
// keys these formats use, is not claimed.
func parseJSONLine(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	var obj jsonObject
	if !obj.reset(line) {
		return KindEntry, false
	}
	var journal, hasLog, hasStream, app bool
	for obj.next() {
		switch string(obj.key) {
		case "__REALTIME_TIMESTAMP", "__CURSOR", "__MONOTONIC_TIMESTAMP":
			journal = true
		case "log":
			hasLog = true
		case "stream":
			hasStream = true
		case "time", "ts", "timestamp", "@timestamp", "level", "lvl", "severity", "msg", "message":
			app = true
		}
	}
	if !obj.done {
		return KindEntry, false
	}
	switch {
	case journal:
		parseJournalJSON(line, ev)
	case hasLog && hasStream:
		parseDockerJSON(line, o, ev)
	case app:
		parseAppJSON(line, o, ev)
	default:
		return KindEntry, false
	}
	return KindEntry, true
}

// parseAppJSON maps an application's JSON log line: time, level and the
// top-level keys as fields. Message stays the whole line, since the text
// a signature looks for may sit in any key (Traefik puts "client version
// 1.24 is too old" in "error", not in "msg").
func parseAppJSON(line []byte, o *Options, ev *event.Event) {
	ev.Message = toValidString(bytes.TrimSpace(line))
	ev.Source.Format = FormatJSONLine
	if wrapped, at := addJSONFields(line, o.Location, ev, true); wrapped != nil {
		unwrapSyslog(wrapped, at, o, ev)
	}
}

// unwrapSyslog reads the JSON string wrapped, the value of the member
// "message" or "msg" that addJSONFields stored as ev.Fields[at], as a
// syslog line: log shippers and multiplexers wrap whole lines
// ({"timestamp":"...","message":"Nov  3 09:23:38 veridian automount[7998]: ..."}).
// When it is one, with a tag, the event becomes the inner line's (its
// time, program, PID, message and format) and the wrapper's other members
// stay fields. The wrapper's level, host and, for a year-less inner
// stamp, year win: the inner time is when it happened, the wrapper's
// usually when it was collected.
func unwrapSyslog(wrapped []byte, at int, o *Options, ev *event.Event) {
	inner := jsonText(wrapped)
	if bytes.IndexByte(inner, '\\') >= 0 {
		inner = appendUnescaped(nil, inner)
	}
	var in event.Event
	in.Reset()
	if _, ok := parseSyslogFamily(inner, o, &in); !ok || in.Program == "" {
		return
	}
	ev.Fields = append(ev.Fields[:at], ev.Fields[at+1:]...)
	if wrapperHost, ok := ev.Field("host"); ok && wrapperHost != "" {
		ev.Host = wrapperHost
	} else if wrapperHost, ok := ev.Field("hostname"); ok && wrapperHost != "" {
		ev.Host = wrapperHost
	} else {
		ev.Host = in.Host
	}
	ev.Program, ev.PID, ev.Message = in.Program, in.PID, in.Message
	if ev.Priority == event.NoPriority {
		ev.Priority = in.Priority
	}
	ev.Fields = append(ev.Fields, in.Fields...)
	ev.Source.Format = in.Source.Format
	switch {
	case in.TimeQuality == event.TimeYearInferred && !ev.Time.IsZero():
		ev.Time, ev.TimeQuality = nearestYear(in.Time, ev.Time, o.Location), event.TimeZoneAssumed
	case in.TimeQuality != event.TimeUnknown:
		ev.Time, ev.TimeQuality = in.Time, in.TimeQuality
	}
}

// syslogStart reports whether b starts the way a syslog line does: an
// English month and a space, "YYYY-" or "<PRI". A cheap test, so that most
// application messages are never handed to the syslog parser.
func syslogStart(b []byte) bool {
	switch {
	case len(b) < 5:
		return false
	case b[0] == '<':
		return isDigit(b[1])
	case isDigit(b[0]):
		return isDigit(b[1]) && isDigit(b[2]) && isDigit(b[3]) && b[4] == '-'
	}
	return b[3] == ' ' && englishMonth(b) != 0
}

// nearestYear moves the year-less t (month, day and clock in loc) to the
// year that puts it nearest to ref.
func nearestYear(t, ref time.Time, loc *time.Location) time.Time {
	w := t.In(loc)
	best := time.Time{}
	for y := ref.In(loc).Year() - 1; y <= ref.In(loc).Year()+1; y++ {
		c := time.Date(y, w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
		if best.IsZero() || absDuration(c.Sub(ref)) < absDuration(best.Sub(ref)) {
			best = c
		}
	}
	return best.UTC()
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// addJSONFields adds the top-level members of the object in line as
// fields (strings decoded, other scalars as written, nested values as
// their JSON text, nulls dropped) and reads time and level from them.
// It returns the raw value of a "message" or "msg" member that starts
// like a syslog line, and the index of its field (for unwrapSyslog).
func addJSONFields(line []byte, loc *time.Location, ev *event.Event, setTime bool) (wrapped []byte, at int) {
	var obj jsonObject
	obj.reset(line)
	for obj.next() {
		k, v := obj.key, obj.val
		if len(k) == 0 || v[0] == 'n' { // no name, or null
			continue
		}
		switch string(k) {
		case "message", "msg":
			if len(v) > 17 && v[0] == '"' && syslogStart(v[1:]) {
				wrapped, at = v, len(ev.Fields)
			}
		case "time", "ts", "timestamp", "@timestamp":
			if setTime && ev.TimeQuality == event.TimeUnknown {
				if t, q, ok := parseTimeValue(jsonText(v), loc); ok {
					ev.Time, ev.TimeQuality = t, q
				}
			}
		case "level", "lvl", "severity":
			if ev.Priority == event.NoPriority {
				if p, ok := jsonLevel(v); ok {
					ev.Priority = p
				}
			}
		}
		ev.Fields = append(ev.Fields, event.Field{Key: jsonKey(k), Value: jsonString(v)})
	}
	return wrapped, at
}

func jsonKey(k []byte) string {
	if bytes.IndexByte(k, '\\') >= 0 {
		return toValidString(appendUnescaped(nil, k))
	}
	return internKey(k)
}

// jsonLevel reads a level name, or a pino/bunyan numeric level (10 trace
// .. 60 fatal).
func jsonLevel(v []byte) (event.Priority, bool) {
	if v[0] == '"' {
		return levelPriority(jsonText(v))
	}
	n, ok := atoiN(v)
	if !ok || len(v) > 3 {
		return event.NoPriority, false
	}
	switch {
	case n >= 60:
		return 2, true
	case n >= 50:
		return 3, true
	case n >= 40:
		return 4, true
	case n >= 30:
		return 6, true
	case n >= 10:
		return 7, true
	}
	return event.NoPriority, false
}

// parseDockerJSON maps a Docker json-file record
// {"log":"...\n","stream":"stderr","time":"..."}: Message is the log text
// without its newline (parsePayload then reads logfmt or JSON inside it).
func parseDockerJSON(line []byte, o *Options, ev *event.Event) {
	var obj jsonObject
	obj.reset(line)
	ev.Source.Format = FormatJSONLine
	for obj.next() {
		switch string(obj.key) {
		case "log":
			msg := jsonString(obj.val)
			msg = trimNewline(msg)
			ev.Message = msg
		case "stream":
			ev.Fields = append(ev.Fields, event.Field{Key: "stream", Value: internStream(jsonText(obj.val))})
		case "time":
			if t, q, ok := parseTimeValue(jsonText(obj.val), o.Location); ok {
				ev.Time, ev.TimeQuality = t, q
			}
		default:
			if len(obj.key) > 0 && obj.val[0] != 'n' {
				ev.Fields = append(ev.Fields, event.Field{Key: jsonKey(obj.key), Value: jsonString(obj.val)})
			}
		}
	}
}

func trimNewline(s string) string {
	if len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
		if len(s) > 0 && s[len(s)-1] == '\r' {
			s = s[:len(s)-1]
		}
	}
	return s
}

func internStream(b []byte) string {
	switch string(b) {
	case "stdout":
		return "stdout"
	case "stderr":
		return "stderr"
	}
	return toValidString(b)
}
