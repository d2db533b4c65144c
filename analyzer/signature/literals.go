package signature

import (
	"regexp/syntax"
	"slices"
	"strings"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// minLiteral is the shortest literal worth prefiltering on: shorter ones
// hit nearly every line and only cost time.
const minLiteral = 3

// Requirement is what an event must have for a matcher to possibly match
// (DESIGN §8): its message contains one of Literals, or its program is
// one of Programs, or its unit one of Units, or its kind is one of Kinds
// (never KindLog: most events are logs). An event that satisfies any of
// the four that are set is a candidate; usually one is set, several when
// the branches of an `any:` are narrowed by different keys (a unit in
// one branch, a program or a literal in another). None set means every
// event is a candidate. A Requirement may let through events the
// matcher rejects, never the reverse.
type Requirement struct {
	Literals []string
	// AtStart, when not nil, tells of each of Literals whether the
	// matcher needs it at the start of the message (`^Invalid user `,
	// |startswith): a prefilter may then offer the event only when it is
	// there. A reader that ignores it only lets more events through.
	AtStart  []bool
	Programs []string
	Units    []string
	Kinds    []event.Kind
}

// Any reports whether the requirement lets every event through.
func (r Requirement) Any() bool {
	return r.Literals == nil && r.Programs == nil && r.Units == nil && r.Kinds == nil
}

// Requirement derives the matcher's prefilter requirement: the most
// selective one among its conditions (AND: any single condition's
// requirement is a valid requirement of the whole).
func (m *Matcher) Requirement() Requirement {
	var best Requirement
	score := 0
	for _, k := range m.requirements() {
		if s := k.score(); s > score {
			best, score = k, s
		}
	}
	return best
}

// score ranks requirements by selectivity: a kind other than log (state
// and command events are a handful per input), then message literals
// (longer ones hit fewer lines), programs, units.
//
// A union of several keys is as selective as its weakest part.
func (r Requirement) score() int {
	s := 0
	take := func(v int) {
		if s == 0 || v < s {
			s = v
		}
	}
	if r.Kinds != nil {
		take(1000)
	}
	if r.Literals != nil {
		take(10 + minLen(r.Literals))
	}
	if r.Programs != nil {
		take(5)
	}
	if r.Units != nil {
		take(4)
	}
	return s
}

// requirements returns the best requirement of each kind the matcher
// has: at most one with Literals, one with Programs, one with Units, one
// with Kinds.
func (m *Matcher) requirements() []Requirement {
	var lits, progs, units, kinds, mixed Requirement
	keep := func(dst *Requirement, r Requirement) {
		if r.score() > dst.score() {
			*dst = r
		}
	}
	for i := range m.Conds {
		c := &m.Conds[i]
		switch c.Field {
		case FieldMessage:
			if l, at := c.literals(); l != nil {
				keep(&lits, Requirement{Literals: l, AtStart: at})
			}
		case FieldProgram:
			if vals := c.exactValues(); vals != nil {
				keep(&progs, Requirement{Programs: vals})
			}
		case FieldUnit:
			if vals := c.exactValues(); vals != nil {
				keep(&units, Requirement{Units: vals})
			}
		case FieldEventKind:
			if !slices.Contains(c.Kinds, event.KindLog) {
				keep(&kinds, Requirement{Kinds: c.Kinds})
			}
		}
	}
	if len(m.Any) > 0 {
		// An `any:` is narrowed by a kind that every branch has: the
		// union of the branches' literals, programs or units.
		var bl, bp, bu []string
		var bat []bool
		var bk []event.Kind
		okL, okP, okU, okK := true, true, true, true
		for _, a := range m.Any {
			var hasL, hasP, hasU, hasK bool
			for _, r := range a.requirements() {
				switch {
				case r.Literals != nil:
					bl, bat, hasL = append(bl, r.Literals...), appendAtStart(bat, r), true
				case r.Programs != nil:
					bp, hasP = append(bp, r.Programs...), true
				case r.Units != nil:
					bu, hasU = append(bu, r.Units...), true
				case r.Kinds != nil:
					bk, hasK = append(bk, r.Kinds...), true
				}
			}
			okL, okP, okU, okK = okL && hasL, okP && hasP, okU && hasU, okK && hasK
		}
		if okK {
			slices.Sort(bk)
			keep(&kinds, Requirement{Kinds: slices.Compact(bk)})
		}
		if okL {
			l, at := dedupeAtStart(bl, bat)
			keep(&lits, Requirement{Literals: l, AtStart: at})
		}
		if okP {
			keep(&progs, Requirement{Programs: dedupe(bp)})
		}
		if okU {
			keep(&units, Requirement{Units: dedupe(bu)})
		}
		if !okL && !okP && !okU && !okK {
			keep(&mixed, anyUnion(m.Any))
		}
	}
	var out []Requirement
	for _, r := range []Requirement{lits, progs, units, kinds, mixed} {
		if !r.Any() {
			out = append(out, r)
		}
	}
	return out
}

// anyUnion is the requirement of an `any:` whose branches are narrowed by
// different keys: each branch's own best requirement, all of them
// together (an event is a candidate when it satisfies one). A branch
// that lets every event through makes the union do so too.
func anyUnion(branches []*Matcher) Requirement {
	var u Requirement
	for i := range branches {
		r := branches[i].Requirement()
		if r.Any() {
			return Requirement{}
		}
		u.AtStart = appendAtStart(u.AtStart, r)
		u.Literals = append(u.Literals, r.Literals...)
		u.Programs = append(u.Programs, r.Programs...)
		u.Units = append(u.Units, r.Units...)
		u.Kinds = append(u.Kinds, r.Kinds...)
	}
	if u.Literals != nil {
		u.Literals, u.AtStart = dedupeAtStart(u.Literals, u.AtStart)
	}
	if u.Programs != nil {
		u.Programs = dedupe(u.Programs)
	}
	if u.Units != nil {
		u.Units = dedupe(u.Units)
	}
	if u.Kinds != nil {
		slices.Sort(u.Kinds)
		u.Kinds = slices.Compact(u.Kinds)
	}
	return u
}

// appendAtStart appends r's AtStart for its Literals to at, which holds
// the flags of the literals before them.
func appendAtStart(at []bool, r Requirement) []bool {
	if r.AtStart != nil {
		return append(at, r.AtStart...)
	}
	return append(at, make([]bool, len(r.Literals))...)
}

// dedupeAtStart drops repeated literals, keeping the first of each: at
// the start only when every one of them was. It returns nil flags when
// none is at the start.
func dedupeAtStart(lits []string, at []bool) ([]string, []bool) {
	var out []string
	var outAt []bool
	for i, l := range lits {
		j := slices.Index(out, l)
		if j < 0 {
			out, outAt = append(out, l), append(outAt, at[i])
		} else {
			outAt[j] = outAt[j] && at[i]
		}
	}
	if !slices.Contains(outAt, true) {
		outAt = nil
	}
	return out, outAt
}

// dedupe drops repeated strings, keeping the first of each.
func dedupe(ss []string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func minLen(lits []string) int {
	m := -1
	for _, l := range lits {
		if m < 0 || len(l) < m {
			m = len(l)
		}
	}
	return m
}

// exactValues returns every value the condition accepts, when that is a
// small finite set: plain values, or an anchored regex such as
// '^(?P<svc>docker|containerd)\.service$'.
func (c *Cond) exactValues() []string {
	switch c.Op {
	case OpEq:
		return c.Values
	case OpRe:
		var out []string
		for _, p := range c.syntaxTrees() {
			if p == nil {
				return nil
			}
			if p.Op != syntax.OpConcat || len(p.Sub) < 2 || p.Sub[0].Op != syntax.OpBeginText || p.Sub[len(p.Sub)-1].Op != syntax.OpEndText {
				return nil
			}
			set := exactStrings(&syntax.Regexp{Op: syntax.OpConcat, Sub: p.Sub[1 : len(p.Sub)-1]})
			if set == nil {
				return nil
			}
			out = append(out, set...)
		}
		return out
	}
	return nil
}

// syntaxTrees returns the simplified syntax tree of each |re value; nil
// for one that does not parse (it compiled, so that does not happen).
func (c *Cond) syntaxTrees() []*syntax.Regexp {
	out := make([]*syntax.Regexp, len(c.Res))
	for i, re := range c.Res {
		if p, err := syntax.Parse(re.String(), syntax.Perl); err == nil {
			out[i] = p.Simplify()
		}
	}
	return out
}

// maxExact bounds the strings exactStrings expands a regex into.
const maxExact = 64

// exactStrings returns the finite set of strings re matches in full, or
// nil when it is not a small finite set.
func exactStrings(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		return []string{string(re.Rune)}
	case syntax.OpCapture:
		return exactStrings(re.Sub[0])
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			set := exactStrings(sub)
			if set == nil || len(out)+len(set) > maxExact {
				return nil
			}
			out = append(out, set...)
		}
		return out
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			if out = concatSets(out, exactStrings(sub)); out == nil {
				return nil
			}
		}
		return out
	case syntax.OpCharClass:
		// A class of a few single characters, e.g. [._-].
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(out) == 8 {
					return nil
				}
				out = append(out, string(r))
			}
		}
		return out
	}
	return nil
}

// concatSets returns every a+b for a in as and b in bs; nil when bs is
// nil or there would be more than maxExact.
func concatSets(as, bs []string) []string {
	if bs == nil || len(as)*len(bs) > maxExact {
		return nil
	}
	out := make([]string, 0, len(as)*len(bs))
	for _, a := range as {
		for _, b := range bs {
			out = append(out, a+b)
		}
	}
	return out
}

// literals returns strings one of which every message this condition
// accepts contains, or nil when there is no such set, and whether each
// is needed at the message's start (nil when none is): a value of
// |startswith or of an equality, or the leading literals of a regex
// anchored with ^.
func (c *Cond) literals() ([]string, []bool) {
	switch c.Op {
	case OpEq, OpContains, OpStartsWith, OpEndsWith:
		for _, v := range c.Values {
			if len(v) < minLiteral {
				return nil, nil
			}
		}
		var at []bool
		if c.Op == OpEq || c.Op == OpStartsWith {
			at = make([]bool, len(c.Values))
			for i := range at {
				at[i] = true
			}
		}
		return slices.Clone(c.Values), at
	case OpRe:
		var out []string
		var at []bool
		for _, p := range c.syntaxTrees() {
			if p == nil {
				return nil, nil
			}
			lits := requiredLiterals(p)
			if lits == nil {
				return nil, nil
			}
			start := leadsAnchored(p, lits)
			for range lits {
				at = append(at, start)
			}
			out = append(out, lits...)
		}
		if !slices.Contains(at, true) {
			at = nil
		}
		return out, at
	}
	return nil, nil
}

// leadsAnchored reports whether every match of re, a simplified tree,
// starts the text with one of lits: re is anchored with ^ and what
// follows spells out lits first (or a longer string that starts with
// one of them).
func leadsAnchored(re *syntax.Regexp, lits []string) bool {
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText {
		return false
	}
	// The strings the subs after ^ spell out, one run at a time: lits
	// lead when each of a run's strings starts with one of them.
	run := []string{""}
	for _, sub := range re.Sub[1:] {
		if run = concatSets(run, exactStrings(sub)); run == nil {
			return false
		}
		if !slices.ContainsFunc(run, func(r string) bool {
			return !slices.ContainsFunc(lits, func(l string) bool { return strings.HasPrefix(r, l) })
		}) {
			return true
		}
	}
	return false
}

// requiredLiterals returns a set of strings such that every match of re
// contains at least one of them, or nil when it cannot tell.
func requiredLiterals(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || len(re.Rune) == 0 {
			return nil
		}
		s := string(re.Rune)
		if len(s) < minLiteral {
			return nil
		}
		return []string{s}
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0])
		}
		return nil
	case syntax.OpConcat:
		// Any one sub's requirement holds for the whole, and so does the
		// set of strings a run of consecutive finite subs spells out:
		// '^Failed (?:password|publickey) for ' requires "Failed password
		// for " or "Failed publickey for ", longer than "Failed " and
		// fewer lines to verify. Take the most selective (longest
		// shortest literal).
		var best []string
		consider := func(lits []string) {
			if lits != nil && minLen(lits) >= minLiteral && (best == nil || minLen(lits) > minLen(best)) {
				best = lits
			}
		}
		for _, sub := range re.Sub {
			consider(requiredLiterals(sub))
		}
		for i := range re.Sub {
			run := []string{""}
			for _, sub := range re.Sub[i:] {
				if run = concatSets(run, exactStrings(sub)); run == nil {
					break
				}
				consider(dedupe(run))
			}
		}
		return best
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			lits := requiredLiterals(sub)
			if lits == nil {
				return nil
			}
			out = append(out, lits...)
		}
		return out
	}
	return nil
}
