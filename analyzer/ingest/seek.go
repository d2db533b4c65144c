package ingest

import (
	"bytes"
	"os"
	"path"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// --since seeks (issue 20). With Options.Since set, a source need not be
// read from its start: what lies wholly before Since is filtered out after
// parsing anyway. Two ways leave it unread, each only where the result
// cannot change:
//
//   - A whole file or archive member is skipped when what it knows of its
//     end without reading it (the gzip header time, the file's or the
//     member's mtime: each a bound on its last line) lies before Since.
//   - A plain file (memory-mapped) is binary-searched for its first dated
//     line at Since: its lines are placed in time as its Assembler will
//     place them (the same zone, and for year-less stamps the same year:
//     the file's first line gets the anchor's year, a file crossing New
//     Year once gives the dates before its first the next one). The
//     search lands an hour early (seekSlack) and checks the order of the
//     times it probed and around where it landed; a file out of order is
//     read whole. The lines before the landing point are counted (one
//     memchr pass, no parsing), so events keep their line numbers.
//
// Lines without any time (a shell prompt pasted into a ticket) are kept
// by --since wherever they are; a file that starts with one is never
// skipped or searched, so that its timeless head stays in.

// seekSlack is how much earlier than Since a search lands, and how far
// back the times it probes may step: a zone-less clock read in the hour
// daylight saving time repeats (the Assembler may read it an hour later
// than its first reading), lines written late.
const seekSlack = time.Hour

// zoneMisreadSlack is added to a bound taken from a file's or member's
// mtime when its stamps carry no zone and no evidence named one (the
// reader's zone was assumed): read in the wrong zone, a wall clock lands
// up to 26 hours (UTC-12 to UTC+14) away from the instant the mtime
// records, and the events' times are what Since is compared with.
const zoneMisreadSlack = 26 * time.Hour

// Limits of the search; variables, so that tests reach every path with
// small files.
var (
	// minSeekSize is the smallest plain file searched: a small file is
	// read faster than it is searched.
	minSeekSize int64 = 1 << 20
	// seekWindow is the span the binary search narrows the landing
	// point to before it reads line by line; verifyWindow how much
	// before and after the landing point is read to check the order.
	seekWindow   = 64 << 10
	verifyWindow = 64 << 10
	// probeLines bounds the undated lines (continuations, unknown text)
	// a probe reads to find a dated one; more, and the file is read
	// whole.
	probeLines = 512
)

// Skip is what a --since seek left unread of a source (seek.go).
type Skip struct {
	// Whole: the source ends before Options.Since and was not read.
	Whole bool
	// Bytes and Lines were not read: a prefix of a plain file (found by
	// binary search), or the whole source (Bytes as stored: compressed
	// for a compressed file, whose Lines are then unknown, 0).
	Bytes, Lines int64
	// By names what showed where it ends: "binary search", "last line",
	// "gzip header", "file mtime", "archive member time".
	By string
}

// Seek reasons (Skip.By).
const (
	skipBySearch   = "binary search"
	skipByLastLine = "last line"
	skipByGzip     = "gzip header"
	skipByMtime    = "file mtime"
	skipByMember   = "archive member time"
	skipByNewer    = "next rotated file"
)

// seekTarget is where a search lands: an hour before Since.
func (s *Stream) seekTarget() time.Time { return s.opts.Since.Add(-seekSlack) }

// skipWhole marks src as skipped whole (bytes as stored) and completes
// its statistics; its channel is still the caller's to close.
func (run *srcRun) skipWhole(by string, size, lines int64) {
	src := run.src
	src.stats.Skipped = Skip{Whole: true, Bytes: size, Lines: lines, By: by}
	src.stats.Format = run.opts.Hint
}

// endsBefore reports whether the source ends before Since by what it
// knows of its end without reading it, and says what showed it: the
// earliest of the gzip header time, the file's mtime and the archive
// member's time (logrotate keeps the first two; tar keeps the third).
// Each bounds the last line's instant; when the stamps carry no zone and
// none was named, their reading may lie a zone's offset later
// (zoneMisreadSlack).
func (run *srcRun) endsBefore(f *anchorFacts, head []byte) (string, bool) {
	since := run.st.opts.Since
	if since.IsZero() {
		return "", false
	}
	var bound time.Time
	var by string
	for _, c := range []struct {
		t  time.Time
		by string
	}{{f.gzTime, skipByGzip}, {f.memberTime, skipByMember}, {f.mtime, skipByMtime}} {
		if c.t.Unix() > 0 && (bound.IsZero() || c.t.Before(bound)) {
			bound, by = c.t, c.by
		}
	}
	if bound.IsZero() {
		return "", false
	}
	slack := seekSlack
	if run.head.zoneLess && run.zone.assumed() {
		slack += zoneMisreadSlack
	}
	if !bound.Add(slack).Before(since) || !headDated(head, &run.opts) {
		return "", false
	}
	return by, true
}

// newerStartsBefore reports whether the next newer file of the source's
// rotated set (input.newer) starts before since, read in the same zone:
// logrotate moved this file aside before that one's first line was
// written, so this one ends before it. It bounds a file whose mtime
// cannot: a copy (mtime now), or zone-less stamps in an assumed zone
// (the two files' times are then read alike, whatever the zone).
func (s *Stream) newerStartsBefore(run *srcRun, newer *input, head []byte) bool {
	if newer == nil || s.opts.Since.IsZero() || !headDated(head, &run.opts) {
		return false
	}
	t, zone, ok := s.firstTime(newer)
	return ok && zone == run.zone.loc.String() && t.Add(seekSlack).Before(s.opts.Since)
}

// firstTime reads the first line of in as its own reading would place
// it, and names the zone it was read in; false when it has none.
func (s *Stream) firstTime(in *input) (time.Time, string, bool) {
	f, err := openRegular(in.path)
	if err != nil {
		return time.Time{}, "", false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return time.Time{}, "", false
	}
	d, err := decode(f)
	if err != nil {
		return time.Time{}, "", false
	}
	defer d.close()
	if d.isTar || bytes.HasPrefix(d.head, magicJournal) {
		return time.Time{}, "", false
	}
	facts := anchorFacts{name: path.Base(in.name), gzTime: d.gzTime, mtime: fi.ModTime()}
	if d.compr == "" {
		facts.tail, facts.size = f, fi.Size()
	}
	src := &source{stats: SourceStats{Path: in.name}}
	run := s.newRun(src, d, in.zone, facts, &event.Warnings{})
	ls := &lineSeeker{data: d.head, opts: run.opts, loc: run.opts.Location, anchor: run.anchor}
	first, ok := ls.headLine()
	if !ok {
		return time.Time{}, "", false
	}
	return first.t, run.zone.loc.String(), true
}

// headDated reports whether the first line of head that is not blank, a
// banner or a boot marker is an entry with a time: a source that starts
// with timeless lines is read, since --since keeps them.
func headDated(head []byte, o *parse.Options) bool {
	var p parse.Parser
	var ev event.Event
	for n := 0; len(head) > 0 && n < probeLines; n++ {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			return false // (the head's last line may be cut short)
		}
		line := head[:i]
		head = head[i+1:]
		ev.Reset()
		ev.Priority = event.NoPriority
		switch parseLine(&p, line, o, &ev) {
		case parse.KindSkip, parse.KindBanner, parse.KindBoot:
			continue
		case parse.KindEntry:
			return timed(&ev)
		}
		return false
	}
	return false
}

// timed reports whether ev has a time of its own.
func timed(ev *event.Event) bool {
	switch ev.TimeQuality {
	case event.TimeExact, event.TimeYearInferred, event.TimeZoneAssumed:
		return !ev.Time.IsZero()
	}
	return false
}

// seekPoint is where a search says a mapped file's reading starts.
type seekPoint struct {
	off   int   // byte offset of the first line read
	lines int64 // lines before it
	// firstYear, when not 0, is the year of the landing line, year-less:
	// the Assembler's anchor for the first line it sees.
	firstYear int
}

// seekMapped searches the mapped file data for where reading may start
// (see the top of this file). ok is false when the file is read whole,
// from its start. A point at len(data) means the file ends before Since.
func (run *srcRun) seekMapped(data []byte) (pt seekPoint, ok bool) {
	if run.st.opts.Since.IsZero() || int64(len(data)) < minSeekSize {
		return seekPoint{}, false
	}
	// A page that is gone (the file shrank) faults: read it whole, and
	// let the splitter say so.
	defer func() {
		if r := recover(); r != nil {
			if !isFault(r) {
				panic(r)
			}
			pt, ok = seekPoint{}, false
		}
	}()
	ls := &lineSeeker{data: data, opts: run.opts, loc: run.opts.Location, anchor: run.anchor}
	land, t, ok := ls.search(run.st.seekTarget(), run.st.opts.Since)
	if !ok || land == 0 {
		return seekPoint{}, false
	}
	if land == len(data) {
		return seekPoint{off: land}, true
	}
	pt = seekPoint{off: land, lines: countLines(data[:land], run.st.workers)}
	if pt.lines < 0 {
		return seekPoint{}, false
	}
	if ls.lineTime(lineAt(data, land)); ls.lastYearLess {
		pt.firstYear = t.In(ls.loc).Year()
	}
	return pt, true
}

// lineSeeker places the lines of a plain file in time as the source's
// Assembler will, without reading the file from its start.
type lineSeeker struct {
	data   []byte
	opts   parse.Options
	loc    *time.Location
	anchor parse.Anchor
	p      parse.Parser
	ev     event.Event
	// Year-less stamps: the year of the file's first line and the dates
	// of its first and last lines; rollover says the file crosses New
	// Year (once: a year-less file longer than a year is not placed).
	firstYear   int
	first, last monthDay
	rollover    bool
	// lastYearLess says the line lineTime read last was year-less.
	lastYearLess bool
}

// probe is a dated line the search read.
type probe struct {
	off int
	t   time.Time
}

// search returns the start of the first dated line at or after target:
// 0 when the file's first line is already there, len(data) when its
// last line is before it. since is the range's start: no line before
// the landing point may reach it. ok is false when the file cannot be
// searched (see seekMapped); t is the landing line's time.
func (ls *lineSeeker) search(target, since time.Time) (land int, t time.Time, ok bool) {
	data := ls.data
	first, ok := ls.headLine()
	if !ok {
		return 0, time.Time{}, false
	}
	if !first.t.Before(target) {
		return 0, first.t, true
	}
	last, ok := ls.tailLine()
	if !ok || last.t.Before(first.t.Add(-seekSlack)) {
		return 0, time.Time{}, false // newest first, or no order
	}
	if last.t.Before(target) {
		return len(data), time.Time{}, true
	}
	probes := []probe{first, last}
	// Invariants: dated lines starting before lo lie before target; the
	// dated line at land is at or after it; the lines in [hi, land) are
	// undated.
	lo, _ := nextLine(data, first.off)
	hi, land, landT := last.off, last.off, last.t
	for hi-lo > seekWindow {
		mid := lineStart(data, lo+(hi-lo)/2)
		if mid <= lo || mid >= hi {
			break
		}
		pr, next, found, ok := ls.dated(mid, hi)
		if !ok {
			return 0, time.Time{}, false
		}
		if !found {
			hi = mid
			continue
		}
		probes = append(probes, pr)
		if pr.t.Before(target) {
			lo = next
		} else {
			hi, land, landT = pr.off, pr.off, pr.t
		}
	}
	// Line by line over what is left.
	for off := lo; off < hi; {
		pr, next, found, ok := ls.dated(off, hi)
		if !ok {
			return 0, time.Time{}, false
		}
		if !found {
			break
		}
		probes = append(probes, pr)
		if !pr.t.Before(target) {
			land, landT = pr.off, pr.t
			break
		}
		off = next
	}
	if !inOrder(probes) || !ls.orderedAround(land, target, since) {
		return 0, time.Time{}, false
	}
	return land, landT, true
}

// inOrder reports whether the probed times rise with their offsets, but
// for steps back of less than seekSlack.
func inOrder(probes []probe) bool {
	slices.SortFunc(probes, func(a, b probe) int { return a.off - b.off })
	for i := 1; i < len(probes); i++ {
		if probes[i].t.Before(probes[i-1].t.Add(-seekSlack)) {
			return false
		}
	}
	return true
}

// orderedAround reads verifyWindow bytes before and after land: no
// dated line before it may reach since (it would be lost), and none
// after it may lie more than seekSlack before target (the times there
// are out of order, and so may be those the search skipped).
func (ls *lineSeeker) orderedAround(land int, target, since time.Time) bool {
	data := ls.data
	from := 0
	if land > verifyWindow {
		from = lineStart(data, land-verifyWindow)
	}
	to := min(len(data), land+verifyWindow)
	for off := from; off < to; {
		end, next := lineEnd0(data, off)
		t, dated, bad := ls.lineTime(data[off:end])
		switch {
		case bad:
			return false
		case !dated:
		case off < land && !t.Before(since):
			return false
		case off >= land && t.Before(target.Add(-seekSlack)):
			return false
		}
		off = next
	}
	return true
}

// headLine reads the file's first line that is not blank, a banner or a
// boot marker; it must be dated (see headDated). It fixes the year of a
// year-less file's first line and its first date.
func (ls *lineSeeker) headLine() (probe, bool) {
	data := ls.data
	for off, n := 0, 0; off < len(data) && n < probeLines; n++ {
		end, next := lineEnd0(data, off)
		line := data[off:end]
		ls.ev.Reset()
		ls.ev.Priority = event.NoPriority
		switch parseLine(&ls.p, line, &ls.opts, &ls.ev) {
		case parse.KindSkip, parse.KindBanner, parse.KindBoot:
			off = next
			continue
		case parse.KindEntry:
			if !timed(&ls.ev) {
				return probe{}, false
			}
		default:
			return probe{}, false
		}
		if ls.ev.TimeQuality == event.TimeYearInferred {
			w := ls.ev.Time.In(ls.loc)
			ls.first = monthDay{w.Month(), w.Day()}
			ls.firstYear = ls.anchor.YearOfFirst(w.Month(), w.Day(), ls.loc)
			if ls.firstYear == 0 {
				return probe{}, false
			}
			ls.last = ls.first // until tailLine
		}
		t, dated, bad := ls.lineTime(line)
		return probe{off, t}, dated && !bad
	}
	return probe{}, false
}

// tailLine reads the file's last dated line, from the end; for a
// year-less file it fixes the last date first (and whether the file
// crosses New Year).
func (ls *lineSeeker) tailLine() (probe, bool) {
	data := ls.data
	end := len(data)
	for n := 0; end > 0 && n < probeLines; n++ {
		if data[end-1] == '\n' {
			end--
		}
		start := bytes.LastIndexByte(data[:end], '\n') + 1
		line := data[start:end]
		ls.ev.Reset()
		ls.ev.Priority = event.NoPriority
		if parseLine(&ls.p, line, &ls.opts, &ls.ev) == parse.KindEntry && timed(&ls.ev) {
			if ls.ev.TimeQuality == event.TimeYearInferred {
				if !ls.first.known() {
					return probe{}, false
				}
				w := ls.ev.Time.In(ls.loc)
				ls.last = monthDay{w.Month(), w.Day()}
				ls.rollover = ls.first.after(ls.last)
			}
			t, dated, bad := ls.lineTime(line)
			return probe{start, t}, dated && !bad
		}
		end = start
	}
	return probe{}, false
}

// dated reads lines from off (a line start) up to hi for the first
// dated one: found is false when there is none before hi, ok false when
// probeLines lines went by without one or a date cannot be placed.
func (ls *lineSeeker) dated(off, hi int) (pr probe, next int, found, ok bool) {
	data := ls.data
	for n := 0; off < hi; n++ {
		if n == probeLines {
			return probe{}, 0, false, false
		}
		end, nx := lineEnd0(data, off)
		t, isDated, bad := ls.lineTime(data[off:end])
		if bad {
			return probe{}, 0, false, false
		}
		if isDated {
			return probe{off, t}, nx, true, true
		}
		off = nx
	}
	return probe{}, 0, false, true
}

// lineTime parses one line and places it in time. dated is false for a
// line without a time of its own; bad says its year-less date cannot be
// placed (outside the file's first .. last dates).
func (ls *lineSeeker) lineTime(line []byte) (t time.Time, dated, bad bool) {
	ev := &ls.ev
	ev.Reset()
	ev.Priority = event.NoPriority
	ls.lastYearLess = false
	if parseLine(&ls.p, line, &ls.opts, ev) != parse.KindEntry || !timed(ev) {
		return time.Time{}, false, false
	}
	if ev.TimeQuality != event.TimeYearInferred {
		return ev.Time, true, false
	}
	ls.lastYearLess = true
	w := ev.Time.In(ls.loc)
	d := monthDay{w.Month(), w.Day()}
	if ls.firstYear == 0 {
		return time.Time{}, true, true
	}
	y := ls.firstYear
	switch {
	case !ls.rollover && (ls.first.after(d) || d.after(ls.last)):
		return time.Time{}, true, true
	case !ls.rollover:
	case !ls.first.after(d):
	case !d.after(ls.last):
		y++
	default:
		return time.Time{}, true, true
	}
	return time.Date(y, w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), ls.loc), true, false
}

// lineEnd0 returns the end of the line starting at off (its '\n', or
// len(data)) and the start of the next.
func lineEnd0(data []byte, off int) (end, next int) {
	i := bytes.IndexByte(data[off:], '\n')
	if i < 0 {
		return len(data), len(data)
	}
	return off + i, off + i + 1
}

// nextLine returns the start of the line after the one at off.
func nextLine(data []byte, off int) (int, bool) {
	_, next := lineEnd0(data, off)
	return next, next < len(data)
}

// lineAt returns the line starting at off.
func lineAt(data []byte, off int) []byte {
	end, _ := lineEnd0(data, off)
	return data[off:end]
}

// lineStart returns the start of the first line that starts at or after
// off.
func lineStart(data []byte, off int) int {
	if off <= 0 {
		return 0
	}
	if i := bytes.IndexByte(data[off-1:], '\n'); i >= 0 {
		return off + i
	}
	return len(data)
}

// countLines counts the lines of a mapped prefix on up to workers
// goroutines, a stride at a time, dropping each stride's pages from the
// process once counted: a multi-GiB prefix costs memory bandwidth, not
// RSS. prefix must start on a page boundary (a mapping does). -1 when a
// CR is found (a lone CR ends a line too, crLines: the splitter would
// count otherwise) or the file shrank.
func countLines(prefix []byte, workers int) int64 {
	page := os.Getpagesize()
	parts := min(max(workers, 1), len(prefix)/countStride+1)
	per := (len(prefix)/parts + page - 1) / page * page
	counts := make([]int64, parts)
	var wg sync.WaitGroup
	for i := range parts {
		from, to := min(i*per, len(prefix)), min((i+1)*per, len(prefix))
		if i == parts-1 {
			to = len(prefix)
		}
		wg.Go(func() {
			// (A fault here, the file shrank, ends the process unless
			// this goroutine recovers it too.)
			debug.SetPanicOnFault(true)
			defer func() {
				if r := recover(); r != nil {
					if !isFault(r) {
						panic(r)
					}
					counts[i] = -1
				}
			}()
			var n int64
			for off := from; off < to; off += countStride {
				end := min(off+countStride, to)
				// Blocks that stay in the core's cache for the second
				// search.
				for b := off; b < end; b += 64 << 10 {
					blk := prefix[b:min(b+64<<10, end)]
					if bytes.IndexByte(blk, '\r') >= 0 {
						counts[i] = -1
						return
					}
					n += int64(bytes.Count(blk, nl))
				}
				if drop := end / page * page; drop > off {
					dropPages(prefix[off:drop])
				}
			}
			counts[i] = n
		})
	}
	wg.Wait()
	var total int64
	for _, n := range counts {
		if n < 0 {
			return -1
		}
		total += n
	}
	return total
}

// countStride is how much countLines counts between drops of pages.
const countStride = 8 << 20

// startAt makes the source's reading start at pt: the splitter, its line
// numbers, the Assembler's year for the first line it sees.
func (run *srcRun) startAt(sp *splitter, m *mapping, pt seekPoint) {
	sp.read, sp.line = int64(pt.off), pt.lines
	m.dropSkipped(pt.off)
	if pt.firstYear != 0 {
		cfg := run.asmCfg
		cfg.Anchor.FirstYear = pt.firstYear
		run.asm = parse.NewAssembler(cfg)
	}
	run.src.stats.Skipped = Skip{Bytes: int64(pt.off), Lines: pt.lines, By: skipBySearch}
}

// dropSkipped drops the pages of a mapped prefix the seek counted from
// the process (they stay in the page cache).
func (m *mapping) dropSkipped(off int) {
	page := os.Getpagesize()
	if to := off / page * page; to > m.copied {
		dropPages(m.data[m.copied:to])
		m.copied = to
	}
}
