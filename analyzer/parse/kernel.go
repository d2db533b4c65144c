package parse

import (
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

var kernelName = []byte("kernel")

// parseBracketHeader reads the lines that start with '[': journalctl -o
// short-monotonic ("[33432.250900] userver systemd[1]: msg"), dmesg
// ("[    2.572326] EXT4-fs (vda): mounted ...") and dmesg -T ("[Sun Nov 22
// 01:23:20 2026] msg").
//
// short-monotonic and dmesg share the stamp. The syslog reading wins when a
// tag with a PID (or "kernel") follows, unless the source was sniffed as
// dmesg; a short-monotonic source also accepts tags without a PID.
func parseBracketHeader(line []byte, o *Options, h *header) bool {
	if len(line) > 1 && englishWeekday(line[1:]) {
		return parseApacheError(line, o, h) || parseDmesgT(line, o, h)
	}
	st, rest, ok := kernelStamp(line)
	if !ok {
		return false
	}
	p := len(line) // the space after ']', or the end
	if rest != nil {
		p = len(line) - len(rest) - 1
	}
	// Seconds since boot are no wall-clock time: the line has none (it
	// borrows none from a neighbour of another section of a paste).
	h.q = event.TimeNone
	if o.Hint != FormatDmesg && parseTail(line, p, o.Hint != FormatJournalShortMonotonic, h) {
		h.format = FormatJournalShortMonotonic
		h.key, h.val = "monotonic", st
		return true
	}
	h.key, h.val = "kernel_time", st
	return dmesgBody(line, p, h)
}

// parseDmesgT reads dmesg -T: "[Sun Nov 22 01:23:20 2026] msg", a local
// time without a zone.
func parseDmesgT(line []byte, o *Options, h *header) bool {
	c, p, ok := weekdayStamp(line, 0)
	if !ok || p < len(line) && line[p] != ' ' {
		return false
	}
	h.t = localTime(c.year, time.Month(c.month), c.day, c.hour, c.min, c.sec, 0, o.Location)
	h.q = event.TimeZoneAssumed
	return dmesgBody(line, p, h)
}

// weekdayStamp reads the stamp dmesg -T and Apache's error log start with,
// "[Www Mmm dd HH:MM:SS YYYY]" (the day may be padded with a blank), with
// an optional fraction after sep (0: none). It returns the index after
// the ']'.
func weekdayStamp(line []byte, sep byte) (c civil, end int, ok bool) {
	if len(line) < 26 || line[4] != ' ' || line[8] != ' ' {
		return c, 0, false
	}
	m := englishMonth(line[5:])
	if m == 0 {
		return c, 0, false
	}
	p := 9
	if line[p] == ' ' {
		p++
	}
	day := 0
	for p < len(line) && isDigit(line[p]) && day < 10 {
		day = day*10 + int(line[p]-'0')
		p++
	}
	if p >= len(line) || line[p] != ' ' || day < 1 || day > daysIn(m, 2000) {
		return c, 0, false
	}
	cl, p, ok := readClock(line, p+1, sep)
	if !ok || p+6 > len(line) || line[p] != ' ' || line[p+5] != ']' {
		return c, 0, false
	}
	y, ok := num4(line, p+1)
	if !ok || day > daysIn(m, y) {
		return c, 0, false
	}
	return civil{year: y, month: int(m), day: day, hour: cl.h, min: cl.m, sec: cl.s, nsec: cl.ns}, p + 6, true
}

// dmesgBody finishes a dmesg line whose stamp ends at p (a space, or the
// end of the line). The program is "kernel", unless the message is a user
// space one written to /dev/kmsg with its own "name[pid]: " tag
// ("systemd[1]: Started ..."); kernel "subsystem: " prefixes carry no PID
// and stay in the message.
func dmesgBody(line []byte, p int, h *header) bool {
	h.format = FormatDmesg
	h.prog = kernelName
	if p >= len(line) {
		return true
	}
	msg := line[p+1:]
	if t, ok := scanTag(msg, true, false); ok && t.hasPID {
		h.setTag(msg, t)
		return true
	}
	h.msg = msg
	return true
}

// kernelStamp reads a printk stamp "[%5lu.%06lu]" at the start of b
// ("[    2.572326]", "[33431.000100]") and returns its number without the
// padding, and what follows "] " (nil when the line ends at ']').
func kernelStamp(b []byte) (stamp, rest []byte, ok bool) {
	if len(b) < 4 || b[0] != '[' {
		return nil, nil, false
	}
	i := 1
	for i < len(b) && b[i] == ' ' && i < 16 {
		i++
	}
	s := i
	for i < len(b) && isDigit(b[i]) && i-s < 12 {
		i++
	}
	if i == s || i >= len(b) || b[i] != '.' {
		return nil, nil, false
	}
	i++
	f := i
	for i < len(b) && isDigit(b[i]) && i-f < 9 {
		i++
	}
	if i == f || i >= len(b) || b[i] != ']' {
		return nil, nil, false
	}
	stamp = b[s:i]
	i++
	switch {
	case i == len(b):
		return stamp, nil, true
	case b[i] == ' ':
		return stamp, b[i+1:], true
	}
	return nil, nil, false
}

// parseDmesgX reads dmesg -x, which puts the facility and level before the
// stamp: "kern  :info  : [    2.572326] EXT4-fs (vda): mounted ...".
func parseDmesgX(line []byte, h *header) bool {
	i := 0
	for i < len(line) && i < 9 && (line[i] >= 'a' && line[i] <= 'z' || isDigit(line[i])) {
		i++
	}
	if i == 0 {
		return false
	}
	for i < len(line) && line[i] == ' ' {
		i++
	}
	if i >= len(line) || line[i] != ':' {
		return false
	}
	i++
	l := i
	for i < len(line) && line[i] >= 'a' && line[i] <= 'z' {
		i++
	}
	pri, ok := event.ParsePriority(string(line[l:i]))
	if !ok {
		return false
	}
	for i < len(line) && line[i] == ' ' {
		i++
	}
	if !hasPrefix(line[i:], ": [") {
		return false
	}
	st, rest, ok := kernelStamp(line[i+2:])
	if !ok {
		return false
	}
	h.setPriority(pri)
	h.q = event.TimeNone
	h.key, h.val = "kernel_time", st
	p := len(line)
	if rest != nil {
		p = len(line) - len(rest) - 1
	}
	return dmesgBody(line, p, h)
}
