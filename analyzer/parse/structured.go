package parse

import (
	"bytes"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// parseStructured parses the non-syslog line formats: journal JSON and
// json-seq, dpkg.log, apt history/term, unattended-upgrades, JSON-line and
// logfmt application logs and docker compose prefixes. ok=false when the
// line is none of them.
//
// It runs first on every line, so it rejects the common syslog line from
// its first bytes alone: each branch below is entered on one byte and
// leaves after a few comparisons when the shape does not fit.
func parseStructured(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	if len(line) == 0 {
		return KindEntry, false
	}
	// The common case first: "Oct  7 ..." (an English month, RFC3164 and
	// journalctl short) is never one of these formats.
	// (Only the apt and compose hints claim lines that may start so.)
	if o.Hint != FormatAptTerm && o.Hint != FormatAptHistory && o.Hint != FormatCompose && len(line) > 4 && line[3] == ' ' {
		switch string(line[:3]) {
		case "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec":
			return KindEntry, false
		}
	}
	// Hinted formats whose lines are ambiguous on their own come first:
	// inside a term.log anything goes, and history blocks have bare
	// "Key: value" lines.
	switch o.Hint {
	case FormatAptTerm:
		return parseAptTerm(line, o, ev), true
	case FormatAptHistory:
		if k, ok := parseAptHistory(line, o, ev); ok {
			return k, true
		}
	}
	switch c := line[0]; {
	case c == '{':
		return parseJSONLine(line, o, ev)
	case c == 0x1e: // RFC 7464 record separator: journalctl -o json-seq
		k, ok := parseJSONLine(line[1:], o, ev)
		if ok && ev.Source.Format == FormatJournalJSON {
			ev.Source.Format = FormatJournalJSONSeq
		}
		return k, ok
	case c >= '0' && c <= '9':
		if len(line) > 4 && line[4] == '/' {
			return parseSlashDated(line, o, ev)
		}
		if len(line) > 13 && line[2] == ':' && line[8] == '.' {
			return parseJavaClock(line, ev)
		}
		if k, ok := parseDated(line, o, ev); ok {
			return k, true
		}
		if len(line) > 4 && line[4] != '-' && ageStart(line) {
			return parseKubectlEvents(line, ev)
		}
		return KindEntry, false
	case c == 't' || c == 'l':
		if startsWith(line, "time=") || startsWith(line, "level=") {
			return parseLogfmtLine(line, o, ev)
		}
	case c >= 'A' && c <= 'Z':
		if k, ok := parseCapital(line, o, ev); ok {
			return k, true
		}
	case c == '-':
		// describe's rule under its Events header: "----     ------ ..."
		if kubectlHeader(line) {
			return kubectlBanner(line, ev), true
		}
		return KindEntry, false
	case c == '<':
		if startsWith(line, "<unknown>  ") || startsWith(line, "<invalid>  ") {
			return parseKubectlEvents(line, ev)
		}
		return KindEntry, false
	}
	if k, ok := parseCompose(line, o, ev); ok {
		return k, true
	}
	if c := line[0]; c >= 'a' && c <= 'z' {
		return parseKubectlEvents(line, ev)
	}
	return KindEntry, false
}

// parseCapital tries the formats whose lines start with a capital
// letter: logrus console lines ("ERRO[0000] ..."), klog lines ("E1202
// 06:20:21.433183 ..."), apt history blocks ("Start-Date: ", and their
// "Key: value" lines without the hint, a block pasted among other
// formats) and term.log markers, and kubectl's event tables: header rows
// and describe's Events rows ("Warning  BackOff  5s  kubelet  msg", as
// they read once their indentation is off).
func parseCapital(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	c := line[0]
	switch {
	case len(line) > 5 && line[4] == '[':
		return parseLogrus(line, o, ev)
	case (c == 'I' || c == 'W' || c == 'E' || c == 'F') && len(line) > 1 && isDigit(line[1]):
		return parseKlogLine(line, o, ev)
	}
	switch c {
	case 'S':
		if startsWith(line, "Start-Date: ") {
			return parseAptHistory(line, o, ev)
		}
		return KindEntry, false
	case 'L':
		if startsWith(line, "Log started: ") || startsWith(line, "Log ended: ") {
			return parseAptLogMarker(line, o, ev)
		}
		if kubectlHeader(line) {
			return kubectlBanner(line, ev), true
		}
		return KindEntry, false
	case 'N', 'W':
		if startsWith(line, "Normal  ") || startsWith(line, "Warning  ") {
			return parseKubectlDescribe(line, ev)
		}
		if kubectlHeader(line) {
			return kubectlBanner(line, ev), true
		}
		return KindEntry, false
	case 'T':
		if kubectlHeader(line) {
			return kubectlBanner(line, ev), true
		}
		return KindEntry, false
	case 'E':
		// kubectl describe's "Events:" or "Events:  <none>"
		if startsWith(line, "Events:") && (len(line) == 7 || string(bytes.TrimSpace(line[7:])) == "<none>") {
			return kubectlBanner(line, ev), true
		}
	}
	switch c {
	case 'C', 'R', 'I', 'U', 'P', 'D', 'E':
		// An apt history block's "Key: value" lines, without the hint
		// (a block pasted among other formats), tested by prefix: no
		// search through a line that is none.
		if aptKeyLine(line) {
			return parseAptHistory(line, o, ev)
		}
	}
	return KindEntry, false
}

// parseDated handles the lines that start with "YYYY-MM-DD": dpkg.log,
// unattended-upgrades and CRI container logs. RFC3339 syslog and
// journalctl short-iso lines start the same way and are left to the
// syslog family.
func parseDated(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	if len(line) < 20 || line[4] != '-' || line[7] != '-' {
		return KindEntry, false
	}
	switch line[10] {
	case ' ':
		if line[13] != ':' || line[16] != ':' {
			return KindEntry, false
		}
		switch line[19] {
		case ',':
			if k, ok := parseJavaDated(line, o, ev); ok {
				return k, true
			}
			return parseUnattended(line, o, ev)
		case '\t', '.':
			if tab := bytes.IndexByte(line[:min(len(line), 41)], '\t'); tab >= 19 {
				return parseContainerTSV(line, tab, o, ev)
			}
			if line[19] == '.' {
				return parseJavaDated(line, o, ev)
			}
		}
		return parseDpkg(line, o, ev)
	case 'T':
		return parseTStamped(line, o, ev)
	}
	return KindEntry, false
}

func startsWith(b []byte, p string) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == p
}

// atoiN parses b, which must be all ASCII digits, as a decimal number.
// Callers bound len(b), so it cannot overflow.
func atoiN(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// civil is a calendar date and wall-clock time as read from a stamp.
type civil struct {
	year, month, day, hour, min, sec, nsec int
}

func (c *civil) valid() bool {
	return c.month >= 1 && c.month <= 12 && c.day >= 1 && c.day <= 31 &&
		c.hour < 24 && c.min < 60 && c.sec <= 60
}

// local is c read in loc as a zone-less stamp: in UTC, or marked when loc
// skips its wall clock (localTime).
func (c *civil) local(loc *time.Location) time.Time {
	t := localTime(c.year, time.Month(c.month), c.day, c.hour, c.min, c.sec, c.nsec, loc)
	if inGap(t) {
		return t
	}
	return t.UTC()
}

func (c *civil) in(loc *time.Location) time.Time {
	return time.Date(c.year, time.Month(c.month), c.day, c.hour, c.min, c.sec, c.nsec, loc)
}

// readDateClock reads "YYYY-MM-DD" + gap + "HH:MM:SS" where the gap is
// gap bytes of ' ' or 'T', and returns the number of bytes read.
func readDateClock(b []byte, gap int, c *civil) (int, bool) {
	n := 10 + gap + 8
	if len(b) < n || b[4] != '-' || b[7] != '-' || b[10+gap+2] != ':' || b[10+gap+5] != ':' {
		return 0, false
	}
	for i := 10; i < 10+gap; i++ {
		if b[i] != ' ' && b[i] != 'T' && b[i] != 't' {
			return 0, false
		}
	}
	var ok1, ok2, ok3, ok4, ok5, ok6 bool
	c.year, ok1 = atoiN(b[0:4])
	c.month, ok2 = atoiN(b[5:7])
	c.day, ok3 = atoiN(b[8:10])
	t := b[10+gap:]
	c.hour, ok4 = atoiN(t[0:2])
	c.min, ok5 = atoiN(t[3:5])
	c.sec, ok6 = atoiN(t[6:8])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || !c.valid() {
		return 0, false
	}
	return n, true
}

// readFraction reads ".ddd" or ",ddd" at the start of b into nanoseconds
// (digits past the ninth are ignored) and returns the bytes read.
func readFraction(b []byte) (nsec, n int) {
	if len(b) < 2 || (b[0] != '.' && b[0] != ',') || b[1] < '0' || b[1] > '9' {
		return 0, 0
	}
	n = 1
	digits := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		if digits < 9 {
			nsec = nsec*10 + int(b[n]-'0')
			digits++
		}
		n++
	}
	for ; digits < 9; digits++ {
		nsec *= 10
	}
	return nsec, n
}

// parseTimeValue reads a whole time value as applications write it:
// RFC3339 with 'T' or ' ' (fraction with '.' or ',', zone "Z", "+09:00",
// "+0900" or none) or Unix epoch seconds, milliseconds, microseconds or
// nanoseconds (chosen by magnitude; seconds may have a fraction). A stamp
// without zone is read in loc and reported as TimeZoneAssumed. The result
// is in UTC.
func parseTimeValue(b []byte, loc *time.Location) (time.Time, event.TimeQuality, bool) {
	if len(b) == 0 {
		return time.Time{}, event.TimeUnknown, false
	}
	if len(b) >= 19 && b[4] == '-' {
		return parseRFC3339ish(b, loc)
	}
	return parseEpoch(b)
}

func parseRFC3339ish(b []byte, loc *time.Location) (time.Time, event.TimeQuality, bool) {
	var c civil
	n, ok := readDateClock(b, 1, &c)
	if !ok {
		return time.Time{}, event.TimeUnknown, false
	}
	ns, fn := readFraction(b[n:])
	c.nsec = ns
	rest := b[n+fn:]
	if len(rest) == 0 {
		return c.local(loc), event.TimeZoneAssumed, true
	}
	off, ok := readZoneOffset(rest)
	if !ok {
		return time.Time{}, event.TimeUnknown, false
	}
	return c.in(time.UTC).Add(-time.Duration(off) * time.Second), event.TimeExact, true
}

// readZoneOffset reads the whole of b as "Z", "+HH:MM", "+HHMM" or "+HH"
// and returns the offset east of UTC in seconds.
func readZoneOffset(b []byte) (int, bool) {
	if len(b) == 1 && (b[0] == 'Z' || b[0] == 'z') {
		return 0, true
	}
	if len(b) < 3 || (b[0] != '+' && b[0] != '-') {
		return 0, false
	}
	h, ok := atoiN(b[1:3])
	if !ok || h > 23 {
		return 0, false
	}
	m := 0
	switch r := b[3:]; len(r) {
	case 0:
	case 2:
		m, ok = atoiN(r)
	case 3:
		if r[0] != ':' {
			return 0, false
		}
		m, ok = atoiN(r[1:])
	default:
		return 0, false
	}
	if !ok || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if b[0] == '-' {
		off = -off
	}
	return off, true
}

// parseEpoch reads a Unix time. Integers are seconds (up to 10 digits),
// milliseconds (13), microseconds (16) or nanoseconds (19); seconds may
// carry a fraction.
func parseEpoch(b []byte) (time.Time, event.TimeQuality, bool) {
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	// 19 digits are nanoseconds; past 9223372036854775807 they overflow.
	if i == 0 || i > 19 || (i == 19 && string(b[:i]) > "9223372036854775807") {
		return time.Time{}, event.TimeUnknown, false
	}
	v, _ := atoiN(b[:i])
	if i < len(b) {
		ns, n := readFraction(b[i:])
		if n == 0 || i+n != len(b) || i > 10 {
			return time.Time{}, event.TimeUnknown, false
		}
		return time.Unix(int64(v), int64(ns)).UTC(), event.TimeExact, true
	}
	var t time.Time
	switch {
	case i <= 10:
		t = time.Unix(int64(v), 0)
	case i <= 13:
		t = time.UnixMilli(int64(v))
	case i <= 16:
		t = time.UnixMicro(int64(v))
	default:
		t = time.Unix(0, int64(v))
	}
	return t.UTC(), event.TimeExact, true
}
