package engine

import (
	"fmt"
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
//
// Terms (StorePushdown only) are the candidates of definitions whose
// message conditions say more than one requirement can: each is the
// definition's requirement AND those conditions a store can test exactly
// or as a superset
// (substrings, prefixes, whole messages, the literals of a regex, and
// not: of exact ones), so that ssh-bruteforce's "Failed password for
// invalid user" lines, which its not: excludes, or traefik's "connection
// refused" without "providerName=docker", stay in the store. The engine's
// own prefilter is the requirement alone: Terms only narrow what a store
// sends.
type Pushdown struct {
	Literals []string
	Programs []string
	Units    []string
	Terms    []event.Filter
	All      bool
}

// Pushdown returns the prefilter of the engine's signatures (every
// definition's signature.Requirement, a union when it has several keys).
// Definitions that only state or command events can match are left
// out: a log store holds log events. Terms is empty: StorePushdown
// narrows it for a store.
func (e *Engine) Pushdown() Pushdown { return e.pushdown(false) }

// StorePushdown is Pushdown for a log store: a definition whose message
// conditions hold a conjunction is one of Terms (its requirement AND
// those conditions) instead of a part of the union.
func (e *Engine) StorePushdown() Pushdown { return e.pushdown(true) }

func (e *Engine) pushdown(terms bool) Pushdown {
	var p Pushdown
	seen := map[string]bool{}
	for _, d := range e.defs {
		m := d.def.Matcher
		if msg, ok, _ := messageCond(m); terms && ok && conjunctive(&msg) {
			var term Pushdown
			if !addPushdown(m, &term) {
				p.All = true
				continue
			}
			if len(term.Literals)+len(term.Programs)+len(term.Units) == 0 {
				continue // only state or command events
			}
			c := msg
			if len(term.Programs)+len(term.Units) > 0 || !impliesLiteral(&msg, term.Literals) {
				c = event.Filter{Op: event.FilterAnd, Sub: []event.Filter{requirementCond(term), msg}}
			}
			if k := fmt.Sprint(c); !seen[k] {
				seen[k] = true
				p.Terms = append(p.Terms, c)
			}
			continue
		}
		if !addPushdown(m, &p) {
			p.All = true
		}
	}
	for _, s := range []*[]string{&p.Literals, &p.Programs, &p.Units} {
		slices.Sort(*s)
		*s = slices.Compact(*s)
	}
	slices.SortFunc(p.Terms, func(a, b event.Filter) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return p
}

// requirementCond is a definition's requirement (its Literals, Programs
// and Units) as a store condition: one of them holds.
func requirementCond(r Pushdown) event.Filter {
	var or []event.Filter
	if len(r.Literals) > 0 {
		or = append(or, event.Filter{Op: event.FilterContains, Values: r.Literals})
	}
	if len(r.Programs) > 0 {
		or = append(or, event.Filter{Op: event.FilterProgram, Values: r.Programs})
	}
	if len(r.Units) > 0 {
		or = append(or, event.Filter{Op: event.FilterUnit, Values: r.Units})
	}
	if len(or) == 1 {
		return or[0]
	}
	return event.Filter{Op: event.FilterOr, Sub: or}
}

// impliesLiteral: every message that passes c holds one of lits (then
// the requirement lits adds nothing to c).
func impliesLiteral(c *event.Filter, lits []string) bool {
	switch c.Op {
	case event.FilterAnd:
		for i := range c.Sub {
			if impliesLiteral(&c.Sub[i], lits) {
				return true
			}
		}
		return false
	case event.FilterOr:
		for i := range c.Sub {
			if !impliesLiteral(&c.Sub[i], lits) {
				return false
			}
		}
		return len(c.Sub) > 0
	case event.FilterContains, event.FilterStartsWith, event.FilterEquals:
		for _, v := range c.Values {
			if !slices.ContainsFunc(lits, func(l string) bool { return strings.Contains(v, l) }) {
				return false
			}
		}
		return len(c.Values) > 0
	}
	return false
}

// conjunctive: c holds an And or a Not, which say more than the union
// of literals a requirement is.
func conjunctive(c *event.Filter) bool {
	switch c.Op {
	case event.FilterAnd, event.FilterNot:
		return true
	case event.FilterOr:
		for i := range c.Sub {
			if conjunctive(&c.Sub[i]) {
				return true
			}
		}
	}
	return false
}

// messageCond is what m requires of an event's message, as a store
// condition every event m matches passes (ok: m requires something of
// the message). exact: an event passes it exactly when m matches it,
// so that not: can negate it.
func messageCond(m *signature.Matcher) (c event.Filter, ok, exact bool) {
	var parts []event.Filter
	exact = true
	for i := range m.Conds {
		leaf, leafOK, leafExact := messageLeaf(&m.Conds[i])
		if !leafOK {
			exact = false // a condition on something else, or nothing a store can test
			continue
		}
		parts = append(parts, leaf)
		exact = exact && leafExact
	}
	for _, n := range m.Not {
		if nc, nok, nexact := messageCond(n); nok && nexact {
			parts = append(parts, event.Filter{Op: event.FilterNot, Sub: []event.Filter{nc}})
		} else {
			exact = false
		}
	}
	if len(m.Any) > 0 {
		var branches []event.Filter
		for _, a := range m.Any {
			ac, aok, aexact := messageCond(a)
			if !aok {
				branches = nil // a branch the store cannot narrow: any message
				break
			}
			branches = append(branches, ac)
			exact = exact && aexact
		}
		switch len(branches) {
		case 0:
			exact = false
		case 1:
			parts = append(parts, branches[0])
		default:
			parts = append(parts, event.Filter{Op: event.FilterOr, Sub: branches})
		}
	}
	switch len(parts) {
	case 0:
		return event.Filter{}, false, false
	case 1:
		return parts[0], true, exact
	}
	return event.Filter{Op: event.FilterAnd, Sub: parts}, true, exact
}

// messageLeaf is one condition on the message as a store condition
// (ok), and whether it is exact.
func messageLeaf(c *signature.Cond) (leaf event.Filter, ok, exact bool) {
	if c.Field != signature.FieldMessage || slices.Contains(c.Values, "") {
		return leaf, false, false
	}
	switch c.Op {
	case signature.OpContains:
		return event.Filter{Op: event.FilterContains, Values: c.Values}, true, true
	case signature.OpStartsWith:
		return event.Filter{Op: event.FilterStartsWith, Values: c.Values}, true, true
	case signature.OpEq:
		return event.Filter{Op: event.FilterEquals, Values: c.Values}, true, true
	case signature.OpEndsWith:
		return event.Filter{Op: event.FilterContains, Values: c.Values}, true, false
	case signature.OpRe:
		// The literals every match holds (none for a case-insensitive
		// regex): the condition's own requirement.
		r := (&signature.Matcher{Conds: []signature.Cond{*c}}).Requirement()
		if len(r.Literals) > 0 && !slices.Contains(r.Literals, "") {
			return event.Filter{Op: event.FilterContains, Values: r.Literals}, true, false
		}
	}
	return leaf, false, false
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
