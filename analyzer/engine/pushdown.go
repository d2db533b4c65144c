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

// Pushdown returns the prefilter of the engine's signatures (every
// definition's signature.Requirement, a union when it has several keys).
// Definitions that only state or command events can match are left
// out: a log store holds log events.
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
// cannot be said (every event is a candidate). A requirement with
// several keys set is their union (an any: narrowed by different keys:
// Requirement unions its branches already).
func addPushdown(m *signature.Matcher, p *Pushdown) bool {
	r := m.Requirement()
	if r.Any() {
		return false
	}
	// Kinds never holds log (Requirement): a part that only state or
	// command events pass adds nothing for a log store.
	p.Literals = append(p.Literals, r.Literals...)
	p.Programs = append(p.Programs, r.Programs...)
	p.Units = append(p.Units, r.Units...)
	return !slices.Contains(r.Programs, "") && !slices.Contains(r.Units, "")
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
