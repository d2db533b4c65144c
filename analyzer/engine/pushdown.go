package engine

import (
	"slices"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// Pushdown is the engine's prefilter as data, for a log store that runs
// it where the logs are (fleet mode): a log event can match a signature
// only if its message holds one of Literals (case-sensitive substrings),
// its program is one of Programs, or its unit is one of Units. Sorted and
// distinct. When All is set the rest means nothing: some event
// definition may match events no requirement describes, so every event
// is a candidate.
type Pushdown struct {
	Literals []string
	Programs []string
	Units    []string
	All      bool
}

// Pushdown returns the prefilter of the engine's signatures. It is at
// least as narrow as the local one: a definition whose `any:` branches
// each have a requirement of a different kind (a unit in one, a program
// in the other) is narrowed by the union of them, where the local
// prefilter, which indexes one kind per definition, offers it every
// event. Definitions that only state or command events can match are
// left out: a log store holds log events.
func (e *Engine) Pushdown() Pushdown {
	var p Pushdown
	for _, d := range e.defs {
		if !addPushdown(d.def.Matcher, &p) {
			p.All = true
		}
	}
	for _, s := range []*[]string{&p.Literals, &p.Programs, &p.Units} {
		slices.Sort(*s)
		*s = slices.Compact(*s)
	}
	return p
}

// addPushdown adds what a log event needs to match m; false when it
// cannot be said (every event is a candidate).
func addPushdown(m *signature.Matcher, p *Pushdown) bool {
	r := m.Requirement()
	switch {
	case r.Kinds != nil:
		// Requirement keeps only kinds without log: no log event matches.
		return slices.Contains(r.Kinds, event.KindLog) == false
	case r.Literals != nil:
		p.Literals = append(p.Literals, r.Literals...)
		return true
	case r.Programs != nil:
		p.Programs = append(p.Programs, r.Programs...)
		return !slices.Contains(r.Programs, "")
	case r.Units != nil:
		p.Units = append(p.Units, r.Units...)
		return !slices.Contains(r.Units, "")
	}
	if len(m.Any) == 0 {
		return false
	}
	for _, b := range m.Any {
		if !addPushdown(b, p) {
			return false
		}
	}
	return true
}

// Advance tells the engine that host's events reach t: what a later
// event of the host would tell the open absence windows. A store returns
// only candidates, so the events that would close a window locally do
// not come; its per-host last time (an aggregate query) stands in for
// them once the candidates are in.
func (e *Engine) Advance(host string, t time.Time) {
	if e.absentOpen == 0 || host == "" || t.IsZero() {
		return
	}
	ev := &event.Event{Host: host, Time: t, TimeQuality: event.TimeExact, Priority: event.NoPriority}
	for _, r := range e.observers {
		r.observe(e, ev)
	}
}
