// Package ingest opens logsleuth's inputs (files, directories, archives,
// stdin), decompresses them, splits them into lines, parses the lines on
// all cores through package parse, and merges every source into one
// time-ordered event stream (DESIGN §4).
//
// Every source streams through a bounded pipeline (see pipeline.go), so
// memory does not grow with the input, with one exception: the members of
// a tar archive arrive one after another in a single stream but must be
// merged by time with each other, so each log member is parsed completely
// into memory and the members are merged once the archive has been read.
// An archive's events cost about three times the size of its
// decompressed log text.
package ingest

import (
	"container/heap"
	"context"
	"errors"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Options says what to read and how.
type Options struct {
	// Paths are files, directories or archives; "-" is Stdin.
	Paths []string
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Location is the zone of zone-less stamps (--tz). Nil: the machine's
	// local zone for local files, UTC with a warning for stdin.
	Location *time.Location
	// Year is the year of the first year-less line (--year); 0 infers it.
	Year int
	// Since and Until bound the events returned (zero: unbounded).
	Since, Until time.Time
	// Workers is the number of parse goroutines; 0 means GOMAXPROCS.
	Workers int
	// Warnings receives every problem with the input. Required.
	Warnings *event.Warnings

	// Journal reads this machine's journal (--journal), JournalDirs the
	// journal files below each directory (a bundle's var/log/journal,
	// a systemd-journal-remote directory of many hosts), JournalFiles
	// single journal files. Each is one source, "journal:<dir or file>"
	// ("journal:local" for Journal), merged with the text sources.
	Journal      bool
	JournalDirs  []string
	JournalFiles []string
	// JournalFields are journal fields the native reader reads besides
	// the ones the event model needs (it reads fields by name: go-systemd
	// cannot enumerate an entry's fields). The journalctl fallback and
	// export text always carry every field.
	JournalFields []string

	// Screen, when set, returns a function for one goroutine that runs
	// the engine's matchers on an event (engine.NewScreen). Parse workers
	// run it on the entries of text sources and keep its result in
	// Event.Screen, so that matching runs on both cores instead of the
	// consumer's. With a screen, the workers also defer the structured
	// payload of syslog messages (parse.Parser.DeferPayload): the screen
	// completes an event before anything that reads the payload's fields
	// or priority sees it, and leaves the others undecoded.
	Screen func() Screen
	// JudgeError, when set, is the timeline's error-level test
	// (timeline.JudgeError); parse workers run it on the entries of text
	// sources and keep the verdict in Event.ErrorLevel, where the event's
	// bytes are still in the core's cache. Safe for concurrent use.
	JudgeError func(*event.Event) bool
	// Skim, when its Line is set, lets the parse workers skim the lines
	// before Skim.Before that no signature can match (skim.go).
	Skim Skim
}

// Screen runs the engine's matchers on ev and returns what it found
// (engine.NewScreen). complete, when not nil, decodes ev's deferred
// payload: the screen calls it at most once, before a matcher or a
// signature that reads the payload's fields or priority does.
type Screen func(ev *event.Event, complete func(*event.Event)) any

// SourceStats describes one source after it was read (`events --stats`,
// timeline coverage).
type SourceStats struct {
	Path        string    // as the user named it; archive members as "archive.tar.gz:var/log/syslog"
	Format      string    // the format most of its events had
	Events      int64     // events read (before --since/--until)
	Bytes       int64     // decompressed bytes read
	First, Last time.Time // earliest and latest known event time
	TimeQuality string    // e.g. "exact", "year_inferred from gzip header"
	// Zone is the zone its zone-less times were read in ("Asia/Seoul",
	// "UTC+09:00", "Local") and ZoneFrom where that came from: "--tz",
	// "message offsets", "etc/localtime", "etc/timezone", "timedatectl",
	// "sos_commands/date/date", "journal banner", or, assumed, "local
	// zone" / "stdin default". Empty when every time had its own zone.
	Zone, ZoneFrom string
	// Duplicates are events of this source dropped because the same
	// event had already come from another source (syslog, journal,
	// journalctl text); see Stream.
	Duplicates int64
	// Skipped is what a --since seek left unread (seek.go).
	Skipped Skip
	// Skimmed counts the events before --since that no signature can
	// match, read only for their time and dropped (Options.Skim): they
	// are in Events, not in the stream.
	Skimmed int64
}

// Stream is the merged, time-ordered event stream. Not safe for
// concurrent use.
//
// The merge is a k-way merge over the sources' next events, keyed by
// (time, source rank): stable and deterministic. Sources rank in the
// order they were opened (rotated sets oldest first). An event without a
// time takes the last known time of its own source as its key, so it
// stays beside its neighbours. Within a source the file order is kept
// exactly; time going backwards is warned about, not re-sorted.
//
// When system logs of two kinds are read together (syslog files, native
// journals, journalctl text such as a sosreport's
// sos_commands/logs/journalctl_*), or several journalctl texts, an event
// is dropped when an event with the same host, program, pid and message
// came from another of those sources less than a second before it (in
// event time): the same line written to syslog by rsyslog and kept by
// journald counts once (dedupe.go). The first to arrive in time order
// is kept.
type Stream struct {
	opts Options
	// ranged: Since or Until is set; without them (most runs) Next does
	// not test each event's time.
	ranged  bool
	ws      *event.Warnings
	ctx     context.Context
	cancel  context.CancelFunc
	done    <-chan struct{} // closed when the stream stops
	workers int
	bs      int // block size of each source
	jobs    chan *chunk
	slots   chan struct{} // one per input reading (maxActive)

	inputs   []*input
	readable atomic.Bool
	wg       sync.WaitGroup // every goroutine but the workers
	workWG   sync.WaitGroup
	maps     mappings // mapped input files
	// tmpDir holds copies of archive members (spill.go); "" until needed.
	spillMu sync.Mutex
	tmpDir  string

	started bool
	srcs    []*source
	h       mergeHeap
	next    *source // whose head was returned last; advanced by Next
	dedupe  *dedupeWindow
	ev      *event.Event
	err     error
	closed  bool
}

// maxActive bounds the inputs read at once (see Open).
const maxActive = 32

// srcBatches is how many batches a source hands the merge ahead: a
// small file's two (its lines, then the Assembler's last entry).
const srcBatches = 2

// readBudget bounds the raw bytes all sources hold in flight; the block
// size shrinks when many sources are open at once.
const readBudget = 16 << 20

// minBlock is the smallest block size the budget shrinks a source to.
const minBlock = 32 << 10

// Open resolves opts.Paths and starts reading. Problems with single inputs
// become warnings; Open fails only on unusable options.
func Open(ctx context.Context, opts Options) (*Stream, error) {
	if opts.Warnings == nil {
		return nil, errors.New("ingest: Options.Warnings is required")
	}
	if len(opts.Paths) == 0 && !opts.hasJournal() {
		return nil, errors.New("ingest: no input paths")
	}
	stdin := 0
	for _, p := range opts.Paths {
		if p == "-" {
			stdin++
		}
	}
	if stdin > 0 && opts.Stdin == nil {
		return nil, errors.New("ingest: path \"-\" given but Options.Stdin is nil")
	}
	if stdin > 1 {
		return nil, errors.New("ingest: stdin (\"-\") named more than once")
	}
	if !opts.Since.IsZero() && !opts.Until.IsZero() && opts.Until.Before(opts.Since) {
		return nil, errors.New("ingest: until is before since")
	}
	s := &Stream{opts: opts, ws: opts.Warnings, workers: opts.Workers, ranged: !opts.Since.IsZero() || !opts.Until.IsZero()}
	if s.workers <= 0 {
		s.workers = runtime.GOMAXPROCS(0)
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.done = s.ctx.Done()
	s.inputs = resolve(&s.opts, s.ws)
	s.inputs = append(s.inputs, journalInputs(&s.opts)...)

	s.bs = blockSize
	if n := len(s.inputs) * (s.workers + 1); n > 0 {
		if per := readBudget / n; per < s.bs {
			s.bs = min(blockSize, max(per, minBlock))
		}
	}
	s.jobs = make(chan *chunk, s.workers)
	for range s.workers {
		s.workWG.Add(1)
		go func() {
			defer s.workWG.Done()
			worker(s.jobs, opts.Screen, opts.JudgeError, opts.Skim.Lines)
		}()
	}
	// Inputs start one after another, at most maxActive reading at once
	// (open files, goroutines): an input holds its slot until it has
	// been read, or until its source waits for the merge (parked), so
	// a directory of 100k small files is read in full, never all open.
	s.slots = make(chan struct{}, maxActive)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for _, in := range s.inputs {
			select {
			case s.slots <- struct{}{}:
			case <-s.done:
				return
			}
			in.release = sync.OnceFunc(func() { <-s.slots })
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer in.release()
				s.runInput(in)
			}()
		}
	}()
	// The workers stop once no input can send them work.
	go func() {
		s.wg.Wait()
		close(s.jobs)
	}()
	return s, nil
}

// Readable reports whether at least one input could be opened and read
// (the CLI exits 2 when none could). Complete once Next has returned
// false.
func (s *Stream) Readable() bool { return s.readable.Load() }

// start waits until every input has said what its sources are, then
// takes each source's first batch into the merge heap.
func (s *Stream) start() {
	s.started = true
	for _, in := range s.inputs {
		select {
		case <-in.ready:
		case <-s.done:
			return
		}
		for _, src := range in.srcs {
			src.rank = len(s.srcs)
			s.srcs = append(s.srcs, src)
		}
	}
	classes := make([]dedupeClass, 0, len(s.srcs))
	for _, src := range s.srcs {
		if src.journal {
			src.dedupe = dedupeJournal
		}
		classes = append(classes, src.dedupe)
		if s.fetch(src) {
			s.h = append(s.h, src)
		}
	}
	if needDedupe(classes) {
		s.dedupe = newDedupeWindow()
	}
	heap.Init(&s.h)
}

// fetch moves src to its next batch; false when src is exhausted or the
// stream stopped.
func (s *Stream) fetch(src *source) bool {
	if src.cur != nil {
		if s.dedupe != nil {
			// The duplicate window keeps recent events' strings.
			for _, t := range src.cur.texts {
				t.gc.Store(true)
			}
		}
		putBatch(src.cur)
		src.cur = nil
	}
	if s.ctx.Err() != nil {
		return false // Next reports it
	}
	select {
	case b, ok := <-src.ch:
		if !ok {
			return false
		}
		src.cur, src.i = b, 0
		src.setKey()
		return true
	case <-s.done:
		return false
	}
}

// setKey computes the merge key of src's head event.
func (src *source) setKey() {
	if t := src.cur.events[src.i].Time; !t.IsZero() {
		src.key = t
		return
	}
	src.key = src.lastKnown
}

// advance consumes the head event of src, the top of the heap.
func (s *Stream) advance(src *source) {
	if len(s.h) == 1 && src.i+1 < len(src.cur.events) {
		// The last source left: no order to keep with others, so no
		// merge key either (the common case: one file).
		src.i++
		return
	}
	if t := src.cur.events[src.i].Time; !t.IsZero() {
		src.lastKnown = t
	}
	src.i++
	if src.i < len(src.cur.events) {
		src.setKey()
		heap.Fix(&s.h, 0)
		return
	}
	if s.fetch(src) {
		heap.Fix(&s.h, 0)
		return
	}
	heap.Pop(&s.h)
}

// Next advances to the next event; false at the end of all input.
func (s *Stream) Next() bool {
	if s.closed || s.err != nil {
		return false
	}
	if !s.started {
		s.start()
	}
	if s.next != nil {
		s.advance(s.next)
		s.next = nil
	}
	// Cancellation is noticed between batches (fetch), not per event.
	for len(s.h) > 0 {
		src := s.h[0]
		ev := &src.cur.events[src.i]
		if s.ranged && !s.inRange(ev.Time) {
			s.advance(src)
			continue
		}
		if s.dedupe != nil && src.dedupe != dedupeNone && s.dedupe.seen(ev, src.rank) {
			src.stats.Duplicates++
			s.advance(src)
			continue
		}
		s.ev, s.next = ev, src
		return true
	}
	if err := s.ctx.Err(); err != nil {
		s.err = err
	}
	s.ev = nil
	return false
}

func (s *Stream) inRange(t time.Time) bool {
	since, until := s.opts.Since, s.opts.Until
	if since.IsZero() && until.IsZero() {
		return true
	}
	if t.IsZero() {
		return true // no time to place it outside (README "Inputs and formats")
	}
	return (since.IsZero() || !t.Before(since)) && (until.IsZero() || !t.After(until))
}

// Event returns the current event. It, and every string in it, is valid
// until the next call to Next: its strings point into a block of input
// that is reused (blockbuf.go). Copy it (event.Event.Clone) to keep it
// or any of its strings.
func (s *Stream) Event() *event.Event { return s.ev }

// Err returns the error that ended the stream early, if any (input
// problems are warnings, not errors).
func (s *Stream) Err() error { return s.err }

// Sources returns per-source statistics, in the order sources were
// opened. Complete once Next has returned false.
func (s *Stream) Sources() []SourceStats {
	out := make([]SourceStats, len(s.srcs))
	for i, src := range s.srcs {
		out[i] = src.stats
	}
	return out
}

// Close stops reading and releases every input. It waits for every
// goroutine of the stream to end; a Read blocked on Options.Stdin delays
// it until that Read returns.
func (s *Stream) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.cancel()
	s.wg.Wait()
	s.workWG.Wait()
	s.unmapAll()
	s.removeSpillDir()
	s.ev, s.next = nil, nil
	return nil
}

// mergeHeap orders sources by the key of their head event, then rank.
type mergeHeap []*source

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if c := h[i].key.Compare(h[j].key); c != 0 {
		return c < 0
	}
	return h[i].rank < h[j].rank
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(*source)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
