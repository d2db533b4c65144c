package signature

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// simpleRe runs a regex of the shapes signatures mostly use without the
// regexp package: literals, alternations, optional groups, captures,
// `$`, and repeats of one character class (`\S+`, `\d+`, `.+?`,
// `[0-9a-f]{12,64}`), optionally anchored with `^`. On a dense log
// (issue 20) regexp cost 2 to 5 µs per candidate line, most of it
// setting up its backtracker and clearing its visited bits, for
// patterns such as '^Failed (?:password|publickey) for (?P<user>\S+)
// from (?P<addr>\S+) port \d+' that a literal compare and a few byte
// loops decide.
//
// It is a backtracker that tries alternatives in RE2's order of
// preference (the left branch first, greedy repeats longest first, lazy
// ones shortest first), which is what leftmost-first matching means, so
// it finds the match and the captures regexp finds. It works on ASCII
// only: its literals are ASCII, and when a class with members above
// 0x7f (`\S`, `.`, `[^)]`) meets a byte above 0x7f it gives up and the
// caller runs regexp instead. It also
// gives up after a number of steps linear in the input (nested repeats
// can backtrack quadratically), so regexp's linear time bounds it.
// Read-only once compiled: safe for concurrent use.
type simpleRe struct {
	prog     []simpleInst
	anchored bool   // starts with ^: tried at position 0 only
	first    string // a literal every match starts with ("" none): a prefix when anchored, else found with strings.Index
	nslot    int    // 2 per capture group, group 0 included
	names    []string
}

type simpleOp uint8

const (
	sLit   simpleOp = iota // the literal lit, then next
	sRep                   // min..max bytes of class (max < 0: no bound), then next
	sSplit                 // try next, then alt
	sSave                  // record the position in slot, then next
	sEnd                   // the end of the input ($), then next
	sMatch
)

type simpleInst struct {
	op       simpleOp
	greedy   bool
	lit      string
	class    *[256]bool // the ASCII members; never a byte above 0x7f
	wide     bool       // class also holds characters above 0x7f
	min, max int
	// hasStop: a literal starting with stop follows the repeat.
	stop      byte
	hasStop   bool
	slot      int
	next, alt int
}

// maxSimpleSlots bounds the capture slots simpleRe supports: the slots
// live in an array on the stack.
const maxSimpleSlots = 32

// compileSimple returns the simpleRe for re, or nil when re has a shape
// it does not run.
func compileSimple(re *regexp.Regexp) *simpleRe {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	s := &simpleRe{nslot: 2 * (re.NumSubexp() + 1), names: re.SubexpNames()}
	if s.nslot > maxSimpleSlots {
		return nil
	}
	if tree.Op == syntax.OpConcat && len(tree.Sub) > 0 && tree.Sub[0].Op == syntax.OpBeginText {
		s.anchored = true
		tree = &syntax.Regexp{Op: syntax.OpConcat, Sub: tree.Sub[1:]}
	} else if tree.Op == syntax.OpBeginText {
		s.anchored = true
		tree = &syntax.Regexp{Op: syntax.OpEmptyMatch}
	}
	s.prog = append(s.prog, simpleInst{op: sMatch})
	entry, ok := s.compile(tree, 0)
	if !ok {
		return nil
	}
	// The program is built back to front; entry is where it starts.
	// Reorder so that it starts at 0 (and the match is last).
	s.relocate(entry)
	// (Saves take no input: a literal after them still starts the match.)
	pc := 0
	for s.prog[pc].op == sSave {
		pc = s.prog[pc].next
	}
	if in := s.prog[pc]; in.op == sLit {
		s.first = in.lit
	}
	// A repeat followed (after saves) by a literal only stops where the
	// literal's first byte is.
	for i := range s.prog {
		in := &s.prog[i]
		if in.op != sRep {
			continue
		}
		pc := in.next
		for s.prog[pc].op == sSave {
			pc = s.prog[pc].next
		}
		if next := s.prog[pc]; next.op == sLit {
			in.stop, in.hasStop = next.lit[0], true
		}
	}
	return s
}

// compile appends the instructions of re, which continue at next, and
// returns the first of them.
func (s *simpleRe) compile(re *syntax.Regexp, next int) (int, bool) {
	emit := func(in simpleInst) int {
		s.prog = append(s.prog, in)
		return len(s.prog) - 1
	}
	switch re.Op {
	case syntax.OpEmptyMatch:
		return next, true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return 0, false
		}
		var b strings.Builder
		for _, r := range re.Rune {
			if r >= 0x80 {
				return 0, false
			}
			b.WriteByte(byte(r))
		}
		return emit(simpleInst{op: sLit, lit: b.String(), next: next}), true
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		class, wide, ok := asciiClass(re)
		if !ok {
			return 0, false
		}
		return emit(simpleInst{op: sRep, class: class, wide: wide, min: 1, max: 1, greedy: true, next: next}), true
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		greedy := re.Flags&syntax.NonGreedy == 0
		lo, hi := re.Min, re.Max
		switch re.Op {
		case syntax.OpStar:
			lo, hi = 0, -1
		case syntax.OpPlus:
			lo, hi = 1, -1
		case syntax.OpQuest:
			lo, hi = 0, 1
		}
		if class, wide, ok := asciiClass(re.Sub[0]); ok {
			return emit(simpleInst{op: sRep, class: class, wide: wide, min: lo, max: hi, greedy: greedy, next: next}), true
		}
		if re.Op != syntax.OpQuest {
			return 0, false // a repeat of more than one character
		}
		body, ok := s.compile(re.Sub[0], next)
		if !ok {
			return 0, false
		}
		if greedy {
			return emit(simpleInst{op: sSplit, next: body, alt: next}), true
		}
		return emit(simpleInst{op: sSplit, next: next, alt: body}), true
	case syntax.OpConcat:
		pc := next
		for i := len(re.Sub) - 1; i >= 0; i-- {
			var ok bool
			if pc, ok = s.compile(re.Sub[i], pc); !ok {
				return 0, false
			}
		}
		return pc, true
	case syntax.OpAlternate:
		pc, ok := s.compile(re.Sub[len(re.Sub)-1], next)
		if !ok {
			return 0, false
		}
		for i := len(re.Sub) - 2; i >= 0; i-- {
			first, ok := s.compile(re.Sub[i], next)
			if !ok {
				return 0, false
			}
			pc = emit(simpleInst{op: sSplit, next: first, alt: pc})
		}
		return pc, true
	case syntax.OpCapture:
		end := emit(simpleInst{op: sSave, slot: 2*re.Cap + 1, next: next})
		body, ok := s.compile(re.Sub[0], end)
		if !ok {
			return 0, false
		}
		return emit(simpleInst{op: sSave, slot: 2 * re.Cap, next: body}), true
	case syntax.OpEndText:
		return emit(simpleInst{op: sEnd, next: next}), true
	}
	return 0, false
}

// relocate renumbers the program so that entry is instruction 0, in
// the order the instructions are reached, and drops unreachable ones.
func (s *simpleRe) relocate(entry int) {
	renum := make([]int, len(s.prog))
	for i := range renum {
		renum[i] = -1
	}
	var order []int
	var visit func(pc int)
	visit = func(pc int) {
		if renum[pc] >= 0 {
			return
		}
		renum[pc] = len(order)
		order = append(order, pc)
		in := s.prog[pc]
		if in.op == sMatch {
			return
		}
		visit(in.next)
		if in.op == sSplit {
			visit(in.alt)
		}
	}
	visit(entry)
	prog := make([]simpleInst, len(order))
	for i, pc := range order {
		in := s.prog[pc]
		if in.op != sMatch {
			in.next = renum[in.next]
			if in.op == sSplit {
				in.alt = renum[in.alt]
			}
		}
		prog[i] = in
	}
	s.prog = prog
}

// asciiClass returns the ASCII members of a one-character matcher (a
// class, `.`, or a one-character literal), indexed by any byte (none
// above 0x7f is one), and whether it has members above 0x7f too (wide).
func asciiClass(re *syntax.Regexp) (c *[256]bool, wide, ok bool) {
	c = new([256]bool)
	switch re.Op {
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		for b := range 128 {
			c[b] = true
		}
		if re.Op == syntax.OpAnyCharNotNL {
			c['\n'] = false
		}
		wide = true
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1] && r < 128; r++ {
				c[r] = true
			}
			wide = wide || re.Rune[i+1] >= 0x80
		}
	case syntax.OpLiteral:
		if len(re.Rune) != 1 || re.Rune[0] >= 0x80 || re.Flags&syntax.FoldCase != 0 {
			return nil, false, false
		}
		c[re.Rune[0]] = true
	default:
		return nil, false, false
	}
	return c, wide, true
}

// simpleRun is one match attempt's state.
type simpleRun struct {
	re     *simpleRe
	s      string
	slots  []int
	budget int
}

// outcome of simpleRun.run
const (
	simpleFail  = 0
	simpleMatch = 1
	simpleAbort = 2 // a non-ASCII byte, or out of steps: ask regexp
)

// match runs the regex on v. When decided is false it could not tell
// (see simpleRe) and the caller must ask regexp. Otherwise matched says
// whether it matched, and the named groups that took part were appended
// to caps, as Cond.match does with regexp's answer.
func (s *simpleRe) match(v string, caps *Captures) (matched, decided bool) {
	// Most texts a regex is offered are decided by its first literal.
	if s.first != "" {
		if s.anchored && !strings.HasPrefix(v, s.first) || !s.anchored && !strings.Contains(v, s.first) {
			return false, true
		}
	}
	var slots [maxSimpleSlots]int
	r := simpleRun{re: s, s: v, slots: slots[:s.nslot], budget: 64 + 8*len(s.prog)*(len(v)+1)}
	found := -1
	switch {
	case s.anchored:
		r.reset()
		switch r.run(0, 0) {
		case simpleAbort:
			return false, false
		case simpleMatch:
			found = 0
		}
	case s.first != "":
		for at := 0; at <= len(v); {
			i := strings.Index(v[at:], s.first)
			if i < 0 {
				break
			}
			r.reset()
			res := r.run(0, at+i)
			if res == simpleAbort {
				return false, false
			}
			if res == simpleMatch {
				found = at + i
				break
			}
			at += i + 1
		}
	default:
		for at := 0; at <= len(v); at++ {
			r.reset()
			res := r.run(0, at)
			if res == simpleAbort {
				return false, false
			}
			if res == simpleMatch {
				found = at
				break
			}
		}
	}
	if found < 0 {
		return false, true
	}
	if caps != nil {
		for i, name := range s.names {
			if name != "" && r.slots[2*i] >= 0 && r.slots[2*i+1] >= 0 {
				*caps = append(*caps, Capture{name, v[r.slots[2*i]:r.slots[2*i+1]]})
			}
		}
	}
	return true, true
}

func (r *simpleRun) reset() {
	for i := range r.slots {
		r.slots[i] = -1
	}
}

// run matches the program from pc at pos.
func (r *simpleRun) run(pc, pos int) int {
	for {
		if r.budget--; r.budget < 0 {
			return simpleAbort
		}
		in := &r.re.prog[pc]
		switch in.op {
		case sMatch:
			return simpleMatch
		case sLit:
			if !strings.HasPrefix(r.s[pos:], in.lit) {
				return simpleFail
			}
			pos += len(in.lit)
			pc = in.next
		case sEnd:
			if pos != len(r.s) {
				return simpleFail
			}
			pc = in.next
		case sSave:
			old := r.slots[in.slot]
			r.slots[in.slot] = pos
			if res := r.run(in.next, pos); res != simpleFail {
				return res
			}
			r.slots[in.slot] = old
			return simpleFail
		case sSplit:
			if res := r.run(in.next, pos); res != simpleFail {
				return res
			}
			pc = in.alt
		case sRep:
			if !in.greedy {
				return r.lazy(in, pos)
			}
			limit := in.max
			if r.re.prog[in.next].op == sMatch {
				// Nothing after it is seen: the least it may take
				// decides (`id=[0-9a-f]{12,64}` reads 12).
				limit = in.min
			}
			// The run of class bytes, up to the limit; a byte above 0x7f
			// stops it as no member (one table test a byte), and then
			// hands the match to regexp if the class may hold it.
			end := len(r.s)
			if limit >= 0 && pos+limit < end {
				end = pos + limit
			}
			at := pos
			for at < end && in.class[r.s[at]] {
				at++
			}
			if at < end && r.s[at] >= 0x80 && in.wide {
				return simpleAbort // it may hold this character
			}
			n := at - pos
			r.budget -= n
			if n < in.min {
				return simpleFail
			}
			if in.min == n {
				pos += n
				pc = in.next
				continue
			}
			for k := range n - in.min + 1 {
				l := n - k
				if in.hasStop && (pos+l >= len(r.s) || r.s[pos+l] != in.stop) {
					continue
				}
				if res := r.run(in.next, pos+l); res != simpleFail {
					return res
				}
			}
			return simpleFail
		}
	}
}

// lazy runs a lazy repeat (`.*?`, `.+?`) at pos: the fewest bytes first,
// reading the class only as far as the attempts go, where a greedy one
// reads its longest run first. `^Invalid user (?P<user>.*?) from ` tries
// the user's name and not the rest of the line; a non-ASCII byte past
// where the match ends no longer hands it to regexp either.
func (r *simpleRun) lazy(in *simpleInst, pos int) int {
	l := 0
	for {
		if l >= in.min && (!in.hasStop || pos+l < len(r.s) && r.s[pos+l] == in.stop) {
			if res := r.run(in.next, pos+l); res != simpleFail {
				return res
			}
		}
		if in.max >= 0 && l >= in.max || pos+l >= len(r.s) {
			return simpleFail
		}
		// One byte more, if the class holds it.
		b := r.s[pos+l]
		if b >= 0x80 {
			if in.wide {
				return simpleAbort // it may hold this character
			}
			return simpleFail
		}
		if !in.class[b] {
			return simpleFail
		}
		if r.budget--; r.budget < 0 {
			return simpleAbort
		}
		l++
	}
}
