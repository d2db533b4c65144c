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

// sequence runs `match: {sequence: ...}`: per group, a set of partial
// matches (instances). An event that binds a step forks the instance, so
// one upgrade can stop docker and containerd and yield two findings. Of
// two equal instances (same next step, same captures) from the same
// anchor the first stands; from a newer anchor the newer replaces the
// older, as in EQL.
type sequence struct {
	sig    *signature.Signature
	steps  []*signature.Step
	groups map[string][]*instance
	// absentOpen counts instances waiting at an absent step, so observe
	// costs nothing when there are none.
	absentOpen int
	// pruneAt is the number of groups at which expired instances are
	// looked for in every group (see minPrune).
	pruneAt int
	// quiet sums up the open absence windows for closes; the functions
	// that change instances (process, observe's pass, advance, finish,
	// RestoreLive) drop it.
	quiet quietWindows
}

// quietWindows sums up a sequence's open absence windows: no event of
// boot whose time is not after until closes one, when every window's
// anchor is of that boot (uniform). Text logs without boot markers have
// one boot, "", for all.
type quietWindows struct {
	valid, uniform bool
	boot           string
	// until is the earliest end of an open window, plus the tolerance.
	until time.Time
}

type binding struct {
	ev   *event.Event
	caps signature.Captures
}

type instance struct {
	group string
	next  int // index of the step to satisfy next
	bound []binding
	first time.Time // time of step 1
	host  string
	boot  string
	path  string // source of step 1, for boot comparison
	// open absence window, when steps[next] is absent
	winStart, winEnd time.Time
	// room holds bound, in the instance's own allocation, for
	// sequences of up to three steps (all built-ins but two).
	room [3]binding
}

// newInstance returns an instance with n steps to bind.
func newInstance(n int) *instance {
	in := &instance{}
	in.setBound(n)
	return in
}

// setBound gives in n unbound steps, in its room when they fit.
func (in *instance) setBound(n int) {
	if n <= len(in.room) {
		in.room = [len(in.room)]binding{}
		in.bound = in.room[:n:n]
	} else {
		in.bound = make([]binding, n)
	}
}

func newSequence(s *signature.Signature) *sequence {
	return &sequence{sig: s, steps: s.Match.Steps, groups: map[string][]*instance{}}
}

func (in *instance) clone() *instance {
	c := new(instance)
	*c = *in
	c.setBound(len(in.bound))
	copy(c.bound, in.bound)
	return c
}

// capsOf returns the captures bound at the step named name.
func (s *sequence) capsOf(in *instance, name string) (signature.Captures, *event.Event) {
	for i, st := range s.steps {
		if st.As == name && in.bound[i].ev != nil {
			return in.bound[i].caps, in.bound[i].ev
		}
	}
	return nil, nil
}

// joins reports whether ev (with caps) satisfies step st's join constraints.
func (s *sequence) joins(in *instance, st *signature.Step, ev *event.Event, caps signature.Captures) bool {
	for _, j := range st.Join {
		otherCaps, otherEv := s.capsOf(in, j.Step)
		if otherEv == nil {
			return false
		}
		if !j.Holds(keyValue(j.Capture, ev, caps), keyValue(j.Other, otherEv, otherCaps)) {
			return false
		}
	}
	return true
}

// anchorTime is when step st's `within`/`for` starts: the step named in
// `after`, else the last bound positive step before it.
func (s *sequence) anchorTime(in *instance, st *signature.Step) time.Time {
	if st.After != "" {
		if _, ev := s.capsOf(in, st.After); ev != nil {
			return ev.Time
		}
	}
	for i := st.Index - 1; i >= 0; i-- {
		if in.bound[i].ev != nil {
			return in.bound[i].ev.Time
		}
	}
	return in.first
}

// Unknown times (TimeNone: a pasted line whose stamp was cut). Such an
// event keeps its place in input order, and input order stands in for
// time: a `within` or `maxspan` bound between two events holds when
// either time is unknown (the later event came later); an absence window
// anchored at an event of unknown time has no end (openEnd): it lasts
// until the input ends (unresolved, end of log), a reboot (boundary), or
// a matching event (refuted). A matching event of unknown time after the
// anchor refutes any absence window: it may lie inside it, and absence
// must be proven.

// openEnd is the end of an absence window anchored at an unknown time.
var openEnd = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// elapsed is the time from a to b; false when either is unknown.
func elapsed(a, b time.Time) (time.Duration, bool) {
	if a.IsZero() || b.IsZero() {
		return 0, false
	}
	return b.Sub(a), true
}

func (s *sequence) observe(e *Engine, ev *event.Event) {
	if s.absentOpen == 0 || !s.closes(e, ev) {
		return
	}
	s.quiet.valid = false
	tol := e.opts.Tolerance
	for _, key := range s.sortedGroups() {
		list := s.groups[key]
		kept := list[:0]
		for _, in := range list {
			if in.winEnd.IsZero() || !s.sameHost(in, ev) {
				kept = append(kept, in)
				continue
			}
			st := s.steps[in.next]
			switch {
			case s.rebooted(in, ev) && !ev.Time.After(in.winEnd):
				s.adjustOpen(e, -1)
				s.closeAbsent(e, in, st, Boundary, ReasonReboot, ev)
				continue
			case ev.Time.After(in.winEnd.Add(tol)):
				s.adjustOpen(e, -1)
				if next := s.passAbsent(e, in, st); next != nil {
					kept = append(kept, next)
				}
				continue
			}
			kept = append(kept, in)
		}
		s.setGroup(key, kept)
	}
}

// closes reports whether ev closes some open absence window (a case of
// observe's switch holds for an instance): most events close none, and
// observe's pass in group order, which sorts the keys, is left for
// those that do. On a dense log an absence window is open most of the
// time: allocating and sorting the keys for every event cost 15.5M
// instructions on 20 MB of the dense bench corpus, 11M with this test
// first (cachegrind).
//
// The walk over the groups (a map) for every event was still 204M
// instructions of the whole dense corpus: an event of the windows' one
// boot before the earliest end is answered from their sum (quiet).
func (s *sequence) closes(e *Engine, ev *event.Event) bool {
	q := &s.quiet
	if !q.valid {
		s.sumWindows(e)
	}
	if q.uniform && ev.BootID == q.boot && !ev.Time.After(q.until) {
		// Of one boot, no window was rebooted; none ended yet.
		return false
	}
	for _, list := range s.groups {
		for _, in := range list {
			if in.winEnd.IsZero() || !s.sameHost(in, ev) {
				continue
			}
			if s.rebooted(in, ev) && !ev.Time.After(in.winEnd) || ev.Time.After(in.winEnd.Add(e.opts.Tolerance)) {
				return true
			}
		}
	}
	return false
}

// sumWindows sums up the open windows in s.quiet.
func (s *sequence) sumWindows(e *Engine) {
	q := quietWindows{valid: true, uniform: true}
	first := true
	for _, list := range s.groups {
		for _, in := range list {
			if in.winEnd.IsZero() {
				continue
			}
			end := in.winEnd.Add(e.opts.Tolerance)
			if first {
				q.boot, q.until, first = in.boot, end, false
				continue
			}
			q.uniform = q.uniform && in.boot == q.boot
			if end.Before(q.until) {
				q.until = end
			}
		}
	}
	if first {
		q.uniform = false // no window open: nothing to sum up
	}
	s.quiet = q
}

func (s *sequence) setGroup(key string, list []*instance) {
	if len(list) == 0 {
		delete(s.groups, key)
		return
	}
	s.groups[key] = list
}

func (s *sequence) sortedGroups() []string {
	keys := make([]string, 0, len(s.groups))
	for k := range s.groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sameHost: only events of the anchor's host (or, for host-less sources,
// of the anchor's source) tell anything about that host's windows.
func (s *sequence) sameHost(in *instance, ev *event.Event) bool {
	if in.host != "" {
		return ev.Host == in.host
	}
	return ev.Source.Path == in.path
}

func (s *sequence) rebooted(in *instance, ev *event.Event) bool {
	if ev.BootID == in.boot {
		return false
	}
	// Boot ids of different sources (a journal's and a syslog file's
	// counter) are not comparable unless both are real ids.
	return ev.Source.Path == in.path || (ev.BootID != "" && in.boot != "" && len(ev.BootID) >= 16 && len(in.boot) >= 16)
}

// passAbsent: the window of absent step st passed with nothing matching.
// The last step makes a confirmed finding; otherwise the instance goes on
// and is returned.
func (s *sequence) passAbsent(e *Engine, in *instance, st *signature.Step) *instance {
	if st.Index == len(s.steps)-1 {
		s.finding(e, in, Confirmed, "", in.winEnd)
		return nil
	}
	in.next++
	in.winStart, in.winEnd = time.Time{}, time.Time{}
	s.openWindow(in)
	if !in.winEnd.IsZero() {
		s.adjustOpen(e, 1)
	}
	return in
}

// closeAbsent ends an instance at an absent step that can no longer be
// confirmed: a finding when it was the last step, else a near miss.
func (s *sequence) closeAbsent(e *Engine, in *instance, st *signature.Step, outcome, reason string, ev *event.Event) {
	if st.Index == len(s.steps)-1 {
		end := in.winEnd
		switch {
		case ev != nil:
			end = ev.Time
		case end.Equal(openEnd):
			end = time.Time{}
		case reason == ReasonEndOfLog && !e.lastTime.IsZero() && e.lastTime.Before(end):
			// The window was cut by the end of the log, not by its length
			// (a template's "when the log ended ({{since .down.time .end}}
			// later)" said 30m for a log that ended 9m after the stop).
			end = e.lastTime
		}
		s.finding(e, in, outcome, reason, end)
		return
	}
	s.nearMiss(e, in, fmt.Sprintf("step %d `absent %s` could not be decided: %s", st.Index+1, st.As, reason), ev)
}

// openWindow starts the absence window when the instance now waits at an
// absent step.
func (s *sequence) openWindow(in *instance) {
	if in.next >= len(s.steps) || !s.steps[in.next].Absent {
		return
	}
	st := s.steps[in.next]
	in.winStart = s.anchorTime(in, st)
	in.winEnd = in.winStart.Add(st.For)
	if in.winStart.IsZero() {
		in.winEnd = openEnd
	}
}

func (s *sequence) process(e *Engine, ev *event.Event, hits []hit) {
	s.quiet.valid = false
	stepHits := func(st *signature.Step) (signature.Captures, bool) {
		for _, h := range hits {
			if h.def == st.Event {
				return h.caps, true
			}
		}
		return nil, false
	}
	for _, h := range hits {
		for _, u := range s.sig.Match.Until {
			if h.def == u {
				s.until(e, ev, h.caps)
			}
		}
	}
	// Existing instances of the groups this event may belong to. (The
	// keys looked up are not kept: a map of them and a copy of each were
	// a third of this function's instructions on the dense bench corpus.)
	var seenRoom [4]string
	seen := seenRoom[:0]
	var created []*instance
	for _, st := range s.steps {
		caps, ok := stepHits(st)
		if !ok {
			continue
		}
		key := lookupKey(s.sig.Match.By, ev, caps)
		if slices.Contains(seen, key) {
			continue
		}
		seen = append(seen, key)
		created = append(created, s.advanceGroup(e, key, ev, stepHits)...)
	}
	// A new instance when step 1 matches.
	if caps, ok := stepHits(s.steps[0]); ok {
		c, own := e.keepHit(ev, caps)
		in := newInstance(len(s.steps))
		in.group, in.first, in.host, in.boot, in.path = groupKey(s.sig.Match.By, ev, caps), ev.Time, c.Host, c.BootID, ev.Source.Path
		in.bound[0] = binding{ev: c, caps: own}
		in.next = 1
		s.openWindow(in)
		created = append(created, in)
	}
	for _, in := range created {
		s.add(e, in)
	}
}

// lookupKey is groupKey for a lookup: with one key, the value itself,
// which may be a slice of ev's text, never to be kept.
func lookupKey(by []string, ev *event.Event, caps signature.Captures) string {
	if len(by) == 1 {
		return keyValue(by[0], ev, caps)
	}
	return groupKey(by, ev, caps)
}

// advanceGroup tries ev on every instance of one group and returns the
// instances it forks. key may be lookupKey's.
func (s *sequence) advanceGroup(e *Engine, key string, ev *event.Event, stepHits func(*signature.Step) (signature.Captures, bool)) []*instance {
	list := s.groups[key]
	var forks, done []*instance
	kept := list[:0]
	for _, in := range list {
		if reason := s.expired(in, ev); reason != "" {
			if !in.winEnd.IsZero() {
				s.adjustOpen(e, -1)
			}
			s.nearMiss(e, in, reason, ev)
			continue
		}
		st := s.steps[in.next]
		if st.Absent {
			if caps, ok := stepHits(st); ok && s.joins(in, st, ev, caps) &&
				(ev.Time.IsZero() || !ev.Time.Before(in.winStart) && !ev.Time.After(in.winEnd)) {
				s.adjustOpen(e, -1)
				after := "later in the input than"
				if d, ok := elapsed(in.winStart, ev.Time); ok {
					after = signature.HumanDuration(d) + " after"
				}
				s.nearMiss(e, in, fmt.Sprintf("step %d `absent %s` refuted by `%s` at %s, %s %s",
					st.Index+1, st.As, reasonText(ev.Message), ev.Source.String(), after, s.anchorName(in, st)), ev)
				continue
			}
			kept = append(kept, in)
			continue
		}
		consumed := false
		for k := in.next; k < len(s.steps); k++ {
			st := s.steps[k]
			if st.Absent {
				break
			}
			caps, ok := stepHits(st)
			if ok && s.joins(in, st, ev, caps) && (st.Within == 0 || !longer(s.anchorTime(in, st), ev.Time, st.Within)) {
				// A required step forks (the same step may bind again with
				// other captures); an optional one only decorates the
				// instance, which moves on in place.
				f := in
				if !st.Optional {
					f = in.clone()
				}
				c, own := e.keepHit(ev, caps)
				f.bound[k] = binding{ev: c, caps: own}
				f.next = k + 1
				switch {
				case f.next == len(s.steps):
					// Instances that differ only in their anchor's
					// time (a failure logged again and again before
					// the same outcome) complete on one event once:
					// the earliest, first in the list, stands.
					if !slices.ContainsFunc(done, func(d *instance) bool { return sameCaptures(d, f) }) {
						s.finding(e, f, Confirmed, "", ev.Time)
						done = append(done, f)
					}
					consumed = true
				case st.Optional:
					s.openWindow(f)
					if !f.winEnd.IsZero() {
						s.adjustOpen(e, 1)
					}
				default:
					s.openWindow(f)
					forks = append(forks, f)
				}
				break
			}
			if !st.Optional {
				break
			}
		}
		if !consumed {
			kept = append(kept, in)
		}
	}
	if len(kept) > 0 {
		key = kept[0].group // the map's own copy of the key
	}
	s.setGroup(key, kept)
	return forks
}

// expired says why an instance can no longer advance at ev's time.
func (s *sequence) expired(in *instance, ev *event.Event) string {
	if ms := s.sig.Match.MaxSpan; ms > 0 && longer(in.first, ev.Time, ms) {
		return fmt.Sprintf("step %d `%s` did not happen within maxspan %s of step 1", in.next+1, s.steps[in.next].As, ms)
	}
	st := s.steps[in.next]
	if !st.Absent && st.Within > 0 && longer(s.anchorTime(in, st), ev.Time, st.Within) {
		// An optional step's window passing is no failure if a later
		// required step can still come; keep it simple and let the
		// instance wait for the first required step's own window.
		if st.Optional {
			return ""
		}
		return fmt.Sprintf("step %d `%s` did not happen within %s of %s", st.Index+1, st.As, st.Within, s.anchorName(in, st))
	}
	return ""
}

// longer reports whether more than d passed from from to to. An event
// without a time (a command's output, TimeNone) is within every span:
// its place in the input is all that is known of it, and a window
// never fails on a guess.
func longer(from, to time.Time, d time.Duration) bool {
	if from.IsZero() || to.IsZero() {
		return false
	}
	return to.Sub(from) > d
}

func (s *sequence) anchorName(in *instance, st *signature.Step) string {
	if st.After != "" {
		return "`" + st.After + "`"
	}
	for i := st.Index - 1; i >= 0; i-- {
		if in.bound[i].ev != nil {
			return "`" + s.steps[i].As + "`"
		}
	}
	return "step 1"
}

// add stores an instance, replacing an equal one and enforcing the cap.
func (s *sequence) add(e *Engine, in *instance) {
	list := s.groups[in.group]
	for i, old := range list {
		if old.next == in.next && sameCaptures(old, in) {
			if old.bound[0].ev == in.bound[0].ev {
				// A fork of the same anchor binding the same step again
				// ("Stopping" then "Stopped"): the first binding stands,
				// so windows start at the earliest evidence.
				return
			}
			// A newer anchor (another upgrade) replaces the older one.
			if !old.winEnd.IsZero() {
				s.adjustOpen(e, -1)
			}
			list[i] = in
			if !in.winEnd.IsZero() {
				s.adjustOpen(e, 1)
			}
			return
		}
	}
	if len(list) == 0 && len(s.groups) >= max(s.pruneAt, minPrune) {
		s.prune(e, in.bound[in.next-1].ev)
	}
	if len(list) >= e.opts.MaxPending {
		e.warnCap(s.sig, in.group)
		if !list[0].winEnd.IsZero() {
			s.adjustOpen(e, -1)
		}
		list = list[1:]
	}
	if !in.winEnd.IsZero() {
		s.adjustOpen(e, 1)
	}
	s.groups[in.group] = append(list, in)
}

// prune ends, as near misses, the instances of every group that can no
// longer advance at now's time (maxspan or within passed): otherwise a
// group seen once would keep them until the end of the input.
func (s *sequence) prune(e *Engine, now *event.Event) {
	for _, key := range s.sortedGroups() {
		list := s.groups[key]
		kept := list[:0]
		for _, in := range list {
			if reason := s.expired(in, now); reason != "" {
				if !in.winEnd.IsZero() {
					s.adjustOpen(e, -1)
				}
				s.nearMiss(e, in, reason, now)
				continue
			}
			kept = append(kept, in)
		}
		s.setGroup(key, kept)
	}
	s.pruneAt = 2 * len(s.groups)
}

func sameCaptures(a, b *instance) bool {
	for i := range a.bound {
		if (a.bound[i].ev == nil) != (b.bound[i].ev == nil) {
			return false
		}
		if !slices.Equal(a.bound[i].caps, b.bound[i].caps) {
			return false
		}
	}
	return true
}

// until drops the pending instances of the group an `until` event
// belongs to.
func (s *sequence) until(e *Engine, ev *event.Event, caps signature.Captures) {
	key := groupKey(s.sig.Match.By, ev, caps)
	for _, in := range s.groups[key] {
		if !in.winEnd.IsZero() {
			s.adjustOpen(e, -1)
		}
		s.nearMiss(e, in, fmt.Sprintf("dropped by until event `%s` at %s", reasonText(ev.Message), ev.Source.String()), ev)
	}
	delete(s.groups, key)
}

func (s *sequence) finish(e *Engine) {
	s.quiet.valid = false
	for _, key := range s.sortedGroups() {
		for _, in := range s.groups[key] {
			st := s.steps[in.next]
			if st.Absent {
				s.closeAbsent(e, in, st, Unresolved, ReasonEndOfLog, nil)
				continue
			}
			s.nearMiss(e, in, fmt.Sprintf("step %d `%s` had not happened when the log ended", st.Index+1, st.As), nil)
		}
	}
	s.groups = map[string][]*instance{}
	s.adjustOpen(e, -s.absentOpen)
}

// adjustOpen counts absence windows opened (d > 0) or closed, here and in
// the engine's total, which lets Process skip every observer when no
// window is open anywhere.
func (s *sequence) adjustOpen(e *Engine, d int) {
	s.absentOpen += d
	e.absentOpen += d
}

func (s *sequence) finding(e *Engine, in *instance, outcome, reason string, end time.Time) {
	f := &Finding{Signature: s.sig, Outcome: outcome, Reason: reason, Host: in.host, Start: in.first, End: end, Count: 1,
		group: in.group}
	for i, st := range s.steps {
		b := in.bound[i]
		switch {
		case st.Absent:
			start, stop := s.anchorTime(in, st), s.anchorTime(in, st).Add(st.For)
			if start.IsZero() {
				stop = time.Time{} // no end: see openEnd
			}
			f.Absences = append(f.Absences, Absence{Step: st.As, Start: start, End: stop, For: st.For})
		case b.ev != nil:
			f.bound = append(f.bound, boundStep{name: st.As, ev: b.ev, caps: b.caps, def: st.Event})
			f.Captures = append(f.Captures, prefixed(st.As, b.caps)...)
			f.Evidence = append(f.Evidence, Evidence{Step: st.As, Event: b.ev})
		}
	}
	e.emit(f)
}

func (s *sequence) nearMiss(e *Engine, in *instance, reason string, ev *event.Event) {
	n := &NearMiss{Signature: s.sig, Group: in.group, Reason: reason}
	for i, b := range in.bound {
		if b.ev != nil {
			n.Steps++
			n.Evidence = append(n.Evidence, Evidence{Step: s.steps[i].As, Event: b.ev})
		}
	}
	if ev != nil {
		n.Time = ev.Time
		if reasonHasRefuter(reason) {
			n.Evidence = append(n.Evidence, Evidence{Step: s.steps[in.next].As, Event: e.keep(ev)})
		}
	} else {
		n.Time = in.first
	}
	e.miss(n)
}

// reasonText is a line as a near miss's reason quotes it: its first line,
// at most maxReasonText bytes.
func reasonText(msg string) string {
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i] + " ..."
	}
	if len(msg) > maxReasonText {
		return cutText(msg, maxReasonText) + " ..."
	}
	return msg
}

const maxReasonText = 200

func reasonHasRefuter(r string) bool {
	return strings.Contains(r, "refuted") || strings.Contains(r, "until")
}

func sortNearMisses(ns []*NearMiss) {
	sort.Slice(ns, func(i, j int) bool {
		if ns[i].Signature.ID != ns[j].Signature.ID {
			return ns[i].Signature.ID < ns[j].Signature.ID
		}
		return ns[i].Group < ns[j].Group
	})
}
