package ingest

import (
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// Native journal inputs (DESIGN §4): --journal, --journal-dir,
// --journal-file. Each becomes one source, "journal:<dir or file>", in
// the stream's merge.
//
// Order. libsystemd's own merge of several files orders entries of one
// boot by monotonic time and is not realtime-monotonic (research
// inputs-parsing §4.6), so a source opens every journal file on its own
// (one reader per file, in file order, which is the order journald wrote
// them) and merges the files by realtime here, the way the stream merges
// text files: stable by (time, file rank), file order kept within a file.
// That costs one open reader per file, no reorder buffer, and a truncated
// file, which libsystemd refuses outright, then costs only itself.
//
// Readers. A build with -tags sdjournal (and cgo, on Linux; make build)
// reads each file through sdjournal (journal_sd.go), fetching only the
// fields the model needs. Other builds (go install), and any build where
// libsystemd cannot be loaded, read each file through `journalctl --file
// F -o export`, parsed by parse.ExportReader.
//
// A journal source merges in its own goroutine, and each of its files is
// read in a goroutine of its own with its own libsystemd handle
// (libsystemd objects must not be shared between goroutines), so a
// directory of rotated or per-host files is read on all cores while
// text sources keep parsing on the worker pool.

// journalPrefix starts the Source.Path of journal events.
const journalPrefix = "journal:"

// localJournalDirs are where journald keeps this machine's journal, in
// a directory named after machineIDPath's id; variables for tests.
var (
	localJournalDirs = []string{"/var/log/journal", "/run/log/journal"}
	machineIDPath    = "/etc/machine-id"
)

// journalSpec is one journal input.
type journalSpec struct {
	local bool   // --journal: this machine's journal
	dir   string // --journal-dir
	file  string // --journal-file
}

func (j *journalSpec) name() string {
	switch {
	case j.local:
		return journalPrefix + "local"
	case j.dir != "":
		return journalPrefix + j.dir
	}
	return journalPrefix + j.file
}

// journalInputs turns the journal options into inputs, after the paths.
func journalInputs(o *Options) []*input {
	var specs []*journalSpec
	if o.Journal {
		specs = append(specs, &journalSpec{local: true})
	}
	for _, d := range o.JournalDirs {
		specs = append(specs, &journalSpec{dir: d})
	}
	for _, f := range o.JournalFiles {
		specs = append(specs, &journalSpec{file: f})
	}
	ins := make([]*input, len(specs))
	for i, sp := range specs {
		ins[i] = &input{name: sp.name(), explicit: true, journal: sp, ready: make(chan struct{})}
	}
	return ins
}

func (o *Options) hasJournal() bool {
	return o.Journal || len(o.JournalDirs) > 0 || len(o.JournalFiles) > 0
}

// journalReader reads the entries of one journal file in file order.
// Next fills ev (which it resets) and returns io.EOF after the last
// entry; any other error ends the file unless it is a *corruptEntry.
// Strings and Fields in ev are freshly allocated unless ev.Fields had
// capacity.
type journalReader interface {
	Next(ev *event.Event) error
	Close() error
}

// corruptEntry is a reader error after which reading may continue.
type corruptEntry struct{ err error }

func (e *corruptEntry) Error() string { return e.err.Error() }
func (e *corruptEntry) Unwrap() error { return e.err }

// errNoNative says the native reader is not available (a build without
// it, or libsystemd missing at run time).
var errNoNative = errors.New("native journal reader not available")

// openJournalFile opens the reader of one file; a variable so that tests
// can force the journalctl fallback. since and until bound what the
// reader must return (zero: unbounded); it may return a little more.
var openJournalFile = func(st *Stream, path string) (journalReader, error) {
	r, err := openNative(path, st.opts.Since, st.opts.Until, st.opts.JournalFields)
	if errors.Is(err, errNoNative) {
		return openJournalctl(st.ctx, path, st.opts.Since, st.opts.Until)
	}
	return r, err
}

// journalFiles lists the journal files of a spec, sorted, with the
// problems found on the way as warnings; ok is false when a warning
// already said why there are none.
func journalFiles(sp *journalSpec, ws *event.Warnings) (files []string, ok bool) {
	switch {
	case sp.file != "":
		return []string{sp.file}, true
	case sp.dir != "":
		if fi, err := os.Stat(sp.dir); err != nil {
			ws.Addf(sp.name(), 0, "cannot read: %v", unwrapPath(err))
			return nil, false
		} else if !fi.IsDir() {
			ws.Addf(sp.name(), 0, "not a directory; read a single journal file with --journal-file")
			return nil, false
		}
		return walkJournal(sp.dir, sp.name(), ws)
	}
	// This machine: only its own machine-id's directory, as journalctl
	// does without --merge, when the id is known.
	mid := ""
	if b, err := os.ReadFile(machineIDPath); err == nil {
		mid = strings.TrimSpace(string(b))
	}
	for _, d := range localJournalDirs {
		if mid != "" {
			d = filepath.Join(d, mid)
		}
		if _, err := os.Stat(d); err != nil {
			continue
		}
		found, _ := walkJournal(d, sp.name(), ws)
		files = append(files, found...)
	}
	return files, true
}

// walkJournal finds *.journal and *.journal~ (journald's name for a file
// it found corrupt or not closed cleanly) below dir: a bundle's
// var/log/journal holds them one directory down, a journal-remote
// directory at the top. A directory that cannot be read is warned
// about; ok is false when that is dir itself, which then needs no
// other warning.
func walkJournal(dir, name string, ws *event.Warnings) (files []string, ok bool) {
	ok = true
	err := walkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			ws.Addf(name, 0, "cannot read %s: %v", p, unwrapPath(err))
			if p == dir {
				ok = false
			}
			return nil
		}
		if d.IsDir() {
			if p != dir && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && (strings.HasSuffix(p, ".journal") || strings.HasSuffix(p, ".journal~")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		ws.Addf(name, 0, "walk stopped: %v", err)
	}
	slices.Sort(files)
	return files, ok
}

// walkDir walks a journal directory; tests replace it to make a
// directory unreadable even to root.
var walkDir = filepath.WalkDir

// Journal file header fields (systemd's JOURNAL_FILE_FORMAT): the
// signature, then little-endian header_size and arena_size.
const (
	journalHeaderMin = 104
	offHeaderSize    = 88
	offArenaSize     = 96
)

// checkJournalFile reads the header of a journal file and explains, as
// a warning message, why libsystemd would refuse it: "" when it looks
// whole. A file cut short (a partial copy) is refused entirely by
// libsystemd 252 (research §4.4); zero-padding a copy back to
// header_size + arena_size lets it read the entries before the cut.
func checkJournalFile(path string) (size int64, problem string) {
	f, err := openRegular(path) // libsystemd maps it: a FIFO would block it
	if errors.Is(err, fs.ErrPermission) {
		return 0, fmt.Sprintf("cannot read: %v (journald's files are readable by root and the groups systemd-journal and adm)", unwrapPath(err))
	}
	if err != nil {
		return 0, fmt.Sprintf("cannot read: %v", unwrapPath(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Sprintf("cannot read: %v", unwrapPath(err))
	}
	size = fi.Size()
	var h [journalHeaderMin]byte
	n, err := io.ReadFull(f, h[:])
	if n >= len(magicJournal) && string(h[:len(magicJournal)]) != string(magicJournal) {
		return size, "not a journal file (no LPKSHHRH signature)"
	}
	if err != nil {
		return size, fmt.Sprintf("truncated journal file: only %d bytes, not even a header", n)
	}
	want := binary.LittleEndian.Uint64(h[offHeaderSize:]) + binary.LittleEndian.Uint64(h[offArenaSize:])
	if want > uint64(size) && want < 1<<50 {
		return size, fmt.Sprintf("truncated journal file (%d of %d bytes): libsystemd refuses it whole; "+
			"to read the entries before the cut, zero-pad a copy to its full size: "+
			"cp %s /tmp/salvage.journal && truncate -s %d /tmp/salvage.journal, then read that with --journal-file",
			size, want, shellQuote(path), want)
	}
	return size, ""
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-@~+:,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// jfile is one open journal file inside a journal source's merge. Its
// reader runs in a goroutine of its own (one libsystemd handle per
// goroutine, never shared), so that the files of a directory are read
// on all cores; the merge takes their entries in batches.
type jfile struct {
	path string
	rank int
	r    journalReader
	ch   chan []event.Event // batches in file order; closed at the end
	cur  []event.Event
	i    int
	head *event.Event // cur[i], valid while in the heap
}

type jheap []*jfile

func (h jheap) Len() int { return len(h) }
func (h jheap) Less(i, j int) bool {
	if c := h[i].head.Time.Compare(h[j].head.Time); c != 0 {
		return c < 0
	}
	return h[i].rank < h[j].rank
}
func (h jheap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *jheap) Push(x any)   { *h = append(*h, x.(*jfile)) }
func (h *jheap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// maxCorruptInARow ends a file whose reader keeps failing.
const maxCorruptInARow = 16

// untilSlack is how far past --until a file is still read: a reader
// stops at its first entry beyond it, and a clock stepped back a little
// may still bring entries inside the range.
const untilSlack = time.Minute

// jfileBatch is how many entries a file's reader hands over at a time.
const jfileBatch = 256

// readJournalFile reads f to its end (or until the stream stops) in
// batches on f.ch, then closes f.ch and the reader.
func (s *Stream) readJournalFile(f *jfile, name string) {
	defer close(f.ch)
	defer f.r.Close()
	var n int64
	bad := 0
	evs := make([]event.Event, 0, jfileBatch)
	send := func() bool {
		if len(evs) == 0 {
			return true
		}
		select {
		case f.ch <- evs:
			evs = make([]event.Event, 0, jfileBatch)
			return true
		case <-s.done:
			return false
		}
	}
	for {
		evs = append(evs, event.Event{})
		ev := &evs[len(evs)-1]
		err := f.r.Next(ev)
		if err == nil {
			bad = 0
			n++
			if u := s.opts.Until; !u.IsZero() && ev.Time.After(u.Add(untilSlack)) {
				evs = evs[:len(evs)-1]
				break
			}
			ev.Source.Path, ev.Source.Line, ev.Source.Format = name, 0, parse.FormatJournal
			if len(evs) == jfileBatch && !send() {
				return
			}
			continue
		}
		evs = evs[:len(evs)-1]
		if errors.Is(err, io.EOF) {
			break
		}
		var ce *corruptEntry
		if errors.As(err, &ce) && bad < maxCorruptInARow {
			bad++
			s.ws.Addf(name, 0, "%s: corrupt entry after %d entries, skipped: %v", f.path, n, ce.err)
			continue
		}
		s.ws.Addf(name, 0, "%s: reading stopped after %d entries: %v", f.path, n, err)
		break
	}
	send()
}

// next moves f to its next entry; false at the end of f.
func (f *jfile) next(done <-chan struct{}) bool {
	f.i++
	if f.i < len(f.cur) {
		f.head = &f.cur[f.i]
		return true
	}
	f.cur, f.head = nil, nil
	select {
	case b, ok := <-f.ch:
		if !ok {
			return false
		}
		f.cur, f.i, f.head = b, 0, &b[0]
		return true
	case <-done:
		return false
	}
}

// runJournal reads one journal input as one source.
func (s *Stream) runJournal(in *input) {
	sp := in.journal
	src := &source{stats: SourceStats{Path: in.name}, ch: make(chan *batch, srcBatches), journal: true, park: in.release}
	in.srcs = []*source{src}
	close(in.ready)
	defer close(src.ch)

	paths, ok := journalFiles(sp, s.ws)
	var files []*jfile
	for _, p := range paths {
		size, problem := checkJournalFile(p)
		if problem != "" {
			s.ws.Addf(in.name, 0, "%s: %s", p, problem)
			continue
		}
		r, err := openJournalFile(s, p)
		if errors.Is(err, errNoJournalReader) {
			// The same for every file: say it once.
			s.ws.Addf(in.name, 0, "cannot read journal files: %v", err)
			break
		}
		if err != nil {
			s.ws.Addf(in.name, 0, "%s: cannot open: %v", p, err)
			continue
		}
		src.stats.Bytes += size
		files = append(files, &jfile{path: p, rank: len(files), r: r, ch: make(chan []event.Event, 2)})
	}
	switch {
	case !ok:
		return
	case len(paths) == 0 && sp.local:
		s.ws.Addf(in.name, 0, "no journal files found in %s", strings.Join(localJournalDirs, " or "))
		return
	case len(paths) == 0 && sp.dir != "":
		s.ws.Addf(in.name, 0, "no journal files (*.journal) found")
		return
	case len(files) == 0:
		return
	}
	s.readable.Store(true)
	var readers sync.WaitGroup
	for _, f := range files {
		readers.Go(func() { s.readJournalFile(f, in.name) })
	}
	// On a stop, the readers see s.done; wait for them so that Close
	// returns with every libsystemd handle closed.
	defer readers.Wait()
	var h jheap
	for _, f := range files {
		f.i = -1
		if f.next(s.done) {
			h = append(h, f)
		}
	}
	heap.Init(&h)

	run := &srcRun{st: s, src: src}
	run.emit = s.sendTo(src)
	b := getBatch()
	var n int64
	for len(h) > 0 {
		f := h[0]
		b.events = append(b.events, *f.head)
		n++
		if f.next(s.done) {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
		if len(b.events) == exportBatch {
			if !run.send(b) {
				return
			}
			b = getBatch()
		}
	}
	select {
	case <-s.done:
		putBatch(b)
		return
	default:
	}
	if !run.send(b) {
		return
	}
	if n == 0 && s.opts.Since.IsZero() && s.opts.Until.IsZero() {
		s.ws.Addf(in.name, 0, "journal has no entries")
	}
	src.stats.TimeQuality = event.TimeExact.String()
	src.finishStats()
}
