package main

import (
	"context"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/fixture"
)

// TestFixtures runs every case under fixtures/ the way `logsleuth test`
// does: all built-in signatures against every case, so a signature that
// fires where its case does not expect it fails here too.
func TestFixtures(t *testing.T) {
	sigs, err := loadSignatureSet(nil)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := fixture.Find("../../fixtures")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no fixture cases found")
	}
	covered := map[string]bool{}
	for _, c := range cases {
		for _, id := range c.Signatures() {
			covered[id] = true
		}
		t.Run(c.Name, func(t *testing.T) {
			diff, _, err := runCase(context.Background(), c, sigs, engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Errorf("findings differ (- expected, + got):\n%s", diff)
			}
			// The prefilter may only skip matchers that cannot match:
			// the naive engine must agree on every case.
			naive, _, err := runCase(context.Background(), c, sigs, engine.Options{Naive: true})
			if err != nil {
				t.Fatal(err)
			}
			if naive != diff {
				t.Errorf("naive engine disagrees with the prefiltered one:\nprefiltered:\n%s\nnaive:\n%s", diff, naive)
			}
		})
	}
	// Every built-in signature is proven by at least one positive case.
	for _, s := range sigs {
		if !covered[s.ID] {
			t.Errorf("signature %s has no positive fixture case", s.ID)
		}
	}
}
