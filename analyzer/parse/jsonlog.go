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
	addJSONFields(line, o.Location, ev, true)
}

// addJSONFields adds the top-level members of the object in line as
// fields (strings decoded, other scalars as written, nested values as
// their JSON text, nulls dropped) and reads time and level from them.
func addJSONFields(line []byte, loc *time.Location, ev *event.Event, setTime bool) {
	var obj jsonObject
	obj.reset(line)
	for obj.next() {
		k, v := obj.key, obj.val
		if len(k) == 0 || v[0] == 'n' { // no name, or null
			continue
		}
		switch string(k) {
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
