package engine

import (
	"github.com/logsleuth/logsleuth/analyzer/event"
)

// prefilter picks the matchers worth running on an event (DESIGN §8): one
// Aho-Corasick pass over the message for every matcher's required
// literals, plus indexes by program and unit. It says "candidate"; the
// matcher confirms. It must never drop an event a matcher would accept.
type prefilter struct {
	ac        *literalDFA
	grams     *gramFinder // nil: every message goes to ac
	byLiteral [][]int     // literal index -> defs
	byProgram map[string][]int
	byUnit    map[string][]int
	always    []int
	noUnit    []int // byUnit[""]
	// progCache and unitCache remember recent byProgram and byUnit
	// lookups. Parsers intern program names, so a hit compares two equal
	// pointers instead of hashing the name.
	progCache, unitCache defsCache
	// seen marks defs already offered for the current event.
	seen []uint32
	gen  uint32
}

func newPrefilter(defs []defRef) *prefilter {
	p := &prefilter{byProgram: map[string][]int{}, byUnit: map[string][]int{}, seen: make([]uint32, len(defs))}
	litIndex := map[string]int{}
	var dict []string
	for i, d := range defs {
		r := d.def.Matcher.Requirement()
		switch {
		case r.Literals != nil:
			for _, l := range r.Literals {
				j, ok := litIndex[l]
				if !ok {
					j = len(dict)
					litIndex[l] = j
					dict = append(dict, l)
					p.byLiteral = append(p.byLiteral, nil)
				}
				p.byLiteral[j] = append(p.byLiteral[j], i)
			}
		case r.Programs != nil:
			for _, v := range r.Programs {
				p.byProgram[v] = append(p.byProgram[v], i)
			}
		case r.Units != nil:
			for _, v := range r.Units {
				p.byUnit[v] = append(p.byUnit[v], i)
			}
		default:
			p.always = append(p.always, i)
		}
	}
	p.noUnit = p.byUnit[""]
	if len(dict) > 0 {
		p.ac = newLiteralDFA(dict)
		p.grams = newGramFinder(dict)
	}
	return p
}

// candidates calls f once for each def that may match ev.
func (p *prefilter) candidates(ev *event.Event, f func(def int)) {
	p.gen++
	if p.gen == 0 { // wrapped: clear marks
		clear(p.seen)
		p.gen = 1
	}
	offer := func(list []int) {
		for _, i := range list {
			if p.seen[i] != p.gen {
				p.seen[i] = p.gen
				f(i)
			}
		}
	}
	offer(p.always)
	// No test for "": `program: ""` and `unit|re: '^$'` ask for the
	// empty value, and an event without one must reach them.
	offer(p.progCache.get(p.byProgram, ev.Program))
	if ev.Unit == "" {
		offer(p.noUnit)
	} else {
		offer(p.unitCache.get(p.byUnit, ev.Unit))
	}
	if p.ac != nil {
		lit := func(j int32) { offer(p.byLiteral[j]) }
		if p.grams == nil || !p.grams.find(ev.Message, lit) {
			p.ac.match(ev.Message, lit)
		}
	}
}

// defsCache remembers recent lookups in a map of defs: 16 sets of 4,
// picked by the key's length and a few of its bytes. A host's logs name
// a few dozen programs and units, so nearly every lookup hits.
type defsCache struct {
	sets [16][4]struct {
		key  string
		defs []int
		ok   bool
	}
	next [16]uint8 // the next way to replace, per set
}

// get is m[key], through c.
func (c *defsCache) get(m map[string][]int, key string) []int {
	var h uint
	if n := len(key); n > 0 {
		h = uint(n) + 7*uint(key[0]) + 3*uint(key[n/2]) + 13*uint(key[n-1])
	}
	h &= uint(len(c.sets) - 1)
	set := &c.sets[h]
	for i := range set {
		if set[i].ok && set[i].key == key {
			return set[i].defs
		}
	}
	w := &set[c.next[h]]
	c.next[h] = (c.next[h] + 1) % uint8(len(set))
	w.key, w.defs, w.ok = key, m[key], true
	return w.defs
}

// clone returns a prefilter for another goroutine: the read-only tables
// are shared, the scratch and the learning finder are its own.
// It reads only fields that never change after newPrefilter: p may be
// in use by its own goroutine meanwhile.
func (p *prefilter) clone() *prefilter {
	c := &prefilter{
		ac: p.ac, byLiteral: p.byLiteral, byProgram: p.byProgram, byUnit: p.byUnit,
		always: p.always, noUnit: p.noUnit, seen: make([]uint32, len(p.seen)),
	}
	if p.grams != nil {
		c.grams = newGramFinder(p.grams.dict)
	}
	return c
}
