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

// maxStride bounds gramFilter's stride.
const maxStride = 4

// gramFilter rejects most messages that contain no literal before the
// DFA sees them. It tests the gramLen-byte substrings of a message at
// every stride-th position only, against a hashed set holding, for each
// literal, stride consecutive substrings of it: any occurrence of the
// literal puts one of those at a tested position. Each test is
// independent of the others, so it runs several times faster than the
// DFA, whose every byte waits on the previous one. Which substrings stand
// for a literal, and the stride, are learned from the first gramSample
// messages (the rarest there); until then every message passes. A hash
// collision only lets a message through. Not safe for concurrent use.
type gramFilter struct {
	dict []string
	// bits is the hashed set of the chosen substrings; nil while
	// learning.
	bits   *[1 << 10]uint64
	stride int
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
	b := g.bits
	if b == nil {
		g.learn(s)
		return true
	}
	const n = gramLen
	st := g.stride
	i := 0
	// Four tests per round, or-ed, with one branch.
	for ; i+3*st+n <= len(s); i += 4 * st {
		h0 := gramHash(gramAt(s, i))
		h1 := gramHash(gramAt(s, i+st))
		h2 := gramHash(gramAt(s, i+2*st))
		h3 := gramHash(gramAt(s, i+3*st))
		if (b[h0>>6]>>(h0&63)|b[h1>>6]>>(h1&63)|b[h2>>6]>>(h2&63)|b[h3>>6]>>(h3&63))&1 != 0 {
			return true
		}
	}
	for ; i+n <= len(s); i += st {
		h := gramHash(gramAt(s, i))
		if b[h>>6]&(1<<(h&63)) != 0 {
			return true
		}
	}
	return false
}

func (g *gramFilter) learn(s string) {
	for i := 0; i+gramLen <= len(s); i++ {
		if c, ok := g.counts[gramAt(s, i)]; ok {
			g.counts[gramAt(s, i)] = c + 1
		}
	}
	if g.left--; g.left <= 0 {
		g.choose()
	}
}

// choose ends learning: of the strides the literals allow, it takes the
// one with the cheapest estimated cost per byte, the tests (one every
// stride bytes) plus the DFA run on the messages the chosen substrings
// let through (about dfaCost tests per byte of such a message).
func (g *gramFilter) choose() {
	const dfaCost = 4
	minLen := len(g.dict[0])
	for _, s := range g.dict {
		minLen = min(minLen, len(s))
	}
	best, bestCost := 1, -1.0
	for st := 1; st <= min(maxStride, minLen-gramLen+1); st++ {
		_, hits := g.window(st)
		// A chosen substring is at a tested position once in st.
		pass := min(1, float64(hits)/float64(st*gramSample))
		if cost := 1/float64(st) + dfaCost*pass; bestCost < 0 || cost < bestCost {
			best, bestCost = st, cost
		}
	}
	g.use(best)
}

// window picks, per literal, the stride consecutive substrings seen
// least often in the sample, and returns them with their total count.
func (g *gramFilter) window(stride int) (set []uint32, hits int) {
	for _, s := range g.dict {
		best, n := 0, -1
		for k := 0; k+stride-1+gramLen <= len(s); k++ {
			sum := 0
			for j := k; j < k+stride; j++ {
				sum += g.counts[gramAt(s, j)]
			}
			if n < 0 || sum < n {
				best, n = k, sum
			}
		}
		for j := best; j < best+stride; j++ {
			set = append(set, gramAt(s, j))
		}
		hits += n
	}
	return set, hits
}

// use ends learning with the given stride, which every literal must
// allow (len >= gramLen+stride-1).
func (g *gramFilter) use(stride int) {
	set, _ := g.window(stride)
	g.bits = new([1 << 10]uint64)
	g.stride = stride
	for _, u := range set {
		h := gramHash(u)
		g.bits[h>>6] |= 1 << (h & 63)
	}
	g.counts = nil
}
