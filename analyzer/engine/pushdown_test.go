package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
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
