package parse

import (
	"bytes"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Kubernetes events as kubectl prints them: `kubectl get events` (and
// `kubectl events`) tables and the Events section of `kubectl describe`.
// Their ages are relative to a "now" the paste does not record, so the
// rows have no time (time quality none); the age is kept as a field.
const (
	FormatKubectlEvents   = "kubectl-events"   // LAST SEEN TYPE REASON OBJECT MESSAGE
	FormatKubectlDescribe = "kubectl-describe" // Events: Type Reason Age From Message
)

// parseKubectlEvents parses a row of `kubectl get events`:
//
//	LAST SEEN   TYPE      REASON             OBJECT              MESSAGE
//	2m10s       Warning   FailedScheduling   pod/web-7d4b9-x2x9k   0/3 nodes are available: ...
//
// With -A a NAMESPACE column comes first. Columns are separated by runs
// of two or more blanks (kubectl's tabwriter pads by three). The caller
// tested the first byte: a digit or '<' (an age), or a letter (a
// namespace). Header rows are banners.
func parseKubectlEvents(line []byte, ev *event.Event) (Kind, bool) {
	var namespace []byte
	rest := line
	if c := line[0]; c >= 'a' && c <= 'z' {
		i := 1
		for i < len(line) && i < 64 && (line[i] >= 'a' && line[i] <= 'z' || isDigit(line[i]) || line[i] == '-') {
			i++
		}
		if i+2 >= len(line) || line[i] != ' ' || line[i+1] != ' ' {
			return KindEntry, false
		}
		namespace, rest = cutColumn(line)
		if !ageStart(rest) && !startsWith(rest, "<") {
			return KindEntry, false
		}
	}
	age, rest := cutColumn(rest)
	if !isAge(age) {
		return KindEntry, false
	}
	if namespace == nil && ageStart(rest) {
		return parseKubectlEventsOld(age, rest, ev)
	}
	typ, rest := cutColumn(rest)
	pri, ok := eventType(typ)
	if !ok {
		return KindEntry, false
	}
	reason, rest := cutColumn(rest)
	if !isReason(reason) {
		return KindEntry, false
	}
	object, msg := cutColumn(rest)
	if bytes.IndexByte(object, '/') <= 0 {
		return KindEntry, false
	}
	ev.TimeQuality = event.TimeNone
	ev.Priority = pri
	ev.Message = toValidString(msg)
	ev.Source.Format = FormatKubectlEvents
	if namespace != nil {
		ev.Fields = append(ev.Fields, event.Field{Key: "namespace", Value: toValidString(namespace)})
	}
	ev.Fields = append(ev.Fields,
		event.Field{Key: "last_seen", Value: toValidString(age)},
		event.Field{Key: "type", Value: toValidString(typ)},
		event.Field{Key: "reason", Value: toValidString(reason)},
		event.Field{Key: "object", Value: toValidString(object)})
	return KindEntry, true
}

// kubectlHeader reports the header rows of kubectl's event tables
// ("LAST SEEN   TYPE ...", "NAMESPACE   LAST SEEN ...") and of describe's
// Events section ("Type    Reason ...", "----    ------ ...", once
// their indentation is off).
func kubectlHeader(line []byte) bool {
	switch {
	case startsWith(line, "LAST SEEN "), startsWith(line, "NAMESPACE "), startsWith(line, "LASTSEEN "):
		return bytes.Contains(line, []byte(" REASON ")) && bytes.Contains(line, []byte(" MESSAGE"))
	}
	t := line
	return startsWith(t, "Type ") && bytes.Contains(t, []byte(" Reason ")) && bytes.Contains(t, []byte(" Message")) ||
		startsWith(t, "----  ") && bytes.Contains(t, []byte(" ------ "))
}

// parseKubectlDescribe parses a row of the Events section `kubectl
// describe` prints, indented by two blanks (taken off before the
// recognizers see the line):
//
//	Type     Reason     Age                From               Message
//	Warning  BackOff    5s (x3 over 30s)   kubelet            Back-off restarting failed container
//
// The From column (the reporting component) is the program; older
// kubectl writes "kubelet, node-1", whose node becomes the host.
func parseKubectlDescribe(line []byte, ev *event.Event) (Kind, bool) {
	typ, rest := cutColumn(line)
	pri, ok := eventType(typ)
	if !ok {
		return KindEntry, false
	}
	reason, rest := cutColumn(rest)
	if !isReason(reason) {
		return KindEntry, false
	}
	age, rest := cutColumn(rest)
	if !isAge(age) {
		return KindEntry, false
	}
	from, msg := cutColumn(rest)
	if len(from) == 0 {
		return KindEntry, false
	}
	prog, node := from, []byte(nil)
	if i := bytes.IndexByte(from, ','); i > 0 {
		prog, node = from[:i], bytes.TrimLeft(from[i+1:], " ")
	}
	ev.TimeQuality = event.TimeNone
	ev.Priority = pri
	ev.Program = internProgram(prog)
	if len(node) > 0 {
		ev.Host = toValidString(node)
	}
	ev.Message = toValidString(msg)
	ev.Source.Format = FormatKubectlDescribe
	ev.Fields = append(ev.Fields,
		event.Field{Key: "age", Value: toValidString(age)},
		event.Field{Key: "type", Value: toValidString(typ)},
		event.Field{Key: "reason", Value: toValidString(reason)})
	return KindEntry, true
}

// cutColumn splits b at the first run of two or more blanks.
func cutColumn(b []byte) (col, rest []byte) {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == ' ' && b[i+1] == ' ' {
			j := i + 2
			for j < len(b) && b[j] == ' ' {
				j++
			}
			return b[:i], b[j:]
		}
	}
	return b, nil
}

func eventType(b []byte) (event.Priority, bool) {
	switch string(b) {
	case "Warning":
		return 4, true
	case "Normal":
		return 6, true
	}
	return event.NoPriority, false
}

// isAge reports a kubectl age: "<unknown>", "<invalid>", or a duration
// such as "45s", "2m10s", "3d4h", "12y", optionally followed by
// " (x3 over 10m)" as `kubectl describe` and `kubectl events` write a
// repeated event.
func isAge(b []byte) bool {
	if string(b) == "<unknown>" || string(b) == "<invalid>" {
		return true
	}
	i := 0
	for {
		d := i
		for i < len(b) && isDigit(b[i]) {
			i++
		}
		if i == d || i >= len(b) {
			return false
		}
		switch b[i] {
		case 's', 'm', 'h', 'd', 'y':
		default:
			return false
		}
		i++
		if i == len(b) {
			return true
		}
		if b[i] == ' ' {
			r := b[i+1:]
			return len(r) > 6 && r[0] == '(' && r[1] == 'x' && r[len(r)-1] == ')' && bytes.Contains(r, []byte(" over "))
		}
	}
}

// isReason reports an event reason: an identifier in CamelCase
// ("FailedScheduling", "BackOff", "OOMKilling").
func isReason(b []byte) bool {
	if len(b) == 0 || b[0] < 'A' || b[0] > 'Z' {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// ageStart is the cheap test for a row that starts with an age: digits,
// then a unit letter ("2m10s", "45s"; not "2020-", "10:").
func ageStart(b []byte) bool {
	i := 0
	for i < len(b) && i < 6 && isDigit(b[i]) {
		i++
	}
	if i == 0 || i >= len(b) {
		return false
	}
	switch b[i] {
	case 's', 'm', 'h', 'd', 'y':
		return true
	}
	return false
}

// kubectlBanner marks a header row of kubectl's event tables, or
// describe's "Events:" line: no event, but a line of that format (so a
// file of them sniffs as a log).
func kubectlBanner(line []byte, ev *event.Event) Kind {
	ev.Source.Format = FormatKubectlDescribe
	if startsWith(line, "LAST SEEN ") || startsWith(line, "NAMESPACE ") || startsWith(line, "LASTSEEN ") {
		ev.Source.Format = FormatKubectlEvents
	}
	return KindBanner
}

// parseKubectlEventsOld parses a row of `kubectl get events` before
// kubectl 1.8, whose columns were LASTSEEN FIRSTSEEN COUNT NAME KIND
// SUBOBJECT TYPE REASON SOURCE MESSAGE:
//
//	13m   13m   1   nginx-3392909933-1tfwp   Pod   spec.containers{nginx}   Normal   Pulled   {kubelet node-1}   Successfully pulled image "nginx"
//
// The SUBOBJECT column may be empty. The source ("{kubelet node-1}")
// gives the program and the host. lastSeen is read; rest starts at
// FIRSTSEEN.
func parseKubectlEventsOld(lastSeen, rest []byte, ev *event.Event) (Kind, bool) {
	firstSeen, rest := cutColumn(rest)
	count, rest := cutColumn(rest)
	name, rest := cutColumn(rest)
	kind, rest := cutColumn(rest)
	if !isAge(firstSeen) || len(count) == 0 || len(name) == 0 || !isReason(kind) {
		return KindEntry, false
	}
	if _, ok := atoiN(count); !ok {
		return KindEntry, false
	}
	typ, rest := cutColumn(rest)
	pri, ok := eventType(typ)
	if !ok { // a SUBOBJECT came first
		typ, rest = cutColumn(rest)
		if pri, ok = eventType(typ); !ok {
			return KindEntry, false
		}
	}
	reason, rest := cutColumn(rest)
	source, msg := cutColumn(rest)
	if !isReason(reason) || len(source) < 2 || source[0] != '{' || source[len(source)-1] != '}' {
		return KindEntry, false
	}
	prog, node := cutSpace(bytes.TrimSpace(source[1 : len(source)-1]))
	ev.TimeQuality = event.TimeNone
	ev.Priority = pri
	if len(prog) > 0 {
		ev.Program = internProgram(prog)
	}
	if len(node) > 0 {
		ev.Host = toValidString(node)
	}
	ev.Message = toValidString(msg)
	ev.Source.Format = FormatKubectlEvents
	ev.Fields = append(ev.Fields,
		event.Field{Key: "last_seen", Value: toValidString(lastSeen)},
		event.Field{Key: "first_seen", Value: toValidString(firstSeen)},
		event.Field{Key: "count", Value: toValidString(count)},
		event.Field{Key: "type", Value: toValidString(typ)},
		event.Field{Key: "reason", Value: toValidString(reason)},
		event.Field{Key: "object", Value: toValidString(kind) + "/" + toValidString(name)})
	return KindEntry, true
}
