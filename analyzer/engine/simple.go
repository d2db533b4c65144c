package engine

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// keyValue returns the value of a `by` key: an event field or a capture.
func keyValue(k string, ev *event.Event, caps signature.Captures) string {
	return compileKey(k).value(ev, caps)
}

// groupKey joins the values of by for one event. The key is kept (map
// keys, findings): it is a copy, never a slice of the event's strings.
func groupKey(by []string, ev *event.Event, caps signature.Captures) string {
	switch len(by) {
	case 0:
		return ""
	case 1:
		return strings.Clone(keyValue(by[0], ev, caps))
	}
	// The buffer stays on the stack: one allocation, the string.
	return string(appendGroupKey(make([]byte, 0, 64), by, ev, caps))
}

// byKey is a `by` key compiled: which kind of key it is, so
// that a threshold's key per event does not compare the name with each.
type byKey struct {
	kind byKind
	name string // the field's or capture's name
}

type byKind uint8

const (
	byCapture byKind = iota
	byHost
	byUnit
	byProgram
	byBoot
	byMessage
	bySource
	byField
)

func compileBy(by []string) []byKey {
	out := make([]byKey, len(by))
	for i, k := range by {
		out[i] = compileKey(k)
	}
	return out
}

// compileKey says which kind of `by` key k is.
func compileKey(k string) byKey {
	switch k {
	case "host":
		return byKey{kind: byHost}
	case "unit":
		return byKey{kind: byUnit}
	case "program":
		return byKey{kind: byProgram}
	case "boot_id":
		return byKey{kind: byBoot}
	case "message":
		return byKey{kind: byMessage}
	case "source":
		return byKey{kind: bySource}
	}
	if name, ok := strings.CutPrefix(k, "fields."); ok {
		return byKey{kind: byField, name: name}
	}
	return byKey{kind: byCapture, name: k}
}

// value is the value of the key k is for ev and caps.
func (k byKey) value(ev *event.Event, caps signature.Captures) string {
	switch k.kind {
	case byHost:
		return ev.Host
	case byUnit:
		return ev.Unit
	case byProgram:
		return ev.Program
	case byBoot:
		return ev.BootID
	case byMessage:
		return ev.Message
	case bySource:
		return ev.Source.Path
	case byField:
		v, _ := ev.Field(k.name)
		return v
	}
	v, _ := caps.Get(k.name)
	return v
}

// appendKeys is appendGroupKey with compiled keys.
func appendKeys(dst []byte, by []byKey, ev *event.Event, caps signature.Captures) []byte {
	for i, k := range by {
		if i > 0 {
			dst = append(dst, 0)
		}
		dst = append(dst, k.value(ev, caps)...)
	}
	return dst
}

// appendGroupKey appends the key groupKey returns to dst: a lookup with
// string(key) costs no copy.
func appendGroupKey(dst []byte, by []string, ev *event.Event, caps signature.Captures) []byte {
	for i, k := range by {
		if i > 0 {
			dst = append(dst, 0)
		}
		dst = append(dst, keyValue(k, ev, caps)...)
	}
	return dst
}

func prefixed(step string, caps signature.Captures) []signature.Capture {
	out := make([]signature.Capture, 0, len(caps))
	for _, c := range caps {
		out = append(out, signature.Capture{Name: step + "." + c.Name, Value: c.Value})
	}
	return out
}

// single runs `match: {event: NAME}`: every hit is a finding, unless
// dedupe folds it into an earlier one with the same key.
type single struct {
	sig  *signature.Signature
	last map[string]*Finding // dedupe key -> open finding
	// pruneAt is the size of last at which closed windows are dropped.
	pruneAt int
	by      []byKey // Match.DedupeBy compiled
	key     []byte  // the current event's dedupe key
}

// minPrune is the number of groups below which a runner does not look
// for stale ones; above it, it looks each time the count has doubled, so
// memory follows the groups still active at a constant cost per event.
const minPrune = 1024

func (s *single) observe(*Engine, *event.Event) {}

func (s *single) process(e *Engine, ev *event.Event, hits []hit) {
	m := s.sig.Match
	for _, h := range hits {
		if h.def != m.Event {
			continue
		}
		if m.DedupeWindow > 0 {
			// Looked up without a copy: only a new finding keeps it.
			s.key = appendKeys(s.key[:0], s.by, ev, h.caps)
			if f, ok := s.last[string(s.key)]; ok && !longer(f.Start, ev.Time, m.DedupeWindow) {
				// An event without a time (a pasted snapshot) folds into
				// its neighbours; the first timed one gives the start.
				f.Count++
				if f.Start.IsZero() {
					f.Start = ev.Time
				}
				if !ev.Time.IsZero() {
					f.End = ev.Time
				}
				if len(f.Evidence) < maxEvidence {
					// Room for all it may keep at once: doubling would leave
					// 16 slots for 10, garbage at every step.
					f.Evidence = slices.Grow(f.Evidence, maxEvidence-len(f.Evidence))
					f.Evidence = append(f.Evidence, Evidence{Step: h.def.Name, Event: e.keep(ev)})
				} else {
					f.EvidenceOmitted++
				}
				return
			}
		}
		if len(s.last) >= max(s.pruneAt, minPrune) {
			for k, f := range s.last {
				if ev.Time.Sub(f.Start) > m.DedupeWindow+e.opts.Tolerance {
					delete(s.last, k)
				}
			}
			s.pruneAt = 2 * len(s.last)
		}
		c, caps := e.keepHit(ev, h.caps)
		f := &Finding{
			Signature: s.sig, Outcome: Confirmed, Host: c.Host, Start: ev.Time, End: ev.Time, Count: 1,
			Captures: prefixed(h.def.Name, caps),
			Evidence: []Evidence{{Step: h.def.Name, Event: c}},
			bound:    []boundStep{{name: h.def.Name, ev: c, caps: caps, def: h.def}},
		}
		e.emit(f)
		if m.DedupeWindow > 0 {
			s.last[string(s.key)] = f
		}
		return
	}
}

func (s *single) finish(*Engine) {}

// threshold runs `match: {threshold: ...}`: Count events with the same
// key within a sliding Window make a finding; later events within Window
// of the previous one extend it (one finding per burst).
type threshold struct {
	sig     *signature.Signature
	by      []byKey // Match.By compiled
	groups  map[string]*burst
	pruneAt int
	key     []byte // the current event's group key
	// lastTimeOnly: the templates read no more of .last than its time
	// and captures, so an event extending a burst past its evidence
	// is not copied; lastCaps: they read its captures, which are.
	lastTimeOnly, lastCaps bool
}

type burst struct {
	// times are the times of every event in the current window (before
	// firing): a count needs no more, so Count may be far above
	// MaxPending.
	times []time.Time
	// seq numbers the group's events; times[0] is event seq-len(times).
	seq int
	// kept are the events of the window kept whole, in order: the first
	// MaxPending of them and the last maxEvidence. With Count up to
	// MaxPending, that is every one.
	kept  []keptEvent
	open  *Finding // fired and still extending
	fired bool
	// best is the most events one window held without firing, and
	// bestEvents the kept ones of those: the group's near miss if it
	// never fires.
	best       int
	bestEvents []*event.Event
	// room holds the first events of the group, in the burst's own
	// allocation: most groups (an address that tried a password or two)
	// never hold more, and growing three slices from nothing was a third
	// of the threshold's allocations on the dense bench corpus.
	room struct {
		times [2]time.Time
		kept  [2]keptEvent
		best  [2]*event.Event
	}
}

func newBurst() *burst {
	b := &burst{}
	b.times, b.kept, b.bestEvents = b.room.times[:0], b.room.kept[:0], b.room.best[:0]
	return b
}

type keptEvent struct {
	seq  int
	ev   *event.Event
	caps signature.Captures
}

// add appends ev (already kept) to the window.
func (b *burst) add(ev *event.Event, at time.Time, caps signature.Captures, keepHead int) {
	b.times = append(b.times, at)
	b.kept = append(b.kept, keptEvent{seq: b.seq, ev: ev, caps: caps})
	b.seq++
	if len(b.kept) > keepHead+maxEvidence {
		// Drop the oldest event past the head: the head tells how the
		// burst began, the tail how it went on.
		b.kept = append(b.kept[:keepHead], b.kept[keepHead+1:]...)
	}
}

// slide drops the first cut events of the window.
func (b *burst) slide(cut int) {
	// Reslicing forward is amortized by append's regrowth, which copies
	// only the live part: no copy of the whole window per event.
	b.times = b.times[cut:]
	head := b.seq - len(b.times)
	k := 0
	for k < len(b.kept) && b.kept[k].seq < head {
		k++
	}
	b.kept = b.kept[k:]
}

// reset empties the window after it fired.
func (b *burst) reset() {
	b.times, b.kept = b.times[:0], b.kept[:0]
}

func (t *threshold) observe(*Engine, *event.Event) {}

func (t *threshold) process(e *Engine, ev *event.Event, hits []hit) {
	m := t.sig.Match
	var h *hit
	for i := range hits {
		if hits[i].def == m.Event && h == nil {
			h = &hits[i]
		}
		for _, u := range m.Until {
			if hits[i].def == u {
				t.until(ev, hits[i].caps)
			}
		}
	}
	if h == nil {
		return
	}
	t.key = appendKeys(t.key[:0], t.by, ev, h.caps)
	b := t.groups[string(t.key)]
	if b == nil {
		if len(t.groups) >= max(t.pruneAt, minPrune) {
			t.prune(e, ev.Time)
		}
		b = newBurst()
		t.groups[string(t.key)] = b
	}
	if b.open != nil {
		if ev.Time.Sub(b.open.End) <= m.Window {
			b.open.Count++
			b.open.End = ev.Time
			last := boundStep{name: "last", def: m.Event}
			switch {
			case len(b.open.Evidence) < maxEvidence:
				last.ev, last.caps = e.keepHit(ev, h.caps)
				b.open.Evidence = append(b.open.Evidence, Evidence{Step: m.Event.Name, Event: last.ev})
			case t.lastTimeOnly && !ev.Time.IsZero():
				b.open.EvidenceOmitted++
				last.at = ev.Time
				if t.lastCaps {
					last.caps = ownCaptures(h.caps)
				}
			default:
				b.open.EvidenceOmitted++
				last.ev, last.caps = e.keepHit(ev, h.caps)
			}
			b.open.last = last
			return
		}
		b.open = nil
	}
	// Slide: drop events older than the window.
	cut := 0
	for cut < len(b.times) && ev.Time.Sub(b.times[cut]) > m.Window {
		cut++
	}
	if cut > 0 {
		b.slide(cut)
	}
	c, caps := e.keepHit(ev, h.caps)
	b.add(c, ev.Time, caps, e.opts.MaxPending)
	if len(b.times) < m.Count {
		if len(b.times) > b.best && !b.fired {
			b.best = len(b.times)
			b.bestEvents = b.bestEvents[:0]
			for _, k := range b.kept {
				b.bestEvents = append(b.bestEvents, k.ev)
			}
		}
		return
	}
	head := b.kept[0]
	f := &Finding{
		Signature: t.sig, Outcome: Confirmed, Host: head.ev.Host,
		Start: b.times[0], End: ev.Time, Count: len(b.times),
		Captures: prefixed(m.Event.Name, head.caps),
	}
	// A burst goes on after it fires, to maxEvidence lines.
	f.Evidence = make([]Evidence, 0, maxEvidence)
	for i, x := range b.kept {
		if i < maxEvidence {
			f.Evidence = append(f.Evidence, Evidence{Step: m.Event.Name, Event: x.ev})
		}
	}
	f.EvidenceOmitted = f.Count - len(f.Evidence)
	f.bound = []boundStep{{name: m.Event.Name, ev: head.ev, caps: head.caps, def: m.Event}}
	f.last = boundStep{name: "last", ev: c, caps: caps, def: m.Event}
	e.emit(f)
	b.open, b.fired, b.bestEvents = f, true, nil
	b.reset()
}

// until drops what the group of an until event counted so far, and ends
// its burst: the count starts again after it.
func (t *threshold) until(ev *event.Event, caps signature.Captures) {
	t.key = appendKeys(t.key[:0], t.by, ev, caps)
	if b := t.groups[string(t.key)]; b != nil {
		b.open = nil
		b.reset()
	}
}

// finish reports, for each group that never fired, the fullest window
// it had, when it came at least halfway.
func (t *threshold) finish(e *Engine) {
	keys := make([]string, 0, len(t.groups))
	for k := range t.groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.miss(e, k, t.groups[k])
	}
}

func (t *threshold) miss(e *Engine, key string, b *burst) {
	m := t.sig.Match
	// A lone event is no near miss: every failed login would be one.
	if b.fired || b.best < 2 || b.best*2 < m.Count {
		return
	}
	n := &NearMiss{Signature: t.sig, Group: key, Steps: b.best, Time: b.bestEvents[0].Time,
		Reason: fmt.Sprintf("%d of the %d `%s` events needed within %s", b.best, m.Count, m.Event.Name, signature.HumanDuration(m.Window))}
	for i, x := range b.bestEvents {
		if i < maxEvidence {
			n.Evidence = append(n.Evidence, Evidence{Step: m.Event.Name, Event: x})
		}
	}
	e.miss(n)
}

// prune drops the groups whose every event is more than a window (and
// the tolerance) before now: none of them can count again.
func (t *threshold) prune(e *Engine, now time.Time) {
	horizon := t.sig.Match.Window + e.opts.Tolerance
	for k, b := range t.groups {
		var last time.Time
		for _, x := range b.times { // out of order within the tolerance
			if x.After(last) {
				last = x
			}
		}
		if b.open != nil && b.open.End.After(last) {
			last = b.open.End
		}
		if now.Sub(last) > horizon {
			t.miss(e, k, b)
			delete(t.groups, k)
		}
	}
	t.pruneAt = 2 * len(t.groups)
}
