package engine

import (
	"strings"

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
	// The literals the defs need at the message's start (signature.
	// Requirement.AtStart) are not looked for in the message but
	// compared with its start: startLits lists them, startDefs the defs
	// of each, and byFirst, by a message's first byte, the ones to
	// compare, once startPairs, a bit for each pair of first two bytes
	// one of them has, says that any may be there (most messages start
	// with no such pair: one test each). ssh-bruteforce's `^authentication failure;` no longer
	// offers it every pam_unix line of a brute force, where the text
	// follows "pam_unix(sshd:auth): ", and its six leading literals
	// left the scan, where they were 45% of the dense bench corpus's
	// hits to verify.
	startLits  []string
	startDefs  [][]int
	byFirst    *[256][]int32
	startPairs *[1 << 16 / 64]uint64
	byProgram  map[string][]int
	byUnit     map[string][]int
	// byKind holds, by kind, the defs that only state or command events
	// can match: a log event (nearly all) skips them with one byte test.
	byKind [][]int
	always []int
	noUnit []int // byUnit[""]
	// progKeys and unitKeys rule out, without hashing, most names that
	// are no key of byProgram and byUnit: the built-in set indexes 2
	// programs and 3 units, and an event's rarely is one of them.
	progKeys, unitKeys keyFilter
	// seen marks defs already offered for the current event.
	seen []uint32
	gen  uint32
}

func newPrefilter(defs []defRef) *prefilter {
	p := &prefilter{byProgram: map[string][]int{}, byUnit: map[string][]int{}, seen: make([]uint32, len(defs))}
	litIndex, startIndex := map[string]int{}, map[string]int{}
	var dict []string
	for i, d := range defs {
		r := d.def.Matcher.Requirement()
		// A def is offered by every key its requirement names (several
		// for an any: narrowed by different keys); seen offers it once.
		if r.Any() {
			p.always = append(p.always, i)
			continue
		}
		for k, l := range r.Literals {
			if r.AtStart != nil && r.AtStart[k] {
				j, ok := startIndex[l]
				if !ok {
					j = len(p.startLits)
					startIndex[l] = j
					p.startLits = append(p.startLits, l)
					p.startDefs = append(p.startDefs, nil)
				}
				p.startDefs[j] = append(p.startDefs[j], i)
				continue
			}
			j, ok := litIndex[l]
			if !ok {
				j = len(dict)
				litIndex[l] = j
				dict = append(dict, l)
				p.byLiteral = append(p.byLiteral, nil)
			}
			p.byLiteral[j] = append(p.byLiteral[j], i)
		}
		for _, v := range r.Programs {
			p.byProgram[v] = append(p.byProgram[v], i)
		}
		for _, v := range r.Units {
			p.byUnit[v] = append(p.byUnit[v], i)
		}
		for _, k := range r.Kinds {
			for int(k) >= len(p.byKind) {
				p.byKind = append(p.byKind, nil)
			}
			p.byKind[k] = append(p.byKind[k], i)
		}
	}
	if len(p.startLits) > 0 {
		p.byFirst, p.startPairs = new([256][]int32), new([1 << 16 / 64]uint64)
		for j, l := range p.startLits {
			p.byFirst[l[0]] = append(p.byFirst[l[0]], int32(j))
			pair := uint16(l[0]) | uint16(l[1])<<8 // (literals have 3 bytes or more)
			p.startPairs[pair>>6] |= 1 << (pair & 63)
		}
	}
	p.noUnit = p.byUnit[""]
	for k := range p.byProgram {
		p.progKeys.add(k)
	}
	for k := range p.byUnit {
		p.unitKeys.add(k)
	}
	if len(dict) > 0 {
		if p.grams = newGramFinder(dict); p.grams == nil {
			p.ac = newLiteralDFA(dict)
		}
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
	if ev.Kind != event.KindLog && int(ev.Kind) < len(p.byKind) {
		offer(p.byKind[ev.Kind])
	}
	// No test for "": `program: ""` and `unit|re: '^$'` ask for the
	// empty value, and an event without one must reach them.
	if p.progKeys.mayHave(ev.Program) {
		offer(p.byProgram[ev.Program])
	}
	if ev.Unit == "" {
		offer(p.noUnit)
	} else if p.unitKeys.mayHave(ev.Unit) {
		offer(p.byUnit[ev.Unit])
	}
	if m := ev.Message; p.byFirst != nil && len(m) >= 2 {
		if pair := uint16(m[0]) | uint16(m[1])<<8; p.startPairs[pair>>6]&(1<<(pair&63)) != 0 {
			p.offerStarts(m, offer)
		}
	}
	lit := func(j int32, _ int) { offer(p.byLiteral[j]) }
	if p.grams != nil {
		p.grams.find(ev.Message, lit)
	} else if p.ac != nil {
		p.ac.match(ev.Message, lit)
	}
}

// offerStarts offers the defs of the literals m starts with.
func (p *prefilter) offerStarts(m string, offer func([]int)) {
	for _, j := range p.byFirst[m[0]] {
		if strings.HasPrefix(m, p.startLits[j]) {
			offer(p.startDefs[j])
		}
	}
}

// keyFilter tells, by its length and first byte, that a string is no
// key of a set of strings; "maybe" when it cannot.
type keyFilter struct {
	lens  uint64    // bit n: a key of length n (63: 63 or longer)
	first [4]uint64 // bit b: a key whose first byte is b
}

func (f *keyFilter) add(k string) {
	f.lens |= 1 << min(len(k), 63)
	if k != "" {
		f.first[k[0]>>6] |= 1 << (k[0] & 63)
	}
}

// mayHave reports false when k is certainly no key.
func (f *keyFilter) mayHave(k string) bool {
	if f.lens&(1<<min(len(k), 63)) == 0 {
		return false
	}
	return k == "" || f.first[k[0]>>6]&(1<<(k[0]&63)) != 0
}

// clone returns a prefilter for another goroutine: the read-only tables
// are shared, the scratch and the learning finder are its own.
// It reads only fields that never change after newPrefilter: p may be
// in use by its own goroutine meanwhile.
func (p *prefilter) clone() *prefilter {
	c := &prefilter{
		ac: p.ac, byLiteral: p.byLiteral, byProgram: p.byProgram, byUnit: p.byUnit, byKind: p.byKind,
		startLits: p.startLits, startDefs: p.startDefs, byFirst: p.byFirst, startPairs: p.startPairs,
		progKeys: p.progKeys, unitKeys: p.unitKeys,
		always: p.always, noUnit: p.noUnit, seen: make([]uint32, len(p.seen)),
	}
	if p.grams != nil {
		c.grams = newGramFinder(p.grams.dict)
	}
	return c
}
