package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// TestPrefilterNoFalseNegatives runs random matchers over random events
// both ways, every matcher on every event (the reference) and through the
// prefilter, and requires the same matches: the prefilter may offer a
// matcher that then rejects the event, never skip one that accepts it.
// Words over a three-letter alphabet make literals overlap, share
// prefixes and suffixes, and sit inside one another, which is where an
// Aho-Corasick automaton goes wrong.
func TestPrefilterNoFalseNegatives(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { prefilterAgainstNaive(t, seed, 150, 4000) })
	}
}

func prefilterAgainstNaive(t *testing.T, seed uint64, defs, events int) {
	rng := rand.New(rand.NewPCG(seed, 1870514))
	word := func(min, max int) string {
		n := min + rng.IntN(max-min+1)
		b := make([]byte, n)
		for i := range b {
			b[i] = "abc"[rng.IntN(3)]
		}
		return string(b)
	}
	names := []string{"", "sshd", "kernel", "dockerd", "docker.service", "containerd.service", "a.service"}
	pick := func() string { return names[rng.IntN(len(names))] }
	var cond func(depth int) string
	cond = func(depth int) string {
		switch rng.IntN(14) {
		case 0:
			return fmt.Sprintf("program: %q", pick())
		case 1:
			return fmt.Sprintf("unit: [%q, %q]", pick(), pick())
		case 2:
			return fmt.Sprintf(`unit|re: '^(?P<svc>%s|%s)$'`, strings.ReplaceAll(pick(), ".", `\.`), strings.ReplaceAll(pick(), ".", `\.`))
		case 3:
			return fmt.Sprintf("message|contains: [%q, %q]", word(1, 5), word(3, 6))
		case 4:
			return fmt.Sprintf("message|startswith: %q", word(2, 5))
		case 5:
			return fmt.Sprintf("message|endswith: %q", word(2, 5))
		case 6:
			return fmt.Sprintf("message: %q", word(0, 6))
		case 7:
			return fmt.Sprintf(`message|re: '%s(?P<x>[ab]+)%s'`, word(0, 4), word(1, 5))
		case 8:
			return fmt.Sprintf(`message|re: '%s|%s'`, word(3, 5), word(2, 6))
		case 9:
			return fmt.Sprintf(`message|re: '(?i)%s'`, word(3, 4))
		case 10:
			return "lifecycle: [started, stopped]"
		case 12:
			// Needed at the start (and the alternation's literals too).
			return fmt.Sprintf(`message|re: ['^%s(?P<y>[bc]*)%s', '^(?:%s|%s)c']`, word(3, 5), word(2, 6), word(2, 4), word(3, 4))
		case 11:
			if depth > 0 {
				return fmt.Sprintf("any: [{%s}, {%s}]", cond(depth-1), cond(depth-1))
			}
			return fmt.Sprintf("program|startswith: %q", word(1, 2))
		default:
			if depth > 0 {
				return fmt.Sprintf("not: {%s}", cond(depth-1))
			}
			return fmt.Sprintf("host: %q", word(1, 1))
		}
	}
	var doc strings.Builder
	doc.WriteString("schema: logsleuth/v1\nid: random\ntitle: Random\nevents:\n")
	for i := 0; i < defs; i++ {
		conds := []string{cond(2)}
		keys := map[string]bool{strings.SplitN(conds[0], ":", 2)[0]: true}
		for rng.IntN(2) == 0 {
			c := cond(2)
			if k := strings.SplitN(c, ":", 2)[0]; !keys[k] {
				keys[k] = true
				conds = append(conds, c)
			}
		}
		fmt.Fprintf(&doc, "  e%d: {%s}\n", i, strings.Join(conds, ", "))
	}
	doc.WriteString("match: {event: e0}\n")
	sigs, errs := signature.Parse("random.yaml", []byte(doc.String()))
	if len(errs) > 0 {
		t.Fatalf("generated signature does not load: %v", errs)
	}
	var refs []defRef
	narrowed := 0
	for _, d := range sigs[0].Events {
		refs = append(refs, defRef{def: d})
		if !d.Matcher.Requirement().Any() {
			narrowed++
		}
	}
	if narrowed < defs/2 {
		t.Fatalf("only %d of %d matchers have a prefilter requirement: the test proves little", narrowed, defs)
	}
	p := newPrefilter(refs)
	lifecycles := []event.Lifecycle{event.LifecycleNone, event.Started, event.Stopped}
	matches := 0
	for n := 0; n < events; n++ {
		ev := event.Event{Program: pick(), Unit: pick(), Host: word(0, 1), Message: word(0, 16),
			Lifecycle: lifecycles[rng.IntN(len(lifecycles))], Priority: event.NoPriority}
		if rng.IntN(4) == 0 {
			ev.Message = strings.ToUpper(ev.Message)
		}
		offered := make([]bool, len(refs))
		p.candidates(&ev, func(i int) {
			if offered[i] {
				t.Fatalf("def %d offered twice for %+v", i, ev)
			}
			offered[i] = true
		})
		for i, r := range refs {
			if r.def.Matcher.Match(&ev, nil) {
				matches++
				if !offered[i] {
					t.Fatalf("false negative: %s (requirement %+v) matches program=%q unit=%q message=%q, but the prefilter did not offer it",
						r.def.Name, r.def.Matcher.Requirement(), ev.Program, ev.Unit, ev.Message)
				}
			}
		}
	}
	if matches < events/20 {
		t.Fatalf("only %d matches: the generator is too strict to prove anything", matches)
	}
}

// TestPrefilterAtStart requires a def that needs its literal at the
// message's start (a regex anchored with ^, |startswith) to be offered
// when the message starts with it, and not when the literal is
// elsewhere (pam_unix's "authentication failure;" after its prefix),
// while a def that takes the same literal anywhere is offered wherever
// it is.
func TestPrefilterAtStart(t *testing.T) {
	sigs := loadSigs(t, `schema: logsleuth/v1
id: starts
title: Literals at the start
events:
  invalid: {message|re: '^Invalid user (?P<u>\S+) from'}
  failed: {message|startswith: ["Failed password for ", "Failed none for "]}
  pam: {message|re: '^authentication failure;.* rhost=(?P<addr>\S+)'}
  short: {message|startswith: "ok:"}
match: {event: invalid}
`, `schema: logsleuth/v1
id: anywhere
title: A literal anywhere
events:
  invalid: {message|contains: "Invalid user "}
match: {event: invalid}
`)
	var refs []defRef
	var names []string
	for _, s := range sigs {
		for _, d := range s.Events {
			refs = append(refs, defRef{def: d})
			names = append(names, s.ID+"/"+d.Name)
		}
	}
	p := newPrefilter(refs)
	for _, c := range []struct {
		msg  string
		want []string
	}{
		{"Invalid user oracle from 203.0.113.9 port 4022", []string{"starts/invalid", "anywhere/invalid"}},
		{"Disconnected: Invalid user oracle from 203.0.113.9", []string{"anywhere/invalid"}},
		{"Failed password for root from 203.0.113.9 port 4022 ssh2", []string{"starts/failed"}},
		{"Failed none for root from 203.0.113.9 port 4022 ssh2", []string{"starts/failed"}},
		{"Failed publickey for root from 203.0.113.9 port 4022 ssh2", nil},
		{"authentication failure; logname= uid=0 rhost=203.0.113.9", []string{"starts/pam"}},
		{"pam_unix(sshd:auth): authentication failure; logname= uid=0 rhost=203.0.113.9", nil},
		{"ok: done", []string{"starts/short"}},
		{"ok", nil},
		{"o", nil},
		{"", nil},
	} {
		ev := event.Event{Message: c.msg, Priority: event.NoPriority}
		var got []string
		p.candidates(&ev, func(i int) { got = append(got, names[i]) })
		slices.Sort(got)
		want := slices.Sorted(slices.Values(c.want))
		if !slices.Equal(got, want) {
			t.Errorf("%q: offered %q, want %q", c.msg, got, want)
		}
	}
}

// TestKeyFilter requires the filter to let every key through, and to
// stop names whose length or first byte no key has.
func TestKeyFilter(t *testing.T) {
	keys := []string{"dpkg", "apt", "", strings.Repeat("x", 70), "docker.service"}
	var f keyFilter
	for _, k := range keys {
		f.add(k)
	}
	for _, k := range keys {
		if !f.mayHave(k) {
			t.Errorf("mayHave(%q) = false for a key", k)
		}
	}
	for _, c := range []struct {
		name string
		want bool
	}{
		{"sshd", false},                  // a key's length, no key's first byte
		{"ab", false},                    // no key's length
		{"dnsm", true},                   // length and first byte of dpkg
		{strings.Repeat("x", 64), true},  // long names share one length bit
		{strings.Repeat("y", 80), false}, // ... but not the first byte
		{"containerd.svc", false},        // 14 bytes like docker.service, 'c'
		{"d" + strings.Repeat("-", 13), true},
	} {
		if got := f.mayHave(c.name); got != c.want {
			t.Errorf("mayHave(%q) = %v, want %v", c.name, got, c.want)
		}
	}
	var empty keyFilter
	if empty.mayHave("") || empty.mayHave("sshd") {
		t.Error("an empty filter lets names through")
	}
}
