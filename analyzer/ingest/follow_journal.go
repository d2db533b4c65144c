package ingest

import (
	"errors"
	"io"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Journals are followed entry by entry, as `journalctl -f` does: the
// native follower (journal_follow_sd.go) waits on the journal with
// sd_journal_wait; without it, `journalctl -f -o export` runs and its
// output is read (journal_follow_exec.go). Either starts at the tail,
// at the head (FromStart), or after a saved cursor.

// journalFollower reads one journal as it grows. Next fills ev (which it
// resets) with the next entry, or returns io.EOF when there is none for
// now; a *corruptEntry concerns one entry, after which reading goes on.
// Wait blocks until the journal may have changed, at most d.
type journalFollower interface {
	Next(ev *event.Event) error
	Wait(d time.Duration)
	Close() error
}

// journalStart says where a journal follower starts: after cursor when
// set, else at the head (fromStart) or at the tail.
type journalStart struct {
	cursor    string
	fromStart bool
}

// openJournalFollower opens the follower of one journal input; a
// variable so that tests can force the journalctl fallback.
var openJournalFollower = func(f *Follower, sp *journalSpec, at journalStart) (journalFollower, error) {
	r, err := openNativeFollower(sp, at, f.opts.JournalFields)
	if errors.Is(err, errNoNative) {
		return openJournalctlFollower(f.ctx, sp, at)
	}
	return r, err
}

// followJournals starts a goroutine per journal input.
func (f *Follower) followJournals() {
	o := &f.opts
	for _, in := range journalInputs(&Options{Journal: o.Journal, JournalDirs: o.JournalDirs, JournalFiles: o.JournalFiles}) {
		sp := in.journal
		src := f.newSrc(sp.name(), true)
		at := journalStart{fromStart: o.FromStart}
		if o.Resume != nil {
			for _, p := range o.Resume.Journals {
				if p.Source == src.name {
					at = journalStart{cursor: p.Cursor}
				}
			}
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.followJournal(sp, src, at)
		}()
	}
}

// followJournal follows one journal until following stops.
func (f *Follower) followJournal(sp *journalSpec, src *followSrc, at journalStart) {
	r, err := openJournalFollower(f, sp, at)
	if err != nil {
		f.ws.Addf(src.name, 0, "cannot follow: %v", err)
		f.send(&followBatch{src: src, idle: true, read: time.Now()})
		return
	}
	defer r.Close()
	var screen Screen
	if f.opts.Screen != nil {
		screen = f.opts.Screen()
	}
	cursor := at.cursor
	b := getBatch()
	corrupt := 0
	idle := false // the source said it has nothing more, and nothing came since
	for {
		looked := time.Now().UnixNano()
		k := len(b.events)
		b.events = append(b.events, event.Event{})
		ev := &b.events[k]
		err := r.Next(ev)
		if err == nil {
			corrupt = 0
			ev.Source.Path = src.name
			if ev.Source.Cursor != "" {
				cursor = ev.Source.Cursor
			}
			if screen != nil {
				ev.Screen = screen(ev, nil)
			}
			if len(b.events) < jfileBatch {
				continue
			}
			if !f.send(&followBatch{src: src, b: b, cursor: cursor, read: time.Now()}) {
				return
			}
			b, idle = getBatch(), false
			continue
		}
		b.events = b.events[:k]
		var ce *corruptEntry
		switch {
		case errors.As(err, &ce):
			if corrupt++; corrupt <= maxCorruptInARow {
				f.ws.Addf(src.name, 0, "corrupt entry skipped: %v", err)
				continue
			}
			f.ws.Addf(src.name, 0, "giving up after %d corrupt entries in a row", corrupt)
		case !errors.Is(err, io.EOF):
			f.ws.Addf(src.name, 0, "read error: %v; following stopped", err)
		}
		// Nothing more for now: hand on what was read, and say so once
		// (not at every wait), then wait.
		if len(b.events) > 0 || !idle {
			fb := &followBatch{src: src, cursor: cursor, idle: true, read: time.Now()}
			if len(b.events) > 0 {
				fb.b = b
				b = getBatch()
			}
			if !f.send(fb) {
				return
			}
		}
		idle = true
		src.checked.Store(looked)
		if !errors.Is(err, io.EOF) {
			return
		}
		select {
		case <-f.ctx.Done():
			return
		default:
		}
		r.Wait(f.opts.Poll)
	}
}
