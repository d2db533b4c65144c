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
	loc, dflt := s.location(in.loc, facts.stdin)
	src := &source{stats: SourceStats{Path: in.name}, ch: make(chan *batch, 1)}
	in.srcs = []*source{src}
	publish()
	run := s.newRun(src, d, loc, facts)
	run.stdin = dflt
	if d.compr == "" {
		run.file, run.size = file, size
	}
	run.emit = s.sendTo(src)
	run.pump(d)
	close(src.ch)
}

// location is the zone of a source's zone-less stamps; dflt says it is
// the stdin default (UTC), which is warned about when used.
func (s *Stream) location(bundle *time.Location, stdin bool) (loc *time.Location, dflt bool) {
	switch {
	case s.opts.Location != nil:
		return s.opts.Location, false
	case bundle != nil:
		return bundle, false
	case stdin:
		return time.UTC, true
	}
	return time.Local, false
}

func (s *Stream) newRun(src *source, d *decoded, loc *time.Location, facts anchorFacts) *srcRun {
	anchor := anchorFor(s.opts.Year, loc, facts)
	asm := parse.NewAssembler(parse.AssemblerConfig{Path: src.stats.Path, Location: loc, Anchor: anchor, Warnings: s.ws, OwnFields: true})
	format, _ := parse.Sniff(d.head)
	return &srcRun{
		st: s, src: src, asm: asm, r: d.r, anchor: anchor, compr: d.compr,
		opts: parse.Options{Location: loc, Year: asm.ProvisionalYear(), Hint: format},
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
// the members become sources once the archive ends.
func (s *Stream) readArchive(in *input, d *decoded, stdin bool) {
	tr := tar.NewReader(d.r)
	var members []*source
	zone := in.loc
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
		if isLocaltime(name) && zone == nil {
			switch hdr.Typeflag {
			case tar.TypeSymlink:
				zone = zoneFromLink(hdr.Linkname)
			case tar.TypeReg:
				zone = zoneFromData(tr)
			}
			continue
		}
		if hdr.Typeflag != tar.TypeReg || skipMember(name) {
			continue
		}
		byName := isLogName(name)
		md, err := decode(tr)
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
		src := &source{stats: SourceStats{Path: in.name + ":" + name}}
		loc, dflt := s.location(zone, stdin)
		facts := anchorFacts{name: path.Base(name), gzTime: md.gzTime, memberTime: hdr.ModTime, stdin: stdin}
		run := s.newRun(src, md, loc, facts)
		run.stdin = dflt
		var batches []*batch
		run.emit = func(b *batch) bool {
			batches = append(batches, b)
			return true
		}
		run.pump(md)
		md.close()
		src.ch = make(chan *batch, len(batches))
		for _, b := range batches {
			src.ch <- b
		}
		close(src.ch)
		members = append(members, src)
	}
	if binary > 0 {
		s.ws.Addf(in.name, 0, "skipped %d binary member(s) (first: %s)", binary, firstBinary)
	}
	orderRotated(members, func(src *source) string { return src.stats.Path })
	in.srcs = members
}

// isLocaltime matches etc/localtime at the root of an archive or one
// directory down (sosreport-host-.../etc/localtime).
func isLocaltime(name string) bool {
	if name == "etc/localtime" {
		return true
	}
	i := strings.IndexByte(name, '/')
	return i > 0 && name[i+1:] == "etc/localtime"
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
