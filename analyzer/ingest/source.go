package ingest

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// openFile is os.Open; tests make it fail.
var openFile = os.Open

// runInput opens one input and reads it to its end: one streaming
// source, or the log members of an archive.
func (s *Stream) runInput(in *input) {
	if in.journal != nil {
		s.runJournal(in)
		return
	}
	published := false
	publish := func() {
		if !published {
			published = true
			close(in.ready)
		}
	}
	defer publish()

	var raw io.Reader
	var facts anchorFacts
	var file *os.File
	var size int64
	if in.path == "" {
		raw, facts.stdin = s.opts.Stdin, true
	} else {
		f, err := openFile(in.path)
		if err != nil {
			s.ws.Addf(in.name, 0, "cannot read: %v", unwrapPath(err))
			return
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil {
			if fi.IsDir() {
				s.ws.Addf(in.name, 0, "cannot read: is a directory")
				return
			}
			facts.mtime = fi.ModTime()
			if fi.Mode().IsRegular() {
				file, size = f, fi.Size()
			}
		}
		raw = f
	}
	d, err := decode(raw)
	if err != nil {
		s.ws.Addf(in.name, 0, "cannot read: %v", err)
		return
	}
	defer d.close()
	if d.isTar {
		s.readable.Store(true)
		s.readArchive(in, d, facts.stdin)
		return
	}
	if bytes.HasPrefix(d.head, magicJournal) {
		s.ws.Addf(in.name, 0, "native journal file skipped: read it with --journal-dir or --journal-file")
		return
	}
	s.readable.Store(true)
	facts.name, facts.gzTime = path.Base(in.name), d.gzTime
	if d.compr == "" && file != nil {
		facts.tail, facts.size = file, size
	}
	src := &source{stats: SourceStats{Path: in.name}, ch: make(chan *batch, 1)}
	// Before the source is published: Stream.start reads it.
	format, _ := parse.Sniff(d.head)
	src.dedupe = dedupeClassOf(in.name, format, in.command)
	in.srcs = []*source{src}
	publish()
	if in.command != "" {
		facts.command, facts.snapshot = in.command, facts.mtime
		if in.bundle != nil {
			facts.host = in.bundle.host
		}
	}
	run := s.newRun(src, d, in.zone, facts, s.ws)
	if in.command != "" {
		s.readStateFile(run, d, src, facts.snapshot, in.bundle)
		close(src.ch)
		return
	}
	if d.compr == "" {
		run.file, run.size = file, size
	}
	run.emit = s.sendTo(src)
	run.pump(d)
	close(src.ch)
}

// zoneChoice is the zone of a source's zone-less stamps and where it came
// from (zone_from in coverage).
type zoneChoice struct {
	loc  *time.Location
	from string
	// conflict warns that a weaker signal names another offset; "" when
	// every signal agrees. Warned about once the source is known to have
	// zone-less stamps.
	conflict string
}

// assumed says no evidence named the zone: the reader's, or UTC on stdin.
func (z zoneChoice) assumed() bool { return z.from == zoneFromLocal || z.from == zoneFromStdin }

// chooseZone picks the zone of a source's zone-less stamps, strongest
// signal first (DESIGN §9): --tz, the offsets its messages state, the
// bundle's zone files, a journalctl banner (its own, else one of the
// bundle's), else the reader's zone (UTC for stdin).
func (s *Stream) chooseZone(bundle *bundleZone, head *headScan, stdin bool) zoneChoice {
	files := bundle.best(true)
	banner := head.banner
	if b := bundle.best(false); !banner.ok() && b.from == zoneFromBanner {
		banner = b
	}
	var sigs []zoneSignal
	if s.opts.Location != nil {
		sigs = append(sigs, zoneSignal{loc: s.opts.Location, from: zoneFromTZ})
	}
	// A named zone that fits the offsets knows daylight saving time for
	// the rest of the source.
	named := []*time.Location{s.opts.Location, files.loc, banner.loc}
	if !stdin {
		named = append(named, time.Local)
	}
	var at time.Time
	if loc := head.messageZone(named); loc != nil {
		at = head.samples[0].at
		sigs = append(sigs, zoneSignal{loc: loc, from: zoneFromMessages, at: at})
	}
	for _, sig := range []zoneSignal{files, banner} {
		if sig.ok() {
			sigs = append(sigs, sig)
			if at.IsZero() {
				at = sig.at
			}
		}
	}
	if len(sigs) == 0 {
		if stdin {
			return zoneChoice{loc: time.UTC, from: zoneFromStdin}
		}
		return zoneChoice{loc: time.Local, from: zoneFromLocal}
	}
	zc := zoneChoice{loc: sigs[0].loc, from: sigs[0].from}
	for _, o := range sigs[1:] {
		if sigs[0].offsetAt(at) != o.offsetAt(at) {
			zc.conflict = "zone evidence disagrees: " + sigs[0].describe(at) + " vs " + o.describe(at) + "; using " + sigs[0].from
			break
		}
	}
	return zc
}

// newRun prepares a source's pipeline: its zone and year anchor from the
// evidence (its head, the bundle's zone files), and its Assembler, which
// warns into ws.
func (s *Stream) newRun(src *source, d *decoded, bundle *bundleZone, facts anchorFacts, ws *event.Warnings) *srcRun {
	format, _ := parse.Sniff(d.head)
	var head headScan
	if format != parse.FormatJournalExport {
		head = scanHead(d.head)
		if facts.tail != nil {
			tail := scanTail(facts.tail, facts.size)
			if int64(len(d.head)) < facts.size {
				head.samples = append(head.samples, tail.samples...)
			}
			facts.last = tail.last
		}
	}
	zc := s.chooseZone(bundle, &head, facts.stdin)
	facts.msgYear, facts.first = head.messageYear(), head.first
	anchor := anchorFor(s.opts.Year, zc.loc, facts)
	asm := parse.NewAssembler(parse.AssemblerConfig{Path: src.stats.Path, Location: zc.loc, Anchor: anchor, Warnings: ws, OwnFields: true,
		Command: facts.command, Snapshot: facts.snapshot, Host: facts.host})
	src.unordered = facts.command != ""
	return &srcRun{
		st: s, src: src, asm: asm, r: d.r, anchor: anchor, compr: d.compr, zone: zc, head: head,
		stdin: zc.from == zoneFromStdin,
		opts:  parse.Options{Location: zc.loc, Year: asm.ProvisionalYear(), Hint: format},
	}
}

// pump reads the source through the pipeline its format needs.
func (run *srcRun) pump(d *decoded) {
	if run.opts.Hint == parse.FormatJournalExport && newExportReader != nil {
		run.pumpEntries()
		return
	}
	run.pumpLines()
}

// readArchive walks a tar stream. Each log member is parsed completely
// into memory (a member is only readable until the next one starts), and
// the members become sources once the archive ends. Zone files met on the
// way are the bundle's evidence: a member read before one of them (a tar
// not written in name order) is re-placed at the end (settleMember).
func (s *Stream) readArchive(in *input, d *decoded, stdin bool) {
	tr := tar.NewReader(d.r)
	var members []*archiveMember
	bundles := map[string]*bundleFacts{} // host and date, by bundle root (sos.go)
	zone := &bundleZone{}
	for _, sig := range in.zone.all() {
		zone.add(sig)
	}
	binary, firstBinary := 0, ""
	for n := 0; ; n++ {
		select {
		case <-s.done:
			return
		default:
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.ws.Addf(in.name, 0, "archive cut short after %d members: %v", n, err)
			break
		}
		name := strings.TrimPrefix(hdr.Name, "./")
		var body io.Reader = tr
		if kind := bundleMember(name); kind != "" {
			if hdr.Typeflag == tar.TypeSymlink {
				zone.addMember(kind, nil, hdr.Linkname)
				continue
			}
			if hdr.Typeflag != tar.TypeReg {
				continue
			}
			// Small command outputs: read for the zone, then like any
			// other member (etc/ holds no logs).
			data, err := io.ReadAll(io.LimitReader(tr, maxEvidence))
			if err != nil {
				continue
			}
			zone.addMember(kind, bytes.NewReader(data), "")
			if strings.HasPrefix(kind, "etc/") {
				continue
			}
			body = bytes.NewReader(data)
		}
		if hdr.Typeflag == tar.TypeReg && isBundleFactMember(name) {
			data, err := io.ReadAll(io.LimitReader(body, maxEvidence))
			if err != nil {
				continue
			}
			observeMember(bundles, name, data)
			body = bytes.NewReader(data)
		}
		if hdr.Typeflag != tar.TypeReg || skipMember(name) {
			continue
		}
		command := sosCommand(name)
		byName := isLogName(name) || command != ""
		md, err := decode(body)
		if err != nil {
			if byName {
				s.ws.Addf(in.name+":"+name, 0, "cannot read: %v", err)
			}
			continue
		}
		if md.isTar || bytes.HasPrefix(md.head, magicJournal) {
			md.close()
			continue // nested archives and native journals are not read
		}
		if !byName {
			if looksBinary(md.head) {
				if binary++; binary == 1 {
					firstBinary = name
				}
				md.close()
				continue
			}
			if _, ok := parse.Sniff(md.head); !ok {
				md.close()
				continue
			}
		}
		m := &archiveMember{src: &source{stats: SourceStats{Path: in.name + ":" + name}}, warnings: &event.Warnings{}}
		format, _ := parse.Sniff(md.head)
		m.src.dedupe = dedupeClassOf(name, format, command)
		facts := anchorFacts{name: path.Base(name), gzTime: md.gzTime, memberTime: hdr.ModTime, stdin: stdin}
		if command != "" {
			facts.command, facts.snapshot = command, hdr.ModTime
			m.snapshot, m.bundle = hdr.ModTime, name
		}
		run := s.newRun(m.src, md, zone, facts, m.warnings)
		if run.head.banner.ok() {
			zone.add(run.head.banner)
		}
		run.settleLater = true
		run.emit = func(b *batch) bool {
			m.batches = append(m.batches, b)
			return true
		}
		run.pump(md)
		md.close()
		m.run = run
		members = append(members, m)
	}
	if binary > 0 {
		s.ws.Addf(in.name, 0, "skipped %d binary member(s) (first: %s)", binary, firstBinary)
	}
	if msg := zone.disagreement(); msg != "" {
		s.ws.Addf(in.name, 0, "%s", msg)
	}
	srcs := make([]*source, 0, len(members))
	for _, m := range members {
		s.settleMember(m, zone, stdin)
		if m.bundle != "" {
			root, _ := sosRoot(m.bundle)
			m.batches = stateBatches(m.batches, m.snapshot, bundles[root])
			m.src.restat(m.batches)
		}
		m.src.ch = make(chan *batch, len(m.batches))
		for _, b := range m.batches {
			m.src.ch <- b
		}
		close(m.src.ch)
		srcs = append(srcs, m.src)
	}
	orderRotated(srcs, func(src *source) string { return src.stats.Path })
	in.srcs = srcs
}

// archiveMember is an archive member read into memory, its times still open to
// correction once the whole archive is known.
type archiveMember struct {
	src      *source
	run      *srcRun
	batches  []*batch
	warnings *event.Warnings // its Assembler's, held back (settleMember)
	// A command output read as state: its name in the archive and its
	// provisional snapshot time (stateBatches).
	bundle   string
	snapshot time.Time
}

// settleMember corrects a member's zone-less times with what the whole
// archive says, then finishes its statistics:
//   - the zone, when the bundle's evidence came after the member and
//     names another than the member was read in (neither --tz nor its own
//     messages decided it);
//   - the year, when it came from the member's time and a New Year
//     inside the member put its last lines on a later day than the
//     member was last written: a Dec 31 / Jan 1 pair in a member written
//     on Dec 31 is from the year before. (Without a New Year, a day of
//     slack stays for clocks that differ: see parse.Assembler.)
func (s *Stream) settleMember(m *archiveMember, bundle *bundleZone, stdin bool) {
	run, src := m.run, m.src
	if run.zone.from != zoneFromTZ && run.zone.from != zoneFromMessages {
		zc := s.chooseZone(bundle, &run.head, stdin)
		if zc.loc.String() != run.zone.loc.String() && src.zoneLess {
			replaceTimes(m.batches, run.zone.loc, zc.loc, 0)
		}
		run.zone = zc
		run.stdin = zc.from == zoneFromStdin
	}
	shifted := false
	if a := run.anchor; a.Provenance == provMember && src.yearLess && run.asm.YearFromAnchor() {
		loc := run.zone.loc
		first, last, ok := yearLessSpan(m.batches)
		if ok && last.In(loc).Year() > first.In(loc).Year() && laterDay(last.In(loc), a.Time.In(loc)) {
			replaceTimes(m.batches, loc, loc, -1)
			shifted = true
		}
	}
	if !shifted {
		for _, w := range m.warnings.List() {
			s.ws.Add(w)
		}
	}
	src.restat(m.batches)
	run.finish()
}

// yearLessSpan returns the times of the first and the last event with an
// inferred year.
func yearLessSpan(batches []*batch) (first, last time.Time, ok bool) {
	for _, b := range batches {
		for i := range b.events {
			if ev := &b.events[i]; ev.TimeQuality == event.TimeYearInferred {
				if !ok {
					first, ok = ev.Time, true
				}
				last = ev.Time
			}
		}
	}
	return first, last, ok
}

// laterDay reports whether t falls on a later calendar day than u (both
// in the zone they carry).
func laterDay(t, u time.Time) bool {
	ty, tm, td := t.Date()
	uy, um, ud := u.Date()
	return time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC).After(time.Date(uy, um, ud, 0, 0, 0, 0, time.UTC))
}

// replaceTimes reads the zone-less times of a source's events again: the
// wall clock they show in old, in loc, years later by dy (year-less
// stamps only). A line that inherited its time follows the line it took
// it from.
func replaceTimes(batches []*batch, old, loc *time.Location, dy int) {
	var prevOld, prevNew time.Time
	for _, b := range batches {
		for i := range b.events {
			ev := &b.events[i]
			switch ev.TimeQuality {
			case event.TimeYearInferred, event.TimeZoneAssumed:
				w := ev.Time.In(old)
				y := w.Year()
				if ev.TimeQuality == event.TimeYearInferred {
					y += dy
				}
				t := time.Date(y, w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
				if t.Day() != w.Day() {
					t = ev.Time // Feb 29 has no place in that year: left as read
				}
				prevOld, prevNew = ev.Time, t
				ev.Time = t
			case event.TimeInherited:
				if ev.Time.Equal(prevOld) {
					ev.Time = prevNew
				}
			default:
				if !ev.Time.IsZero() {
					prevOld, prevNew = ev.Time, ev.Time
				}
			}
		}
	}
}

// skipMember skips the parts of a bundle that never hold logs.
func skipMember(name string) bool {
	for dir := range strings.SplitSeq(path.Dir(name), "/") {
		if skipDir(dir) {
			return true
		}
	}
	return false
}
