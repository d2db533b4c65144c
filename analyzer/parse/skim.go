package parse

import (
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Skimming (issue 20). Before --since, the lines of a log matter only
// as earlier steps of a signature's chain: most of the lookback read
// before --since is lines no signature can match, which nothing reports.
// Such a line of a syslog or journalctl text format is skimmed instead
// of parsed: only its stamp is read, so that the Assembler places it
// (year inference, the time stamp-less lines inherit, boots) exactly as
// it would the parsed line, and its event is dropped once assembled.
//
// A skimmed line keeps what the Assembler needs of it and no more: an
// entry of kind log with its time, time quality and format, its raw
// line in Message (Parsed.Skim, Event.Screen == Skimmed). The Assembler
// parses it whole where more of it counts: inside a command's scope or
// output (a prompt names the command, state blocks read the lines); a
// caller keeps it from being joined by continuation lines, and from
// naming a boot (BootTexts).

// skimmed marks the event of a skimmed line (Event.Screen).
type skimmed struct{}

// Skimmed is the Event.Screen of a skimmed line's event.
var Skimmed any = skimmed{}

// skimRun marks the event of a run of skimmed lines with one stamp
// (Parsed.SkimRun): how many lines follow the first. (One byte: boxed
// without an allocation.)
type skimRun uint8

// MaxSkimRun is the most lines a skimmed line takes after it
// (Parsed.SkimRun).
const MaxSkimRun = 255

// IsSkimmed reports whether ev is a skimmed line's event, or a run's.
func IsSkimmed(ev *event.Event) bool {
	switch ev.Screen.(type) {
	case skimmed, skimRun:
		return true
	}
	return false
}

// SkimmedLines is how many lines the skimmed event ev stands for: 1, or
// a run's lines, all of its time, format and time quality.
func SkimmedLines(ev *event.Event) int {
	if r, ok := ev.Screen.(skimRun); ok {
		return 1 + int(r)
	}
	return 1
}

// runLines returns the lines of the run p from its from-th on (0 is
// p's own), each a skimmed line of its own.
func (p *Parsed) runLines(from int) []Parsed {
	out := make([]Parsed, 0, p.SkimRun+1-from)
	rest := p.Raw
	for i := 0; i <= p.SkimRun; i++ {
		line := rest
		if j := strings.IndexByte(rest, '\n'); j >= 0 {
			line, rest = rest[:j], rest[j+1:]
		}
		if i < from {
			continue
		}
		q := *p
		q.Line, q.Raw, q.SkimRun = p.Line+int64(i), line, 0
		q.Event.Message = line
		out = append(out, q)
	}
	return out
}

// addRun accounts for the lines of the run p after its first, once ev,
// the first, was started: they are where ev is, in its time, boot and
// statistics. It reports false, and does nothing, when a line of the
// same stamp may not be placed where ev was (an inferred year outside
// the minute cache, a wall clock set back: addRun cannot tell), and the
// caller adds them line by line.
func (a *Assembler) addRun(ev *event.Event, p *Parsed) bool {
	switch ev.TimeQuality {
	case event.TimeExact:
		// (fixTime: the time as read, a reanchor on it: the same for
		// each.)
	case event.TimeYearInferred:
		// The next line of the stamp is placed by sameMinute, where ev
		// was unless repeatedHour moved ev.
		c := &a.minute
		raw := p.Event.Time
		sec := raw.Unix() - c.rawUnix
		if c.raw.IsZero() || c.year != a.year || a.prevMonth == 0 || sec < 0 || sec >= 60 ||
			!ev.Time.Equal(c.placed.Add(time.Duration(sec)*time.Second+time.Duration(raw.Nanosecond()))) {
			return false
		}
	default:
		return false
	}
	ev.Message = p.Raw
	ev.Screen = skimRun(p.SkimRun)
	a.entriesInBoot += p.SkimRun
	a.qualityCounts[ev.TimeQuality] += int64(p.SkimRun)
	return true
}

// BootTexts are the texts a line that starts a boot without a boot
// marker holds: such a line is parsed whole, never skimmed.
var BootTexts = []string{linuxVersion}

const linuxVersion = "Linux version "

// SkimLine reads only the time and format of line into ev when
// ParseLine would read it as an entry of a syslog or journalctl text
// format whose message and the units named in it are verbatim
// substrings of the line (RFC3164, RSYSLOG_FileFormat, journalctl short
// modes), and whose program may not be one of programs. ok is false for
// any other line, which must be parsed.
func (p *Parser) SkimLine(line []byte, o *Options, ev *event.Event, programs []string) (ok bool) {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) < 3 {
		return false
	}
	// A line that starts with a letter or digit is neither blank nor
	// decorated, and is offered to parseStructured, then to the syslog
	// family's stamp headers, as ParseLine does.
	c := line[0]
	month := false
	switch {
	case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
		month = len(line) > 4 && line[3] == ' ' && englishMonth(line) != 0
	case isDigit(c):
	default:
		return false
	}
	if !month || o.Hint == FormatAptTerm || o.Hint == FormatAptHistory || o.Hint == FormatCompose {
		// (An English month is never one of parseStructured's formats
		// unless a hint says so: its first test.)
		var scratch event.Event
		if _, claimed := parseStructured(line, o, &scratch); claimed {
			return false
		}
	}
	var t time.Time
	var q event.TimeQuality
	var format string
	if sc := p.sameStamp(line, o); sc != nil {
		// (The stamp of the line before: most lines. No header is
		// built, a quarter of a kilobyte to clear.)
		if len(programs) > 0 && p.mayBeTagged(line, sc.n, programs) {
			return false
		}
		t, q, format = sc.t, event.TimeYearInferred, sc.format
	} else if t, q, format, ok = p.skimHeader(line, o, programs); !ok {
		return false
	}
	switch format {
	case FormatRFC3164, FormatRFC3339, FormatJournalShort, FormatJournalShortPrecise, FormatJournalShortISO,
		FormatJournalShortISOPrecise, FormatJournalShortFull, FormatJournalShortUnix:
	default:
		return false
	}
	if t.IsZero() {
		return false
	}
	ev.Time = t
	if !inGap(t) { // as commit stores it
		ev.Time = t.UTC()
	}
	ev.TimeQuality = q
	ev.Source.Format = format
	ev.Message = p.str(line)
	ev.Screen = Skimmed
	return true
}

// skimHeader reads the stamp header of line for SkimLine when it is not
// the cached stamp: its time, time quality and format; ok is false when
// line has none or its program is one of programs.
func (p *Parser) skimHeader(line []byte, o *Options, programs []string) (t time.Time, q event.TimeQuality, format string, ok bool) {
	var h header
	if !parseStampHeader(line, o, &h) {
		return t, q, format, false
	}
	if h.stampEnd > 0 {
		p.keepStamp(line[:h.stampEnd], o, &h)
	}
	if len(h.prog) > 0 && slices.Contains(programs, string(h.prog)) {
		return t, q, format, false
	}
	return h.t, h.q, h.format, true
}

// mayBeTagged reports whether the tag parseTail reads after the stamp
// that ends at p may name one of programs: the tag is the first word
// after the stamp, or the word after the host (versionTag's too), a run
// of tag name bytes either way.
func (ps *Parser) mayBeTagged(line []byte, p int, programs []string) bool {
	if p >= len(line) {
		return false
	}
	if len(ps.tagProgs) != len(programs) || &ps.tagProgs[0] != &programs[0] {
		ps.tagProgs, ps.tagFirst, ps.tagAny = programs, tagBytes{}, false
		for _, n := range programs {
			if n == "" {
				ps.tagAny = true // (an empty name: no first byte to go by)
			} else {
				ps.tagFirst[n[0]>>6] |= 1 << (n[0] & 63)
			}
		}
	}
	rest := line[p+1:]
	if ps.mayStart(rest) && tagIs(rest, programs) {
		return true
	}
	q := 0
	for q < len(rest) && rest[q] != ' ' {
		q++
	}
	for q < len(rest) && rest[q] == ' ' {
		q++
	}
	return q < len(rest) && ps.mayStart(rest[q:]) && tagIs(rest[q:], programs)
}

// tagBytes is a set of bytes.
type tagBytes [4]uint64

// mayStart reports whether a tag that b starts with may be one of the
// programs mayBeTagged was last given, from its first byte.
func (ps *Parser) mayStart(b []byte) bool {
	return ps.tagAny || len(b) > 0 && ps.tagFirst[b[0]>>6]&(1<<(b[0]&63)) != 0
}

// tagIs reports whether the run of tag name bytes b starts with is one
// of names.
func tagIs(b []byte, names []string) bool {
	for _, n := range names {
		// (The first byte before the comparison, a call: most tags
		// differ there.)
		if len(b) >= len(n) && (len(n) == 0 || b[0] == n[0]) && string(b[:len(n)]) == n &&
			(len(b) == len(n) || byteClass[b[len(n)]]&tagNameByte == 0) {
			return true
		}
	}
	return false
}

// Unskim parses a skimmed line whole, in place: it becomes what
// ParseLine makes of it.
func (p *Parsed) Unskim(o *Options) {
	if !p.Skim {
		return
	}
	path := p.Event.Source.Path
	p.Event = event.Event{Priority: event.NoPriority, Source: event.SourceRef{Path: path}}
	p.Kind = ParseLine(unsafe.Slice(unsafe.StringData(p.Raw), len(p.Raw)), o, &p.Event)
	p.Skim, p.Deferred = false, false
}

// UnskimEvent parses the line of an assembled skimmed event whole (its
// Message) and keeps what the Assembler gave it: its time, boot and
// place in the source. It is for an event that turned out, once
// assembled, to matter after all (a year-less stamp read a year later
// than its provisional year).
func UnskimEvent(ev *event.Event, o *Options) {
	if !IsSkimmed(ev) {
		return
	}
	raw := ev.Message
	whole := event.Event{Priority: event.NoPriority}
	ParseLine(unsafe.Slice(unsafe.StringData(raw), len(raw)), o, &whole)
	whole.Time, whole.TimeQuality, whole.BootID = ev.Time, ev.TimeQuality, ev.BootID
	whole.Source.Path, whole.Source.Line = ev.Source.Path, ev.Source.Line
	*ev = whole
}

// UnskimRun appends to dst the events of the lines of a skimmed run's
// event ev (SkimmedLines), each parsed whole, with ev's time and boot
// (see UnskimEvent).
func UnskimRun(dst []event.Event, ev *event.Event, o *Options) []event.Event {
	n := SkimmedLines(ev)
	rest := ev.Message
	for i := range n {
		line := rest
		if j := strings.IndexByte(rest, '\n'); j >= 0 {
			line, rest = rest[:j], rest[j+1:]
		}
		one := *ev
		one.Message, one.Screen = line, Skimmed
		one.Source.Line = ev.Source.Line + int64(i)
		UnskimEvent(&one, o)
		dst = append(dst, one)
	}
	return dst
}

// UnitTexts returns texts one of which every line of a syslog or
// journalctl text format that names unit holds (deriveSystemd): the
// unit's name, the descriptions that stand for it, and the prefix of
// the templated description it may come from.
func UnitTexts(unit string) []string {
	texts := []string{unit}
	for d, u := range unitDescriptions {
		if u == unit {
			texts = append(texts, d)
		}
	}
	for d, u := range targetUnits {
		if u == unit {
			texts = append(texts, d)
		}
	}
	for _, t := range unitTemplates {
		if strings.HasPrefix(unit, t.unit) && strings.HasSuffix(unit, t.suffix) {
			texts = append(texts, t.prefix)
		}
	}
	slices.Sort(texts[1:]) // (map order)
	return texts
}
