package parse

import (
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// catalogMark starts the explanation lines journalctl -x prints (v246+).
const catalogMark = "░░"

// parseShortFull reads journalctl -o short-full (and with-unit):
// "Thu 2021-10-07 06:20:23 UTC userver systemd[1]: msg".
func parseShortFull(line []byte, o *Options, h *header) bool {
	t, q, p, ok := readFullStamp(line, 0, o)
	if !ok || (p < len(line) && line[p] != ' ') {
		return false
	}
	h.t, h.q = t, q
	h.format = FormatJournalShortFull
	parseTail(line, p, false, h)
	return true
}

// readFullStamp reads "Www YYYY-MM-DD HH:MM:SS[.frac] ZONE" at p, the stamp
// of short-full and of the "-- Logs begin at ..." banners. systemd prints
// the weekday in English whatever the locale, and the zone as an
// abbreviation (see resolveZone). It returns the index after the zone.
func readFullStamp(b []byte, p int, o *Options) (t time.Time, q event.TimeQuality, end int, ok bool) {
	if p+25 > len(b) || !englishWeekday(b[p:]) || b[p+3] != ' ' || b[p+8] != '-' || b[p+11] != '-' || b[p+14] != ' ' {
		return t, q, p, false
	}
	y, ok1 := num4(b, p+4)
	mo, ok2 := num2(b, p+9)
	d, ok3 := num2(b, p+12)
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) {
		return t, q, p, false
	}
	c, r, ok := readClock(b, p+15, '.')
	if !ok || r >= len(b) || b[r] != ' ' {
		return t, q, p, false
	}
	r++
	z := r
	for r < len(b) && r-z <= 8 && isZoneByte(b[r]) {
		r++
	}
	if r == z || r-z > 8 {
		return t, q, p, false
	}
	t, q = resolveZone(b[z:r], y, time.Month(mo), d, c, o.Location)
	return t, q, r, true
}

func isZoneByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || isDigit(c) || c == '+' || c == '-'
}

// zoneAbbrevs are zone abbreviations that name one offset wherever they are
// used. Ambiguous ones (IST, CST, BST, AST ...) are left out: they fall back
// to the source's zone.
var zoneAbbrevs = map[string]*time.Location{}

func init() {
	for name, off := range map[string]int{
		"KST": 9 * 60, "JST": 9 * 60, "HKT": 8 * 60, "SGT": 8 * 60, "AWST": 8 * 60, "WIB": 7 * 60,
		"CET": 60, "CEST": 120, "EET": 120, "EEST": 180, "WET": 0, "WEST": 60, "MSK": 180,
		"PST": -8 * 60, "PDT": -7 * 60, "MST": -7 * 60, "MDT": -6 * 60, "EST": -5 * 60, "EDT": -4 * 60,
		"AKST": -9 * 60, "AKDT": -8 * 60, "HST": -10 * 60,
		"AEST": 10 * 60, "AEDT": 11 * 60, "ACST": 9*60 + 30, "ACDT": 10*60 + 30,
		"NZST": 12 * 60, "NZDT": 13 * 60,
	} {
		zoneAbbrevs[name] = time.FixedZone(name, off*60)
	}
}

// resolveZone builds a time from a stamp whose zone is an abbreviation:
//   - "UTC", "GMT", or a numeric "+03"/"+0530" (zones without a letter
//     abbreviation print these): exact;
//   - the abbreviation the source's zone uses at that instant: exact, in
//     that zone (this also settles DST and ambiguous names like IST);
//   - an abbreviation of zoneAbbrevs: exact;
//   - anything else: the source's zone, TimeZoneAssumed.
func resolveZone(abbr []byte, y int, mo time.Month, d int, c clock, loc *time.Location) (time.Time, event.TimeQuality) {
	switch string(abbr) {
	case "UTC", "GMT", "UCT", "Z":
		return time.Date(y, mo, d, c.h, c.m, c.s, c.ns, time.UTC), event.TimeExact
	}
	if abbr[0] == '+' || abbr[0] == '-' {
		if off, ok := numericOffset(abbr); ok {
			return time.Date(y, mo, d, c.h, c.m, c.s, c.ns, time.UTC).Add(-time.Duration(off) * time.Second), event.TimeExact
		}
	}
	t := localTime(y, mo, d, c.h, c.m, c.s, c.ns, loc)
	if name, _ := t.Zone(); name == string(abbr) {
		return t, event.TimeExact
	}
	if zl, ok := zoneAbbrevs[string(abbr)]; ok {
		return time.Date(y, mo, d, c.h, c.m, c.s, c.ns, zl), event.TimeExact
	}
	return t, event.TimeZoneAssumed
}

// numericOffset reads "+HH" or "+HHMM" as seconds east of UTC.
func numericOffset(b []byte) (int, bool) {
	var h, m int
	var ok bool
	switch len(b) {
	case 3:
		h, ok = num2(b, 1)
	case 5:
		var ok2 bool
		h, ok = num2(b, 1)
		m, ok2 = num2(b, 3)
		ok = ok && ok2
	default:
		return 0, false
	}
	if !ok || h > 23 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if b[0] == '-' {
		off = -off
	}
	return off, true
}

// parseMarker reads the lines journalctl prints between entries:
//
//	-- Boot 9a8b7c6d5e4f30211203f4e5d6c7b8a9 --          KindBoot, BootID set
//	-- Reboot --                                          KindBoot (before v247)
//	-- Logs begin at <stamp>, end at <stamp>. --          KindBanner (up to v245)
//	-- Journal begins at <stamp>, ends at <stamp>. --     KindBanner (v246-v249)
//	-- No entries --                                      KindBanner
//
// A banner's Time is its begin stamp and field "end" its end stamp in
// RFC3339. Before v246, -x catalog lines were prefixed "-- " too; those are
// read as catalog lines when the source was sniffed as journalctl output or
// the line names a catalog key ("-- Subject: ...").
func parseMarker(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	if !hasPrefix(line, "-- ") {
		return KindEntry, false
	}
	body := line[3:]
	if n := len(body); n >= 3 && string(body[n-3:]) == " --" {
		inner := body[:n-3]
		switch {
		case string(inner) == "Reboot":
			ev.Source.Format = FormatJournalShort
			return KindBoot, true
		case hasPrefix(inner, "Boot ") && isHexID(inner[5:]):
			ev.BootID = string(inner[5:])
			ev.Source.Format = FormatJournalShort
			return KindBoot, true
		case string(inner) == "No entries":
			ev.Source.Format = FormatJournalShort
			return KindBanner, true
		case hasPrefix(inner, "Logs begin at "):
			return banner(inner[len("Logs begin at "):], ", end at ", o, ev), true
		case hasPrefix(inner, "Journal begins at "):
			return banner(inner[len("Journal begins at "):], ", ends at ", o, ev), true
		}
	}
	if isJournalHint(o.Hint) || isCatalogKey(body) {
		return catalogLine(body, ev), true
	}
	return KindEntry, false
}

// banner reads "<stamp>, end at <stamp>." (sep names the middle).
func banner(b []byte, sep string, o *Options, ev *event.Event) Kind {
	ev.Source.Format = FormatJournalShort
	t, q, p, ok := readFullStamp(b, 0, o)
	if !ok {
		// A banner all the same; its stamp is in a form we do not read.
		return KindBanner
	}
	ev.Time, ev.TimeQuality = t.UTC(), q
	if rest := b[p:]; hasPrefix(rest, sep) {
		if t2, _, _, ok := readFullStamp(rest, len(sep), o); ok {
			ev.Fields = append(ev.Fields, event.Field{Key: "end", Value: t2.Format(time.RFC3339)})
		}
	}
	return KindBanner
}

func isHexID(b []byte) bool {
	if len(b) != 32 {
		return false
	}
	for _, c := range b {
		if !isDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func isJournalHint(h string) bool {
	switch h {
	case FormatJournalShort, FormatJournalShortPrecise, FormatJournalShortISO,
		FormatJournalShortISOPrecise, FormatJournalShortFull, FormatJournalShortMonotonic,
		FormatJournalShortUnix:
		return true
	}
	return false
}

// isCatalogKey reports whether b starts with a header of a catalog entry
// (systemd's catalog/*.catalog files).
func isCatalogKey(b []byte) bool {
	return hasPrefix(b, "Subject: ") || hasPrefix(b, "Defined-By: ") ||
		hasPrefix(b, "Support: ") || hasPrefix(b, "Documentation: ")
}

// parseCatalog reads a -x catalog line: "░░ Subject: A start job ...".
func parseCatalog(line []byte, ev *event.Event) Kind {
	rest := line[len(catalogMark):]
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	return catalogLine(rest, ev)
}

// catalogLine makes a continuation that adds text to the entry's "catalog"
// field and nothing to its message.
func catalogLine(text []byte, ev *event.Event) Kind {
	ev.Source.Format = FormatJournalShort
	ev.Fields = append(ev.Fields, event.Field{Key: "catalog", Value: toValidString(text)})
	return KindContinuation
}
