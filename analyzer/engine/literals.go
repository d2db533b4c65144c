package engine

// literalDFA finds which of a set of literals occur in a message: an
// Aho-Corasick automaton compiled into a dense transition table over byte
// classes, so each input byte costs one table load. The trie of
// github.com/cloudflare/ahocorasick (the reference in the tests) follows
// pointers between 4 KiB nodes for every byte, which made it a fifth of
// the timeline's CPU.
//
// Matches come in the same order as that reference: by end position, and
// at one position longest first. Read-only once built, so safe for
// concurrent use.
type literalDFA struct {
	// class maps a byte to its column: bytes that occur in no literal
	// share column 0.
	class  [256]uint8
	nclass int
	// trans[row+class] is the next state's row (state*nclass). The
	// rows from outRow on are the states that end a literal.
	trans  []int32
	outRow int32
	// leavesRoot[class]: the root's transition on class is not itself.
	leavesRoot [256]bool
	// outs[state] lists the literals ending there, longest first.
	outs [][]int32
}

// newLiteralDFA compiles dict, whose strings are distinct and non-empty.
func newLiteralDFA(dict []string) *literalDFA {
	d := &literalDFA{}
	var used [256]bool
	for _, s := range dict {
		for i := 0; i < len(s); i++ {
			used[s[i]] = true
		}
	}
	d.nclass = 1
	for b := range 256 {
		if used[b] {
			d.class[b] = uint8(d.nclass)
			d.nclass++
		}
	}
	if d.nclass > 256 { // every byte value used: no shared column
		d.nclass = 256
		for b := range 256 {
			d.class[b] = uint8(b)
		}
	}
	nc := d.nclass

	// The trie, with -1 for a missing edge.
	goTo := [][]int32{newRow(nc)}
	own := []int32{-1}
	for i, s := range dict {
		st := int32(0)
		for j := 0; j < len(s); j++ {
			c := d.class[s[j]]
			if goTo[st][c] < 0 {
				goTo[st][c] = int32(len(goTo))
				goTo = append(goTo, newRow(nc))
				own = append(own, -1)
			}
			st = goTo[st][c]
		}
		own[st] = int32(i)
	}

	// Breadth first: fail links, the outputs (own, then the fail
	// state's, so longest first) and the full transitions.
	n := len(goTo)
	fail := make([]int32, n)
	d.outs = make([][]int32, n)
	d.trans = make([]int32, n*nc)
	queue := []int32{0}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		if own[st] >= 0 {
			d.outs[st] = append(d.outs[st], own[st])
		}
		if st != 0 {
			d.outs[st] = append(d.outs[st], d.outs[fail[st]]...)
		}
		for c := range nc {
			next := goTo[st][c]
			if next >= 0 {
				if st == 0 {
					fail[next] = 0
				} else {
					fail[next] = d.trans[int(fail[st])*nc+c] >> 1 / int32(nc)
				}
				queue = append(queue, next)
			} else if st == 0 {
				next = 0
			} else {
				next = d.trans[int(fail[st])*nc+c] >> 1 / int32(nc)
			}
			d.trans[int(st)*nc+c] = next * int32(nc) << 1
		}
	}
	// Renumber so that the states ending a literal come last: the scan
	// then tells them apart with one comparison off its critical path.
	order := make([]int32, 0, n) // new -> old
	for pass := range 2 {
		for st := range n {
			if (len(d.outs[st]) > 0) == (pass == 1) {
				order = append(order, int32(st))
			}
		}
	}
	renum := make([]int32, n) // old -> new
	for i, st := range order {
		renum[st] = int32(i)
	}
	trans := make([]int32, n*nc)
	outs := make([][]int32, n)
	d.outRow = int32(n * nc)
	for i, st := range order {
		outs[i] = d.outs[st]
		if len(outs[i]) > 0 && d.outRow == int32(n*nc) {
			d.outRow = int32(i * nc)
		}
		for c := range nc {
			trans[i*nc+c] = renum[d.trans[int(st)*nc+c]>>1/int32(nc)] * int32(nc)
		}
	}
	d.trans, d.outs = trans, outs
	for c := range nc {
		d.leavesRoot[c] = trans[c] != 0
	}
	return d
}

func newRow(n int) []int32 {
	r := make([]int32, n)
	for i := range r {
		r[i] = -1
	}
	return r
}

// match calls f with the index of each literal ending at each position
// of s, in order. A literal is reported at every occurrence; callers
// that need each once dedupe.
func (d *literalDFA) match(s string, f func(lit int32)) {
	row := int32(0)
	for i := 0; i < len(s); i++ {
		c := d.class[s[i]]
		if row == 0 && !d.leavesRoot[c] {
			// The root's self-loop: no load on the chain of states,
			// so runs of such bytes go as fast as the branch predicts.
			continue
		}
		row = d.trans[row+int32(c)]
		if row >= d.outRow {
			for _, l := range d.outs[row/int32(d.nclass)] {
				f(l)
			}
		}
	}
}

// gramLen is the length of the substrings gramFilter tests for.
const gramLen = 4

// gramSample is how many messages gramFilter learns from before it
// starts rejecting any.
var gramSample = 4096

// gramFilter rejects most messages that contain no literal before the
// DFA sees them: every literal contains its own gramLen-byte substring,
// so a message with none of those substrings contains no literal. It
// looks at each position independently, so it runs several times faster
// than the DFA, whose every byte waits on the previous one. Which
// substring stands for a literal is learned from the first gramSample
// messages (the rarest there); until then every message passes. A hash
// collision only lets a message through. Not safe for concurrent use.
type gramFilter struct {
	dict []string
	// bits is the hashed set of the chosen substrings; nil while
	// learning.
	bits *[1 << 10]uint64
	// counts maps each substring of a literal to its occurrences in the
	// sample so far.
	counts map[uint32]int
	left   int
}

// newGramFilter returns nil when a literal is shorter than gramLen.
func newGramFilter(dict []string) *gramFilter {
	g := &gramFilter{dict: dict, counts: map[uint32]int{}, left: gramSample}
	for _, s := range dict {
		if len(s) < gramLen {
			return nil
		}
		for i := 0; i+gramLen <= len(s); i++ {
			g.counts[gramAt(s, i)] = 0
		}
	}
	return g
}

func gramAt(s string, i int) uint32 {
	return uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
}

func gramHash(u uint32) uint32 { return (u * 0x9E3779B1) >> 16 }

// mayMatch reports false only when s contains none of the literals.
func (g *gramFilter) mayMatch(s string) bool {
	if b := g.bits; b != nil {
		if len(s) < gramLen {
			return false
		}
		// u rolls gramAt(s, i-3) along: one byte load per position.
		u := uint32(s[0])<<8 | uint32(s[1])<<16 | uint32(s[2])<<24
		for i := 3; i < len(s); i++ {
			u = u>>8 | uint32(s[i])<<24
			h := gramHash(u)
			if b[h>>6]&(1<<(h&63)) != 0 {
				return true
			}
		}
		return false
	}
	for i := 0; i+gramLen <= len(s); i++ {
		if c, ok := g.counts[gramAt(s, i)]; ok {
			g.counts[gramAt(s, i)] = c + 1
		}
	}
	if g.left--; g.left <= 0 {
		g.choose()
	}
	return true
}

// choose ends learning: each literal is represented by its substring
// seen least often (the first of equals).
func (g *gramFilter) choose() {
	g.bits = new([1 << 10]uint64)
	for _, s := range g.dict {
		best, n := uint32(0), -1
		for i := 0; i+gramLen <= len(s); i++ {
			u := gramAt(s, i)
			if c := g.counts[u]; n < 0 || c < n {
				best, n = u, c
			}
		}
		h := gramHash(best)
		g.bits[h>>6] |= 1 << (h & 63)
	}
	g.counts = nil
}
