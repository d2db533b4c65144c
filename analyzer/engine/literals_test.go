package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cloudflare/ahocorasick"
)

// firstMatches is what the prefilter sees of literalDFA.match: each
// literal once, at its first occurrence.
func firstMatches(d *literalDFA, s string) []int {
	var out []int
	d.match(s, func(l int32, _ int) {
		if !slices.Contains(out, int(l)) {
			out = append(out, int(l))
		}
	})
	return out
}

// TestLiteralDFAAgainstReference requires the same literals, in the same
// order, as github.com/cloudflare/ahocorasick (the matcher literalDFA
// replaced), over dictionaries of a small alphabet whose words overlap,
// share prefixes and suffixes, and sit inside one another.
func TestLiteralDFAAgainstReference(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 77))
			alphabet := "abc\x00\xff"[:2+rng.IntN(4)]
			word := func(min, max int) string {
				b := make([]byte, min+rng.IntN(max-min+1))
				for i := range b {
					b[i] = alphabet[rng.IntN(len(alphabet))]
				}
				return string(b)
			}
			var dict []string
			for range 1 + rng.IntN(30) {
				if w := word(1, 6); !slices.Contains(dict, w) {
					dict = append(dict, w)
				}
			}
			ref := ahocorasick.NewStringMatcher(dict)
			d := newLiteralDFA(dict)
			for range 500 {
				s := word(0, 40)
				want := ref.Match([]byte(s))
				if got := firstMatches(d, s); !slices.Equal(got, want) {
					t.Fatalf("dict %q, text %q: got %v, want %v", dict, s, got, want)
				}
			}
		})
	}
}

// TestLiteralDFAAllBytes covers a dictionary that uses every byte value,
// so no column is shared.
func TestLiteralDFAAllBytes(t *testing.T) {
	var dict []string
	for b := range 256 {
		dict = append(dict, string([]byte{byte(b), byte(255 - b)}))
	}
	ref := ahocorasick.NewStringMatcher(dict)
	d := newLiteralDFA(dict)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		b := make([]byte, rng.IntN(20))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		if got, want := firstMatches(d, string(b)), ref.Match(b); !slices.Equal(got, want) {
			t.Fatalf("text %q: got %v, want %v", b, got, want)
		}
	}
}

// BenchmarkLiterals runs the built-in set's shape of dictionary over log
// messages with the reference matcher and with literalDFA.
func BenchmarkLiterals(b *testing.B) {
	dict := []string{"Failed ", "Invalid user ", "connection error", "connection timed out",
		"no route to host", "i/o timeout", "Container runtime not ready", "Out of memory: Kill",
		"blocked for more than ", "Start request repeated too quickly", "authentication failure;",
		"NotReady", "PLEG is not healthy", "containerd: ", "]: segfault at ", "Corruption"}
	msgs := []string{
		`level=info msg="Container 3f2a1b9c5d7e health status changed" container=3f2a1b9c5d7e status=healthy`,
		`Accepted publickey for deploy from 10.0.4.17 port 52114 ssh2: ED25519 SHA256:abc`,
		`pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)`,
		`Started Session 4182 of User deploy.`,
		`time="2026-01-01T00:00:01Z" level=warning msg="failed to retrieve runc version: connection error"`,
		// Substrings of the short literals that are common words:
		// hits the finder verifies and rejects.
		`br-4f0a7c2e9d11: port 7(vethf5a304f) entered disabled state`,
		`Failed password for root from 203.0.113.9 port 50122 ssh2`,
	}
	var n int
	for _, s := range msgs {
		n += len(s)
	}
	b.Run("cloudflare", func(b *testing.B) {
		m := ahocorasick.NewStringMatcher(dict)
		b.SetBytes(int64(n))
		for b.Loop() {
			for _, s := range msgs {
				m.Match([]byte(s))
			}
		}
	})
	b.Run("dfa", func(b *testing.B) {
		d := newLiteralDFA(dict)
		b.SetBytes(int64(n))
		for b.Loop() {
			for _, s := range msgs {
				d.match(s, func(int32, int) {})
			}
		}
	})
	b.Run("grams", func(b *testing.B) {
		g := newGramFinder(dict)
		for i := 0; g.learning(); i++ {
			g.find(msgs[i%len(msgs)], func(int32, int) {})
		}
		b.SetBytes(int64(n))
		for b.Loop() {
			for _, s := range msgs {
				g.find(s, func(int32, int) {})
			}
		}
	})
}

// TestGramFinderAgainstDFA requires the same set of literals as the
// DFA for every text, at every stride the dictionary allows once the
// finder has learned, and while it learns.
func TestGramFinderAgainstDFA(t *testing.T) {
	old := gramSample
	gramSample = 50
	t.Cleanup(func() { gramSample = old })
	found := make([]int, maxStride+1)
	for seed := uint64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, 5))
		word := func(min, max int) string {
			b := make([]byte, min+rng.IntN(max-min+1))
			for i := range b {
				b[i] = "abcd"[rng.IntN(4)]
			}
			return string(b)
		}
		var dict []string
		minLen := gramLen + rng.IntN(maxStride)
		for range 1 + rng.IntN(8) {
			if w := word(minLen, minLen+6); !slices.Contains(dict, w) {
				dict = append(dict, w)
			}
		}
		d := newLiteralDFA(dict)
		// Random text with, in half of them, a literal or a literal
		// cut short somewhere inside.
		texts := make([]string, 1000)
		for i := range texts {
			texts[i] = word(0, 20)
			if rng.IntN(2) == 0 {
				l := dict[rng.IntN(len(dict))]
				texts[i] += l[:len(l)-rng.IntN(2)] + word(0, 20)
			}
		}
		for stride := 0; stride <= minLen-gramLen+1; stride++ {
			g := newGramFinder(dict)
			for i, s := range texts {
				if i == gramSample && stride > 0 {
					g.use(stride) // else: the one it chose
				}
				var got []int
				g.find(s, func(l int32, _ int) {
					if !slices.Contains(got, int(l)) {
						got = append(got, int(l))
					}
				})
				if learning := i < gramSample-1; learning != g.learning() {
					t.Fatalf("dict %q: after %d texts learning is %v", dict, i+1, g.learning())
				}
				want := firstMatches(d, s)
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Fatalf("dict %q, stride %d, text %q: literals %v, want %v", dict, g.stride, s, got, want)
				}
				if len(want) > 0 {
					found[g.stride]++
				}
			}
		}
	}
	for stride := 1; stride <= maxStride; stride++ {
		if found[stride] < 500 {
			t.Errorf("stride %d: only %d texts with literals: the test proves little", stride, found[stride])
		}
	}
	if newGramFinder([]string{"abcd", "abc"}) != nil {
		t.Fatal("a literal shorter than gramLen must disable the finder")
	}
}

// TestGramWindowRunningSum requires window's running sum to choose the
// window, and count the hits, that summing each window afresh does
// (the first of the least, as before), for every stride and hash.
func TestGramWindowRunningSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	g := &gramFinder{sampleHits: new([len(gramMuls)][1 << 16]uint32)}
	for k := range gramMuls {
		for h := range g.sampleHits[k] {
			g.sampleHits[k][h] = uint32(rng.IntN(4)) // ties are common
		}
	}
	for _, s := range []string{"abcd", "Failed password for ", "msg=\"shim disconnected\" id=", " blocked for more than "} {
		for stride := 1; stride <= len(s)-gramLen+1; stride++ {
			for k, mul := range gramMuls {
				wantStart, wantHits := 0, -1
				for w := 0; w+stride-1+gramLen <= len(s); w++ {
					sum := 0
					for j := w; j < w+stride; j++ {
						sum += int(g.sampleHits[k][gramHash(gramAt(s, j), mul)])
					}
					if wantHits < 0 || sum < wantHits {
						wantStart, wantHits = w, sum
					}
				}
				if start, hits := g.window(s, stride, k); start != wantStart || hits != wantHits {
					t.Errorf("%q stride %d hash %d: window %d (%d hits), want %d (%d)", s, stride, k, start, hits, wantStart, wantHits)
				}
			}
		}
	}
}

// TestGramStrideOfCommonLiterals requires the finder to take the longest
// stride when the sample's hits are the literals' own occurrences, each
// once per message: an occurrence is verified once at any stride (one
// piece of its window sits at a tested position), so only the tests
// differ. Costing each of the window's pieces the sample held as a hit
// kept a dense log's finder to short strides.
func TestGramStrideOfCommonLiterals(t *testing.T) {
	old := gramSample
	gramSample = 200
	t.Cleanup(func() { gramSample = old })
	dict := []string{"Invalid user ", "authentication failure;"}
	rng := rand.New(rand.NewPCG(7, 8))
	g := newGramFinder(dict)
	for i := 0; g.learning(); i++ {
		// The digits share no piece with the literals.
		var b []byte
		for range 10 + rng.IntN(30) {
			b = append(b, byte('0'+rng.IntN(10)))
		}
		g.find(dict[i%2]+string(b), func(int32, int) {})
	}
	if want := g.maxStride(); g.stride != want {
		t.Errorf("stride %d, want %d", g.stride, want)
	}
}

// TestGram4 requires gram4 to read what gramAt reads, at every position
// and stride the finder's loop uses, in texts of every byte value.
func TestGram4(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		b := make([]byte, rng.IntN(60))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		s := string(b)
		for st := 1; st <= maxStride; st++ {
			for i := 0; i+3*st+gramLen <= len(s); i++ {
				a, bb, c, d := gram4(s, i, st)
				if want := [4]uint32{gramAt(s, i), gramAt(s, i+st), gramAt(s, i+2*st), gramAt(s, i+3*st)}; [4]uint32{a, bb, c, d} != want {
					t.Fatalf("%q at %d, stride %d: %x, want %x", s, i, st, [4]uint32{a, bb, c, d}, want)
				}
			}
		}
	}
}
