package parse

import (
	"bytes"
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// header is what a header parser read from one line. Parsers fill it and
// parseSyslogFamily writes it to the event only once the whole header has
// been read, so a line that turns out not to be a header leaves the event
// untouched for the text fallback.
type header struct {
	t      time.Time
	q      event.TimeQuality
	format string
	// prio is the priority plus one: zero, so that the zero header
	// (cleared, not copied, per line) says none (priority, setPriority).
	prio   int8
	host   []byte
	prog   []byte
	sub    []byte // "pam_unix" of "sshd(pam_unix)[19939]:"
	pid    int
	msg    []byte
	tagged bool // a syslog tag was read

	// key/val is one field the header itself carries: "monotonic" for
	// journalctl short-monotonic, "kernel_time" for dmesg.
	key string
	val []byte

	// rsyslog marks messages written by rsyslog's file templates, whose
	// control characters are escaped as #ooo.
	rsyslog bool

	// RFC5424 parts, validated and turned into fields on commit.
	msgid, procid, sd []byte

	// stampEnd is where a year-less month-day stamp ended, for the
	// Parser's stamp cache; 0 for other stamps.
	stampEnd int
}

// parseSyslogFamily parses the syslog and journalctl text family: RFC3164,
// RSYSLOG_FileFormat, RFC5424 (also rsyslog's mangled local form), every
// journalctl short mode, journalctl markers and -x catalog lines, localized
// month names and kernel/dmesg stamps. It reports ok=false when the line
// has none of these headers, and then has not modified ev.
//
// It never sets Source.Path or Source.Line. Strings it stores are copies;
// line is not retained.
func parseSyslogFamily(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	var p Parser
	return p.parseSyslogFamily(line, o, ev)
}

// parseSyslogFamily is the package's parseSyslogFamily, using p's caches.
func (p *Parser) parseSyslogFamily(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	if len(line) < 3 {
		return KindEntry, false
	}
	var h header
	ok := false
	switch c := line[0]; c {
	case '-':
		return parseMarker(line, o, ev)
	case 0xE2: // first byte of "░" (U+2591)
		if hasPrefix(line, catalogMark) {
			return parseCatalog(line, ev), true
		}
		ok = parseStampHeader(line, o, &h)
	case '<':
		ok = parsePRIHeader(line, o, &h)
	case '[':
		ok = parseBracketHeader(line, o, &h)
	default:
		if c := p.sameStamp(line, o); c != nil {
			h.t, h.q, h.format, h.rsyslog = c.t, event.TimeYearInferred, c.format, c.rsyslog
			parseTail(line, c.n, false, &h)
			ok = true
		} else if ok = parseStampHeader(line, o, &h); ok && h.stampEnd > 0 {
			p.keepStamp(line[:h.stampEnd], o, &h)
		}
	}
	if !ok {
		return KindEntry, false
	}
	h.commit(ev, p)
	return KindEntry, true
}

// parseStampHeader reads the headers that start with a time stamp: RFC3164
// and journalctl short (English or localized month), RFC3339 and
// journalctl short-iso, short-full, short-unix, dmesg --time-format iso.
func parseStampHeader(line []byte, o *Options, h *header) bool {
	c := line[0]
	if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
		// ASCII fast path: English month, then English weekday.
		if m := englishMonth(line); m != 0 && len(line) > 3 && line[3] == ' ' {
			return parseMonthDay(line, 3, m, false, o, h)
		}
		if englishWeekday(line) && len(line) > 4 && line[3] == ' ' && isDigit(line[4]) {
			return parseShortFull(line, o, h)
		}
	}
	if isDigit(c) {
		if len(line) > 10 && line[4] == '-' && line[10] == 'T' {
			return parseISOHeader(line, o, h)
		}
		if parseUnixHeader(line, h) {
			return true
		}
	}
	// Localized months: journalctl -o short under LANG=de_DE, ko_KR, ...
	if m, n := localMonth(line); m != 0 {
		return parseMonthDay(line, n, m, true, o, h)
	}
	if c >= 'a' && c <= 'z' {
		return parseDmesgX(line, h)
	}
	return false
}

// parsePRIHeader reads a "<PRI>" prefix and what follows it: RFC5424
// ("<34>1 ..."), rsyslog's forward formats ("<30>Nov 22 ..." and
// "<30>2026-11-22T..."), or dmesg -r ("<6>[    2.572326] ...").
func parsePRIHeader(line []byte, o *Options, h *header) bool {
	v, i := 0, 1
	for i < len(line) && i <= 3 && isDigit(line[i]) {
		v = v*10 + int(line[i]-'0')
		i++
	}
	if i == 1 || i+1 >= len(line) || line[i] != '>' || v > 191 {
		return false
	}
	rest := line[i+1:]
	h.setPriority(event.Priority(v & 7))
	switch {
	case len(rest) > 2 && rest[0] == '1' && rest[1] == ' ':
		return parse5424(rest[2:], h)
	case rest[0] == '[':
		return parseBracketHeader(rest, o, h)
	case rest[0] == ' ':
		// "<38> Mar  7 19:06:53 ...": rsyslog accepts spaces before the
		// stamp; only a stamp may follow them.
		rest = bytes.TrimLeft(rest, " ")
		if len(rest) < 3 {
			return false
		}
	}
	return parseStampHeader(rest, o, h)
}

// parseMonthDay reads "Mmm dd HH:MM:SS[.frac]" from the month name on: p is
// the index just after the name. Day forms: "Oct  7" (RFC3164 pads with a
// space), "Oct 07" (journalctl's %d), "Oct 7".
func parseMonthDay(line []byte, p int, m time.Month, localized bool, o *Options, h *header) bool {
	if p+1 >= len(line) || line[p] != ' ' {
		return false
	}
	p++
	day, zeroPadded := 0, false
	if line[p] == ' ' {
		p++
		if p+1 >= len(line) || !isDigit(line[p]) || line[p+1] != ' ' {
			return false
		}
		day = int(line[p] - '0')
		p++
	} else {
		if !isDigit(line[p]) {
			return false
		}
		day = int(line[p] - '0')
		p++
		if p < len(line) && isDigit(line[p]) {
			zeroPadded = day == 0
			day = day*10 + int(line[p]-'0')
			p++
		}
	}
	// Feb 29 passes: the year is provisional here.
	if p >= len(line) || line[p] != ' ' || day < 1 || day > daysIn(m, 2000) {
		return false
	}
	c, end, ok := readClock(line, p+1, '.')
	if !ok {
		return parseYearClock(line, p, m, day, o, h)
	}
	p = end
	tail, ok := clockTail(line, p)
	if !ok {
		return false
	}
	h.t = localTime(provisionalYear(o.Year, m, day), m, day, c.h, c.m, c.s, c.ns, o.Location)
	h.q = event.TimeYearInferred
	switch {
	case c.frac:
		h.format = FormatJournalShortPrecise
	case localized || zeroPadded:
		h.format = FormatJournalShort
	default:
		h.format = FormatRFC3164
		h.rsyslog = true
	}
	h.stampEnd = p
	if tail != p {
		colonTail(line, tail, h)
	} else {
		parseTail(line, p, false, h)
	}
	return true
}

// clockTail returns where the tail starts after a clock that ends at p: at
// the space after it, or after a colon. BSD syslogd and macOS write their
// own lines with a colon after the clock and no host ("Feb 29 01:15:43:
// --- last message repeated 5 times ---"), as do some senders rsyslog
// accepts ("Mar  7 19:06:53: host tag: msg").
func clockTail(line []byte, p int) (int, bool) {
	if p >= len(line) || line[p] == ' ' {
		return p, true
	}
	if line[p] != ':' || (p+1 < len(line) && line[p+1] != ' ') {
		return p, false
	}
	return p + 1, true
}

// parseYearClock reads "YYYY HH:MM:SS" after a month and day, the space
// before the year at p: "Mar  7 2008 19:06:53" (Cisco IOS with "service
// timestamps log datetime year", received by rsyslog). The year is the
// line's own: the time is only zone-assumed.
func parseYearClock(line []byte, p int, m time.Month, day int, o *Options, h *header) bool {
	y, ok := num4(line, p+1)
	if !ok || y == 0 || p+5 >= len(line) || line[p+5] != ' ' || day > daysIn(m, y) {
		return false
	}
	c, p, ok := readClock(line, p+6, '.')
	if !ok {
		return false
	}
	tail, ok := clockTail(line, p)
	if !ok {
		return false
	}
	h.t, h.q = localTime(y, m, day, c.h, c.m, c.s, c.ns, o.Location), event.TimeZoneAssumed
	h.format, h.rsyslog = FormatRFC3164, true
	colonTail(line, tail, h)
	return true
}

// colonTail reads the tail after a clock and its colon, at tail: a
// syslogd's own "--- ... ---" line has no host (and no hostname starts
// with '-'); anything else is an ordinary tail.
func colonTail(line []byte, tail int, h *header) {
	if tail+1 < len(line) && line[tail+1] == '-' {
		h.msg = line[tail+1:]
		return
	}
	parseTail(line, tail, false, h)
}

// sameStamp returns p's cached stamp when line starts with it, followed by
// a space or nothing, and it was read under the same Location and Year.
// Then parseStampHeader would read the same time and format from line
// (and the same tail): all it looks at to read the stamp is the stamp's
// text and the byte after it.
func (p *Parser) sameStamp(line []byte, o *Options) *stampCache {
	c := &p.stamp
	n := c.n
	if n == 0 || n > len(line) || (n < len(line) && line[n] != ' ') ||
		c.loc != o.Location || c.year != o.Year || string(line[:n]) != string(c.text[:n]) {
		return nil
	}
	return c
}

// keepStamp caches what parseMonthDay read from stamp, the start of a
// line, into h.
func (p *Parser) keepStamp(stamp []byte, o *Options, h *header) {
	if len(stamp) > len(p.stamp.text) {
		return
	}
	c := &p.stamp
	c.n = copy(c.text[:], stamp)
	c.loc, c.year = o.Location, o.Year
	c.t, c.format, c.rsyslog = h.t, h.format, h.rsyslog
}

// parseISOHeader reads lines that start with an ISO 8601 stamp with a zone:
// RSYSLOG_FileFormat, journalctl short-iso[-precise] (+0900 up to v254,
// +09:00 from v255), rsyslog's mangled local RFC5424, and dmesg
// --time-format iso (comma decimal separator).
func parseISOHeader(line []byte, o *Options, h *header) bool {
	st, p, ok := readISO(line, 0)
	if !ok || (p < len(line) && line[p] != ' ') {
		return false
	}
	if st.comma {
		// Only util-linux dmesg writes a comma; rsyslog and journalctl
		// never do.
		h.t, h.q = st.t, event.TimeExact
		return dmesgBody(line, p, h)
	}
	switch {
	case st.colon && !st.frac:
		h.format = FormatJournalShortISO // v255+ short-iso
	case st.colon || st.zulu:
		h.format = FormatRFC3339
		h.rsyslog = true
	case st.frac:
		h.format = FormatJournalShortISOPrecise
	default:
		h.format = FormatJournalShortISO
	}
	if p < len(line) && st.colon && mangled5424(line[p+1:], h) {
		return true
	}
	h.t, h.q = st.t, event.TimeExact
	parseTail(line, p, false, h)
	return true
}

// mangled5424 reads an RFC5424 message that rsyslog's legacy parser wrote
// after its own stamp and host ("<stamp> vm 1 2026-11-22T01:40:09...Z vm
// rfcapp 55 ID47 [...] msg"): the sender's header is used.
func mangled5424(rest []byte, h *header) bool {
	sp := bytes.IndexByte(rest, ' ')
	if sp <= 0 || len(rest) < sp+8 {
		return false
	}
	r := rest[sp+1:]
	if r[0] != '1' || r[1] != ' ' || !isDigit(r[2]) || r[6] != '-' {
		return false
	}
	if !parse5424(r[2:], h) {
		return false
	}
	if len(h.host) == 0 {
		h.host = rest[:sp]
	}
	return true
}

// parseUnixHeader reads journalctl -o short-unix: "1633587623.250900 host
// tag: msg". A number alone is too weak a header, so a tag is required.
func parseUnixHeader(line []byte, h *header) bool {
	sec, i := 0, 0
	for i < len(line) && isDigit(line[i]) && i < 12 {
		sec = sec*10 + int(line[i]-'0')
		i++
	}
	if i < 9 || i >= len(line) || line[i] != '.' {
		return false
	}
	ns, p, ok := readFrac(line, i+1)
	if !ok || p >= len(line) || line[p] != ' ' {
		return false
	}
	var t header
	t.prio = h.prio
	parseTail(line, p, false, &t)
	if !t.tagged {
		return false
	}
	*h = t
	h.t, h.q = time.Unix(int64(sec), int64(ns)).UTC(), event.TimeExact
	h.format = FormatJournalShortUnix
	return true
}

// parseTail reads what follows the stamp, from index p (a space, or the end
// of the line): "host tag: msg", "tag: msg" (journalctl without a hostname)
// or "host msg" (no tag). With strict set it only accepts a tag that
// carries a PID or is "kernel", and reports false instead of falling back
// to "host msg": kernel messages such as "[ 1.5] usb usb1: New USB device"
// look like "host tag:" otherwise. h is only written when it reports true.
//
// After a host, a tag may also come without its colon (looseTag): rsyslog
// writes a message it received as RFC5424 with its APP-NAME[PROCID] as the
// tag, and macOS puts the level between tag and colon. A severity word in
// the host's place before a tag is ChromeOS's level, not a host.
func parseTail(line []byte, p int, strict bool, h *header) bool {
	if p >= len(line) {
		return !strict
	}
	rest := line[p+1:]
	// Most tails start with a host: a word of name bytes and a space,
	// which scanTag rejects. One pass over the word says so, finds the
	// space and checks the host's bytes, instead of three.
	w, class := 0, uint8(hostByte)
	for w < len(rest) && byteClass[rest[w]]&tagNameByte != 0 {
		class &= byteClass[rest[w]]
		w++
	}
	var sp int
	var host []byte
	var hostOK bool
	if w > 0 && w < len(rest) && rest[w] == ' ' {
		sp, host = w, rest[:w]
		hostOK = class != 0 && w <= maxHostLen // validHost(host)
	} else {
		if t, ok := scanTag(rest, strict, false); ok {
			h.setTag(rest, t)
			return true
		}
		sp, host = bytes.IndexByte(rest, ' '), rest
		if sp >= 0 {
			host = rest[:sp]
		}
		hostOK = validHost(host)
	}
	if hostOK {
		q := len(rest)
		if sp >= 0 {
			q = sp + 1
			for q < len(rest) && rest[q] == ' ' {
				q++
			}
			if t, ok := scanTag(rest[q:], strict, !strict); ok {
				h.host = host
				if host[0]-'A' <= 'Z'-'A' { // upper case: mostly no hostname
					h.severityHost()
				}
				h.setTag(rest[q:], t)
				if t.hasLevel {
					h.macLevel(rest[q : q+t.msg])
				}
				return true
			}
			if !strict && versionTag(rest[q:], h) {
				h.host = host
				return true
			}
		}
		if strict {
			return false
		}
		if !isLevelWord(host) {
			h.host = host
			if sp >= 0 {
				h.msg = rest[q:]
			}
			return true
		}
	}
	if strict {
		return false
	}
	h.msg = rest
	return true
}

// priority is the header's priority, event.NoPriority when it has none.
func (h *header) priority() event.Priority { return event.Priority(h.prio) - 1 }

// setPriority sets the header's priority.
func (h *header) setPriority(p event.Priority) { h.prio = int8(p) + 1 }

func (h *header) setTag(b []byte, t tag) {
	h.prog = b[:t.nameEnd]
	if t.subEnd > 0 {
		h.sub = b[t.subStart:t.subEnd]
	}
	h.pid = t.pid
	h.msg = b[t.msg:]
	h.tagged = true
}

// severityHost reads h.host as the severity word ChromeOS writes where
// others write the hostname ("... INFO periodic_scheduler[13707]: ..."):
// the priority, unless a PRI gave one, and no host.
func (h *header) severityHost() {
	b := h.host
	if len(b) < 3 || len(b) > 8 || !isLevelWord(b) {
		return
	}
	if pri, ok := levelPriority(b); ok && h.prio == 0 {
		h.setPriority(pri)
	}
	h.host = nil
}

// macLevel reads the macOS level in tag, the tag up to its message
// ("configd[77] <Notice>: "), as the priority, unless a PRI gave one.
func (h *header) macLevel(tag []byte) {
	end := bytes.LastIndexByte(tag, '>')
	start := bytes.LastIndexByte(tag[:end], '<') + 1
	if pri, ok := levelPriority(tag[start:end]); ok && h.prio == 0 {
		h.setPriority(pri)
	}
}

// tag locates a syslog tag ("prog[pid]:", "prog:", "prog(sub)[pid]:") in
// the bytes scanTag was given.
type tag struct {
	nameEnd          int
	subStart, subEnd int
	pid              int
	hasPID           bool
	hasLevel         bool // macOS: "prog[pid] <Notice>:"
	msg              int  // start of the message: after ": " and any further spaces
}

// maxTagName bounds a program name: longer first words are no tag.
const maxTagName = 128

// scanTag reads a syslog tag at the start of b. The name may hold any
// printable byte but ":[]()" (dots, slashes, dashes, "@" are common:
// "postfix/smtpd", "org.gnome.Shell.desktop", "user@1000.service"). The tag
// ends with ':' followed by a space or the end of b (or anything, after a
// PID). With strict, only a tag with a PID or the name "kernel" counts.
// With loose, a tag may end with a space instead (looseTag).
//
// The spaces after the colon are all dropped: "sshd[3]:  Accepted ..."
// (two spaces, as some syslogd builds write) has the message "Accepted
// ...", so that signatures anchored at its start match it.
func scanTag(b []byte, strict, loose bool) (t tag, ok bool) {
	i, n := 0, min(len(b), maxTagName)
	for i < n && byteClass[b[i]]&tagNameByte != 0 {
		i++
	}
	if i == 0 || i >= len(b) {
		return t, false
	}
	t.nameEnd = i
	if b[i] == '(' {
		j := i + 1
		for j < len(b) && b[j] != ')' && b[j] > ' ' && j-i < maxTagName {
			j++
		}
		if j == i+1 || j >= len(b) || b[j] != ')' {
			return t, false
		}
		t.subStart, t.subEnd = i+1, j
		i = j + 1
	}
	if i < len(b) && b[i] == '[' {
		j, pid := i+1, 0
		for j < len(b) && isDigit(b[j]) && j-i <= 10 {
			pid = pid*10 + int(b[j]-'0')
			j++
		}
		if j == i+1 || j >= len(b) || b[j] != ']' {
			return t, false
		}
		t.pid, t.hasPID = pid, true
		i = j + 1
	}
	if i >= len(b) {
		return t, false
	}
	if b[i] != ':' {
		if loose && b[i] == ' ' {
			return looseTag(b, i, t)
		}
		return t, false
	}
	i++
	if i < len(b) {
		switch {
		case b[i] == ' ':
			i++
			for i < len(b) && b[i] == ' ' {
				i++
			}
		case !t.hasPID:
			// "name:text" is more often text than a tag; with a PID
			// ("prog[42]:text") it is a tag whose sender left out the
			// space.
			return t, false
		}
	}
	t.msg = i
	if strict && !t.hasPID && string(b[:t.nameEnd]) != "kernel" {
		return t, false
	}
	return t, true
}

// looseTag finishes a tag scanTag read up to a space at b[i] instead of a
// colon. It is one in three shapes:
//
//	prog[pid] <Level>: msg   macOS syslogd (also without the PID)
//	prog[pid] msg            rsyslog's tag for a message received as RFC5424
//	prog_name msg            the same without a PROCID, when the name cannot
//	                         be a word of prose: it holds '_' or an inner '.'
//
// Any other first word after the host is message text: "Job `cron.daily'
// terminated" lost its tag (anacron's); "Job" is no program.
func looseTag(b []byte, i int, t tag) (tag, bool) {
	if i+1 < len(b) && b[i+1] == '<' {
		j := i + 2
		for j < len(b) && j-i < 16 && (b[j] >= 'a' && b[j] <= 'z' || b[j] >= 'A' && b[j] <= 'Z') {
			j++
		}
		if j == i+2 || j+1 >= len(b) || b[j] != '>' || b[j+1] != ':' {
			return t, false
		}
		t.hasLevel = true
		i = j + 2
	} else if !t.hasPID && (t.subEnd > 0 || !appName(b[:t.nameEnd])) {
		return t, false
	}
	for i < len(b) && b[i] == ' ' {
		i++
	}
	t.msg = i
	return t, true
}

// appName reports whether a first word without colon or PID is a program
// name: letters, digits and "_.-/", starting with a letter, at most 48
// bytes (RFC5424's APP-NAME), holding '_' or a '.' between other bytes
// ("log_tag", "com.apple.xpc.launchd"). Plain words ("Job", "some") and
// key=value pairs ("request_id=7") stay text.
func appName(b []byte) bool {
	if len(b) < 3 || len(b) > 48 || !(b[0] >= 'a' && b[0] <= 'z' || b[0] >= 'A' && b[0] <= 'Z') {
		return false
	}
	marked := false
	for k, c := range b {
		switch {
		case c == '_', c == '.' && k < len(b)-1:
			marked = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', isDigit(c), c == '-', c == '/', c == '.':
		default:
			return false
		}
	}
	return marked
}

// versionTag reads the tag sysklogd gives its own messages, a name and a
// version: "syslogd 1.4.1: restart." (program "syslogd", field "version").
func versionTag(b []byte, h *header) bool {
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 || sp > maxTagName || sp+2 >= len(b) || !isDigit(b[sp+1]) {
		return false
	}
	for _, c := range b[:sp] {
		if byteClass[c]&tagNameByte == 0 {
			return false
		}
	}
	i := sp + 1
	for i < len(b) && (isDigit(b[i]) || b[i] == '.') {
		i++
	}
	if i >= len(b) || b[i] != ':' || (i+1 < len(b) && b[i+1] != ' ') {
		return false
	}
	h.prog = b[:sp]
	h.key, h.val = "version", b[sp+1:i]
	h.msg = b[min(i+2, len(b)):]
	h.tagged = true
	return true
}

// validHost reports whether b can be a hostname token: printable, none of
// the brackets, quotes and '=' that start message text, not ending in ':'.
func validHost(b []byte) bool {
	if len(b) == 0 || len(b) > maxHostLen || b[len(b)-1] == ':' {
		return false
	}
	for _, c := range b {
		if byteClass[c]&hostByte == 0 {
			return false
		}
	}
	return true
}

// maxHostLen is the longest host name validHost takes.
const maxHostLen = 255

// Byte classes for the per-byte loops of tag and host scanning.
const (
	tagNameByte = 1 << iota // any printable byte but ":[]()"
	hostByte                // any printable byte but brackets, quotes, "=,;"
)

var byteClass [256]uint8

func init() {
	for c := 0x21; c < 256; c++ {
		if c == 0x7f {
			continue
		}
		if !strings.ContainsRune(":[]()", rune(c)) {
			byteClass[c] |= tagNameByte
		}
		if !strings.ContainsRune("[](){}<>\"'=,;", rune(c)) {
			byteClass[c] |= hostByte
		}
	}
}

// isLevelWord reports whether b is an upper-case log level: an application
// log "2025-11-11T06:20:21Z INFO starting" has no hostname.
func isLevelWord(b []byte) bool {
	switch string(b) {
	case "INFO", "WARN", "WARNING", "ERROR", "ERR", "DEBUG", "TRACE", "FATAL",
		"NOTICE", "CRIT", "CRITICAL", "ALERT", "EMERG", "PANIC":
		return true
	}
	return false
}

// commit writes h to ev. Times are stored in UTC (DESIGN §3); the
// parsers build them in the zone the stamp names or implies.
func (h *header) commit(ev *event.Event, p *Parser) {
	ev.Time = h.t
	if !inGap(h.t) { // (the mark is for the Assembler)
		ev.Time = h.t.UTC()
	}
	ev.TimeQuality = h.q
	if h.t.IsZero() && h.q != event.TimeNone {
		ev.TimeQuality = event.TimeUnknown
	}
	ev.Priority = h.priority()
	ev.Source.Format = h.format
	if len(h.host) > 0 {
		ev.Host = p.host(h.host)
	}
	if len(h.prog) > 0 {
		ev.Program = p.program(h.prog)
	}
	ev.PID = h.pid
	if h.key != "" {
		ev.Fields = append(ev.Fields, event.Field{Key: h.key, Value: p.str(h.val)})
	}
	if len(h.sub) > 0 {
		ev.Fields = append(ev.Fields, event.Field{Key: "subsystem", Value: p.str(h.sub)})
	}
	msg := h.msg
	if h.key == "" && ev.Program == "kernel" {
		// rsyslog's imklog keeps the printk "[33431.000100] " prefix.
		if st, rest, ok := kernelStamp(msg); ok {
			ev.Fields = append(ev.Fields, event.Field{Key: "kernel_time", Value: p.str(st)})
			msg = rest
		}
	}
	if n, ok := repeatedCount(msg); ok {
		ev.Fields = append(ev.Fields, event.Field{Key: "repeated", Value: p.str(n)})
	}
	if len(h.msgid) > 0 {
		ev.Fields = append(ev.Fields, event.Field{Key: "msgid", Value: p.str(h.msgid)})
	}
	if len(h.procid) > 0 {
		ev.Fields = append(ev.Fields, event.Field{Key: "procid", Value: p.str(h.procid)})
	}
	if len(h.sd) > 0 {
		ev.Fields = appendSD(ev.Fields, h.sd)
	}
	if h.rsyslog && p.mayHaveEscapes(msg) && indexEscape(msg) >= 0 {
		ev.Message = decodeRsyslog(msg)
	} else {
		ev.Message = p.str(msg)
	}
}

// host returns b as a string, shared with the recent lines that named the
// same host.
func (p *Parser) host(b []byte) string {
	if s, ok := p.hosts.lookup(b); ok {
		return s
	}
	s := string(b)
	p.hosts.add(s)
	return s
}

// program is internProgram, sharing the names it does not know with the
// recent lines that carried them. A held name never has a NUL byte (see
// toValidString), so a name with one is never found and always converted.
func (p *Parser) program(b []byte) string {
	if s := knownProgram(b); s != "" {
		return s
	}
	if s, ok := p.progs.lookup(b); ok {
		return s
	}
	s := toValidString(b)
	p.progs.add(s)
	return s
}

// internProgram returns the program name, without allocating for the
// names most lines carry.
func internProgram(b []byte) string {
	if s := knownProgram(b); s != "" {
		return s
	}
	return toValidString(b)
}

// knownProgram returns the program name when it is one of the names most
// lines carry, as a constant; "" for any other name.
func knownProgram(b []byte) string {
	switch string(b) {
	case "kernel":
		return "kernel"
	case "systemd":
		return "systemd"
	case "sshd":
		return "sshd"
	case "CRON":
		return "CRON"
	case "cron":
		return "cron"
	case "dockerd":
		return "dockerd"
	case "containerd":
		return "containerd"
	case "kubelet":
		return "kubelet"
	case "sudo":
		return "sudo"
	case "su":
		return "su"
	case "systemd-logind":
		return "systemd-logind"
	case "systemd-journald":
		return "systemd-journald"
	case "systemd-networkd":
		return "systemd-networkd"
	case "systemd-resolved":
		return "systemd-resolved"
	case "systemd-timesyncd":
		return "systemd-timesyncd"
	case "NetworkManager":
		return "NetworkManager"
	case "dbus-daemon":
		return "dbus-daemon"
	case "rsyslogd":
		return "rsyslogd"
	case "snapd":
		return "snapd"
	case "postfix/smtpd":
		return "postfix/smtpd"
	}
	return ""
}

// repeatedCount reads the count of rsyslog's "message repeated 3 times: [
// msg]" and sysklogd's "last message repeated 5 times" (also wrapped in
// "--- ... ---").
func repeatedCount(msg []byte) ([]byte, bool) {
	if len(msg) == 0 || msg[0] != 'm' && msg[0] != 'l' && msg[0] != '-' {
		return nil, false // most messages: no prefix comparison at all
	}
	var rest []byte
	switch {
	case hasPrefix(msg, "message repeated "):
		rest = msg[len("message repeated "):]
	case hasPrefix(msg, "last message repeated "):
		rest = msg[len("last message repeated "):]
	case hasPrefix(msg, "--- last message repeated "):
		rest = msg[len("--- last message repeated "):]
	default:
		return nil, false
	}
	n := 0
	for n < len(rest) && n < 10 && isDigit(rest[n]) {
		n++
	}
	if n == 0 || !hasPrefix(rest[n:], " time") {
		return nil, false
	}
	return rest[:n], true
}

// decodeRsyslog undoes rsyslog's control character escaping for the two
// escapes that carry structure: "#012" (newline: multi-line output arrives
// as one line) and "#011" (tab).
// indexEscape returns the index in b of the first "#01", which starts
// every escape decodeRsyslog undoes, or -1. It finds each '#' with
// IndexByte instead of calling bytes.Index, whose SSE4.2 search of a
// short needle is skipped, for one byte a step, when the needle lies in
// the last 16 bytes of a memory page: where the linker put the needle
// decided the speed of every message's test (2% of events --stats,
// depending on the length of the build directory's path).
func indexEscape(b []byte) int {
	for off := 0; ; {
		i := bytes.IndexByte(b[off:], '#')
		if i < 0 {
			return -1
		}
		i += off
		if i+2 >= len(b) {
			return -1
		}
		if b[i+1] == '0' && b[i+2] == '1' {
			return i
		}
		off = i + 1
	}
}

// decodeRsyslog undoes rsyslog's control character escapes in a
// message: "#012" is a newline, "#011" a tab (a multi-line message,
// such as a Go panic's trace, arrives as one line).
func decodeRsyslog(b []byte) string {
	i := indexRsyslogEscape(b)
	if i < 0 {
		return toValidString(b)
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return toValidString(unescapeRsyslog(make([]byte, 0, len(b)), b, i))
	}
	// No NUL for toValidString to replace, and none an escape makes:
	// the decoded text is written into the string, one copy.
	var s strings.Builder
	s.Grow(len(b))
	for i >= 0 {
		s.Write(b[:i])
		if b[i+3] == '2' {
			s.WriteByte('\n')
		} else {
			s.WriteByte('\t')
		}
		b = b[i+4:]
		i = indexRsyslogEscape(b)
	}
	s.Write(b)
	return s.String()
}

// indexRsyslogEscape returns the index in b of the first "#012" or
// "#011", or -1.
func indexRsyslogEscape(b []byte) int {
	for off := 0; ; {
		i := indexEscape(b[off:])
		if i < 0 {
			return -1
		}
		i += off
		if i+3 < len(b) && (b[i+3] == '2' || b[i+3] == '1') {
			return i
		}
		off = i + 1
	}
}

// unescapeRsyslog appends b to out with the escapes from b[i:] on
// undone.
func unescapeRsyslog(out, b []byte, i int) []byte {
	out = append(out, b[:i]...)
	for ; i < len(b); i++ {
		if b[i] == '#' && i+3 < len(b) && b[i+1] == '0' && b[i+2] == '1' {
			switch b[i+3] {
			case '2':
				out = append(out, '\n')
				i += 3
				continue
			case '1':
				out = append(out, '\t')
				i += 3
				continue
			}
		}
		out = append(out, b[i])
	}
	return out
}

// clock is a time of day read from a stamp.
type clock struct {
	h, m, s, ns int
	frac        bool
}

// readClock reads "HH:MM:SS" at p, then an optional fraction after sep. It
// returns the index after what it read.
func readClock(b []byte, p int, sep byte) (c clock, end int, ok bool) {
	if p+8 > len(b) || b[p+2] != ':' || b[p+5] != ':' {
		return c, p, false
	}
	var ok1, ok2, ok3 bool
	c.h, ok1 = num2(b, p)
	c.m, ok2 = num2(b, p+3)
	c.s, ok3 = num2(b, p+6)
	if !ok1 || !ok2 || !ok3 || c.h > 23 || c.m > 59 || c.s > 60 {
		return c, p, false
	}
	p += 8
	if p < len(b) && b[p] == sep {
		ns, q, ok := readFrac(b, p+1)
		if !ok {
			return c, p, false
		}
		c.ns, c.frac = ns, true
		p = q
	}
	return c, p, true
}

// readFrac reads the digits of a decimal fraction at p as nanoseconds
// (digits past the ninth are read and dropped).
func readFrac(b []byte, p int) (ns, end int, ok bool) {
	n := 0
	for p < len(b) && isDigit(b[p]) {
		if n < 9 {
			ns = ns*10 + int(b[p]-'0')
		}
		n++
		p++
	}
	if n == 0 {
		return 0, p, false
	}
	for k := n; k < 9; k++ {
		ns *= 10
	}
	return ns, p, true
}

// isoStamp is an ISO 8601 date-time with a zone, read by readISO.
type isoStamp struct {
	t     time.Time // in UTC
	frac  bool      // had a fractional second
	comma bool      // with ',' as decimal separator (dmesg)
	colon bool      // offset written "+09:00" (also "+00:00")
	zulu  bool      // zone written "Z"
}

// readISO reads "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|+HHMM|+HH)" at p. The
// time is built in UTC minus the offset, which allocates no Location.
func readISO(b []byte, p int) (st isoStamp, end int, ok bool) {
	if p+20 > len(b) || b[p+4] != '-' || b[p+7] != '-' || b[p+10] != 'T' {
		return st, p, false
	}
	y, ok1 := num4(b, p)
	mo, ok2 := num2(b, p+5)
	d, ok3 := num2(b, p+8)
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) {
		return st, p, false
	}
	sep := byte('.')
	if p+19 < len(b) && b[p+19] == ',' {
		sep, st.comma = ',', true
	}
	c, q, ok := readClock(b, p+11, sep)
	if !ok || q >= len(b) {
		return st, p, false
	}
	st.frac = c.frac
	off := 0
	switch b[q] {
	case 'Z':
		st.zulu = true
		q++
	case '+', '-':
		oh, okh := num2(b, q+1)
		if !okh || oh > 23 {
			return st, p, false
		}
		om, r := 0, q+3
		switch {
		case r < len(b) && b[r] == ':':
			v, okm := num2(b, r+1)
			if !okm || v > 59 {
				return st, p, false
			}
			om, r, st.colon = v, r+3, true
		case r+1 < len(b) && isDigit(b[r]):
			v, okm := num2(b, r)
			if !okm || v > 59 {
				return st, p, false
			}
			om, r = v, r+2
		}
		off = oh*3600 + om*60
		if b[q] == '-' {
			off = -off
		}
		q = r
	default:
		return st, p, false
	}
	// time.Date's normalization and zone lookup are not needed for a
	// validated date in UTC; this is the same instant, built for less.
	sec := daysSinceEpoch(y, mo, d)*86400 + int64(c.h*3600+c.m*60+c.s-off)
	st.t = time.Unix(sec, int64(c.ns)).UTC()
	return st, q, true
}

// daysSinceEpoch returns the number of days from 1970-01-01 to the given
// date of the proleptic Gregorian calendar, as time.Date counts them
// (Howard Hinnant's days_from_civil).
func daysSinceEpoch(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era-- // floor division for years before 1 BC
	}
	yoe := y - era*400
	mp := (m + 9) % 12 // March = 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// provisionalYear is the year to build a year-less stamp in: y, or for
// Feb 29 the first leap year from y, so that the day is not carried into
// March before the Assembler settles the year.
func provisionalYear(y int, m time.Month, day int) int {
	for day > daysIn(m, y) && m == time.February {
		y++
	}
	return y
}

func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// num2 reads two decimal digits at p.
func num2(b []byte, p int) (int, bool) {
	if p+2 > len(b) || !isDigit(b[p]) || !isDigit(b[p+1]) {
		return 0, false
	}
	return int(b[p]-'0')*10 + int(b[p+1]-'0'), true
}

// num4 reads four decimal digits at p.
func num4(b []byte, p int) (int, bool) {
	hi, ok1 := num2(b, p)
	lo, ok2 := num2(b, p+2)
	return hi*100 + lo, ok1 && ok2
}

// hasPrefix is bytes.HasPrefix for a string prefix, without converting it.
func hasPrefix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[:len(s)]) == s
}
