package ingest

import (
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// dedupeSpan is how far apart in time two copies of one event may be:
// rsyslog stamps whole seconds (RFC3164) where journald keeps
// microseconds, and both stamp on receipt.
const dedupeSpan = time.Second

// maxDedupe bounds the window whatever the event rate: past it the
// oldest events are forgotten early.
const maxDedupe = 1 << 16

// dedupeKey is what makes two events copies of one another.
type dedupeKey struct {
	host, program, message string
	pid                    int
}

type dedupeRec struct {
	t       time.Time
	journal bool
}

type dedupeItem struct {
	key dedupeKey
	t   time.Time
}

// dedupeWindow remembers the events of the last dedupeSpan of event time
// and recognizes an event already seen from a source of the other kind
// (text vs journal). Its memory is bounded by maxDedupe events. Not safe
// for concurrent use.
type dedupeWindow struct {
	m    map[dedupeKey]dedupeRec
	q    []dedupeItem // in arrival order; q[head:] is live
	head int
}

func newDedupeWindow() *dedupeWindow {
	return &dedupeWindow{m: make(map[dedupeKey]dedupeRec)}
}

// seen reports whether ev, from a journal source or not, duplicates an
// event of the other kind in the window. An event that is no duplicate
// is remembered; a duplicate is not. Events without a time are never
// duplicates.
func (w *dedupeWindow) seen(ev *event.Event, journal bool) bool {
	if ev.Time.IsZero() {
		return false
	}
	w.expire(ev.Time)
	k := dedupeKey{host: ev.Host, program: ev.Program, message: ev.Message, pid: ev.PID}
	if r, ok := w.m[k]; ok && r.journal != journal {
		if d := ev.Time.Sub(r.t); d <= dedupeSpan && d >= -dedupeSpan {
			return true
		}
	}
	w.m[k] = dedupeRec{t: ev.Time, journal: journal}
	w.q = append(w.q, dedupeItem{key: k, t: ev.Time})
	return false
}

// expire forgets the events more than dedupeSpan before now, and the
// oldest ones beyond maxDedupe.
func (w *dedupeWindow) expire(now time.Time) {
	limit := now.Add(-dedupeSpan)
	for w.head < len(w.q) {
		it := &w.q[w.head]
		if !it.t.Before(limit) && len(w.q)-w.head < maxDedupe {
			break
		}
		if r, ok := w.m[it.key]; ok && r.t.Equal(it.t) {
			delete(w.m, it.key)
		}
		*it = dedupeItem{}
		w.head++
	}
	// Reclaim the dead front once it is half the slice.
	if w.head > 1024 && w.head*2 > len(w.q) {
		n := copy(w.q, w.q[w.head:])
		clear(w.q[n:])
		w.q, w.head = w.q[:n], 0
	}
}
