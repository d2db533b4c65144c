// Package engine runs compiled signatures over the time-ordered event
// stream in one pass and produces findings and near misses (DESIGN §5).
// It uses event time only, never the wall clock, and keeps bounded state.
package engine

import (
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"text/template"
	"time"
	"unicode/utf8"
	"weak"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// Options tune the engine.
type Options struct {
	// Warnings receives state-cap hits. May be nil.
	Warnings *event.Warnings
	// MaxPending bounds the partial matches kept per signature and group;
	// the oldest is dropped (with a warning) when it is reached. 0: 256.
	MaxPending int
	// Tolerance is how far events may be out of order: an absence window
	// counts as passed only once the host's events are this far beyond
	// its end. 0: 2s.
	Tolerance time.Duration
	// Naive evaluates every matcher on every event, bypassing the
	// prefilter: the reference the prefilter is tested against.
	Naive bool
	// OnMatch, when set, is called for each event that matched at least
	// one signature's event matcher (a candidate for evidence), before
	// the signatures see it; the timeline keeps context lines for those.
	OnMatch func(ev *event.Event)
	// Location is the zone times in explanations are written in
	// (--tz, else the local zone); nil: UTC.
	Location *time.Location
}

// hit is one named event of one signature matching the current event.
type hit struct {
	def  *signature.EventDef
	caps signature.Captures
}

// runner is the state machine of one signature.
type runner interface {
	// observe sees every event (for watermarks and reboots) before its
	// hits; only runners that need it do work here.
	observe(e *Engine, ev *event.Event)
	// process gets the event and this signature's hits on it.
	process(e *Engine, ev *event.Event, hits []hit)
	// finish closes every open state at the end of input.
	finish(e *Engine)
}

// Engine matches signatures against events. Not safe for concurrent use:
// feed it one event at a time, in time order.
type Engine struct {
	opts    Options
	sigs    []*signature.Signature
	runners []runner
	// observers are the runners whose observe does anything: the
	// sequences, called without an interface's dispatch (per event).
	observers []*sequence
	defs      []defRef
	pre       *prefilter
	// onlyHit holds, for each def, the screen's answer for an event that
	// def alone matched, without captures: the same for all, read only.
	onlyHit []screened

	// absentOpen is the number of open absence windows of all
	// sequences; observers only have work when it is above zero.
	absentOpen int

	findings   []*Finding
	nearMisses map[nearKey]*NearMiss
	capWarned  map[string]bool
	// cut holds, for each kept copy whose text was cut (keep), the bytes
	// left out; few events are, so a map beside them costs little. Its
	// keys are weak: a copy nothing else keeps any more (an event a
	// threshold window let go) is freed, and its entry dropped once the
	// table has doubled (cutPruneAt).
	cut        map[weak.Pointer[event.Event]]int
	cutPruneAt int
	// regexCut counts events whose message was longer than a regex sees
	// (signature.MaxRegexInput); the screens add to it in parallel.
	regexCut atomic.Int64
	// spent holds the templates that hit a limit (renderFindings).
	spent map[*template.Template]bool
	// lastTime is the time of the latest timed event, where the log ended
	// for an absence window still open at Finish.
	lastTime time.Time

	// scratch, reused per event
	hits     [][]hit // per signature
	touched  []int
	capsPool signature.Captures
}

type defRef struct {
	sig   int
	def   *signature.EventDef
	hasRe bool // runs a regex, which sees at most signature.MaxRegexInput bytes
	// testsPayload: the matcher tests a field or the priority, which a
	// deferred payload adds (NewScreen completes the event first);
	// keepsPayload: its signature reads them of the events it keeps
	// (NewScreen completes an event it matched).
	testsPayload, keepsPayload bool
}

type nearKey struct{ sig, group string }

// New compiles the engine for sigs.
func New(sigs []*signature.Signature, opts Options) *Engine {
	if opts.MaxPending <= 0 {
		opts.MaxPending = 256
	}
	if opts.Tolerance <= 0 {
		opts.Tolerance = 2 * time.Second
	}
	e := &Engine{opts: opts, sigs: sigs, nearMisses: map[nearKey]*NearMiss{}, capWarned: map[string]bool{}, cut: map[weak.Pointer[event.Event]]int{}}
	e.hits = make([][]hit, len(sigs))
	for i, s := range sigs {
		var r runner
		switch s.Match.Kind {
		case signature.MatchSequence:
			seq := newSequence(s)
			e.observers = append(e.observers, seq)
			r = seq
		case signature.MatchThreshold:
			r = &threshold{sig: s, by: compileBy(s.Match.By), groups: map[string]*burst{},
				lastTimeOnly: readsOnlyTime(s, "last", s.Match.Event.Matcher.CaptureNames()),
				lastCaps:     !readsOnlyTime(s, "last", nil)}
		default:
			r = &single{sig: s, last: map[string]*Finding{}, by: compileBy(s.Match.DedupeBy)}
		}
		e.runners = append(e.runners, r)
		keeps := s.ReadsPayload()
		for _, d := range s.Events {
			e.defs = append(e.defs, defRef{sig: i, def: d, hasRe: d.Matcher.HasRegexp(),
				testsPayload: d.Matcher.ReadsPayload(), keepsPayload: keeps})
		}
	}
	e.pre = newPrefilter(e.defs)
	e.onlyHit = make([]screened, len(e.defs))
	for i := range e.onlyHit {
		e.onlyHit[i].hit[0].def = i
		e.onlyHit[i].hits = e.onlyHit[i].hit[:1:1]
	}
	return e
}

// Process feeds one event. ev is not retained: what findings keep is
// cloned. When ev.Screen holds a screen's matches (NewScreen), they are
// used as they are; else the prefilter and the matchers run here.
//
// The captures of the hits the runners get are borrowed: their values
// may be slices of ev's text, valid while process runs. What a runner
// keeps of them it takes through keepHit or ownCaptures.
func (e *Engine) Process(ev *event.Event) {
	if !ev.Time.IsZero() {
		e.lastTime = ev.Time
	}
	if e.absentOpen > 0 {
		for _, s := range e.observers {
			if s.absentOpen > 0 {
				s.observe(e, ev)
			}
		}
	}
	e.touched = e.touched[:0]
	if s, ok := ev.Screen.(*screened); ok && !e.opts.Naive {
		for _, h := range s.hits {
			e.record(h.def, h.caps)
		}
	} else {
		long := len(ev.Message) > signature.MaxRegexInput
		match := func(i int) {
			if long && e.defs[i].hasRe {
				e.regexCut.Add(1)
				long = false
			}
			caps := e.capsPool[:0]
			if e.defs[i].def.Matcher.Match(ev, &caps) {
				// (capsPool is the next match's scratch: the hit
				// borrows a copy of the slice, not of the text.)
				e.record(i, slices.Clone(caps))
			}
		}
		if e.opts.Naive {
			for i := range e.defs {
				match(i)
			}
		} else {
			e.pre.candidates(ev, match)
		}
	}
	if len(e.touched) == 0 {
		return
	}
	if e.opts.OnMatch != nil {
		e.opts.OnMatch(ev)
	}
	// Signatures run in load order, whatever order their hits came in.
	slices.Sort(e.touched)
	for _, si := range e.touched {
		e.runners[si].process(e, ev, e.hits[si])
		e.hits[si] = e.hits[si][:0]
	}
}

// record notes that def i matched the current event with caps.
func (e *Engine) record(i int, caps signature.Captures) {
	d := e.defs[i]
	if len(e.hits[d.sig]) == 0 {
		e.touched = append(e.touched, d.sig)
	}
	e.hits[d.sig] = append(e.hits[d.sig], hit{def: d.def, caps: caps})
}

// ownCaptures copies caps for keeping beyond the event: copies, not
// slices of its text. A capture is at most signature.MaxRegexInput
// bytes long, the most a regex sees.
func ownCaptures(caps signature.Captures) signature.Captures {
	if len(caps) == 0 {
		return nil
	}
	own := make(signature.Captures, len(caps))
	cloneCaptures(own, caps)
	return own
}

// cloneCaptures sets dst to caps with their values copied, all into one
// new string (one allocation, where a copy each was one per capture).
func cloneCaptures(dst, caps signature.Captures) {
	n := 0
	for _, c := range caps {
		n += len(c.Value)
	}
	var b strings.Builder
	b.Grow(n)
	for _, c := range caps {
		b.WriteString(c.Value)
	}
	all := b.String()
	for i, c := range caps {
		dst[i] = signature.Capture{Name: c.Name, Value: all[:len(c.Value)]}
		all = all[len(c.Value):]
	}
}

// cutText cuts s to at most n bytes, at a UTF-8 boundary.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for k := n; k > 0 && k > n-utf8.UTFMax; k-- {
		if utf8.RuneStart(s[k]) {
			return s[:k]
		}
	}
	return s[:n]
}

// keep returns the copy of ev a finding or near miss keeps: its message
// and field values cut to MaxEvidenceText bytes, the bytes cut noted for
// the report (Evidence.Cut).
func (e *Engine) keep(ev *event.Event) *event.Event {
	c, cut := ev.CloneCapped(MaxEvidenceText)
	e.noteCut(c, cut)
	return c
}

// noteCut notes that keep cut n bytes of the copy c.
func (e *Engine) noteCut(c *event.Event, n int) {
	if n == 0 {
		return
	}
	if len(e.cut) >= max(e.cutPruneAt, minPrune) {
		maps.DeleteFunc(e.cut, func(p weak.Pointer[event.Event], _ int) bool { return p.Value() == nil })
		e.cutPruneAt = 2 * len(e.cut)
	}
	e.cut[weak.Make(c)] = n
}

// keptHit is a kept event with the captures of its hit, in one
// allocation: a threshold keeps both of every event of a burst.
type keptHit struct {
	ev   event.Event
	caps [2]signature.Capture
}

// keepHit returns keep(ev) and caps, borrowed from ev, owned: a value
// the copy's message holds is a slice of it (no copy of its own); the
// others (a field's, or one the cut left out) are copied.
func (e *Engine) keepHit(ev *event.Event, caps signature.Captures) (*event.Event, signature.Captures) {
	if len(caps) == 0 {
		return e.keep(ev), nil
	}
	var c *event.Event
	var own signature.Captures
	if len(caps) <= len(keptHit{}.caps) {
		k := &keptHit{}
		c, own = &k.ev, k.caps[:len(caps):len(caps)]
	} else {
		c, own = &event.Event{}, make(signature.Captures, len(caps))
	}
	e.noteCut(c, ev.CloneCappedTo(c, MaxEvidenceText))
	for i, x := range caps {
		if j := strings.Index(c.Message, x.Value); j >= 0 {
			own[i] = signature.Capture{Name: x.Name, Value: c.Message[j : j+len(x.Value)]}
		} else {
			own[i] = signature.Capture{Name: x.Name, Value: strings.Clone(x.Value)}
		}
	}
	return c, own
}

// screened is what a screen found for one event: the defs that matched,
// with their captures, borrowed from the event (Process). Process trusts
// it. Nothing keeps one beyond its event's batch: clones of the event
// drop it, and the merge clears a batch's events when it hands it back.
type screened struct {
	hits []screenHit
	// hit is room for the one hit most matched events have.
	hit [1]screenHit
}

// screenSlab is how many screened, and captures, a screen allocates at
// once: one allocation per matched event was a quarter of the dense
// bench corpus's. A slab lives as long as its last event's batch.
const screenSlab = 128

// slabMessageMax is the longest message whose screened and captures
// come from slabs. The captures of a slab's events keep their blocks of
// input alive until the slab's last event is done: a block is reused
// once its events are (ingest's blockbuf.go), but one grown for a long
// line is not, and 128 lines of a megabyte took 128 MB (the
// limits_evidence script's address-space cap).
const slabMessageMax = 64 << 10

// screenSlabs hands out a screen's screened and room for captures, from
// slabs, or alone (for a long message's event: slabMessageMax).
type screenSlabs struct {
	screened []screened
	caps     signature.Captures
}

// next returns an empty screened.
func (sl *screenSlabs) next(alone bool) *screened {
	var s *screened
	if alone {
		s = new(screened)
	} else {
		if len(sl.screened) == 0 {
			sl.screened = make([]screened, screenSlab)
		}
		s, sl.screened = &sl.screened[0], sl.screened[1:]
	}
	s.hits = s.hit[:0]
	return s
}

// room returns room for n captures (nil for none).
func (sl *screenSlabs) room(n int, alone bool) signature.Captures {
	switch {
	case n == 0:
		return nil
	case alone:
		return make(signature.Captures, n)
	case n > len(sl.caps):
		sl.caps = make(signature.Captures, max(n, 2*screenSlab))
	}
	r := sl.caps[:n:n]
	sl.caps = sl.caps[n:]
	return r
}

// add records that def matched, with caps, borrowed, whose slice (not
// text) it copies into room.
func (s *screened) add(def int, caps, room signature.Captures) {
	copy(room, caps)
	s.hits = append(s.hits, screenHit{def: def, caps: room})
}

type screenHit struct {
	def  int
	caps signature.Captures
}

// unmatched is the screen's answer for the many events nothing matches.
var unmatched = &screened{}

// NewScreen returns a function, for one goroutine, that runs the
// prefilter and the matchers on ev, where events are made and in
// parallel (ingest.Options.Screen, DESIGN §8), and returns what it found
// for ev.Screen, so that Process does not match ev again.
//
// complete, when not nil, decodes ev's deferred payload (its fields and
// priority): the screen calls it before a matcher that tests them runs,
// and when ev matched a signature that reads them of what it keeps
// (signature.ReadsPayload) or ev's text is long enough to be cut as
// evidence (whose cut counts field bytes too); else not at all. The
// prefilter and the other matchers read only what is always there.
// Decoding containerd's logfmt for every `shim disconnected` line a
// signature matches by its message was 3% of a dense log's instructions.
func (e *Engine) NewScreen() func(ev *event.Event, complete func(*event.Event)) any {
	p := e.pre.clone()
	var caps signature.Captures
	var slabs screenSlabs
	return func(ev *event.Event, complete func(*event.Event)) any {
		var s *screened
		long := len(ev.Message) > signature.MaxRegexInput
		p.candidates(ev, func(i int) {
			d := &e.defs[i]
			if complete != nil && d.testsPayload {
				complete(ev)
				complete = nil
			}
			if long && d.hasRe {
				e.regexCut.Add(1)
				long = false
			}
			caps = caps[:0]
			if d.def.Matcher.Match(ev, &caps) {
				if complete != nil && (d.keepsPayload || len(ev.Message) > MaxEvidenceText) {
					complete(ev)
					complete = nil
				}
				// A long message's captures keep its block of input
				// alive for as long as their slab lives: alone, no
				// longer than its own batch.
				alone := len(ev.Message) > slabMessageMax
				switch {
				case s == nil && len(caps) == 0:
					// Read only: shared by every event def i alone
					// matched, without captures (a third of a dense
					// log's matched events).
					s = &e.onlyHit[i]
					return
				case s == nil:
					s = slabs.next(alone)
				case len(s.hits) == 1 && s == &e.onlyHit[s.hits[0].def]:
					first := s.hits[0]
					s = slabs.next(alone)
					s.hits = append(s.hits, first)
				}
				s.add(i, caps, slabs.room(len(caps), alone))
			}
		})
		if s == nil {
			return unmatched
		}
		return s
	}
}

// Finish ends the input: open absence windows become unresolved findings,
// other partial matches near misses. It returns every finding, sorted,
// with its explanation rendered. A template that fails to render (or hits
// a limit) leaves that finding with its title as summary and a warning;
// the error is always nil, kept for callers.
func (e *Engine) Finish() ([]*Finding, error) {
	for _, r := range e.runners {
		r.finish(e)
	}
	sortFindings(e.findings)
	e.noteCuts()
	// A template that hit a limit (signature.ErrTemplateLimit) is not run
	// again: the same loop would cost the same for every finding.
	e.renderFindings(e.findings)
	return e.findings, nil
}

// noteCuts fills in what keep cut from each evidence event, and warns
// once per kind of cut.
func (e *Engine) noteCuts() {
	events, bytes := 0, 0
	counted := map[*event.Event]bool{} // (an event may be evidence twice)
	fill := func(ev []Evidence) {
		if len(e.cut) == 0 {
			return // (a weak pointer to every evidence line is no free lookup)
		}
		for i := range ev {
			n := e.cut[weak.Make(ev[i].Event)]
			if n == 0 {
				continue
			}
			ev[i].Cut = n
			if !counted[ev[i].Event] {
				counted[ev[i].Event] = true
				events++
				bytes += n
			}
		}
	}
	for _, f := range e.findings {
		fill(f.Evidence)
	}
	for _, n := range e.nearMisses {
		fill(n.Evidence)
	}
	if e.opts.Warnings == nil {
		return
	}
	if events > 0 {
		e.opts.Warnings.Addf("", 0, "%d evidence lines were longer than %d bytes: the report keeps their first %d bytes (%d bytes cut in all)",
			events, MaxEvidenceText, MaxEvidenceText, bytes)
	}
	if n := e.regexCut.Load(); n > 0 {
		e.opts.Warnings.Addf("", 0, "%d events were longer than %d bytes: regexes (|re) matched their first %d bytes only",
			n, signature.MaxRegexInput, signature.MaxRegexInput)
	}
}

// NearMisses returns the furthest partial match per signature and group,
// sorted by signature and group: why a signature did not fire there. A
// group where the signature did fire has no near miss. Call after Finish.
func (e *Engine) NearMisses() []*NearMiss {
	fired := map[nearKey]bool{}
	for _, f := range e.findings {
		fired[nearKey{f.Signature.ID, f.group}] = true
	}
	out := make([]*NearMiss, 0, len(e.nearMisses))
	for k, n := range e.nearMisses {
		if !fired[k] {
			out = append(out, n)
		}
	}
	sortNearMisses(out)
	return out
}

func (e *Engine) emit(f *Finding) { e.findings = append(e.findings, f) }

// miss records a near miss unless one that got further is known.
func (e *Engine) miss(n *NearMiss) {
	k := nearKey{n.Signature.ID, n.Group}
	if old, ok := e.nearMisses[k]; ok && (old.Steps > n.Steps || (old.Steps == n.Steps && old.Time.After(n.Time))) {
		return
	}
	e.nearMisses[k] = n
}

func (e *Engine) warnCap(sig *signature.Signature, group string) {
	if e.capWarned[sig.ID] {
		return
	}
	e.capWarned[sig.ID] = true
	if e.opts.Warnings != nil {
		e.opts.Warnings.Addf("", 0, "signature %s: more than %d partial matches in group %q; dropping the oldest (later ones are not warned about)",
			sig.ID, e.opts.MaxPending, group)
	}
}
