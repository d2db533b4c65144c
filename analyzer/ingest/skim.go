package ingest

import (
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// The lookback, skimmed (issue 20). `timeline --since` reads a lookback
// before --since (a day by default) so that a chain that began before it
// completes; what it reports of that part is only the chains' earlier
// steps. So a text line before Skim.Before that no signature can match
// (Skim.Line says so from its raw bytes, a superset test) is skimmed:
// parse.Parser.SkimLine reads its stamp, the Assembler places it as it
// would the parsed line (years, inherited times, boots, statistics), and
// its event is dropped before the merge. The engine and the timeline see
// every line a signature may match, and every line from Before on, as
// they would without skimming.
//
// What keeps that exact:
//   - only lines of syslog and journalctl text formats are skimmed, whose
//     message, program and unit texts are verbatim in the line
//     (SkimLine), and only in sources sniffed as one (skimSource);
//   - a record's continuation lines need its whole message: an entry
//     followed by a continuation or text line is parsed whole, and so is
//     the last entry of each block (its continuations may start the
//     next block) and the first (the first entry after a boot marker
//     ends the boot's absence windows: it may start a block);
//   - a line that starts a boot without a marker ("Linux version") is
//     one Skim.Line passes (parse.BootTexts);
//   - inside a command's scope the Assembler parses a skimmed line whole;
//   - a skimmed entry whose assembled time is not before Before (a
//     year-less stamp whose year the Assembler moved) is parsed whole
//     once assembled (parse.UnskimEvent).

// Skim configures skimming (Options.Skim).
type Skim struct {
	// Before is where the range the caller reports starts (--since):
	// only lines before it are skimmed.
	Before time.Time
	// Lines returns, for one goroutine, a search of a block of lines:
	// it appends where each text it looks for ends in the block. A line
	// that holds none can make no event a signature matches, read as a
	// syslog or journalctl text line (engine.Engine.LineScreen). Nil: no
	// line is skimmed.
	Lines func() func(block string, ends []int) []int
	// Programs are programs whose lines are never skimmed.
	Programs []string
}

// skimSource reports whether the lines of a source sniffed as format
// may be skimmed: syslog and journalctl text sources, not command
// outputs.
func (run *srcRun) skimSource() bool {
	sk := run.st.opts.Skim
	if sk.Lines == nil || sk.Before.IsZero() || run.asmCfg.Command != "" {
		return false
	}
	switch run.opts.Hint {
	case parse.FormatRFC3164, parse.FormatRFC3339, parse.FormatJournalShort, parse.FormatJournalShortPrecise,
		parse.FormatJournalShortISO, parse.FormatJournalShortISOPrecise, parse.FormatJournalShortFull,
		parse.FormatJournalShortUnix:
		return true
	}
	return false
}

// workerSkim is a parse worker's search of blocks (Skim.Lines) and its
// scratch.
type workerSkim struct {
	lines func(string, []int) []int
	ends  []int
}

// skimmer decides, line by line in one block, which lines are skimmed
// (see the top of this file).
type skimmer struct {
	before   time.Time
	programs []string
	parser   *parse.Parser
	// ends are where the texts of Skim.Lines end in the block, text,
	// sorted, once searched (on the first line that may be skimmed);
	// ends[k:] are those not before the current line.
	lines    func(string, []int) []int
	text     string
	ends     []int
	k        int
	searched bool
	// after: a line of the block was at or after Before.
	after bool
	opts  *parse.Options
	// lastEntry is the index in the block's parsed lines of the latest
	// entry, -1 before the first; whole says the next entry is parsed
	// whole (the block's first, the first after a boot marker).
	lastEntry int
	whole     bool
}

// newSkimmer returns the skimmer of a block, text, whose texts are
// searched with lines (into ends, reused) when a line may be skimmed.
func newSkimmer(before time.Time, lines func(string, []int) []int, ends []int, text string,
	programs []string, parser *parse.Parser, opts *parse.Options) *skimmer {
	return &skimmer{before: before, programs: programs, parser: parser, opts: opts, lines: lines, text: text,
		ends: ends[:0], lastEntry: -1, whole: true}
}

// holds reports whether the line [start, end) of the block holds one of
// the texts searched for; lines are asked in order.
func (s *skimmer) holds(start, end int) bool {
	if !s.searched {
		s.ends = s.lines(s.text, s.ends)
		slices.Sort(s.ends)
		s.searched = true
	}
	for s.k < len(s.ends) && s.ends[s.k] <= start {
		s.k++
	}
	return s.k < len(s.ends) && s.ends[s.k] <= end
}

// skim reads raw (l, its bytes; at start in the block) into p as a
// skimmed entry when it may be; false when it must be parsed.
func (s *skimmer) skim(p *parse.Parsed, raw string, l []byte, start int) bool {
	// The stamp first: the lines from Before on, which are parsed
	// whatever their text, cost no test of it. Once one is read, so is
	// the rest of the block (a line that steps back before Before is
	// parsed for nothing).
	if s.whole || s.after || !s.parser.SkimLine(l, s.opts, &p.Event, s.programs) {
		return false
	}
	if s.after = !p.Event.Time.Before(s.before); s.after || s.holds(start, start+len(raw)) {
		p.Event = event.Event{Priority: event.NoPriority, Fields: p.Event.Fields[:0], Source: event.SourceRef{Path: p.Event.Source.Path}}
		return false
	}
	p.Kind, p.Skim = parse.KindEntry, true
	return true
}

// parsed notes the kind of the parsed line at index i of parsed: a
// continuation or text line has the skimmed entry it may join parsed
// whole.
func (s *skimmer) parsed(parsed []parse.Parsed, i int) {
	switch parsed[i].Kind {
	case parse.KindEntry:
		s.lastEntry, s.whole = i, false
	case parse.KindContinuation, parse.KindText:
		s.unskim(parsed)
	case parse.KindBoot:
		s.whole = true
	}
}

// unskim parses the latest entry whole if it was skimmed.
func (s *skimmer) unskim(parsed []parse.Parsed) {
	if s.lastEntry >= 0 && parsed[s.lastEntry].Skim {
		parsed[s.lastEntry].Unskim(s.opts)
	}
}

// fold folds the line just skimmed, the last of parsed, into the run
// of skimmed lines of its time before it (parse.Parsed.SkimRun), when
// the line before it is one of that time too: the run takes that line,
// whose slot the new line takes, so that the latest skimmed line keeps
// a slot of its own (it may be parsed whole: unskim). The caller drops
// the last slot when fold reports true.
func (s *skimmer) fold(parsed []parse.Parsed) bool {
	n := len(parsed) - 1
	if n < 2 {
		return false
	}
	x, y, z := &parsed[n], &parsed[n-1], &parsed[n-2]
	if !y.Skim || !z.Skim || y.SkimRun != 0 || z.SkimRun >= parse.MaxSkimRun ||
		z.Line+int64(z.SkimRun)+1 != y.Line || y.Line+1 != x.Line ||
		!sameSkim(&x.Event, &y.Event) || !sameSkim(&y.Event, &z.Event) ||
		strings.HasSuffix(y.Raw, "\r") || strings.HasSuffix(x.Raw, "\r") {
		return false
	}
	// (Lines of one block, one after the other: the run's text is one
	// slice of it.)
	from := unsafe.StringData(z.Raw)
	end := unsafe.Add(unsafe.Pointer(unsafe.StringData(y.Raw)), len(y.Raw))
	z.Raw = unsafe.String(from, uintptr(end)-uintptr(unsafe.Pointer(from)))
	z.SkimRun++
	y.Line, y.Raw, y.Event.Message = x.Line, x.Raw, x.Event.Message
	s.lastEntry = n - 1
	return true
}

// sameSkim reports whether two skimmed lines read the same stamp.
func sameSkim(a, b *event.Event) bool {
	// (Times of one stamp are one value: == is Equal without its calls,
	// and only misses a fold where it fails.)
	return a.Time == b.Time && a.TimeQuality == b.TimeQuality && a.Source.Format == b.Source.Format
}

// dropSkimmed drops the skimmed entries from evs, once assembled and
// accounted for, and returns how many lines they stood for; one whose
// time turned out not to be before before is parsed whole and kept
// (a run: each of its lines).
func dropSkimmed(evs []event.Event, before time.Time, o *parse.Options) ([]event.Event, int64) {
	kept := evs[:0]
	var dropped int64
	for i := range evs {
		ev := &evs[i]
		if ev.Screen != nil && parse.IsSkimmed(ev) {
			if ev.Time.Before(before) {
				dropped += int64(parse.SkimmedLines(ev))
				continue
			}
			if parse.SkimmedLines(ev) > 1 {
				// (Rare: a year moved by the Assembler. Its lines do not
				// fit in place.)
				out := slices.Clone(kept)
				out = parse.UnskimRun(out, ev, o)
				rest, n := dropSkimmed(slices.Clone(evs[i+1:]), before, o)
				clear(evs)
				return append(out, rest...), dropped + n
			}
			parse.UnskimEvent(ev, o)
		}
		kept = append(kept, *ev)
	}
	clear(evs[len(kept):])
	return kept, dropped
}
