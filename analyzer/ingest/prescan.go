package ingest

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// Before a source's lines are cut into blocks, its head (the bytes the
// decoder peeked for sniffing) is parsed once more for what decides how
// every line's time is read: full stamps written inside messages under a
// zone-less header (dockerd's time="...+09:00", nginx's [18/Jun/2024:
// 09:00:11 +0900], an RFC 3339 payload), which give the source's zone and
// year, and a journalctl banner, whose stamp names a zone. The clean path
// pays for this once per source, never per line.

// headLines bounds the lines scanHead parses.
const headLines = 64

// monthDay is the date of a year-less line; zero when there is none.
type monthDay struct {
	month time.Month
	day   int
}

func (d monthDay) known() bool { return d.month != 0 }

// after reports whether d comes later in the calendar year than e.
func (d monthDay) after(e monthDay) bool {
	return d.month > e.month || d.month == e.month && d.day > e.day
}

// offsetSample is one line whose message holds a full stamp of its own.
type offsetSample struct {
	at       time.Time // the instant the message states
	off      int       // the header's wall clock minus at, in seconds
	date     monthDay  // the header's date
	year     int       // the header's year, as the message settles it
	yearLess bool      // the header had no year
	// literal: the stamp was written in the offset found (not in UTC),
	// so it states the zone itself.
	literal bool
}

// headScan is what a source's head (and, for a regular file, its tail)
// says about its times.
type headScan struct {
	samples []offsetSample
	banner  zoneSignal // from a journalctl banner's stamp
	first   monthDay   // the first year-less entry
	last    monthDay   // the last year-less entry (scanTail)
	// zoneLess: some entry's stamp had no zone (year-less, or a date
	// and clock without an offset).
	zoneLess bool
}

// scanHead parses the first lines of a source.
func scanHead(head []byte) headScan {
	var hs headScan
	if i := bytes.LastIndexByte(head, '\n'); i > 0 {
		head = head[:i] // the last line may be cut short
	}
	hs.scanLines(head, headLines, false)
	return hs
}

// scanLines parses up to limit lines of buf (0: all of them): the first
// year-less line for its date, banners, and lines that may hold a stamp
// of their own (mayHoldStamp); in a tail, only the latter.
func (hs *headScan) scanLines(buf []byte, limit int, tail bool) {
	o := parse.Options{Location: time.UTC, Year: 2000} // a leap year: Feb 29 reads
	var p parse.Parser
	var ev event.Event
	for n := 0; len(buf) > 0 && (limit == 0 || n < limit); n++ {
		line := buf
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			line, buf = buf[:i], buf[i+1:]
		} else {
			buf = nil
		}
		if hs.first.known() && !tail && !mayHoldStamp(line) && !bytes.HasPrefix(line, []byte("--")) {
			continue // nothing more to learn from it: not parsed
		}
		if tail && !mayHoldStamp(line) {
			continue // (scanTail finds the last line's date itself)
		}
		ev.Reset()
		ev.Priority = event.NoPriority
		switch parseLine(&p, line, &o, &ev) {
		case parse.KindBanner:
			if !hs.banner.ok() {
				hs.banner = bannerZone(string(line))
			}
			continue
		case parse.KindEntry:
		default:
			continue
		}
		yearLess := ev.TimeQuality == event.TimeYearInferred
		if !yearLess && ev.TimeQuality != event.TimeZoneAssumed {
			continue
		}
		hs.zoneLess = true
		wall := ev.Time
		if yearLess && !hs.first.known() {
			hs.first = monthDay{wall.Month(), wall.Day()}
		}
		at, ok := messageStamp(&ev)
		if !ok {
			continue
		}
		if s, ok := sampleOf(wall, at, yearLess); ok {
			hs.samples = append(hs.samples, s)
		}
	}
}

// sampleOf compares a header's wall clock (as UTC; for a year-less header
// its year is a placeholder) with the instant the message states.
//
// The stamp must be written in UTC or in the offset the difference
// gives: the line's own time in the writer's zone (dockerd, nginx) or in
// UTC (containerd, JSON loggers). A stamp in another offset is about
// something else ("next run at 10:00+09:00" logged at 09:00) and is no
// sample.
func sampleOf(wall, at time.Time, yearLess bool) (offsetSample, bool) {
	date := monthDay{wall.Month(), wall.Day()}
	_, lit := at.Zone()
	ok := func(off int) bool { return lit == 0 || lit == off }
	if !yearLess {
		off, fits := roundOffset(wall.Sub(at))
		return offsetSample{at: at, off: off, date: date, year: wall.Year(), literal: lit != 0}, fits && ok(off)
	}
	for y := at.Year() - 1; y <= at.Year()+1; y++ {
		w := time.Date(y, wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.UTC)
		if w.Day() != wall.Day() {
			continue // Feb 29 of a common year
		}
		if off, fits := roundOffset(w.Sub(at)); fits {
			return offsetSample{at: at, off: off, date: date, year: y, yearLess: true, literal: lit != 0}, ok(off)
		}
	}
	return offsetSample{}, false
}

// stampFields are the payload keys that hold an application's own
// time of the line (logfmt, JSON).
var stampFields = []string{"time", "ts", "timestamp", "@timestamp"}

// messageStamp finds a full stamp with a zone inside ev's message: a
// payload time field, an access log's [02/Jan/2006:15:04:05 -0700], or
// an RFC 3339 stamp anywhere in the text.
func messageStamp(ev *event.Event) (time.Time, bool) {
	for _, k := range stampFields {
		if v, ok := ev.Field(k); ok {
			if t, ok := readRFC3339(v, 0); ok {
				return t, true
			}
		}
	}
	m := ev.Message
	for i := strings.IndexByte(m, '['); i >= 0 && i+28 <= len(m); {
		if m[i+27] == ']' {
			if t, err := time.Parse("02/Jan/2006:15:04:05 -0700", m[i+1:i+27]); err == nil {
				return t, true
			}
		}
		j := strings.IndexByte(m[i+1:], '[')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	for i := 0; i+20 <= len(m); i++ {
		if m[i] == '-' && i >= 4 {
			if t, ok := readRFC3339(m, i-4); ok {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// readRFC3339 reads "YYYY-MM-DD[T ]hh:mm:ss[.frac](Z|±hh:mm|±hhmm)" at
// s[i:]; a stamp without a zone does not count.
func readRFC3339(s string, i int) (time.Time, bool) {
	if i < 0 || i+20 > len(s) {
		return time.Time{}, false
	}
	b := s[i:]
	if !allDigits(b[0:4]) || b[4] != '-' || !allDigits(b[5:7]) || b[7] != '-' || !allDigits(b[8:10]) ||
		(b[10] != 'T' && b[10] != ' ') || !allDigits(b[11:13]) || b[13] != ':' || !allDigits(b[14:16]) || b[16] != ':' || !allDigits(b[17:19]) {
		return time.Time{}, false
	}
	j := 19
	if j < len(b) && (b[j] == '.' || b[j] == ',') {
		j++
		for j < len(b) && isDigit(b[j]) {
			j++
		}
	}
	var zone string
	switch {
	case j < len(b) && b[j] == 'Z':
		zone = "Z"
	case j+6 <= len(b) && (b[j] == '+' || b[j] == '-') && allDigits(b[j+1:j+3]) && b[j+3] == ':' && allDigits(b[j+4:j+6]):
		zone = b[j : j+6]
	case j+5 <= len(b) && (b[j] == '+' || b[j] == '-') && allDigits(b[j+1:j+5]):
		zone = b[j:j+3] + ":" + b[j+3:j+5]
	default:
		return time.Time{}, false
	}
	text := b[:10] + "T" + strings.Replace(b[11:j], ",", ".", 1) + zone
	t, err := time.Parse(time.RFC3339Nano, text)
	return t, err == nil
}

// bannerZone reads the zone of a journalctl banner's first stamp:
// "-- Logs begin at Tue 2024-06-18 09:00:00 KST, end at ... --",
// "-- Journal begins at ..., ends at ... --".
func bannerZone(line string) zoneSignal {
	var rest string
	var ok bool
	if _, rest, ok = strings.Cut(line, "Logs begin at "); !ok {
		if _, rest, ok = strings.Cut(line, "Journal begins at "); !ok {
			return zoneSignal{}
		}
	}
	f := strings.Fields(rest)
	if len(f) < 4 {
		return zoneSignal{}
	}
	clock, _, _ := strings.Cut(f[2], ".")
	wall, err := time.Parse("2006-01-02 15:04:05", f[1]+" "+clock)
	if err != nil {
		return zoneSignal{}
	}
	abbr := strings.TrimRight(f[3], ",.")
	var loc *time.Location
	if abbr != "" && (abbr[0] == '+' || abbr[0] == '-') {
		if t, err := time.Parse("-07", abbr); err == nil {
			_, off := t.Zone()
			loc = fixedZone(off)
		} else if t, err := time.Parse("-0700", abbr); err == nil {
			_, off := t.Zone()
			loc = fixedZone(off)
		}
	} else {
		loc = zoneForAbbrev(abbr, wall, 0, false)
	}
	if loc == nil {
		return zoneSignal{}
	}
	y, mo, d := wall.Date()
	return zoneSignal{loc: loc, from: zoneFromBanner, at: time.Date(y, mo, d, wall.Hour(), wall.Minute(), wall.Second(), 0, loc)}
}

// fixedZone is a zone of one offset, named as Go prints it ("UTC+09:00").
func fixedZone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	return time.FixedZone("UTC"+formatOffset(off), off)
}

// messageZone is the zone the samples' offsets say: the first of named
// that fits every sample (it knows daylight saving time for the rest of
// the source), else the offset most samples agree on. Nil without
// samples, or when they disagree with no zone of named fitting them.
func (hs *headScan) messageZone(named []*time.Location) *time.Location {
	if len(hs.samples) == 0 {
		return nil
	}
	counts := map[int]int{}
	best, bestN := 0, 0
	for _, s := range hs.samples {
		counts[s.off]++
		if n := counts[s.off]; n > bestN {
			best, bestN = s.off, n
		}
	}
	for _, loc := range named {
		if loc != nil && fitsSamples(loc, hs.samples) {
			return loc
		}
	}
	if bestN < len(hs.samples) {
		// The offset changes within the head: daylight saving time. A
		// well-known zone that makes the same change names it.
		for _, loc := range wellKnownZones() {
			if fitsSamples(loc, hs.samples) {
				return loc
			}
		}
	}
	if bestN*3 < len(hs.samples)*2 {
		return nil
	}
	if bestN < 2 && !hs.samples[0].literal {
		// One stamp in UTC could be about another moment: it takes two
		// to say the zone.
		return nil
	}
	return fixedZone(best)
}

// wellKnownZones are the zones of abbrevZones, in name order.
var wellKnownZones = sync.OnceValue(func() []*time.Location {
	var names []string
	for _, zs := range abbrevZones {
		for _, z := range zs {
			if !slices.Contains(names, z) {
				names = append(names, z)
			}
		}
	}
	slices.Sort(names)
	var out []*time.Location
	for _, n := range names {
		if loc := zoneFromName(n); loc != nil {
			out = append(out, loc)
		}
	}
	return out
})

func fitsSamples(loc *time.Location, samples []offsetSample) bool {
	for _, s := range samples {
		if _, off := s.at.In(loc).Zone(); off != s.off {
			return false
		}
	}
	return true
}

// messageYear is the year of the source's first year-less line as the
// full dates in its messages settle it; 0 when they do not.
func (hs *headScan) messageYear() int {
	for _, s := range hs.samples {
		if !s.yearLess || !hs.first.known() {
			continue
		}
		if hs.first.after(s.date) {
			return s.year - 1 // the first line lies before the sample, across New Year
		}
		return s.year
	}
	return 0
}

// tailSize is how much of a file's end scanTail reads.
const tailSize = 8 << 10

// scanTail reads the end of a regular, uncompressed file of size bytes,
// without disturbing its reading: the date of its last year-less line,
// and the offsets its messages state there (daylight saving time may have
// changed since the head).
func scanTail(f *os.File, size int64) headScan {
	var ts headScan
	if f == nil || size <= 0 {
		return ts
	}
	off := max(size-tailSize, 0)
	buf := make([]byte, size-off)
	n, _ := f.ReadAt(buf, off)
	buf = buf[:n]
	if off > 0 {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			return ts
		}
		buf = buf[i+1:]
	}
	ts.scanLines(buf, 0, true)
	ts.last = lastYearLessDate(buf)
	return ts
}

// lastYearLessDate is the date of the last year-less entry of buf,
// parsed from the end.
func lastYearLessDate(buf []byte) monthDay {
	o := parse.Options{Location: time.UTC, Year: 2000}
	var p parse.Parser
	var ev event.Event
	for len(buf) > 0 {
		line := buf
		if i := bytes.LastIndexByte(bytes.TrimRight(buf, "\n"), '\n'); i >= 0 {
			line, buf = buf[i+1:], buf[:i]
		} else {
			buf = nil
		}
		line = bytes.TrimRight(line, "\n")
		ev.Reset()
		if parseLine(&p, line, &o, &ev) == parse.KindEntry && ev.TimeQuality == event.TimeYearInferred {
			return monthDay{ev.Time.Month(), ev.Time.Day()}
		}
	}
	return monthDay{}
}

// mayHoldStamp is a cheap test for a full stamp after the line's start:
// an RFC 3339 date ("2024-06-18") or an access log's ("18/Jun/2024").
func mayHoldStamp(line []byte) bool {
	for i := 5; i+5 < len(line); i++ {
		switch line[i] {
		case '-':
			if line[i+3] == '-' && isDigit(line[i-1]) && isDigit(line[i-4]) && isDigit(line[i+1]) {
				return true
			}
		case '/':
			if line[i+4] == '/' && isDigit(line[i-1]) && isDigit(line[i+5]) {
				return true
			}
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
