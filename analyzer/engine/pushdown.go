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
	// Windowed (StorePushdown only) are the conditions of definitions
	// that only a later step of a sequence needs: a store fetches them
	// only inside the windows their anchors' matches open, not over the
	// whole range. Not part of Literals, Programs, Units or Terms.
	Windowed []WindowedTerm
	// Signatures (StorePushdown only) say what each signature needs of
	// a store, for the margin a store reads around the range: only the
	// signatures that correlate over time need one, and only their own
	// events in it (Conds; windowed definitions are left out: Windowed
	// says where they matter).
	Signatures []SignatureTerms
}

// SignatureTerms are the store conditions of one signature's log events
// (one per definition, distinct), or All when a definition may match
// any event.
type SignatureTerms struct {
	Sig   *signature.Signature
	Conds []event.Filter
	All   bool
}

// WindowedTerm is a definition a sequence needs only shortly after a
// match of the step before it: an event that passes Cond can matter only
// from an event Anchor matches to Span after it (within, or maxspan,
// with the engine's tolerance either side), on the anchor's host when
// ByHost.
type WindowedTerm struct {
	Cond event.Filter
	// AnchorCond is the store condition of Anchor's events (phase one
	// fetches them); Anchor is the step before's matcher, run on them.
	AnchorCond event.Filter
	Anchor     *signature.Matcher
	Span       time.Duration
	Tolerance  time.Duration
	ByHost     bool
	// Name is "signature/definition", for messages; Sig its signature.
	Name string
	Sig  *signature.Signature
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
	var later map[*signature.EventDef]laterStep
	if terms {
		later = laterOnly(e.sigs)
	}
	seen := map[string]bool{}
	add := func(m *signature.Matcher) {
		msg, ok, _ := messageCond(m)
		if !terms || !ok || !conjunctive(&msg) {
			if !addPushdown(m, &p) {
				p.All = true
			}
			return
		}
		c, ok, none := storeCond(m)
		switch {
		case !ok:
			p.All = true
		case !none:
			if k := fmt.Sprint(c); !seen[k] {
				seen[k] = true
				p.Terms = append(p.Terms, c)
			}
		}
	}
	for _, d := range e.defs {
		if _, ok := later[d.def]; !ok {
			add(d.def.Matcher)
		}
	}
	// A later step's definition is windowed unless what the rest
	// fetches holds it already, its anchor is windowed itself, or
	// either cannot be said as a store condition; one made global may
	// cover another, so until nothing changes.
	windowed := map[*signature.EventDef]WindowedTerm{}
	for changed := true; changed; {
		changed = false
		for _, d := range e.defs {
			ls, ok := later[d.def]
			if !ok {
				continue
			}
			_, anchorWindowed := windowed[ls.anchor]
			c, cok, none := storeCond(d.def.Matcher)
			ac, aok, anone := storeCond(ls.anchor.Matcher)
			if none {
				delete(windowed, d.def) // only state or command events: nothing to fetch
				delete(later, d.def)
				changed = true
				continue
			}
			if !cok || !aok || anone || anchorWindowed || seen[fmt.Sprint(c)] || covered(d.def.Matcher, &p) {
				delete(windowed, d.def)
				delete(later, d.def)
				add(d.def.Matcher)
				changed = true
				continue
			}
			if _, ok := windowed[d.def]; !ok {
				c, ac = narrowByProgram(d.def.Matcher, c), narrowByProgram(ls.anchor.Matcher, ac)
				windowed[d.def] = WindowedTerm{Cond: c, AnchorCond: ac, Anchor: ls.anchor.Matcher, Span: ls.span,
					Tolerance: e.opts.Tolerance, ByHost: ls.byHost, Name: e.sigs[d.sig].ID + "/" + d.def.Name, Sig: e.sigs[d.sig]}
			}
		}
	}
	for _, d := range e.defs {
		if w, ok := windowed[d.def]; ok {
			p.Windowed = append(p.Windowed, w)
		}
	}
	if terms {
		p.Signatures = e.signatureTerms(windowed)
	}
	for _, s := range []*[]string{&p.Literals, &p.Programs, &p.Units} {
		slices.Sort(*s)
		*s = slices.Compact(*s)
	}
	slices.SortFunc(p.Terms, func(a, b event.Filter) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return p
}

// signatureTerms are the store conditions of each signature's
// definitions but the windowed ones.
func (e *Engine) signatureTerms(windowed map[*signature.EventDef]WindowedTerm) []SignatureTerms {
	out := make([]SignatureTerms, len(e.sigs))
	seen := make([]map[string]bool, len(e.sigs))
	for i, s := range e.sigs {
		out[i].Sig, seen[i] = s, map[string]bool{}
	}
	for _, d := range e.defs {
		if _, ok := windowed[d.def]; ok {
			continue
		}
		c, ok, none := storeCond(d.def.Matcher)
		c = narrowByProgram(d.def.Matcher, c)
		st := &out[d.sig]
		switch {
		case !ok:
			st.All = true
		case !none && !seen[d.sig][fmt.Sprint(c)]:
			seen[d.sig][fmt.Sprint(c)] = true
			st.Conds = append(st.Conds, c)
		}
	}
	return out
}

// narrowByProgram is c AND the programs one of which every event m
// matches has, when m says (programsOf) and c does not test them
// already: a store then reads the messages of those programs only,
// instead of every message of the range for a substring no word guards
// (chrony's "Selected source", ntpd's "clock_step "). The union and
// Terms keep c as it is: what the engine's own prefilter passes.
func narrowByProgram(m *signature.Matcher, c event.Filter) event.Filter {
	ps := programsOf(m)
	if ps == nil || c.Op == event.FilterProgram || c.Op == 0 && len(c.Values) == 0 && len(c.Sub) == 0 {
		return c
	}
	return event.Filter{Op: event.FilterAnd, Sub: []event.Filter{{Op: event.FilterProgram, Values: ps}, c}}
}

// programsOf returns the programs one of which every event m matches
// has (an exact program condition of its own, or of every branch of its
// any:), or nil.
func programsOf(m *signature.Matcher) []string {
	for i := range m.Conds {
		if m.Conds[i].Field != signature.FieldProgram {
			continue
		}
		r := (&signature.Matcher{Conds: []signature.Cond{m.Conds[i]}}).Requirement()
		if len(r.Programs) > 0 && !slices.Contains(r.Programs, "") {
			return r.Programs
		}
	}
	if len(m.Any) == 0 {
		return nil
	}
	var all []string
	for _, a := range m.Any {
		ps := programsOf(a)
		if ps == nil {
			return nil
		}
		all = append(all, ps...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// storeCond is what a log store tests for m's events: its requirement,
// AND its message conditions when they hold a conjunction or say more
// than the requirement. ok false: m may match any event; none: only
// state or command events.
func storeCond(m *signature.Matcher) (c event.Filter, ok, none bool) {
	var r Pushdown
	if !addPushdown(m, &r) {
		return c, false, false
	}
	if len(r.Literals)+len(r.Programs)+len(r.Units) == 0 {
		return c, true, true
	}
	msg, hasMsg, _ := messageCond(m)
	if !hasMsg || !conjunctive(&msg) {
		return requirementCond(r), true, false
	}
	if len(r.Programs)+len(r.Units) > 0 || !impliesLiteral(&msg, r.Literals) {
		return event.Filter{Op: event.FilterAnd, Sub: []event.Filter{requirementCond(r), msg}}, true, false
	}
	return msg, true, false
}

// covered: every event m can match passes p's union already (its
// requirement's literals, programs and units are all in it).
func covered(m *signature.Matcher, p *Pushdown) bool {
	var r Pushdown
	if !addPushdown(m, &r) {
		return false
	}
	for _, l := range r.Literals {
		// A literal holding one of the union's holds it too.
		if !slices.ContainsFunc(p.Literals, func(u string) bool { return strings.Contains(l, u) }) {
			return false
		}
	}
	for _, pr := range r.Programs {
		if !slices.Contains(p.Programs, pr) {
			return false
		}
	}
	for _, u := range r.Units {
		if !slices.Contains(p.Units, u) {
			return false
		}
	}
	return true
}

// laterStep is where a definition matters: after a match of anchor, for
// span, on its host when byHost.
type laterStep struct {
	anchor *signature.EventDef
	span   time.Duration
	byHost bool
}

// laterOnly returns the definitions that only one later positive step of
// a sequence uses: not a first step, not another step, not an until:,
// with a bounded time from a positive anchor (the step named after:, or
// the step before, neither optional nor absent).
func laterOnly(sigs []*signature.Signature) map[*signature.EventDef]laterStep {
	uses := map[*signature.EventDef]int{}
	for _, s := range sigs {
		for _, st := range s.Match.Steps {
			uses[st.Event]++
		}
		for _, u := range s.Match.Until {
			uses[u]++
		}
		if s.Match.Event != nil {
			uses[s.Match.Event]++
		}
	}
	later := map[*signature.EventDef]laterStep{}
	for _, s := range sigs {
		if s.Match.Kind != signature.MatchSequence {
			continue
		}
		for k, st := range s.Match.Steps {
			if k == 0 || st.Absent || uses[st.Event] != 1 {
				continue
			}
			var anchor *signature.Step
			if st.After != "" {
				for _, a := range s.Match.Steps[:k] {
					if a.As == st.After {
						anchor = a
					}
				}
			} else {
				anchor = s.Match.Steps[k-1]
			}
			if anchor == nil || anchor.Absent || anchor.Optional {
				continue
			}
			span := st.Within
			if span == 0 {
				span = s.Match.MaxSpan
			}
			if span <= 0 {
				continue
			}
			later[st.Event] = laterStep{anchor: anchor.Event, span: span, byHost: slices.Contains(s.Match.By, "host")}
		}
	}
	return later
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
	for _, s := range e.observers {
		s.observe(e, ev)
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
	// The automaton, for a text of one byte, is built when a search
	// first runs: most runs with --since skim no line at all (their
	// sources start after the lookback, or are journals).
	var ac *literalDFA
	build := sync.OnceFunc(func() {
		if len(long) > 0 && !gramsFit(long) {
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
				if ac == nil && len(long) > 0 {
					grams = newGramFinder(long)
				}
				built = true
			}
			ends = out
			for _, s := range short {
				ends = s.appendEnds(ends, text)
			}
			if ac == nil && grams == nil {
				return ends
			}
			// One pass over the whole text once the finder has learned
			// (from lines: it learns from its first calls' texts).
			base = 0
			if grams != nil && !grams.learning() {
				grams.find(text, found)
				return ends
			}
			for rest := text; rest != ""; {
				line := rest
				if i := strings.IndexByte(rest, '\n'); i >= 0 {
					line, rest = rest[:i], rest[i+1:]
				} else {
					rest = ""
				}
				if grams != nil {
					grams.find(line, found)
				} else {
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
