package signature

import (
	"regexp/syntax"
	"slices"
)

// minLiteral is the shortest literal worth prefiltering on: shorter ones
// hit nearly every line and only cost time.
const minLiteral = 3

// Requirement is what an event must have for a matcher to possibly match
// (DESIGN §8): its message contains one of Literals, or its program is
// one of Programs, or its unit one of Units. At most one of the three is
// set; none set means every event is a candidate. A Requirement may let
// through events the matcher rejects, never the reverse.
type Requirement struct {
	Literals []string
	Programs []string
	Units    []string
}

// Any reports whether the requirement lets every event through.
func (r Requirement) Any() bool {
	return r.Literals == nil && r.Programs == nil && r.Units == nil
}

// Requirement derives the matcher's prefilter requirement: the most
// selective one among its conditions (AND: any single condition's
// requirement is a valid requirement of the whole).
func (m *Matcher) Requirement() Requirement {
	var best Requirement
	score := 0
	consider := func(r Requirement, s int) {
		if s > score {
			best, score = r, s
		}
	}
	for i := range m.Conds {
		c := &m.Conds[i]
		switch {
		case c.Field == FieldMessage:
			lits := c.literals()
			if lits != nil {
				consider(Requirement{Literals: lits}, 10+minLen(lits))
			}
		case c.Field == FieldProgram:
			if vals := c.exactValues(); vals != nil {
				consider(Requirement{Programs: vals}, 5)
			}
		case c.Field == FieldUnit:
			if vals := c.exactValues(); vals != nil {
				consider(Requirement{Units: vals}, 4)
			}
		}
	}
	if len(m.Any) > 0 && score < 10 {
		// Every branch of any: must have message literals for the union
		// to be a requirement.
		var union []string
		for _, a := range m.Any {
			r := a.Requirement()
			if r.Literals == nil {
				union = nil
				break
			}
			union = append(union, r.Literals...)
		}
		if union != nil {
			consider(Requirement{Literals: union}, 10+minLen(union))
		}
	}
	return best
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
			set := exactStrings(sub)
			if set == nil || len(out)*len(set) > maxExact {
				return nil
			}
			next := make([]string, 0, len(out)*len(set))
			for _, a := range out {
				for _, b := range set {
					next = append(next, a+b)
				}
			}
			out = next
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

// literals returns strings one of which every message this condition
// accepts contains, or nil when there is no such set.
func (c *Cond) literals() []string {
	switch c.Op {
	case OpEq, OpContains, OpStartsWith, OpEndsWith:
		for _, v := range c.Values {
			if len(v) < minLiteral {
				return nil
			}
		}
		return slices.Clone(c.Values)
	case OpRe:
		var out []string
		for _, p := range c.syntaxTrees() {
			if p == nil {
				return nil
			}
			lits := requiredLiterals(p)
			if lits == nil {
				return nil
			}
			out = append(out, lits...)
		}
		return out
	}
	return nil
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
		// Any one sub's requirement holds for the whole; take the most
		// selective (longest shortest literal).
		var best []string
		for _, sub := range re.Sub {
			lits := requiredLiterals(sub)
			if lits != nil && (best == nil || minLen(lits) > minLen(best)) {
				best = lits
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
