package ingest

import (
	"path"
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// The same line often reaches logsleuth twice: rsyslog writes it to
// /var/log/syslog and journald keeps it; a sosreport holds the journal
// as journalctl text (sos_commands/logs/journalctl_*, several of them
// overlapping) besides var/log/syslog*, and `systemctl status` repeats
// each unit's last lines. An event is dropped when an event with the
// same host, program, pid and message came from another source less
// than a second before or after it (in event time).

// dedupeClass is what a source is for duplicate detection.
type dedupeClass uint8

const (
	dedupeNone        dedupeClass = iota // application logs, dpkg, ...: never compared
	dedupeSyslog                         // rsyslog's files
	dedupeJournalText                    // journalctl output, systemctl status
	dedupeJournal                        // native journal files
)

// dedupeClassOf classifies a text source by its name and the format it
// was sniffed as.
func dedupeClassOf(name, format, command string) dedupeClass {
	base := path.Base(strings.ReplaceAll(name, ":", "/"))
	switch {
	case command == "systemctl status" || strings.HasPrefix(base, "journalctl"):
		return dedupeJournalText
	case command != "":
		return dedupeNone
	}
	switch parse.Family(format) {
	case "journal":
		return dedupeJournalText
	case "syslog":
		return dedupeSyslog
	}
	return dedupeNone
}

// needDedupe says whether sources of these classes can hold copies of
// one another: two kinds of system log, or several journalctl texts.
// Rotated syslog files alone never do, so the common case pays nothing.
func needDedupe(classes []dedupeClass) bool {
	var kinds [4]int
	for _, c := range classes {
		kinds[c]++
	}
	distinct := 0
	for _, n := range kinds[1:] {
		if n > 0 {
			distinct++
		}
	}
	return distinct >= 2 || kinds[dedupeJournalText] >= 2
}

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
	t    time.Time
	rank int // of the source
}

type dedupeItem struct {
	key dedupeKey
	t   time.Time
}

// dedupeWindow remembers the events of the last dedupeSpan of event time
// and recognizes an event already seen from another source. Its memory
// is bounded by maxDedupe events. Not safe for concurrent use.
type dedupeWindow struct {
	m    map[dedupeKey]dedupeRec
	q    []dedupeItem // in arrival order; q[head:] is live
	head int
}

func newDedupeWindow() *dedupeWindow {
	return &dedupeWindow{m: make(map[dedupeKey]dedupeRec)}
}

// seen reports whether ev, from the source of the given rank, duplicates
// an event of another source in the window. An event that is no
// duplicate is remembered; a duplicate is not. Events without a time,
// and events that are not log lines, are never duplicates.
func (w *dedupeWindow) seen(ev *event.Event, rank int) bool {
	if ev.Time.IsZero() || ev.Kind != event.KindLog {
		return false
	}
	w.expire(ev.Time)
	k := dedupeKey{host: ev.Host, program: ev.Program, message: ev.Message, pid: ev.PID}
	if r, ok := w.m[k]; ok && r.rank != rank {
		if d := ev.Time.Sub(r.t); d <= dedupeSpan && d >= -dedupeSpan {
			return true
		}
	}
	w.m[k] = dedupeRec{t: ev.Time, rank: rank}
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
