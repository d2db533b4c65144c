package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/fixture"
	"github.com/logsleuth/logsleuth/analyzer/signature"
	"github.com/logsleuth/logsleuth/analyzer/timeline"
)

// TestFixtures runs every case under fixtures/ the way `logsleuth test`
// does: all built-in signatures against every case, so a signature that
// fires where its case does not expect it fails here too.
func TestFixtures(t *testing.T) {
	sigs, cases := builtinCases(t)
	// formats[id] holds, per positive case of id, the input formats it
	// was read as ("dpkg+rfc3164").
	formats := map[string]map[string]int{}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			a, _, err := analyzeCase(context.Background(), c, sigs, engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var fs []string
			for _, src := range a.Sources {
				fs = append(fs, src.Format)
			}
			slices.Sort(fs)
			key := strings.Join(slices.Compact(fs), "+")
			for _, id := range c.Signatures() {
				if formats[id] == nil {
					formats[id] = map[string]int{}
				}
				formats[id][key]++
			}
			diff := c.Compare(a.Findings)
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
	// Every built-in signature is proven by at least two positive cases
	// read in different input formats.
	for _, s := range sigs {
		n := 0
		for _, k := range formats[s.ID] {
			n += k
		}
		if n < 2 || len(formats[s.ID]) < 2 {
			t.Errorf("signature %s has %d positive fixture cases in %d input formats %v, want 2 cases in different formats", s.ID, n, len(formats[s.ID]), formats[s.ID])
		}
	}
}

// TestSeedTimelines: on each seed incident's fixture, the timeline is one
// incident whose root is the cause the seed's author found, and every
// other finding is a symptom of it.
func TestSeedTimelines(t *testing.T) {
	roots := map[string]string{
		"docker-api-version/seed-000-traefik-compose-apt": "docker-upgrade-api-break",
		"unattended-upgrade/seed-001-syslog":              "unattended-upgrade",
		"docker-data-root/seed-001-reverted-root":         "unattended-upgrade",
		"unattended-upgrade/seed-002-journalctl-ko":       "unattended-upgrade",
		"traefik-entrypoint-closed/seed-003-logfmt":       "traefik-entrypoint-closed",
		"docker-bridge-subnet/seed-004-rfc3164":           "docker-bridge-subnet",
	}
	sigs, cases := builtinCases(t)
	seen := 0
	for _, c := range cases {
		if !strings.Contains(c.Name, "/seed-") {
			continue
		}
		seen++
		t.Run(c.Name, func(t *testing.T) {
			want, ok := roots[c.Name]
			if !ok {
				t.Fatalf("seed case %s has no expected root cause in this test", c.Name)
			}
			a, _, err := analyzeCase(context.Background(), c, sigs, engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			rep := timeline.Build(timeline.Input{Findings: a.Findings})
			var got []string
			for _, inc := range rep.Incidents {
				s := inc.Root.Signature.ID + " <-"
				for _, f := range inc.Symptoms {
					s += " " + f.Signature.ID
				}
				got = append(got, s)
			}
			if len(rep.Incidents) != 1 || rep.Incidents[0].Root.Signature.ID != want {
				t.Errorf("incidents (root <- symptoms) = %q, want one incident with root %s", got, want)
			}
		})
	}
	if seen != len(roots) {
		t.Errorf("%d seed cases under fixtures/, want %d", seen, len(roots))
	}
}

// TestIncidentLinks: cases whose findings must group into these incidents
// (root <- symptoms in time order): context that is no incident of its
// own (Traefik's entrypoints closing when it was restarted to fix its
// provider) and the same lines alone, a cause and the generic view of the
// same outage (a crash loop and the start limit it ran into), and a
// signature whose evidence pairs twice.
func TestIncidentLinks(t *testing.T) {
	want := map[string][]string{
		"traefik-entrypoint-closed/restart-fixes-provider-json-journal": {"traefik-stale-socket <- traefik-docker-provider traefik-entrypoint-closed"},
		"traefik-entrypoint-closed/seed-003-logfmt":                     {"traefik-entrypoint-closed <-"},
		"docker-data-root-mount/device-timeout-rfc3164":                 {"docker-data-root-mount <- docker-data-root"},
		"docker-data-root-snap/installer-snap-paste":                    {"docker-data-root-snap <- docker-data-root-snap"},
		"restart-loop/xenial-holdoff-rfc3164":                           {"restart-loop-crashing <- restart-loop"},
	}
	sigs, cases := builtinCases(t)
	seen := 0
	for _, c := range cases {
		w, ok := want[c.Name]
		if !ok {
			continue
		}
		seen++
		t.Run(c.Name, func(t *testing.T) {
			a, _, err := analyzeCase(context.Background(), c, sigs, engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, inc := range timeline.Build(timeline.Input{Findings: a.Findings}).Incidents {
				s := inc.Root.Signature.ID + " <-"
				for _, f := range inc.Symptoms {
					s += " " + f.Signature.ID
				}
				got = append(got, s)
			}
			if !slices.Equal(got, w) {
				t.Errorf("incidents (root <- symptoms) = %q, want %q", got, w)
			}
		})
	}
	if seen != len(want) {
		t.Errorf("%d of the %d cases found under fixtures/", seen, len(want))
	}
}

// builtinCases loads the built-in signatures and every case under
// fixtures/, as `logsleuth test` does.
func builtinCases(t testing.TB) ([]*signature.Signature, []*fixture.Case) {
	t.Helper()
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
	return sigs, cases
}
