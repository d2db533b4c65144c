package ingest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Following (`logsleuth watch`, DESIGN §9): the live counterpart of
// Open. Files are followed like `tail -F` (follow_file.go), journals
// through sdjournal's Wait or `journalctl -f` (follow_journal*.go). Each
// source reads, parses and screens in a goroutine of its own and hands
// batches to the consumer, which merges the sources by time with a
// bounded reorder window (Next) and, once every source has been read to
// its end, says so (Next returns nil): the moment the caller advances
// the engine's clock and saves its position.

// FollowOptions say what to follow and how.
type FollowOptions struct {
	// Paths are files to follow, or directories whose live log files
	// (by name: syslog, *.log, ...; rotated and compressed copies are
	// not followed) are followed, including files that appear later.
	Paths []string
	// Journal follows this machine's journal, JournalDirs and
	// JournalFiles the journal files named, as in Options.
	Journal      bool
	JournalDirs  []string
	JournalFiles []string
	// JournalFields are extra fields the native journal reader reads.
	JournalFields []string
	// Location is the zone of zone-less stamps (--tz); nil: local.
	Location *time.Location
	// Warnings receives every problem with the input. Required.
	Warnings *event.Warnings
	// Screen, when set, runs the engine's matchers on each event in the
	// source's goroutine (see Options.Screen).
	Screen func() Screen
	// FromStart reads what the sources hold already; else following
	// starts at their end, as `tail -F` and `journalctl -f` do. A file
	// that appears later is always read from its start.
	FromStart bool
	// Resume is where a earlier run stopped (Follower.Position): each
	// source it names continues from there instead.
	Resume *Position
	// Poll is how often an idle file is looked at again; 0: 500ms.
	Poll time.Duration
	// Reorder is how long an event waits for the sources that are still
	// reading before it is handed out anyway; 0: 1s.
	Reorder time.Duration
}

// Position is where a Follower is in each source: what `watch --state`
// keeps so that a restart continues where it stopped.
type Position struct {
	Files    []FilePosition    `json:"files,omitempty"`
	Journals []JournalPosition `json:"journals,omitempty"`
}

// FilePosition is where a followed file was read up to: the file (by
// device and inode, so that a rotated file is recognized under its new
// name), the offset after its last whole line read, and that line's
// number.
type FilePosition struct {
	Path   string `json:"path"`
	Dev    uint64 `json:"dev"`
	Ino    uint64 `json:"ino"`
	Offset int64  `json:"offset"`
	Line   int64  `json:"line"`
}

// JournalPosition is the cursor of the last journal entry read.
type JournalPosition struct {
	Source string `json:"source"`
	Cursor string `json:"cursor"`
}

// Follower merges followed sources. Not safe for concurrent use.
type Follower struct {
	opts    FollowOptions
	ws      *event.Warnings
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	in      chan *followBatch
	srcs    []*followSrc
	cur     *followSrc // the source of the event returned last
	reorder time.Duration
}

// followSrc is one followed source. The consumer's fields are touched
// only by Next; the producer has its own state (fileTail, ...).
type followSrc struct {
	name       string
	registered bool
	q          []*followBatch
	i          int       // next event of q[0]
	idle       bool      // the last batch received said: nothing more for now
	waitSince  time.Time // when an empty, reading source began to hold the merge
	lastKnown  time.Time // time of its last timed event, for untimed ones
	file       *FilePosition
	cursor     string
	// checked is when the producer last found the source at its end
	// (UnixNano): nothing written before then is still to come.
	checked atomic.Int64
}

// followBatch is a run of events of one source, and where the source is
// after them.
type followBatch struct {
	src    *followSrc
	b      *batch // nil: no events
	file   *FilePosition
	cursor string
	idle   bool      // the source has nothing more for now
	read   time.Time // when the producer read it
}

// followQueue is how many batches a source may hand the merge ahead.
const followQueue = 4

// Follow starts following. Problems with single sources are warnings;
// it fails only on unusable options.
func Follow(ctx context.Context, opts FollowOptions) (*Follower, error) {
	if opts.Warnings == nil {
		return nil, errors.New("ingest: FollowOptions.Warnings is required")
	}
	if len(opts.Paths) == 0 && !opts.Journal && len(opts.JournalDirs) == 0 && len(opts.JournalFiles) == 0 {
		return nil, errors.New("ingest: nothing to follow")
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Poll <= 0 {
		opts.Poll = 500 * time.Millisecond
	}
	f := &Follower{opts: opts, ws: opts.Warnings, reorder: opts.Reorder,
		in: make(chan *followBatch, followQueue*(len(opts.Paths)+len(opts.JournalDirs)+len(opts.JournalFiles)+1))}
	if f.reorder <= 0 {
		f.reorder = time.Second
	}
	f.ctx, f.cancel = context.WithCancel(ctx)
	for _, p := range opts.Paths {
		f.followPath(p)
	}
	f.followJournals()
	return f, nil
}

// newSrc makes a source; the consumer registers it when its first batch
// arrives, or at once when registered is true (sources known at start,
// which the merge waits for from the beginning).
func (f *Follower) newSrc(name string, registered bool) *followSrc {
	src := &followSrc{name: name}
	if registered {
		src.registered = true
		f.srcs = append(f.srcs, src)
	}
	return src
}

// send hands a batch to the consumer; false when following stopped.
func (f *Follower) send(fb *followBatch) bool {
	select {
	case f.in <- fb:
		return true
	case <-f.ctx.Done():
		if fb.b != nil {
			putBatch(fb.b)
		}
		return false
	}
}

// Next returns the next event in merged time order. It returns nil
// (and no error) when every source has been read to its end and nothing
// new came for wait; it returns an error only when ctx was cancelled.
// The event is valid until the next call.
//
// Merge: the source whose next event is earliest goes first, but while
// another source has nothing queued, the merge may wait for it, at most
// Reorder: a source that lags more than that is merged late, not waited
// for forever. It waits for a source still reading (it has not reached
// its end); for a source at its end, only when the event is recent (at
// most Reorder before the wall clock: what the idle source writes next
// is stamped about now, after an older event) and was read after the
// idle source last looked (what was written meanwhile may be earlier).
func (f *Follower) Next(wait time.Duration) (*event.Event, error) {
	if f.cur != nil {
		f.advance(f.cur)
		f.cur = nil
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	// quiet is when nothing new will have come for wait; a batch without
	// events (a source saying where it is) does not count.
	quiet := time.Now().Add(wait)
	for {
		f.take()
		now := time.Now()
		src, hold := f.pick(now)
		if src != nil {
			f.cur = src
			return &src.q[0].b.events[src.i], nil
		}
		if hold == 0 && !now.Before(quiet) && f.caughtUp() {
			return nil, nil
		}
		d := max(quiet.Sub(now), time.Millisecond)
		if hold > 0 {
			d = min(d, hold)
		}
		if timer == nil {
			timer = time.NewTimer(d)
		} else {
			timer.Reset(d)
		}
		select {
		case fb := <-f.in:
			if fb.b != nil {
				quiet = time.Now().Add(wait)
			}
			f.add(fb)
		case <-timer.C:
		case <-f.ctx.Done():
			return nil, f.ctx.Err()
		}
	}
}

// take queues the batches that have arrived, without waiting.
func (f *Follower) take() {
	for {
		select {
		case fb := <-f.in:
			f.add(fb)
		default:
			return
		}
	}
}

func (f *Follower) add(fb *followBatch) {
	src := fb.src
	if !src.registered {
		src.registered = true
		f.srcs = append(f.srcs, src)
	}
	src.idle = fb.idle
	if fb.b != nil || len(src.q) > 0 {
		src.q = append(src.q, fb)
		src.waitSince = time.Time{}
		f.settle(src)
		return
	}
	f.done(fb) // nothing to hand out: only its position
}

// settle drops the batches at the head of src's queue that have no
// event left, taking their positions.
func (f *Follower) settle(src *followSrc) {
	for len(src.q) > 0 && (src.q[0].b == nil || src.i >= len(src.q[0].b.events)) {
		fb := src.q[0]
		src.q[0] = nil
		src.q = src.q[1:]
		src.i = 0
		f.done(fb)
	}
}

// done takes the position after a batch that has been handed out.
func (f *Follower) done(fb *followBatch) {
	src := fb.src
	if fb.file != nil {
		src.file = fb.file
	}
	if fb.cursor != "" {
		src.cursor = fb.cursor
	}
	if fb.b != nil {
		putBatch(fb.b)
	}
}

// advance moves past the event of src returned last.
func (f *Follower) advance(src *followSrc) {
	if t := src.q[0].b.events[src.i].Time; !t.IsZero() {
		src.lastKnown = t
	}
	src.i++
	f.settle(src)
}

// pick returns the source whose next event goes first, or, when the
// merge must wait for a source still reading, nil and how long at most.
func (f *Follower) pick(now time.Time) (*followSrc, time.Duration) {
	var best *followSrc
	var bestKey time.Time
	for _, s := range f.srcs {
		if len(s.q) == 0 {
			continue
		}
		k := s.q[0].b.events[s.i].Time
		if k.IsZero() {
			k = s.lastKnown
		}
		if best == nil || k.Before(bestKey) {
			best, bestKey = s, k
		}
	}
	if best == nil || len(f.srcs) == 1 {
		return best, 0
	}
	var hold time.Duration
	read := best.q[0].read
	recent := !bestKey.IsZero() && now.Sub(bestKey) < f.reorder
	for _, s := range f.srcs {
		if len(s.q) > 0 {
			continue
		}
		if s.idle {
			if left := f.reorder - now.Sub(read); recent && left > 0 && s.checked.Load() < read.UnixNano() {
				hold = max(hold, min(left, f.opts.Poll))
			}
			continue
		}
		if s.waitSince.IsZero() {
			s.waitSince = now
		}
		if left := f.reorder - now.Sub(s.waitSince); left > 0 {
			hold = max(hold, left)
		}
	}
	if hold > 0 {
		return nil, hold
	}
	return best, 0
}

// caughtUp reports whether every source has been read to its end and
// every event handed out.
func (f *Follower) caughtUp() bool {
	for _, s := range f.srcs {
		if len(s.q) > 0 || !s.idle {
			return false
		}
	}
	return true
}

// Position returns where each source has been read up to, as of the
// events handed out so far: exact when Next has just returned nil.
func (f *Follower) Position() *Position {
	p := &Position{}
	for _, s := range f.srcs {
		if s.file != nil {
			p.Files = append(p.Files, *s.file)
		}
		if s.cursor != "" {
			p.Journals = append(p.Journals, JournalPosition{Source: s.name, Cursor: s.cursor})
		}
	}
	return p
}

// Close stops following and waits for every source's goroutine.
func (f *Follower) Close() error {
	f.cancel()
	f.wg.Wait()
	return nil
}

// sleep waits d; false when following stopped.
func (f *Follower) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-f.ctx.Done():
		return false
	}
}
