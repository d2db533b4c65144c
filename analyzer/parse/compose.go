package parse

import (
	"bytes"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// parseCompose parses a `docker compose logs` line: "traefik-1  | msg"
// (compose v2), "traefik_1  | msg" (v1), with `-t` a stamp after the bar.
// Without -t, a time in a logfmt or JSON payload is the event's time.
// Without the docker-compose hint the name must end in a replica number,
// so that a table row such as "Total  | 5" is not taken for one.
func parseCompose(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	c := line[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
		return KindEntry, false
	}
	i := 1
	for i < len(line) && i < 128 && isNameByte(line[i]) {
		i++
	}
	name := line[:i]
	if i >= len(line) || line[i] != ' ' {
		return KindEntry, false
	}
	j := i
	for j < len(line) && line[j] == ' ' {
		j++
	}
	if j >= len(line) || line[j] != '|' || (j+1 < len(line) && line[j+1] != ' ') {
		return KindEntry, false
	}
	service, replica := splitReplica(name)
	if !replica && o.Hint != FormatCompose {
		return KindEntry, false
	}
	rest := line[j+1:]
	if len(rest) > 0 {
		rest = rest[1:]
	}
	// `docker compose logs -t`: RFC3339Nano stamp, then the message.
	if len(rest) >= 20 && rest[4] == '-' && rest[10] == 'T' {
		sp := bytes.IndexByte(rest, ' ')
		stamp := rest
		if sp >= 0 {
			stamp = rest[:sp]
		}
		// Not when a zerolog level follows: then the stamp is the
		// application's own ("traefik-1  | 2025-11-10T23:03:43Z ERR ..."),
		// read with the payload below.
		if t, q, ok := parseTimeValue(stamp, o.Location); ok && !zerologAfter(rest, sp) {
			ev.Time, ev.TimeQuality = t, q
			if sp >= 0 {
				rest = rest[sp+1:]
			} else {
				rest = nil
			}
		}
	}
	// Without -t the payload's own time=/ts= (logfmt) or "time" (JSON) is
	// the only time the line has.
	if ev.TimeQuality == event.TimeUnknown {
		payloadTime(rest, o.Location, ev)
	}
	ev.Program = string(service)
	ev.Message = toValidString(rest)
	ev.Source.Format = FormatCompose
	ev.Fields = append(ev.Fields, event.Field{Key: "container", Value: string(name)})
	return KindEntry, true
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

// splitReplica splits "traefik-1" or "traefik_1" into "traefik" and true.
func splitReplica(name []byte) ([]byte, bool) {
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	if i == len(name) || i < 2 || (name[i-1] != '-' && name[i-1] != '_') {
		return name, false
	}
	return name[:i-1], true
}

// parseCRI parses a CRI container log line (/var/log/pods/...):
// "2021-10-07T06:20:21.433183114Z stdout F message". The tag is F for a
// full line, P for a partial one (field partial=true: the runtime split a
// long line and the next record continues it).
func parseCRI(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	sp := bytes.IndexByte(line, ' ')
	if sp < 20 || sp > 40 {
		return KindEntry, false
	}
	rest := line[sp+1:]
	var stream string
	switch {
	case startsWith(rest, "stdout "):
		stream = "stdout"
	case startsWith(rest, "stderr "):
		stream = "stderr"
	default:
		return KindEntry, false
	}
	rest = rest[7:]
	if len(rest) == 0 || (rest[0] != 'F' && rest[0] != 'P') || (len(rest) > 1 && rest[1] != ' ') {
		return KindEntry, false
	}
	t, q, ok := parseTimeValue(line[:sp], o.Location)
	if !ok {
		return KindEntry, false
	}
	partial := rest[0] == 'P'
	if len(rest) > 1 {
		rest = rest[2:]
	} else {
		rest = nil
	}
	ev.Time, ev.TimeQuality = t, q
	ev.Message = toValidString(rest)
	ev.Source.Format = FormatCRI
	ev.Fields = append(ev.Fields, event.Field{Key: "stream", Value: stream})
	if partial {
		ev.Fields = append(ev.Fields, event.Field{Key: "partial", Value: "true"})
	}
	return KindEntry, true
}
