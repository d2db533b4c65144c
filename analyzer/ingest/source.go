package ingest

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// openFile opens a file to read with extra flags; tests make it fail.
var openFile = func(name string, flag int) (*os.File, error) { return os.OpenFile(name, os.O_RDONLY|flag, 0) }

// runInput opens one input and reads it to its end: one streaming
// source, or the log members of an archive.
func (s *Stream) runInput(in *input) {
	if in.journal != nil {
		s.runJournal(in)
		return
	}
	publish := func() {
		if !in.published {
			in.published = true
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
		var f *os.File
		var err error
		if in.explicit {
			f, err = openInput(in.path, s.done)
		} else {
			f, err = openRegular(in.path)
		}
		if errors.Is(err, errStopped) {
			return
		}
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
	// A small file's batches fit the channel: it is read to its end and
	// closed before the merge starts (Open's slots).
	src := &source{stats: SourceStats{Path: in.name}, ch: make(chan *batch, srcBatches), park: in.release}
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
	if by, ok := run.endsBefore(&facts, d.head); ok {
		run.skipWhole(by, size, 0)
		close(src.ch)
		return
	}
	if s.newerStartsBefore(run, in.newer, d.head) {
		run.skipWhole(skipByNewer, size, 0)
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
	cfg := parse.AssemblerConfig{Path: src.stats.Path, Location: zc.loc, Anchor: anchor, Warnings: ws, OwnFields: true,
		Command: facts.command, Snapshot: facts.snapshot, Host: facts.host}
	src.unordered = facts.command != ""
	run := &srcRun{
		st: s, src: src, r: d.r, anchor: anchor, compr: d.compr, zone: zc, head: head,
		stdin: zc.from == zoneFromStdin,
	}
	// A skimmed line is parsed whole with the options of the others.
	cfg.Options = &run.opts
	run.asm, run.asmCfg = parse.NewAssembler(cfg), cfg
	run.opts = parse.Options{Location: zc.loc, Year: run.asm.ProvisionalYear(), Hint: format}
	return run
}

// pump reads the source through the pipeline its format needs.
func (run *srcRun) pump(d *decoded) {
	if run.opts.Hint == parse.FormatJournalExport && newExportReader != nil {
		run.pumpEntries()
		return
	}
	run.pumpLines()
}

// readArchive reads a tar stream in two passes, so that no member is
// ever held in memory whole (DESIGN §8) and every member's times are read
// with what the whole archive says (its zone files, bundle facts):
//
//  1. the walk: zone files and bundle facts are read (they are small);
//     each log member is copied, as the tar holds it (compressed or not),
//     into a private temporary directory (spill.go);
//  2. each copy is read like a file, one streaming source each, its
//     copy removed once it was read.
//
// A member is only readable until the next one starts, and the members
// must merge by time: the copies cost disk (the members' stored size),
// not memory.
func (s *Stream) readArchive(in *input, d *decoded, stdin bool) {
	var members []*spilled
	defer func() {
		for _, m := range members {
			m.remove()
		}
	}()
	zone := &bundleZone{}
	for _, sig := range in.zone.all() {
		zone.add(sig)
	}
	bundles := map[string]*bundleFacts{} // host and date, by bundle root (sos.go)
	w := &archiveWalk{zone: zone, bundles: bundles}
	if !s.walkArchive(w, d, in.name, 0) {
		return
	}
	members = w.members
	if msg := zone.disagreement(); msg != "" {
		s.ws.Addf(in.name, 0, "%s", msg)
	}
	srcs := make([]*source, len(members))
	for i, m := range members {
		m.src = &source{stats: SourceStats{Path: m.name}, ch: make(chan *batch, srcBatches), park: in.release}
		m.src.dedupe = dedupeClassOf(m.member, m.format, m.command)
		srcs[i] = m.src
	}
	orderRotated(srcs, func(src *source) string { return src.stats.Path })
	// Native journal members: read from their copies by the journal
	// reader, one source per archive (merged by realtime like a
	// --journal-dir).
	var journals sync.WaitGroup
	defer journals.Wait()
	for _, j := range w.journals {
		sub := &input{name: journalPrefix + j.name, journal: &journalSpec{dir: j.dir}, ready: make(chan struct{})}
		journals.Add(1)
		go func() {
			defer journals.Done()
			defer os.RemoveAll(j.dir)
			s.runJournal(sub)
		}()
		select {
		case <-sub.ready:
		case <-s.done:
			return
		}
		srcs = append(srcs, sub.srcs...)
	}
	if len(members) == 0 && len(w.journals) == 0 {
		s.ws.Addf(in.name, 0, "no log members found in the archive")
	}
	in.srcs = srcs
	close(in.ready) // (runInput's publish is a no-op now)
	in.published = true
	var wg sync.WaitGroup
	for _, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.readSpilled(m, zone, bundles, stdin)
		}()
	}
	wg.Wait()
}

// archiveWalk is what readArchive's first pass collects.
type archiveWalk struct {
	zone     *bundleZone
	bundles  map[string]*bundleFacts
	members  []*spilled
	journals []*spilledJournals
}

// spilledJournals are the native journal files of one archive, copied
// into dir.
type spilledJournals struct {
	name string // the archive, as sources name it
	dir  string
	n    int // files copied so far
}

// maxArchiveDepth bounds archives inside archives (a sosreport wrapped
// in an upload tar is depth 1).
const maxArchiveDepth = 3

// walkArchive is readArchive's first pass over the tar stream d, named
// name (an archive inside another is "outer.tar:inner.tar.xz"), depth
// archives deep; false when the stream stopped.
func (s *Stream) walkArchive(w *archiveWalk, d *decoded, name string, depth int) bool {
	zone, bundles, members := w.zone, w.bundles, &w.members
	var journals *spilledJournals
	tr := tar.NewReader(d.r)
	binary, firstBinary := 0, ""
	for n := 0; ; n++ {
		select {
		case <-s.done:
			return false
		default:
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.ws.Addf(name, 0, "archive cut short after %d members: %v", n, err)
			break
		}
		archive := name
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
		// What decode reads to sniff the member is kept, to start its copy.
		rec := &recorder{r: body}
		md, err := decode(rec)
		if err != nil {
			if byName {
				s.ws.Addf(archive+":"+name, 0, "cannot read: %v", err)
			}
			continue
		}
		head := md.head
		isTar, isJournal := md.isTar, bytes.HasPrefix(md.head, magicJournal)
		format, sniffed := parse.Sniff(head)
		if !isTar && !isJournal && !byName {
			if looksBinary(head) {
				if binary++; binary == 1 {
					firstBinary = name
				}
				md.close()
				continue
			}
			if !sniffed {
				md.close()
				continue
			}
		}
		var banner zoneSignal
		if !isTar && !isJournal && format != parse.FormatJournalExport {
			banner = scanHead(head).banner
		}
		switch {
		case isTar && depth+1 > maxArchiveDepth:
			s.ws.Addf(archive+":"+name, 0, "archive nested more than %d deep: not read", maxArchiveDepth)
			md.close()
			continue
		case isTar:
			// Walked in place: its members are copied like this one's.
			ok := s.walkArchive(w, md, archive+":"+name, depth+1)
			md.close()
			if !ok {
				return false
			}
			continue
		case isJournal:
			// The journal reader needs a file: the decompressed copy.
			if journals == nil {
				dir, err := s.spillSubdir()
				if err != nil {
					s.ws.Addf(archive+":"+name, 0, "native journal file not read: %v", err)
					md.close()
					continue
				}
				journals = &spilledJournals{name: archive, dir: dir}
				w.journals = append(w.journals, journals)
			}
			err := s.spillJournal(journals, name, md.r)
			md.close()
			if errors.Is(err, errStopped) {
				return false
			}
			if err != nil {
				s.ws.Addf(archive+":"+name, 0, "native journal file not read: %v", err)
			}
			continue
		}
		md.close()
		if banner.ok() {
			zone.add(banner)
		}
		m, err := s.spill(archive, name, rec, body)
		if err != nil {
			if errors.Is(err, errStopped) {
				return false
			}
			s.ws.Addf(archive+":"+name, 0, "cannot read: %v", err)
			continue
		}
		m.format, m.command, m.modTime = format, command, hdr.ModTime
		*members = append(*members, m)
	}
	if binary > 0 {
		s.ws.Addf(name, 0, "skipped %d binary member(s) (first: %s)", binary, firstBinary)
	}
	return true
}

// readSpilled reads the copy of an archive member like a file, with the
// whole archive's zone evidence and bundle facts.
func (s *Stream) readSpilled(m *spilled, zone *bundleZone, bundles map[string]*bundleFacts, stdin bool) {
	src := m.src
	defer close(src.ch)
	defer m.remove()
	f, err := os.Open(m.path)
	if err != nil {
		s.ws.Addf(m.name, 0, "cannot read: %v", unwrapPath(err))
		return
	}
	defer f.Close()
	d, err := decode(f)
	if err != nil {
		s.ws.Addf(m.name, 0, "cannot read: %v", err)
		return
	}
	defer d.close()
	s.readable.Store(true)
	facts := anchorFacts{name: path.Base(m.member), gzTime: d.gzTime, memberTime: m.modTime, stdin: stdin}
	if d.compr == "" {
		facts.tail, facts.size = f, m.size
	}
	var bundle *bundleFacts
	if m.command != "" {
		facts.command, facts.snapshot = m.command, m.modTime
		root, _ := sosRoot(m.member)
		bundle = bundles[root]
		if bundle != nil {
			facts.host = bundle.host
		}
	}
	run := s.newRun(src, d, zone, facts, s.ws)
	if m.command != "" {
		s.readStateFile(run, d, src, facts.snapshot, bundle)
		return
	}
	if by, ok := run.endsBefore(&facts, d.head); ok {
		run.skipWhole(by, m.size, 0)
		return
	}
	if d.compr == "" {
		run.file, run.size = f, m.size
	}
	run.emit = s.sendTo(src)
	run.pump(d)
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
