package timeline

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// linkSigs are a cause and a symptom signature, and a second cause of
// the same symptom at another severity.
func linkSigs() (cause, cause2, symptom *signature.Signature) {
	symptom = &signature.Signature{ID: "symptom", Severity: signature.Medium}
	cause = &signature.Signature{ID: "cause", Severity: signature.High, Explains: []string{"symptom"},
		Match: signature.Match{Kind: signature.MatchEvent, DedupeWindow: 10 * time.Minute}}
	cause2 = &signature.Signature{ID: "cause2", Severity: signature.Low, Explains: []string{"symptom", "cause"},
		Match: signature.Match{Kind: signature.MatchEvent, DedupeWindow: time.Hour}}
	return
}

// naiveParents is the definition linkCauses implements: for each
// finding, the first other finding in report order that explains it.
func naiveParents(order []*Finding) map[*Finding]*Finding {
	parent := map[*Finding]*Finding{}
	for _, b := range order {
		for _, a := range order {
			if a != b && explains(a, b) {
				parent[b] = a
				break
			}
		}
	}
	return parent
}

// TestLinkCausesMatchesNaive compares the indexed linking with the
// pairwise definition on random sets: hosts (some empty), overlapping
// windows, equal starts, unknown times.
func TestLinkCausesMatchesNaive(t *testing.T) {
	cause, cause2, symptom := linkSigs()
	sigs := []*signature.Signature{cause, cause2, symptom}
	hosts := []string{"", "web-1", "web-2", "db"}
	base := time.Date(2025, 11, 11, 6, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	links := 0
	for round := 0; round < 200; round++ {
		var fs []*engine.Finding
		for i := 0; i < 2+rng.IntN(40); i++ {
			start := base.Add(time.Duration(rng.IntN(180)) * time.Minute)
			if rng.IntN(20) == 0 {
				start = time.Time{}
			}
			end := start.Add(time.Duration(rng.IntN(90)) * time.Minute)
			fs = append(fs, &engine.Finding{Signature: sigs[rng.IntN(3)], Host: hosts[rng.IntN(len(hosts))],
				Outcome: engine.Confirmed, Start: start, End: end, Count: 1})
		}
		wrapped := make([]*Finding, len(fs))
		for i, f := range fs {
			wrapped[i] = &Finding{Finding: f}
		}
		sortFindingsForTest(wrapped)
		want, got := naiveParents(wrapped), linkCauses(wrapped)
		links += len(want)
		if len(want) != len(got) {
			t.Fatalf("round %d: %d links, want %d", round, len(got), len(want))
		}
		for b, a := range want {
			if got[b] != a {
				t.Fatalf("round %d: %s@%s %s is explained by %v, want %s@%s %s", round, b.Signature.ID, b.Host, b.Start,
					got[b], a.Signature.ID, a.Host, a.Start)
			}
		}
	}
	if links < 500 {
		t.Fatalf("only %d links in all rounds: the sets test little", links)
	}
}

func sortFindingsForTest(fs []*Finding) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && findingLess(fs[j], fs[j-1]); j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// TestBuildLinksManyFindings: 200k findings (100k causes, 100k symptoms
// on 50 hosts over a month) become incidents in seconds; comparing every
// pair took 45 s for 80k and never finished for 200k.
func TestBuildLinksManyFindings(t *testing.T) {
	cause, _, symptom := linkSigs()
	base := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	var fs []*engine.Finding
	for i := 0; i < 100_000; i++ {
		host := fmt.Sprintf("web-%d", i%50)
		at := base.Add(time.Duration(i) * 26 * time.Second)
		fs = append(fs,
			&engine.Finding{Signature: cause, Host: host, Outcome: engine.Confirmed, Start: at, End: at.Add(time.Minute), Count: 1},
			&engine.Finding{Signature: symptom, Host: host, Outcome: engine.Confirmed, Start: at.Add(2 * time.Minute), End: at.Add(3 * time.Minute), Count: 1})
	}
	start := time.Now()
	r := Build(Input{Findings: fs})
	if d := time.Since(start); d > 60*time.Second { // a hang guard (pairwise linking took minutes): speed is for benchmarks
		t.Fatalf("Build took %s", d)
	}
	if len(r.Incidents) != 100_000 {
		t.Fatalf("%d incidents, want 100000", len(r.Incidents))
	}
	for _, inc := range r.Incidents[:100] {
		if len(inc.Symptoms) != 1 || inc.Symptoms[0].Host != inc.Root.Host || inc.Symptoms[0].Start.Sub(inc.Root.Start) != 2*time.Minute {
			t.Fatalf("incident %s@%s %s: %d symptoms", inc.Root.Signature.ID, inc.Root.Host, inc.Root.Start, len(inc.Symptoms))
		}
	}
}

// TestBuildCauseCycles: findings that start together and explain each
// other (a signature that explains itself, or three that explain one
// another in a ring) make one incident rooted at the first in report
// order, not one incident per member each holding the others.
func TestBuildCauseCycles(t *testing.T) {
	at := time.Date(2025, 11, 11, 6, 0, 0, 0, time.UTC)
	self := &signature.Signature{ID: "self", Severity: signature.High, Explains: []string{"self"},
		Match: signature.Match{Kind: signature.MatchSequence, MaxSpan: time.Hour}}
	ringA := &signature.Signature{ID: "ring-a", Severity: signature.High, Explains: []string{"ring-b"}}
	ringB := &signature.Signature{ID: "ring-b", Severity: signature.Medium, Explains: []string{"ring-c"}}
	ringC := &signature.Signature{ID: "ring-c", Severity: signature.Low, Explains: []string{"ring-a"}}
	f := func(s *signature.Signature, host string, start time.Time) *engine.Finding {
		return &engine.Finding{Signature: s, Host: host, Outcome: engine.Confirmed, Start: start, End: start, Count: 1}
	}
	tests := []struct {
		name string
		in   []*engine.Finding
		want []string // per incident: root <- symptoms
	}{
		{"self at the same time", []*engine.Finding{f(self, "h", at), f(self, "h", at)}, []string{"self <- self"}},
		{"self without times", []*engine.Finding{f(self, "h", time.Time{}), f(self, "h", time.Time{}), f(self, "h", time.Time{})},
			[]string{"self <- self self"}},
		{"ring of three", []*engine.Finding{f(ringC, "h", at), f(ringB, "h", at), f(ringA, "h", at)},
			[]string{"ring-a <- ring-b ring-c"}},
		{"self, one later", []*engine.Finding{f(self, "h", at), f(self, "h", at.Add(time.Minute))}, []string{"self <- self"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Build(Input{Findings: tt.in})
			var got []string
			for _, inc := range r.Incidents {
				s := inc.Root.Signature.ID + " <-"
				for _, sym := range inc.Symptoms {
					s += " " + sym.Signature.ID
				}
				got = append(got, s)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("incidents %q, want %q", got, tt.want)
			}
			if len(r.Findings) != len(tt.in) {
				t.Errorf("%d findings in the report, want %d (each once)", len(r.Findings), len(tt.in))
			}
		})
	}
}
