package parse

import (
	"bytes"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// dpkg.log, apt's history.log and term.log, and unattended-upgrades'
// logs. All of them write local time without a zone, so times are built
// in Options.Location and marked TimeZoneAssumed.

// parseDpkg parses "2025-06-24 14:36:25 upgrade libsystemd0:amd64 OLD NEW".
// Without the dpkg hint only lines with a known dpkg verb are claimed,
// since many application logs share the stamp.
func parseDpkg(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	var c civil
	n, ok := readDateClock(line, 1, &c)
	if !ok || len(line) <= n+1 || line[n] != ' ' {
		return KindEntry, false
	}
	rest := line[n+1:]
	verb, args := cutSpace(rest)
	action := dpkgVerb(verb)
	if action == "" {
		if o.Hint != FormatDpkg || len(verb) == 0 {
			return KindEntry, false
		}
		action = string(verb)
	}
	ev.Time = c.local(o.Location)
	ev.TimeQuality = event.TimeZoneAssumed
	ev.Program = "dpkg"
	ev.Message = toValidString(rest)
	ev.Source.Format = FormatDpkg
	ev.Fields = append(ev.Fields, event.Field{Key: "action", Value: action})
	switch action {
	case "startup":
		// "startup archives unpack", "startup packages configure"
	case "status":
		// status <state> <pkg:arch> <version>
		state, r := cutSpace(args)
		pkg, r := cutSpace(r)
		ver, _ := cutSpace(r)
		ev.Fields = append(ev.Fields, event.Field{Key: "state", Value: string(state)})
		addPackage(ev, pkg)
		ev.Fields = append(ev.Fields, event.Field{Key: "version", Value: dpkgVersion(ver)})
	case "conffile":
		// conffile <path> <decision>
		path, r := cutSpace(args)
		decision, _ := cutSpace(r)
		ev.Fields = append(ev.Fields,
			event.Field{Key: "conffile", Value: string(path)},
			event.Field{Key: "decision", Value: string(decision)})
	default:
		// <verb> <pkg:arch> <old> <new>
		pkg, r := cutSpace(args)
		oldV, r := cutSpace(r)
		newV, _ := cutSpace(r)
		addPackage(ev, pkg)
		ev.Fields = append(ev.Fields,
			event.Field{Key: "old_version", Value: dpkgVersion(oldV)},
			event.Field{Key: "new_version", Value: dpkgVersion(newV)})
	}
	return KindEntry, true
}

func dpkgVerb(v []byte) string {
	switch string(v) {
	case "startup":
		return "startup"
	case "install":
		return "install"
	case "upgrade":
		return "upgrade"
	case "configure":
		return "configure"
	case "remove":
		return "remove"
	case "purge":
		return "purge"
	case "trigproc":
		return "trigproc"
	case "status":
		return "status"
	case "conffile":
		return "conffile"
	}
	return ""
}

// addPackage splits "libsystemd0:amd64" into the package and arch fields.
func addPackage(ev *event.Event, pkg []byte) {
	name, arch := pkg, []byte(nil)
	if i := bytes.IndexByte(pkg, ':'); i >= 0 {
		name, arch = pkg[:i], pkg[i+1:]
	}
	ev.Fields = append(ev.Fields,
		event.Field{Key: "package", Value: string(name)},
		event.Field{Key: "arch", Value: internArch(arch)})
}

func internArch(a []byte) string {
	switch string(a) {
	case "":
		return ""
	case "amd64":
		return "amd64"
	case "all":
		return "all"
	case "arm64":
		return "arm64"
	case "i386":
		return "i386"
	}
	return string(a)
}

// dpkgVersion maps dpkg's "<none>" placeholder to "".
func dpkgVersion(v []byte) string {
	if string(v) == "<none>" {
		return ""
	}
	return string(v)
}

// cutSpace splits b at its first space, dropping the run of spaces.
func cutSpace(b []byte) (word, rest []byte) {
	i := bytes.IndexByte(b, ' ')
	if i < 0 {
		return b, nil
	}
	word, rest = b[:i], b[i+1:]
	for len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	return word, rest
}

// readAptStamp reads apt's "YYYY-MM-DD  HH:MM:SS" (two spaces; one is
// accepted too) filling the whole of b.
func readAptStamp(b []byte, o *Options, ev *event.Event) bool {
	b = bytes.TrimRight(b, " ")
	var c civil
	n, ok := readDateClock(b, 2, &c)
	if !ok {
		n, ok = readDateClock(b, 1, &c)
	}
	if !ok || n != len(b) {
		return false
	}
	ev.Time = c.local(o.Location)
	ev.TimeQuality = event.TimeZoneAssumed
	return true
}

// parseAptHistory parses the lines of an apt history.log block. The
// block starts with "Start-Date: ..." (an entry); its other "Key: value"
// lines are continuations carrying one field each, named in lower snake
// case ("End-Date" -> "end_date"). Without the apt-history hint only the
// keys apt writes are read (knownAptKey), so that a history block pasted
// into a ticket among other formats is still one event; the Assembler
// joins such a line only to an apt history entry.
func parseAptHistory(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	if startsWith(line, "Start-Date: ") {
		if !readAptStamp(line[len("Start-Date: "):], o, ev) {
			return KindEntry, false
		}
		ev.Program = "apt"
		ev.Message = toValidString(line)
		ev.Source.Format = FormatAptHistory
		return KindEntry, true
	}
	i := bytes.Index(line, []byte(": "))
	if i <= 0 || i > 32 {
		return KindEntry, false
	}
	key := knownAptKey(line[:i])
	if key == "" && o.Hint == FormatAptHistory {
		key = aptKey(line[:i])
	}
	if key == "" {
		return KindEntry, false
	}
	ev.Message = toValidString(line)
	ev.Source.Format = FormatAptHistory
	ev.Fields = append(ev.Fields, event.Field{Key: key, Value: toValidString(line[i+2:])})
	return KindContinuation, true
}

// aptKeyLine reports whether line starts with one of the keys apt writes
// in history.log blocks and ": " (knownAptKey), by prefix: no search, and
// one byte test for a line that starts with none ("Dec 29 ...").
func aptKeyLine(line []byte) bool {
	if len(line) < 7 {
		return false
	}
	switch line[0] {
	case 'C':
		return startsWith(line, "Commandline: ")
	case 'R':
		return line[1] == 'e' && (startsWith(line, "Requested-By: ") || startsWith(line, "Reinstall: ") || startsWith(line, "Remove: "))
	case 'I':
		return startsWith(line, "Install: ")
	case 'U':
		return startsWith(line, "Upgrade: ")
	case 'P':
		return startsWith(line, "Purge: ")
	case 'D':
		return line[1] == 'o' && startsWith(line, "Downgrade: ")
	case 'E':
		return startsWith(line, "Error: ") || startsWith(line, "End-Date: ")
	}
	return false
}

// knownAptKey names the keys apt writes in history.log blocks; "" for
// any other.
func knownAptKey(k []byte) string {
	switch string(k) {
	case "Commandline":
		return "commandline"
	case "Requested-By":
		return "requested_by"
	case "Install":
		return "install"
	case "Upgrade":
		return "upgrade"
	case "Remove":
		return "remove"
	case "Purge":
		return "purge"
	case "Downgrade":
		return "downgrade"
	case "Reinstall":
		return "reinstall"
	case "Error":
		return "error"
	case "End-Date":
		return "end_date"
	}
	return ""
}

// aptKey turns "Requested-By" into "requested_by"; "" if k is no
// capitalized word of letters and dashes.
func aptKey(k []byte) string {
	if s := knownAptKey(k); s != "" {
		return s
	}
	if k[0] < 'A' || k[0] > 'Z' {
		return ""
	}
	out := make([]byte, len(k))
	for j, c := range k {
		switch {
		case c >= 'A' && c <= 'Z':
			out[j] = c + 'a' - 'A'
		case c >= 'a' && c <= 'z':
			out[j] = c
		case c == '-':
			out[j] = '_'
		default:
			return ""
		}
	}
	return string(out)
}

// parseAptLogMarker parses term.log's "Log started: 2025-06-24  14:36:25"
// and "Log ended: ...".
func parseAptLogMarker(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	stamp := line[len("Log ended: "):]
	if startsWith(line, "Log started: ") {
		stamp = line[len("Log started: "):]
	}
	if !readAptStamp(stamp, o, ev) {
		return KindEntry, false
	}
	ev.Program = "apt"
	ev.Message = toValidString(line)
	ev.Source.Format = FormatAptTerm
	return KindEntry, true
}

// parseAptTerm parses a line of a term.log (hint apt-term): the markers
// carry a time, every other line is dpkg's console output (progress junk
// included) as an entry without a time, which the Assembler dates from
// the line before it.
func parseAptTerm(line []byte, o *Options, ev *event.Event) Kind {
	if line[0] == 'L' && (startsWith(line, "Log started: ") || startsWith(line, "Log ended: ")) {
		if k, ok := parseAptLogMarker(line, o, ev); ok {
			return k
		}
	}
	ev.Program = "dpkg"
	ev.Message = toValidString(line)
	ev.Source.Format = FormatAptTerm
	return KindEntry
}

// parseUnattended parses unattended-upgrades' Python logging lines:
// "2021-10-07 06:25:12,442 INFO Starting unattended upgrades script" and
// the shutdown log's "... INFO - message".
func parseUnattended(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	var c civil
	n, ok := readDateClock(line, 1, &c)
	if !ok {
		return KindEntry, false
	}
	ns, fn := readFraction(line[n:])
	if fn == 0 || len(line) <= n+fn+1 || line[n+fn] != ' ' {
		return KindEntry, false
	}
	c.nsec = ns
	rest := line[n+fn+1:]
	level, msg := cutSpace(rest)
	pri, ok := pythonLevel(level)
	if !ok {
		return KindEntry, false
	}
	if len(msg) >= 2 && msg[0] == '-' && msg[1] == ' ' {
		msg = msg[2:]
	} else if len(msg) == 1 && msg[0] == '-' {
		msg = nil
	}
	ev.Time = c.local(o.Location)
	ev.TimeQuality = event.TimeZoneAssumed
	ev.Priority = pri
	ev.Program = "unattended-upgrades"
	ev.Message = toValidString(msg)
	ev.Source.Format = FormatUnattended
	return KindEntry, true
}

func pythonLevel(l []byte) (event.Priority, bool) {
	switch string(l) {
	case "DEBUG":
		return 7, true
	case "INFO":
		return 6, true
	case "WARNING", "WARN":
		return 4, true
	case "ERROR":
		return 3, true
	case "CRITICAL", "FATAL":
		return 2, true
	}
	return event.NoPriority, false
}
