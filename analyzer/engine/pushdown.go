package engine

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// Pushdown is the engine's prefilter as data, for a log store that runs
// it where the logs are (fleet mode): a log event can match a signature
// only if its message holds one of Literals (case-sensitive substrings),
// its program is one of Programs, or its unit is one of Units. Sorted and
// distinct. When All is set the rest means nothing: some event
// definition may match events no requirement describes, so every event
// is a candidate.
type Pushdown struct {
	Literals []string
	Programs []string
	Units    []string
	All      bool
}

// Pushdown returns the prefilter of the engine's signatures (every
// definition's signature.Requirement, a union when it has several keys).
// Definitions that only state or command events can match are left
// out: a log store holds log events.
func (e *Engine) Pushdown() Pushdown {
	var p Pushdown
	for _, d := range e.defs {
		if !addPushdown(d.def.Matcher, &p) {
			p.All = true
		}
	}
	for _, s := range []*[]string{&p.Literals, &p.Programs, &p.Units} {
		slices.Sort(*s)
		*s = slices.Compact(*s)
	}
	return p
}

// addPushdown adds what a log event needs to match m; false when it
// cannot be said (every event is a candidate). A requirement with
// several keys set is their union (an any: narrowed by different keys:
// Requirement unions its branches already).
func addPushdown(m *signature.Matcher, p *Pushdown) bool {
	r := m.Requirement()
	if r.Any() {
		return false
	}
	// Kinds never holds log (Requirement): a part that only state or
	// command events pass adds nothing for a log store.
	p.Literals = append(p.Literals, r.Literals...)
	p.Programs = append(p.Programs, r.Programs...)
	p.Units = append(p.Units, r.Units...)
	return !slices.Contains(r.Programs, "") && !slices.Contains(r.Units, "")
}

// Advance tells the engine that host's events reach t: what a later
// event of the host would tell the open absence windows. A store returns
// only candidates, so the events that would close a window locally do
// not come; its per-host last time (an aggregate query) stands in for
// them once the candidates are in.
func (e *Engine) Advance(host string, t time.Time) {
	if e.absentOpen == 0 || host == "" || t.IsZero() {
		return
	}
	ev := &event.Event{Host: host, Time: t, TimeQuality: event.TimeExact, Priority: event.NoPriority}
	for _, r := range e.observers {
		r.observe(e, ev)
	}
}

// LineScreen is a test of raw log lines (Engine.LineScreen): a line
// whose event no signature can match, read as a syslog or journalctl
// text line, fails it.
type LineScreen struct {
	// Lines returns, for one goroutine at a time, a search of a text
	// (a block of lines) for the texts a candidate's line holds: it
	// appends to its second argument where each occurrence ends (the
	// index after it), in no particular order. A line that holds none
	// fails the test.
	Lines func() func(text string, ends []int) []int
	// Programs are the programs whose lines are candidates whatever
	// their text: a line of one of them passes too.
	Programs []string
}

// LineScreen returns the test of raw log lines for the engine's
// signatures, on these terms: a line's message is a verbatim substring
// of it (a syslog or journalctl text line: the caller tests only such
// lines), unitTexts(u) are texts one of which a line naming unit u
// holds, and extra are texts the caller needs too. ok is false when the
// signatures allow no such test: some definition needs none of the
// prefilter's keys, or a literal holds a control character (rsyslog
// writes tabs and newlines as #011, #012).
func (e *Engine) LineScreen(unitTexts func(string) []string, extra ...string) (_ LineScreen, ok bool) {
	p := e.Pushdown()
	if p.All {
		return LineScreen{}, false
	}
	for _, l := range p.Literals {
		for i := 0; i < len(l); i++ {
			if l[i] < ' ' || l[i] == 0x7f {
				return LineScreen{}, false
			}
		}
	}
	dict := append(slices.Clone(p.Literals), extra...)
	for _, u := range p.Units {
		dict = append(dict, unitTexts(u)...)
	}
	slices.Sort(dict)
	dict = slices.Compact(dict)
	if len(dict) > 0 && dict[0] == "" {
		return LineScreen{}, false // (every line holds it)
	}
	return LineScreen{Lines: lineSearch(dict), Programs: p.Programs}, true
}

// lineSearch returns LineScreen.Lines for dict.
func lineSearch(dict []string) func() func(string, []int) []int {
	// Texts too short for a long stride of the gram finder (a target's
	// description: "Swaps") are looked for one by one, grouped by all
	// but their last byte; a text of one byte leaves all to the DFA.
	var long []string
	var short []shortText
	for _, t := range dict {
		if len(t) >= minLineText || len(t) < 2 {
			long = append(long, t)
			continue
		}
		stem := t[:len(t)-1]
		i := slices.IndexFunc(short, func(s shortText) bool { return s.stem == stem })
		if i < 0 {
			i = len(short)
			short = append(short, shortText{stem: stem})
		}
		short[i].last.add(t[len(t)-1])
	}
	// The automaton is built when a search first runs: most runs with
	// --since skim no line at all (their sources start after the
	// lookback, or are journals).
	var ac *literalDFA
	build := sync.OnceFunc(func() {
		if len(long) > 0 {
			ac = newLiteralDFA(long)
		}
	})
	return func() func(string, []int) []int {
		var grams *gramFinder
		built := false
		var ends []int
		var base int
		found := func(_ int32, end int) { ends = append(ends, base+end) }
		return func(text string, out []int) []int {
			if !built {
				build()
				if ac != nil {
					grams = newGramFinder(long)
				}
				built = true
			}
			ends = out
			for _, s := range short {
				ends = s.appendEnds(ends, text)
			}
			if ac == nil {
				return ends
			}
			// One pass over the whole text once the finder has learned
			// (from lines: it learns from its first calls' texts).
			base = 0
			if grams != nil && grams.find(text, found) {
				return ends
			}
			for rest := text; rest != ""; {
				line := rest
				if i := strings.IndexByte(rest, '\n'); i >= 0 {
					line, rest = rest[:i], rest[i+1:]
				} else {
					rest = ""
				}
				if grams == nil || !grams.find(line, found) {
					ac.match(line, found)
				}
				base += len(line) + 1
			}
			return ends
		}
	}
}

// minLineText is the shortest text LineScreen's gram finder looks for:
// one of 8 bytes allows a stride of 5, what the finder picks on the
// bench corpus. (The built-in set has none shorter.)
const minLineText = 8

// shortText is texts that share all but their last byte.
type shortText struct {
	stem string
	last byteSet
}

// appendEnds appends to ends where each occurrence of stem followed by
// one of last in text ends.
func (s *shortText) appendEnds(ends []int, text string) []int {
	for off := 0; ; {
		i := strings.Index(text[off:], s.stem)
		if i < 0 {
			return ends
		}
		off += i + len(s.stem)
		if off < len(text) && s.last.has(text[off]) {
			ends = append(ends, off+1)
		}
	}
}

// byteSet is a set of bytes.
type byteSet [4]uint64

func (b *byteSet) add(c byte)      { b[c>>6] |= 1 << (c & 63) }
func (b *byteSet) has(c byte) bool { return b[c>>6]&(1<<(c&63)) != 0 }
