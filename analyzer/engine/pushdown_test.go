package engine

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// condString writes c compactly: contains(a|b), and(x, y), not(x).
func condString(c event.Filter) string {
	names := map[event.FilterOp]string{event.FilterContains: "contains", event.FilterStartsWith: "startswith", event.FilterEquals: "equals",
		event.FilterProgram: "program", event.FilterUnit: "unit", event.FilterAnd: "and", event.FilterOr: "or", event.FilterNot: "not"}
	if len(c.Sub) > 0 {
		var subs []string
		for _, s := range c.Sub {
			subs = append(subs, condString(s))
		}
		return names[c.Op] + "(" + strings.Join(subs, ", ") + ")"
	}
	return names[c.Op] + "(" + strings.Join(c.Values, "|") + ")"
}

// TestPushdownTerms: a definition whose message conditions hold a
// conjunction or a not: is pushed down as a term of its own (the
// requirement alone would pass what they exclude); others stay in the
// union of literals, programs and units. A not: is pushed down only
// when the store can test it exactly, and a regex's literals only as
// what every match holds.
func TestPushdownTerms(t *testing.T) {
	tests := []struct {
		name, events string
		terms        []string // condString of each term
		literals     []string
		programs     []string
	}{
		{"literal alone stays in the union", `{program: dockerd, message|contains: "shim reaped"}`, nil, []string{"shim reaped"}, nil},
		{"not: of an exact prefix", `
    program: sshd
    message|re: '^Failed password for (?P<user>\S+) from'
    not: {message|startswith: "Failed password for invalid user "}`,
			[]string{"and(contains(Failed password for ), not(startswith(Failed password for invalid user )))"}, nil, nil},
		{"two literals that must both be there", `{message|contains: "Provider connection error", message|re: 'connect: connection refused'}`,
			// The requirement is the longer literal, which the
			// conjunction holds: not repeated.
			[]string{"and(contains(Provider connection error), contains(connect: connection refused))"}, nil, nil},
		{"a requirement by program is kept beside the message", `{program: kernel, message|re: '(?i)oom', not: {message|contains: "oom_reaper"}}`,
			[]string{"and(program(kernel), not(contains(oom_reaper)))"}, nil, nil},
		{"not: of a regex is not exact: left out", `{message|contains: "Out of memory", not: {message|re: 'Killed process \d+'}}`,
			nil, []string{"Out of memory"}, nil},
		{"any: with one conjunctive branch", `
    any:
      - {message|contains: "No space left on device", not: {message|contains: inotify}}
      - {message|endswith: "disk full"}`,
			[]string{"or(and(contains(No space left on device), not(contains(inotify))), contains(disk full))"}, nil, nil},
		{"any: with a branch on the program only", `
    any:
      - {message|contains: "blocked for more than", not: {message|contains: "hung_task_timeout_secs"}}
      - {program: oom_killer}`,
			// no message condition covers the second branch: the union
			nil, []string{"blocked for more than"}, []string{"oom_killer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sep := " " // a flow mapping on the line of its name; a block one below it
			if strings.HasPrefix(tt.events, "\n") {
				sep = ""
			}
			doc := fmt.Sprintf("schema: logsleuth/v1\nid: t\ntitle: t\nevents:\n  e:%s%s\nmatch: {event: e}\n", sep, tt.events)
			eng := New(loadSigs(t, doc), Options{})
			pd := eng.StorePushdown()
			var terms []string
			for _, c := range pd.Terms {
				terms = append(terms, condString(c))
			}
			if strings.Join(terms, "\n") != strings.Join(tt.terms, "\n") {
				t.Errorf("terms:\n%s\nwant:\n%s", strings.Join(terms, "\n"), strings.Join(tt.terms, "\n"))
			}
			if strings.Join(pd.Literals, "|") != strings.Join(tt.literals, "|") || strings.Join(pd.Programs, "|") != strings.Join(tt.programs, "|") {
				t.Errorf("union: literals %q, programs %q; want %q, %q", pd.Literals, pd.Programs, tt.literals, tt.programs)
			}
			if pd.All {
				t.Error("All")
			}
			// The engine's own prefilter (Pushdown: what the file
			// reader's line screen takes) stays the union of every
			// requirement.
			if pre := eng.Pushdown(); len(pre.Terms) > 0 || len(tt.terms) > 0 && len(pre.Literals)+len(pre.Programs) == 0 {
				t.Errorf("Pushdown: %+v", pre)
			}
		})
	}
}

// TestPushdownTermsPass: every event the ssh definition matches passes
// its term, and the lines its not: excludes do not (evaluated as the
// store does).
func TestPushdownTermsPass(t *testing.T) {
	eng := New(loadSigs(t, `schema: logsleuth/v1
id: t
title: t
events:
  fail:
    program: sshd
    any:
      - message|re: '^Failed (?:password|publickey) for (?P<user>\S+) from (?P<addr>\S+) port \d+'
        not: {message|startswith: ["Failed password for invalid user ", "Failed publickey for invalid user "]}
      - message|re: '^Invalid user (?P<user>.*?) from (?P<addr>\S+)'
match: {event: fail}
`), Options{})
	pd := eng.StorePushdown()
	if len(pd.Terms) != 1 || len(pd.Literals) != 0 {
		t.Fatalf("pushdown %+v", pd)
	}
	for _, tt := range []struct {
		msg  string
		pass bool
	}{
		{"Failed password for root from 198.51.100.7 port 4022 ssh2", true},
		{"Failed publickey for deploy from 198.51.100.7 port 4022 ssh2", true},
		{"Invalid user oracle from 198.51.100.7 port 4022", true},
		{"Failed password for invalid user oracle from 198.51.100.7 port 4022 ssh2", false},
		// the not: is a prefix: elsewhere in the message it excludes nothing
		{"message repeated 2 times: [ Failed password for invalid user oracle from 198.51.100.7 port 4022 ssh2]", true},
		{"Accepted publickey for deploy from 198.51.100.7 port 4022 ssh2", false},
	} {
		ev := &event.Event{Program: "sshd", Message: tt.msg, Priority: event.NoPriority}
		if got := pd.Terms[0].Passes(ev); got != tt.pass {
			t.Errorf("%q: passes %v, want %v", tt.msg, got, tt.pass)
		}
	}
}

// TestStorePushdownWindowed: a definition only a later sequence step
// uses is fetched in windows after its anchor's matches; one a first
// step, another definition, an until: or an absent step also needs, or
// whose anchor is windowed itself, stays in the global fetch.
func TestStorePushdownWindowed(t *testing.T) {
	seq := func(events, steps string, extra ...string) []*signature.Signature {
		doc := "schema: logsleuth/v1\nid: s\ntitle: s\nevents:\n" + events + "match:\n  sequence:\n    by: [host]\n    maxspan: 1h\n" + steps
		return loadSigs(t, append([]string{doc}, extra...)...)
	}
	const stopShim = `  stop: {program: systemd, message|contains: "Stopping containerd"}
  shim: {program: containerd, message|contains: "shim disconnected"}
`
	tests := []struct {
		name     string
		sigs     []*signature.Signature
		windowed []string // "name cond anchor span byhost"
		literals []string
	}{
		{"later step windowed by its within", seq(stopShim, "    steps:\n      - {event: stop}\n      - {event: shim, within: 2m}\n"),
			[]string{"s/shim and(program(containerd), contains(shim disconnected)) after and(program(systemd), contains(Stopping containerd)) 2m0s true"}, []string{"Stopping containerd"}},
		{"no within: maxspan, and no host grouping", loadSigs(t, "schema: logsleuth/v1\nid: s\ntitle: s\nevents:\n"+stopShim+
			"match:\n  sequence:\n    maxspan: 1h\n    steps:\n      - {event: stop}\n      - {event: shim}\n"),
			[]string{"s/shim and(program(containerd), contains(shim disconnected)) after and(program(systemd), contains(Stopping containerd)) 1h0m0s false"}, []string{"Stopping containerd"}},
		{"a first step stays global", seq(stopShim, "    steps:\n      - {event: shim}\n      - {event: stop, within: 2m}\n"),
			[]string{"s/stop and(program(systemd), contains(Stopping containerd)) after and(program(containerd), contains(shim disconnected)) 2m0s true"}, []string{"shim disconnected"}},
		{"used by two steps: global", seq(stopShim, "    steps:\n      - {event: stop}\n      - {event: shim, within: 2m}\n      - {event: shim, as: again, within: 2m}\n"),
			nil, []string{"Stopping containerd", "shim disconnected"}},
		{"an until: is global", seq(stopShim+"  up: {message|contains: \"Started containerd\"}\n",
			"    until: [up]\n    steps:\n      - {event: stop}\n      - {event: up, within: 2m}\n"), nil, []string{"Started containerd", "Stopping containerd", "shim disconnected"}},
		{"the same text in another signature's event: global", seq(stopShim, "    steps:\n      - {event: stop}\n      - {event: shim, within: 2m}\n",
			"schema: logsleuth/v1\nid: o\ntitle: o\nevents:\n  any-shim: {message|contains: \"shim disconnected\"}\nmatch: {event: any-shim}\n"),
			nil, []string{"Stopping containerd", "shim disconnected"}},
		{"anchor windowed itself: global", seq(stopShim+"  gone: {message|contains: \"container gone\"}\n",
			"    steps:\n      - {event: stop}\n      - {event: shim, within: 2m}\n      - {event: gone, within: 1m}\n"),
			[]string{"s/shim and(program(containerd), contains(shim disconnected)) after and(program(systemd), contains(Stopping containerd)) 2m0s true"},
			[]string{"Stopping containerd", "container gone"}},
		{"after an absent step: global", seq(stopShim+"  gone: {message|contains: \"container gone\"}\n",
			"    steps:\n      - {event: stop}\n      - {absent: gone, for: 1m}\n      - {event: shim, within: 2m}\n"),
			nil, []string{"Stopping containerd", "container gone", "shim disconnected"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pd := New(tt.sigs, Options{}).StorePushdown()
			var got []string
			for _, w := range pd.Windowed {
				if w.Tolerance != 2*time.Second {
					t.Errorf("%s: tolerance %v", w.Name, w.Tolerance)
				}
				got = append(got, fmt.Sprintf("%s %s after %s %v %v", w.Name, condString(w.Cond), condString(w.AnchorCond), w.Span, w.ByHost))
			}
			if strings.Join(got, "\n") != strings.Join(tt.windowed, "\n") {
				t.Errorf("windowed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.windowed, "\n"))
			}
			if strings.Join(pd.Literals, "|") != strings.Join(tt.literals, "|") {
				t.Errorf("literals %q, want %q", pd.Literals, tt.literals)
			}
			// The engine's own prefilter windows nothing.
			if pre := New(tt.sigs, Options{}).Pushdown(); len(pre.Windowed) > 0 {
				t.Errorf("Pushdown windows %d terms", len(pre.Windowed))
			}
		})
	}
}

// TestStorePushdownWindowedBuiltin: of the built-in set, the later steps
// that only their sequence needs are windowed: unattended-upgrade-
// restart's interrupted work (containerd's "shim disconnected", the
// biggest source of candidates) within 2 minutes of a runtime stop.
func TestStorePushdownWindowedBuiltin(t *testing.T) {
	sigs, err := signature.LoadFS(os.DirFS("../../patterns"), ".")
	if err != nil {
		t.Fatal(err)
	}
	pd := New(sigs, Options{}).StorePushdown()
	got := map[string]WindowedTerm{}
	for _, w := range pd.Windowed {
		got[w.Name] = w
	}
	w, ok := got["unattended-upgrade-restart/interrupted"]
	if !ok || w.Span != 2*time.Minute || !w.ByHost || !strings.Contains(condString(w.Cond), `msg="shim disconnected" id=`) ||
		condString(w.AnchorCond) != "unit(docker.service|containerd.service)" {
		t.Fatalf("interrupted: %+v (windowed: %v)", w, slices.Collect(maps.Keys(got)))
	}
	// Nothing the global fetch holds whole is windowed, and no first
	// step is.
	for _, w := range pd.Windowed {
		if w.Cond.Op == event.FilterContains && !slices.ContainsFunc(w.Cond.Values, func(v string) bool {
			return !slices.ContainsFunc(pd.Literals, func(l string) bool { return strings.Contains(v, l) })
		}) {
			t.Errorf("%s: windowed, and every literal fetched globally", w.Name)
		}
	}
	for _, s := range sigs {
		if s.Match.Kind == signature.MatchSequence {
			if _, ok := got[s.ID+"/"+s.Match.Steps[0].Event.Name]; ok {
				t.Errorf("%s: first step windowed", s.ID)
			}
		}
	}
}

// TestStorePushdownSignatures: each signature's own store conditions,
// for the margin a store reads around the range: one per definition
// (a conjunction as a term, else the requirement), AND the programs
// the definition requires (a store reads only their messages), a
// windowed later step left out (its windows say where it matters), All
// for a definition that may match any event.
func TestStorePushdownSignatures(t *testing.T) {
	sigs := loadSigs(t, `schema: logsleuth/v1
id: restart
title: restart
events:
  stop: {program: systemd, message|contains: "Stopping containerd"}
  shim: {program: containerd, message|contains: "shim disconnected"}
match:
  sequence:
    by: [host]
    maxspan: 1h
    steps:
      - {event: stop}
      - {event: shim, within: 2m}
`, `schema: logsleuth/v1
id: bruteforce
title: bruteforce
events:
  fail:
    program: sshd
    message|re: '^Failed password for (?P<user>\S+) from'
    not: {message|startswith: "Failed password for invalid user "}
match: {threshold: {event: fail, by: [host], count: 5, window: 5m}}
`, `schema: logsleuth/v1
id: errors
title: errors
events:
  err: {priority|lte: err}
  oom: {message|contains: "Out of memory"}
match:
  sequence:
    maxspan: 10m
    steps:
      - {event: oom}
      - {event: err}
`)
	pd := New(sigs, Options{}).StorePushdown()
	got := map[string]string{}
	for _, st := range pd.Signatures {
		var cs []string
		for _, c := range st.Conds {
			cs = append(cs, condString(c))
		}
		got[st.Sig.ID] = fmt.Sprintf("%v %s", st.All, strings.Join(cs, "; "))
	}
	want := map[string]string{
		"restart":    "false and(program(systemd), contains(Stopping containerd))",
		"bruteforce": "false and(program(sshd), and(contains(Failed password for ), not(startswith(Failed password for invalid user ))))",
		"errors":     "true contains(Out of memory)",
	}
	if len(pd.Signatures) != len(sigs) {
		t.Errorf("%d signatures' terms for %d signatures", len(pd.Signatures), len(sigs))
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %s, want %s", id, got[id], w)
		}
	}
	if len(pd.Windowed) != 1 || pd.Windowed[0].Sig != sigs[0] {
		t.Errorf("windowed: %+v, want restart's shim", pd.Windowed)
	}
	if len(New(sigs, Options{}).Pushdown().Signatures) != 0 {
		t.Error("the engine's own Pushdown has signatures' terms")
	}
}

// TestNarrowByProgram: a store condition is narrowed to the programs
// every event of the definition has: its own program condition, or
// every branch's of an any:; not when a branch names none, a program
// is only a pattern, or the condition is the program already.
func TestNarrowByProgram(t *testing.T) {
	for _, tt := range []struct{ name, def, want string }{
		{"own program", `{program: chronyd, message|startswith: Selected source}`, "and(program(chronyd), contains(Selected source))"},
		{"programs of every branch", `
    any:
      - {program: chronyd, message|startswith: Selected source}
      - {program: [systemd-timesyncd, ntpd], message|startswith: Contacted time server}`,
			"and(program(chronyd|ntpd|systemd-timesyncd), contains(Selected source|Contacted time server))"},
		{"a branch without a program", `
    any:
      - {program: chronyd, message|contains: Selected source}
      - {message|contains: no reachable servers}`, "contains(Selected source|no reachable servers)"},
		{"a program pattern", `{program|re: '^chrony', message|contains: Selected source}`, "contains(Selected source)"},
		{"the program is the requirement", `{program: chronyd}`, "program(chronyd)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sigs := loadSigs(t, "schema: logsleuth/v1\nid: s\ntitle: s\nevents:\n  e: "+tt.def+"\nmatch: {event: e}\n")
			pd := New(sigs, Options{}).StorePushdown()
			if len(pd.Signatures) != 1 || len(pd.Signatures[0].Conds) != 1 {
				t.Fatalf("signatures' terms: %+v", pd.Signatures)
			}
			if got := condString(pd.Signatures[0].Conds[0]); got != tt.want {
				t.Errorf("%s, want %s", got, tt.want)
			}
		})
	}
}
