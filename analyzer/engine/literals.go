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
// of s, and where it ends (the index after its last byte), in order. A
// literal is reported at every occurrence; callers that need each once
// dedupe.
func (d *literalDFA) match(s string, f func(lit int32, end int)) {
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
				f(l, i+1)
			}
		}
	}
}

// gramLen is the length of the substrings gramFinder tests for.
const gramLen = 4

// gramSample is how many messages gramFinder learns from before it
// finds any literal itself.
var gramSample = 4096

// maxStride bounds gramFinder's stride. The built-in set's shortest
// literal has 11 bytes, which allows 8; on the bench corpus the finder
// picks 5 (8 hit common substrings too often, 3 tested too much).
const maxStride = 8

// verifyCost is what gramFinder reckons a hit to verify costs, in tests:
// it trades a longer stride (fewer tests) against windows whose
// substrings the sample holds more often (more hits). A hit is a
// mispredicted branch, the walk of a list and a compare, where a test is
// a dozen instructions and a branch not taken. At 24 the finder picks 5
// on both bench corpora: over 20 MB of the dense one, strides 3, 5 and 8
// ran 1051M, 1020M and 1015M instructions with 8.04M, 8.21M and 8.82M
// mispredicted branches (cachegrind's model), over the clean one 4 and 5
// ran 803M and 791M with 5.96M and 5.97M.
const verifyCost = 24

// gramMuls are the multipliers gramFinder may hash substrings with: the
// one under which the sample's substrings hit the chosen set least. A
// common substring of the logs ("time", "feature") that shares a bit
// with a chosen one under one multiplier rarely does under all.
var gramMuls = [...]uint32{0x9E3779B1, 0x85EBCA6B, 0xC2B2AE35, 0x27D4EB2F}

// gramFinder finds the literals in a message several times faster than
// the DFA, whose every byte waits on the previous one. It tests the
// gramLen-byte substrings of a message at every stride-th position only,
// against a hashed set holding, for each literal, stride consecutive
// substrings of it (a window): any occurrence of the literal puts
// exactly one of those at a tested position, where a hit is verified by
// comparing the literal in place. The tests are independent of each
// other, and with a stride of n there is one for every n bytes.
//
// The stride, the hash and the windows are learned from the first
// gramSample messages (counting the second half): the stride and hash with the fewest tests and
// hits to verify (tests per byte, and for each literal the window whose
// substrings' bits the sample hit least). Until then it tests every
// position for each literal's first substring: those messages cost
// about what the DFA's scan did, and the DFA, whose table took 27M
// instructions to build (8 ms before the first line was read), is
// built only for a dictionary the finder cannot take. Not safe for
// concurrent use.
type gramFinder struct {
	dict []string
	// bits is the hashed set of the chosen substrings.
	bits   *gramBits
	stride int
	mul    uint32 // the hash's multiplier, one of gramMuls
	// at[h>>6], for a substring hashing to h, lists the chosen
	// substrings whose hash shares that word of bits, with where they
	// sit in which literals: an index instead of a map lookup for each
	// hit to verify.
	at *[len(gramBits{})][]gramRef
	// While learning, sampleHits[k][h] counts the sample's substrings
	// hashing to h under gramMuls[k], and sampled its bytes.
	sampleHits *[len(gramMuls)][1 << 16]uint32
	hitsMemo   map[gramKey][]int // gramHits' answers, while choosing
	sampled    int
	left       int // messages left to learn from; 0: learned
}

// gramBits is a set of substring hashes, one bit each.
type gramBits [1 << 10]uint64

// gramRef is a chosen substring's place: gram at offset off of literal
// lit.
type gramRef struct {
	gram     uint32
	lit, off int32
}

// newGramFinder returns nil when a literal is shorter than gramLen
// (gramsFit).
func newGramFinder(dict []string) *gramFinder {
	if !gramsFit(dict) {
		return nil
	}
	g := &gramFinder{dict: dict, left: gramSample}
	g.setTable(1, gramMuls[0], make([]int, len(dict)))
	return g
}

// gramsFit reports whether a gramFinder can find dict's literals: none
// is shorter than gramLen.
func gramsFit(dict []string) bool {
	for _, s := range dict {
		if len(s) < gramLen {
			return false
		}
	}
	return true
}

// learning reports whether g still learns from the messages it is
// given.
func (g *gramFinder) learning() bool { return g.left > 0 }

// gramAt reads the gramLen bytes at s[i:] as one number. Slicing them
// first leaves one bounds check where indexing each byte made four,
// around the one load the compiler merges them into: a read
// takes 6 instructions instead of 13.
func gramAt(s string, i int) uint32 {
	s = s[i : i+gramLen]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

func gramHash(u, mul uint32) uint32 { return (u * mul) >> 16 }

// find calls f for each occurrence of each literal in s, with where it
// ends (learning from s first while it learns).
func (g *gramFinder) find(s string, f func(lit int32, end int)) {
	if g.learning() {
		g.learn(s)
	}
	b := g.bits
	const n = gramLen
	st, mul := g.stride, g.mul
	i := 0
	// Four tests per round, or-ed, with one branch.
	for ; i+3*st+n <= len(s); i += 4 * st {
		u0, u1, u2, u3 := gram4(s, i, st)
		h0, h1, h2, h3 := gramHash(u0, mul), gramHash(u1, mul), gramHash(u2, mul), gramHash(u3, mul)
		m0, m1, m2, m3 := b[h0>>6]>>(h0&63), b[h1>>6]>>(h1&63), b[h2>>6]>>(h2&63), b[h3>>6]>>(h3&63)
		if (m0|m1|m2|m3)&1 != 0 {
			hs := [4]uint32{h0, h1, h2, h3}
			for k, m := range [4]uint64{m0, m1, m2, m3} {
				if m&1 != 0 {
					g.verify(s, i+k*st, hs[k], f)
				}
			}
		}
	}
	for ; i+n <= len(s); i += st {
		h := gramHash(gramAt(s, i), mul)
		if b[h>>6]&(1<<(h&63)) != 0 {
			g.verify(s, i, h, f)
		}
	}
}

// verify reports the literals whose chosen substring is at s[i:], whose
// hash is h.
func (g *gramFinder) verify(s string, i int, h uint32, f func(lit int32, end int)) {
	u := gramAt(s, i)
	for _, r := range g.at[h>>6] {
		if r.gram != u {
			continue
		}
		start := i - int(r.off)
		if l := g.dict[r.lit]; start >= 0 && len(s)-start >= len(l) && s[start:start+len(l)] == l {
			f(r.lit, start+len(l))
		}
	}
}

func (g *gramFinder) learn(s string) {
	// Only the second half of the sample is counted: an input too small
	// to finish learning (a fixture, a short log) never allocates the
	// table, 1 MiB.
	if g.left--; g.left > gramSample/2 {
		return
	}
	if g.sampleHits == nil {
		g.sampleHits = new([len(gramMuls)][1 << 16]uint32)
	}
	for i := 0; i+gramLen <= len(s); i++ {
		u := gramAt(s, i)
		for k, mul := range gramMuls {
			g.sampleHits[k][gramHash(u, mul)]++
		}
	}
	g.sampled += len(s)
	if g.left <= 0 {
		g.use(g.cheapestStride())
	}
}

// cheapestStride returns the stride with the fewest tests and hits to
// verify over the sample. The hits are counted at every position of the
// sample, and a stride of n tests one position in n: it verifies one in
// n of them too. (Costing every hit counted made a literal's every
// occurrence cost n verifications, where it costs one at any stride:
// on a log where the literals are common, the dense bench corpus, the
// finder kept to 3.)
func (g *gramFinder) cheapestStride() int {
	best, bestCost := 1, -1.0
	for stride := 1; stride <= g.maxStride(); stride++ {
		_, hits := g.bestHash(stride)
		if c := float64(g.sampled+verifyCost*hits) / float64(stride); bestCost < 0 || c < bestCost {
			best, bestCost = stride, c
		}
	}
	return best
}

// maxStride is the longest stride every literal allows.
func (g *gramFinder) maxStride() int {
	minLen := len(g.dict[0])
	for _, s := range g.dict {
		minLen = min(minLen, len(s))
	}
	return min(maxStride, minLen-gramLen+1)
}

// window returns, for literal s at the given stride, the start of the
// window whose substrings' bits the sample hit least under gramMuls[k],
// and those hits.
func (g *gramFinder) window(s string, stride, k int) (start, hits int) {
	return bestWindow(g.gramHits(s, k), stride)
}

// gramHits returns, for each gramLen-byte substring of s, how often the
// sample hit its bit under gramMuls[k]. The search for windows asks for
// every stride, hash and literal once per screen: looking the hits up
// once per literal and hash, not once per stride and window position,
// and summing them as the window slides, took the search from 24M to
// 7M instructions per run (cachegrind, a timeline run with two screens).
func (g *gramFinder) gramHits(s string, k int) []int {
	if g.hitsMemo == nil {
		g.hitsMemo = map[gramKey][]int{}
	}
	key := gramKey{s, k}
	if h, ok := g.hitsMemo[key]; ok {
		return h
	}
	hashHits := &g.sampleHits[k]
	h := make([]int, max(len(s)-gramLen+1, 0))
	for j := range h {
		h[j] = int(hashHits[gramHash(gramAt(s, j), gramMuls[k])])
	}
	g.hitsMemo[key] = h
	return h
}

type gramKey struct {
	s string
	k int
}

// bestWindow returns the start of the first run of stride consecutive
// hits whose sum is least, and that sum (a running sum as the window
// slides).
func bestWindow(h []int, stride int) (start, hits int) {
	sum := 0
	for j := 0; j < stride-1 && j < len(h); j++ {
		sum += h[j]
	}
	hits = -1
	for w := 0; w+stride-1 < len(h); w++ {
		sum += h[w+stride-1]
		if hits < 0 || sum < hits {
			start, hits = w, sum
		}
		sum -= h[w]
	}
	return start, hits
}

// bestHash returns the gramMuls index under which the literals' best
// windows at stride were hit least by the sample, and those hits.
func (g *gramFinder) bestHash(stride int) (best, hits int) {
	hits = -1
	for k := range gramMuls {
		sum := 0
		for _, s := range g.dict {
			_, n := g.window(s, stride, k)
			sum += n
		}
		if hits < 0 || sum < hits {
			best, hits = k, sum
		}
	}
	return best, hits
}

// use ends learning with the given stride, which every literal must
// allow (len >= gramLen+stride-1), and the hash and windows for it that
// the sample hit least.
func (g *gramFinder) use(stride int) {
	if g.sampleHits == nil { // used again (tests): no sample left
		g.sampleHits = new([len(gramMuls)][1 << 16]uint32)
	}
	k, _ := g.bestHash(stride)
	starts := make([]int, len(g.dict))
	for li, s := range g.dict {
		starts[li], _ = g.window(s, stride, k)
	}
	g.setTable(stride, gramMuls[k], starts)
	g.sampleHits, g.hitsMemo = nil, nil
	g.left = 0
}

// setTable makes the hashed set of the substrings of each literal's
// window (starting at starts[i] in dict[i]) for stride, under mul.
func (g *gramFinder) setTable(stride int, mul uint32, starts []int) {
	g.bits = new(gramBits)
	g.stride, g.mul = stride, mul
	g.at = new([len(gramBits{})][]gramRef)
	for li, s := range g.dict {
		for j := starts[li]; j < starts[li]+stride; j++ {
			u := gramAt(s, j)
			h := gramHash(u, mul)
			g.bits[h>>6] |= 1 << (h & 63)
			g.at[h>>6] = append(g.at[h>>6], gramRef{gram: u, lit: int32(li), off: int32(j)})
		}
	}
}
