package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// A source's pipeline (DESIGN §4, §8):
//
//	reader (this source) -> chunk -> workers (shared pool):
//	    parse, screen, judge, assemble in file order -> batch
//	emitter (this source, chunks in file order) -> batch -> merge
//
// The reader cuts the decompressed stream into blocks of whole lines
// (splitter), queues each block on the source's pending queue and hands it
// to the worker pool. A worker runs a parse.Parser on every line; with
// Options.Screen, it also runs the engine's matchers on each entry and
// judges whether it is error-level (Options.JudgeError), while the
// block is in its core's cache; then it runs the source's
// parse.Assembler over the block, if the blocks before it are done, and
// over any block parsed early that was waiting for this one. The emitter
// takes the blocks back in file order and hands their batches to the
// merge. The pending queue holds at most workers+1 blocks, so a source's
// memory is bounded whatever its size; blocks and batches are recycled
// through pools.

// chunk is one block of whole lines and, once a worker is done, their
// parse.
type chunk struct {
	mem   []byte         // backing array of buf, kept across reuse
	buf   []byte         // whole lines, the last one possibly unterminated
	first int64          // number of the first line
	opts  *parse.Options // of the source
	path  string         // Source.Path of the source
	// skimBefore, when not zero, is Skim.Before for a source whose
	// lines may be skimmed (skim.go).
	skimBefore time.Time
	parsed     []parse.Parsed // one per line, but one per run of blank lines
	// text is the copy of buf the parse's strings point into; the chunk
	// holds one reference until it is assembled (blockbuf.go).
	text *blockBuf
	bin  int64         // first line with NUL or invalid UTF-8; 0 if none
	done chan struct{} // receives one value when parsed and assembled
	// mapped, when not nil, is the memory-mapped file buf is a slice of,
	// from offset end-len(buf); a page of it faults if the file shrank.
	// faulted says one did, and nothing was parsed.
	mapped  *mapping
	end     int
	faulted bool

	// The worker that parsed the chunk also assembles it, while its
	// events are in that core's cache, if the source's chunks before it
	// are assembled; else whoever assembles the one before it does
	// (srcRun.assembleReady). seq is its place in the source.
	run   *srcRun
	seq   int64
	batch *batch // the assembled events
}

var chunkPool = sync.Pool{New: func() any { return &chunk{done: make(chan struct{}, 1)} }}

func getChunk() *chunk { return chunkPool.Get().(*chunk) }

func putChunk(c *chunk) {
	c.buf, c.opts = nil, nil
	c.clearParsed()
	c.skimBefore = time.Time{}
	c.bin = 0
	c.mapped, c.faulted = nil, false
	c.run, c.seq, c.batch = nil, 0, nil
	c.text = nil // (not assembled: left to the collector)
	if cap(c.mem) > 2*maxLineLen {
		c.mem = nil
	}
	chunkPool.Put(c)
}

// clearParsed zeroes every slot of c.parsed, as parseChunk needs them.
// The parse's strings are slices of the block's copy (blockText): a
// pooled chunk must not keep it alive either. (Up to cap: a run of blank
// lines leaves a slot past len.)
func (c *chunk) clearParsed() {
	clear(c.parsed[:cap(c.parsed)])
}

// batch is a run of finished events of one source, in file order.
type batch struct {
	events []event.Event
	// texts are the block copies its events' strings point into, one
	// reference each (blockbuf.go).
	texts []*blockBuf
}

var batchPool = sync.Pool{New: func() any { return new(batch) }}

func getBatch() *batch { return batchPool.Get().(*batch) }

func putBatch(b *batch) {
	clear(b.events) // drop the strings for the collector
	b.events = b.events[:0]
	b.texts = releaseAll(b.texts)
	batchPool.Put(b)
}

// parseLine is parse.Parser.ParseLine; tests put a parser whose output
// they control in its place.
var parseLine = (*parse.Parser).ParseLine

// fieldSlab is how many fields parseChunk allocates at a time.
const fieldSlab = 1024

// parseChunk runs ParseLine on every line of c. Each line's parser
// appends its fields straight into a slab shared by the chunk's events
// and never reused: the Assembler keeps them without a copy
// (AssemblerConfig.OwnFields). With skim, lines before c.skimBefore
// that it rules out are skimmed instead (skim.go).
//
// The slots of c.parsed, up to its capacity, must be zero (a new or a
// pooled chunk's are: clearParsed): a line's slot is given only what
// differs from zero, instead of a whole event copied in per line.
func parseChunk(c *chunk, deferPayload bool, skim *workerSkim) {
	c.parsed = c.parsed[:0]
	var slab []event.Field
	// One copy of the block instead of one per message: events' strings
	// are slices of it (what outlives them is cloned), and it is reused
	// once they are gone (blockbuf.go). The lines are parsed from the
	// copy too, so a mapped block is read only here.
	buf, ok := blockText(c)
	if !ok {
		c.faulted = true
		return
	}
	c.text = buf
	text := buf.text()
	data := unsafe.Slice(unsafe.StringData(text), len(text)) // read only
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		c.bin = firstBinaryLine(data, c.first)
	}
	// A Parser remembers the last stamp and recent hosts: lines of one
	// block share them. Per call, so never shared between workers.
	parser := parse.Parser{DeferPayload: deferPayload}
	if c.bin == 0 {
		parser.SetBlock(data, text)
	}
	var sk *skimmer
	if skim != nil && !c.skimBefore.IsZero() && c.bin == 0 {
		sk = newSkimmer(c.skimBefore, skim.lines, skim.ends, text, c.run.st.opts.Skim.Programs, &parser, c.opts)
		defer func() { skim.ends = sk.ends }()
	}
	line := c.first
	// The lines are cut from text, and each one's bytes are the same
	// memory (read only): the raw line comes without slicing text again.
	for rest := text; len(rest) > 0; {
		raw, start := rest, len(text)-len(rest)
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			raw, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		l := unsafe.Slice(unsafe.StringData(raw), len(raw))
		n := len(c.parsed)
		if n < cap(c.parsed) {
			c.parsed = c.parsed[:n+1]
		} else {
			c.parsed = append(c.parsed, parse.Parsed{})
		}
		p := &c.parsed[n] // zero
		if cap(slab)-len(slab) < 32 {
			slab = make([]event.Field, 0, fieldSlab)
		}
		free := slab[len(slab):len(slab)]
		p.Event.Priority, p.Event.Fields, p.Event.Source.Path = event.NoPriority, free, c.path
		p.Line, p.Raw = line, raw
		if sk != nil && sk.skim(p, raw, l, start) {
			if sk.fold(c.parsed) {
				c.parsed[n] = parse.Parsed{}
				c.parsed = c.parsed[:n]
			} else {
				sk.lastEntry = n
			}
			line++
			continue
		}
		p.Kind = parseLine(&parser, l, c.opts, &p.Event)
		p.Deferred = parser.Deferred()
		if f := p.Event.Fields; len(f) == 0 {
			p.Event.Fields = nil
		} else if cap(f) == cap(free) && &f[0] == &free[:1][0] {
			// Written in place: the slab moves past them, and they are
			// capped so that fields added later (CompletePayload) cannot
			// run into the next line's.
			slab = slab[:len(slab)+len(f)]
			p.Event.Fields = f[:len(f):len(f)]
		}
		if p.Kind == parse.KindSkip && n > 0 && c.parsed[n-1].Kind == parse.KindSkip {
			// One blank line says what a run of them says (the
			// Assembler's continuation rule): reuse the slot.
			c.parsed[n] = parse.Parsed{}
			c.parsed = c.parsed[:n]
		} else if sk != nil {
			sk.parsed(c.parsed, n)
		}
		line++
	}
	if sk != nil {
		sk.unskim(c.parsed) // (its continuations may start the next block)
	}
}

// blockText returns a copy of c's block; false when the block is mapped
// and a page of it is gone (the worker runs with debug.SetPanicOnFault).
func blockText(c *chunk) (text *blockBuf, ok bool) {
	if c.mapped == nil {
		return newBlockBuf(c.buf), true
	}
	defer func() {
		if r := recover(); r != nil {
			if !isFault(r) {
				panic(r)
			}
			ok = false
		}
	}()
	return newBlockBuf(c.buf), true
}

// firstBinaryLine returns the number of the first line of data holding a
// NUL byte or invalid UTF-8.
func firstBinaryLine(data []byte, first int64) int64 {
	line := first
	for len(data) > 0 {
		l := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if bytes.IndexByte(l, 0) >= 0 || !utf8.Valid(l) {
			return line
		}
		line++
	}
	return first
}

// worker parses, screens, judges and assembles chunks until jobs is
// closed (see the pipeline above).
func worker(jobs <-chan *chunk, newScreen func() Screen, judgeError func(*event.Event) bool, newSkimLines func() func(string, []int) []int) {
	// A mapped block whose file shrank faults when copied: blockText
	// recovers.
	debug.SetPanicOnFault(true)
	var screen Screen
	if newScreen != nil {
		screen = newScreen()
	}
	var skim *workerSkim
	if newSkimLines != nil {
		skim = &workerSkim{lines: newSkimLines()}
	}
	var completed bool
	complete := func(ev *event.Event) {
		parse.CompletePayload(ev)
		completed = true
	}
	for c := range jobs {
		parseChunk(c, screen != nil, skim)
		for i := range c.parsed {
			p := &c.parsed[i]
			if p.Kind != parse.KindEntry && p.Kind != parse.KindText || p.Skim {
				// (A line of text is mostly an event of its own.)
				continue
			}
			switch {
			case screen == nil:
			case p.Deferred:
				completed = false
				p.Event.Screen = screen(&p.Event, complete)
				p.Deferred = !completed
			default:
				p.Event.Screen = screen(&p.Event, nil)
			}
			if judgeError != nil && (c.skimBefore.IsZero() || !p.Event.Time.Before(c.skimBefore)) {
				// (A deferred payload never changes the verdict. Before
				// Skim.Before no event is judged: none is reported, and
				// one the Assembler moves into the range is judged where
				// the verdict is read, as it is unjudged.)
				p.Event.ErrorLevel = event.VerdictNo
				if judgeError(&p.Event) {
					p.Event.ErrorLevel = event.VerdictYes
				}
			}
		}
		c.run.assembleReady(c) // signals done for what it assembles
	}
}

// source is one log stream: a file, stdin, or an archive member.
type source struct {
	stats SourceStats
	rank  int
	ch    chan *batch // finished batches in file order; closed at the end
	// park, when set, is called when the source waits for the merge:
	// it gives its input's reading slot back (input.release).
	park func()
	// journal marks a native journal source (for duplicate detection).
	journal bool
	// dedupe is the source's kind for duplicate detection (dedupe.go).
	dedupe dedupeClass
	// unordered: a command output read as state, whose log lines (the
	// journal tail of each unit of `systemctl status --all`) go back in
	// time without anything being wrong; it is put in time order whole.
	unordered bool

	// filled by the assembler side
	formats   []formatCount
	zoneLess  bool // some event had a zone-less stamp
	yearLess  bool // some event had a year-less stamp
	lastCheck time.Time
	// event.Nanos of stats.First, stats.Last and lastCheck, compared
	// without Time's calls.
	firstNs, lastNs, checkNs int64
	// The order of the source's times: steps between dated events, how
	// many went back, and the backwards warnings held until the first
	// newestFirstSample steps show whether the whole source runs newest
	// first (one warning then, not one per line).
	steps, backSteps int64
	heldBack         []heldWarning
	newestFirst      bool
	// inOrder: the sample showed the source is not newest first; only
	// steps back are accounted now.
	inOrder bool

	// merge state, owned by Stream.Next
	cur       *batch
	i         int
	key       time.Time // merge key of the head event
	lastKnown time.Time
}

type formatCount struct {
	format string
	n      int64
}

// account updates the source's statistics with events in file order and
// warns about times that go backwards by more than a minute. It runs on
// every event: the times are compared as nanoseconds kept in locals, the
// Times stored once per batch, and a source whose order is settled calls
// step only for a step back.
func (src *source) account(evs []event.Event, ws *event.Warnings) {
	st := &src.stats
	st.Events += int64(len(evs))
	firstNs, lastNs, checkNs := src.firstNs, src.lastNs, src.checkNs
	firstI, lastI, checkI := -1, -1, -1 // events that moved them, in evs
	dated, checked := !st.First.IsZero(), !src.lastCheck.IsZero()
	format, run := "", int64(0) // a run of events of one format
	for i := range evs {
		ev := &evs[i]
		if f := ev.Source.Format; len(f) != len(format) || unsafe.StringData(f) != unsafe.StringData(format) {
			// (Formats are the parser's constants: one pointer test.)
			src.countFormat(format, run)
			format, run = f, 0
		}
		run++
		switch ev.TimeQuality {
		case event.TimeYearInferred:
			src.yearLess, src.zoneLess = true, true
		case event.TimeZoneAssumed:
			src.zoneLess = true
		}
		if ev.Time.IsZero() {
			continue
		}
		ns := event.Nanos(ev.Time)
		switch {
		case !dated:
			dated, firstNs, lastNs, firstI, lastI = true, ns, ns, i, i
		case ns < firstNs:
			firstNs, firstI = ns, i
		case ns > lastNs:
			lastNs, lastI = ns, i
		}
		if checked && !src.unordered && (!src.inOrder || checkNs-ns > int64(backwardsTolerance)) {
			if checkI >= 0 {
				src.lastCheck = evs[checkI].Time
			}
			src.checkNs = checkNs
			src.step(ev, ev.Time, ns, ws)
		}
		checked, checkNs, checkI = true, ns, i
		if ev.Screen != nil && parse.IsSkimmed(ev) {
			// A run of skimmed lines of one time: each line after the
			// first is a step of zero from the one before.
			more := parse.SkimmedLines(ev) - 1
			st.Events += int64(more)
			run += int64(more)
			for j := 0; j < more && !src.unordered && !src.inOrder; j++ {
				src.lastCheck, src.checkNs = ev.Time, ns
				src.step(ev, ev.Time, ns, ws)
			}
		}
	}
	src.countFormat(format, run)
	if firstI >= 0 {
		st.First, src.firstNs = evs[firstI].Time, firstNs
	}
	if lastI >= 0 {
		st.Last, src.lastNs = evs[lastI].Time, lastNs
	}
	if checkI >= 0 {
		src.lastCheck, src.checkNs = evs[checkI].Time, checkNs
	}
}

// newestFirstSample is how many steps between dated events decide
// whether a source runs newest first: until then its backwards warnings
// are held.
const newestFirstSample = 16

// heldWarning is a backwards warning not yet given.
type heldWarning struct {
	line int64
	msg  string
}

// step accounts for the step from the previous dated event to ev (at t,
// ns): a step back by more than backwardsTolerance is warned about,
// unless the source turns out to run newest first as a whole (a
// container log export sorted latest first): then one warning says so
// when the source ends.
func (src *source) step(ev *event.Event, t time.Time, ns int64, ws *event.Warnings) {
	src.steps++
	back := ns < src.checkNs
	if back {
		src.backSteps++
	}
	if src.newestFirst {
		return
	}
	if back && src.checkNs-ns > int64(backwardsTolerance) {
		msg := fmt.Sprintf("time goes backwards by %s (from %s to %s); kept in file order",
			src.lastCheck.Sub(t).Round(time.Second), src.lastCheck.Format(time.RFC3339), t.Format(time.RFC3339))
		if src.steps <= newestFirstSample {
			src.heldBack = append(src.heldBack, heldWarning{ev.Source.Line, msg})
		} else {
			ws.Addf(src.stats.Path, ev.Source.Line, "%s", msg)
		}
	}
	if src.steps == newestFirstSample {
		src.settleOrder(ws)
	}
}

// settleOrder decides, once, whether the source runs newest first:
// (nearly) every step so far went back. If not, the held warnings are
// given.
func (src *source) settleOrder(ws *event.Warnings) {
	if src.steps >= 2 && src.backSteps*8 >= src.steps*7 {
		src.newestFirst = true
	} else {
		src.inOrder = true
		for _, w := range src.heldBack {
			ws.Addf(src.stats.Path, w.line, "%s", w.msg)
		}
	}
	src.heldBack = nil
}

// finishOrder settles the order of a source shorter than the sample and
// says, once, that a source ran newest first.
func (src *source) finishOrder(ws *event.Warnings) {
	if src.steps < newestFirstSample {
		src.settleOrder(ws)
	}
	if src.newestFirst {
		ws.Addf(src.stats.Path, 0, "times run newest first (%d of %d steps go back, %s to %s); read in file order",
			src.backSteps, src.steps, src.stats.Last.Format(time.RFC3339), src.stats.First.Format(time.RFC3339))
	}
}

// restat recomputes the first and last times of a source whose times
// were corrected after they were accounted (stateBatches).
func (src *source) restat(batches []*batch) {
	st := &src.stats
	st.First, st.Last = time.Time{}, time.Time{}
	for _, b := range batches {
		for i := range b.events {
			t := b.events[i].Time
			if t.IsZero() {
				continue
			}
			if st.First.IsZero() || t.Before(st.First) {
				st.First = t
			}
			if st.Last.IsZero() || t.After(st.Last) {
				st.Last = t
			}
		}
	}
	src.firstNs, src.lastNs = event.Nanos(st.First), event.Nanos(st.Last)
}

// zoneQuality adds the zone's provenance to a source's time quality
// when evidence named the zone: "zone_from etc/localtime (Asia/Seoul)"
// instead of "zone_assumed (...)", or after "year_inferred from ...".
// With --tz or no evidence, "zone_assumed (Local)" says it already.
func zoneQuality(q string, zc zoneChoice) string {
	if zc.assumed() || zc.from == zoneFromTZ {
		if strings.HasPrefix(q, "zone_assumed (") {
			return "zone_assumed (" + zc.loc.String() + ")"
		}
		return q
	}
	from := "zone_from " + zc.from + " (" + zc.loc.String() + ")"
	switch {
	case strings.HasPrefix(q, "zone_assumed ("):
		return from
	case strings.HasPrefix(q, "year_inferred"):
		return q + "; " + from
	}
	return q
}

// backwardsTolerance is how far a source may step back in time without
// a warning (rsyslog's "message repeated" lines, small clock steps).
const backwardsTolerance = time.Minute

// countFormat counts n more events of format f.
func (src *source) countFormat(f string, n int64) {
	if n == 0 {
		return
	}
	for i := range src.formats {
		if src.formats[i].format == f {
			src.formats[i].n += n
			return
		}
	}
	src.formats = append(src.formats, formatCount{f, n})
}

// finishStats sets the source's Format: the most frequent one, the first
// seen on a tie.
func (src *source) finishStats() {
	var best formatCount
	for _, f := range src.formats {
		if f.n > best.n {
			best = f
		}
	}
	src.stats.Format = best.format
}

// srcRun is what a source's pipeline needs.
type srcRun struct {
	st      *Stream
	src     *source
	opts    parse.Options
	asm     *parse.Assembler
	asmCfg  parse.AssemblerConfig // asm's, for a seek that starts mid-file
	r       io.Reader
	anchor  parse.Anchor
	compr   string // compression name, "" for none
	stdin   bool   // zone and year come from defaults: warn when used
	zone    zoneChoice
	head    headScan // what the source's head says about its times
	emit    func(*batch) bool
	pending chan *chunk
	// file, when not nil, is the source's regular, uncompressed file of
	// size bytes: pumpLines maps it instead of reading r.
	file *os.File
	size int64
	// asmDone says the assembler saw every chunk: none is left with a
	// worker.
	asmDone bool
	// shrank says a mapped file was found shrunk (warned about once).
	shrank atomic.Bool
	// Assembly, by the workers (assembleReady): the next chunk in file
	// order, the parsed chunks waiting for it, the source's binary data
	// warned about. asmMu guards them and the Assembler.
	asmMu     sync.Mutex
	nextSeq   int64
	parked    map[int64]*chunk
	binWarned bool
	// heldTexts are the block copies the Assembler's held-back entry
	// points into, one reference each (keepTexts).
	heldTexts []*blockBuf
}

// pumpLines runs the line pipeline of one source to its end: the reader
// in the calling goroutine, the assembler in another. It returns when
// every batch was emitted or the stream was stopped.
func (run *srcRun) pumpLines() {
	st := run.st
	var sp *splitter
	m := run.mapInput()
	var from seekPoint
	if m != nil {
		sp = newMappedSplitter(m.data, st.bs, run.src.stats.Path, st.ws)
		// The splitter (and the seek) recover from a fault of a page
		// that is gone.
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		if pt, ok := run.seekMapped(m.data); ok {
			if pt.off == len(m.data) {
				run.skipWhole(skipByLastLine, int64(len(m.data)), 0)
				st.unmap(m)
				return
			}
			from = pt
			run.startAt(sp, m, pt)
		}
	} else {
		sp = newSplitter(run.r, st.bs, run.src.stats.Path, st.ws)
	}
	sp.done = st.done
	skim := run.skimSource()
	run.pending = make(chan *chunk, st.workers+1)
	asmDone := make(chan struct{})
	go func() {
		defer close(asmDone)
		run.assemble()
	}()
	defer func() {
		close(run.pending)
		<-asmDone
		if m != nil && run.asmDone {
			st.unmap(m) // else Close does, once the workers are gone
		}
	}()
	var seq int64
	for {
		c := getChunk()
		if !sp.next(c) {
			putChunk(c)
			break
		}
		c.opts, c.path = &run.opts, run.src.stats.Path
		if skim {
			c.skimBefore = st.opts.Skim.Before
		}
		c.run, c.seq = run, seq
		if m != nil {
			c.mapped, c.end = m, int(sp.read)
		}
		seq++
		select {
		case run.pending <- c:
		case <-st.done:
			putChunk(c)
			return
		}
		select {
		case st.jobs <- c:
		case <-st.done:
			return
		}
	}
	run.src.stats.Bytes = sp.read - int64(from.off)
	if errors.Is(sp.err, errStopped) {
		return
	}
	if sp.err != nil {
		run.readFailed(sp.err, sp.line)
	}
}

// mapInput maps the source's file, if it has one worth mapping; nil
// when it is read instead.
func (run *srcRun) mapInput() *mapping {
	if run.file == nil || run.size < minMapSize || !useMmap {
		return nil
	}
	data, err := mapFile(run.file, run.size)
	if err != nil {
		return nil // read it
	}
	if mapped != nil {
		mapped(run.src.stats.Path)
	}
	return run.st.track(data)
}

// readFailed warns about a read error that ended a source early.
func (run *srcRun) readFailed(err error, line int64) {
	path := run.src.stats.Path
	if errors.Is(err, errShrank) {
		run.warnShrank(line)
		return
	}
	if run.compr != "" && (errors.Is(err, io.ErrUnexpectedEOF) || isTruncation(err)) {
		run.st.ws.Addf(path, line, "unexpected end of %s data after line %d", run.compr, line)
		return
	}
	run.st.ws.Addf(path, line, "read error after line %d: %v", line, err)
}

// assembleReady runs the source's Assembler, in a worker, over the
// parsed chunk c and every parsed chunk after it that was waiting for c,
// in file order: a chunk parsed before the one ahead of it waits in
// parked instead of blocking its worker. Each chunk it assembles gets
// its done signal.
func (run *srcRun) assembleReady(c *chunk) {
	run.asmMu.Lock()
	defer run.asmMu.Unlock()
	if run.parked == nil {
		run.parked = map[int64]*chunk{}
	}
	run.parked[c.seq] = c
	for {
		c, ok := run.parked[run.nextSeq]
		if !ok {
			return
		}
		delete(run.parked, run.nextSeq)
		run.nextSeq++
		run.assembleChunk(c)
		c.done <- struct{}{}
	}
}

// assembleChunk runs the Assembler over c; the caller holds asmMu and
// knows c is the next chunk in file order.
func (run *srcRun) assembleChunk(c *chunk) {
	st, src := run.st, run.src
	if c.faulted {
		run.warnShrank(c.first - 1)
	}
	if c.mapped != nil {
		c.mapped.dropCopied(c.end)
	}
	if c.bin > 0 && !run.binWarned {
		run.binWarned = true
		st.ws.Addf(src.stats.Path, c.bin, "binary data at line %d (NUL bytes or invalid UTF-8); read as text", c.bin)
	}
	b := getBatch()
	_, held, _ := run.asm.Holding()
	b.events = run.asm.AddAll(b.events, c.parsed)
	if c.text != nil {
		run.keepTexts(b, c.text, held)
		c.text = nil
	}
	src.account(b.events, st.ws)
	if !c.skimBefore.IsZero() {
		var dropped int64
		b.events, dropped = dropSkimmed(b.events, c.skimBefore, &run.opts)
		src.stats.Skimmed += dropped
	}
	c.batch = b
}

// keepTexts hands the references to the block copies that b's events
// point into to b, and keeps those the Assembler's held-back entry
// points into (blockbuf.go): text is the block just assembled into b,
// and held was Holding's count before.
func (run *srcRun) keepTexts(b *batch, text *blockBuf, held uint64) {
	pending, nowHeld, block := run.asm.Holding()
	if nowHeld != held {
		// The entry held back before is in b now (or was replaced by
		// one in it).
		b.texts = append(b.texts, run.heldTexts...)
		run.heldTexts = run.heldTexts[:0]
	}
	if pending {
		// Held back from this block, or joined by its lines.
		text.hold()
		run.heldTexts = append(run.heldTexts, text)
	}
	if block {
		text.gc.Store(true)
	}
	b.texts = append(b.texts, text)
}

// warnShrank warns, once, that the source's mapped file shrank while
// it was read: lines after line are missing.
func (run *srcRun) warnShrank(line int64) {
	if run.shrank.CompareAndSwap(false, true) {
		run.st.ws.Addf(run.src.stats.Path, line, "the file shrank while it was read (truncated by log rotation?): lines after %d are skipped", line)
	}
}

// assemble takes the assembled chunks back in file order and emits
// their events, then the Assembler's last one.
func (run *srcRun) assemble() {
	st, src := run.st, run.src
	for c := range run.pending {
		select {
		case <-c.done:
		case <-st.done:
			return // the chunk may still be with a worker: not recycled
		}
		b := c.batch
		putChunk(c)
		if !run.emitBatch(b) {
			return
		}
	}
	b := getBatch()
	b.events = run.asm.Flush(b.events)
	b.texts = append(b.texts, run.heldTexts...)
	run.heldTexts = nil
	run.send(b)
	src.stats.TimeQuality = run.asm.TimeQuality()
	run.finish()
	run.asmDone = true
}

// sendTo returns the emit of a streaming source: hand each batch to the
// merge, or drop it once the stream was stopped.
func (s *Stream) sendTo(src *source) func(*batch) bool {
	return func(b *batch) bool {
		select {
		case src.ch <- b:
			return true
		default:
		}
		// The merge has enough of this source for now: another input
		// may read meanwhile.
		if src.park != nil {
			src.park()
		}
		select {
		case src.ch <- b:
			return true
		case <-s.done:
			putBatch(b)
			return false
		}
	}
}

// send accounts for b and emits it; false when the stream was stopped.
func (run *srcRun) send(b *batch) bool {
	run.src.account(b.events, run.st.ws)
	return run.emitBatch(b)
}

// emitBatch emits b unless it is empty; false when the stream was
// stopped.
func (run *srcRun) emitBatch(b *batch) bool {
	if len(b.events) == 0 {
		putBatch(b)
		return true
	}
	return run.emit(b)
}

// finish completes the statistics, names the zone of zone-less times
// and where it came from, and warns about defaults that were actually
// used and about evidence that disagrees.
func (run *srcRun) finish() {
	src := run.src
	src.finishStats()
	src.finishOrder(run.st.ws)
	if src.zoneLess {
		zc := run.zone
		src.stats.Zone, src.stats.ZoneFrom = zc.loc.String(), zc.from
		src.stats.TimeQuality = zoneQuality(src.stats.TimeQuality, zc)
		if zc.conflict != "" {
			run.st.ws.Addf(src.stats.Path, 0, "%s", zc.conflict)
		}
	}
	if run.stdin && src.zoneLess {
		run.st.ws.Addf(src.stats.Path, 0, "zone-less times on stdin read as UTC; set --tz")
	}
	if run.anchor.Provenance == provCurrentTime && src.yearLess {
		run.st.ws.Addf(src.stats.Path, 0, "the year of year-less times was assumed from the current time; set --year")
	}
}

// entryReader reads a source that is not line-based: journalctl -o
// export. Next returns io.EOF at the end; an error that is not io.EOF
// concerns one entry, and reading continues.
type entryReader interface {
	Next(ev *event.Event) error
}

// newExportReader reads journal-export sources; a variable so that tests
// can stand in a reader of their own.
var newExportReader = func(r io.Reader) entryReader { return parse.NewExportReader(r) }

// exportBatch is how many entries an export source hands out at a time.
const exportBatch = 1024

// pumpEntries reads an entry-based source sequentially in the calling
// goroutine (it cannot be cut into blocks).
func (run *srcRun) pumpEntries() {
	st, src := run.st, run.src
	cr := &countingReader{r: run.r}
	er := newExportReader(cr)
	b := getBatch()
	var n, lastLine int64
	bad := 0
	for {
		select {
		case <-st.done:
			putBatch(b)
			return
		default:
		}
		k := len(b.events)
		if k < cap(b.events) {
			b.events = b.events[:k+1]
		} else {
			b.events = append(b.events, event.Event{})
		}
		ev := &b.events[k]
		err := er.Next(ev)
		if err != nil {
			b.events = b.events[:k]
			if errors.Is(err, io.EOF) {
				break
			}
			var fe *parse.FormatError
			if errors.As(err, &fe) {
				if bad++; bad > 1000 && n == 0 {
					st.ws.Addf(src.stats.Path, fe.Line, "giving up: no valid export entries")
					break
				}
				st.ws.Addf(src.stats.Path, fe.Line, "bad export entry: %s", fe.Msg)
				continue
			}
			run.readFailed(unwrapRead(err), lastLine)
			break
		}
		lastLine = ev.Source.Line
		n++
		ev.Source.Path = src.stats.Path
		if ev.Source.Format == "" {
			ev.Source.Format = parse.FormatJournalExport
		}
		if len(b.events) == exportBatch {
			if !run.send(b) {
				return
			}
			b = getBatch()
		}
	}
	src.stats.Bytes = cr.n
	if !run.send(b) {
		return
	}
	src.stats.TimeQuality = "exact"
	run.finish()
}

// unwrapRead takes the reader's own error out of its readErr mark.
func unwrapRead(err error) error {
	var re *readErr
	if errors.As(err, &re) {
		return re.err
	}
	return err
}

// countingReader counts bytes and marks read errors so that they can be
// told from bad entries.
type countingReader struct {
	r io.Reader
	n int64
}

type readErr struct{ err error }

func (e *readErr) Error() string { return e.err.Error() }
func (e *readErr) Unwrap() error { return e.err }

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		err = &readErr{err}
	}
	return n, err
}
