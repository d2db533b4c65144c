package ingest

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// Files are followed like `tail -F`: by name. At its end a file is
// looked at again every Poll; when its name leads to another file (log
// rotation by rename: syslog became syslog.1 and a new syslog was
// created) the old file is read to its end and the new one from its
// start; when it shrank below what was read (logrotate's copytruncate)
// it is read again from its start. A file that is missing is waited
// for. Polling, not inotify: a stat per file and Poll costs nothing
// measurable, and works the same on every file system.

// followPath follows one file, or the live log files of a directory.
func (f *Follower) followPath(p string) {
	fi, err := os.Stat(p)
	if err == nil && fi.IsDir() {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.watchDir(p)
		}()
		return
	}
	f.startTail(p, true, true)
}

// startTail starts the goroutine following the file at path. atStart:
// the file was named (or found) when following began, so FromStart
// decides where reading starts; a file found later is read whole.
func (f *Follower) startTail(path string, atStart, registered bool) {
	t := &fileTail{f: f, path: path, src: f.newSrc(path, registered), atStart: atStart}
	if f.opts.Screen != nil {
		t.screen = f.opts.Screen()
	}
	if f.opts.Resume != nil {
		for _, p := range f.opts.Resume.Files {
			if p.Path == path {
				t.resume = &p
			}
		}
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		defer t.close()
		t.run()
	}()
}

// dirScanEvery is how many polls pass between looks for new files in a
// followed directory.
const dirScanEvery = 4

// watchDir follows the live log files of dir, those there now and
// those that appear later.
func (f *Follower) watchDir(dir string) {
	seen := map[string]bool{}
	first := true
	for {
		for _, p := range liveLogs(dir) {
			if !seen[p] {
				seen[p] = true
				f.startTail(p, first, false)
			}
		}
		first = false
		if !f.sleep(dirScanEvery * f.opts.Poll) {
			return
		}
	}
}

// liveLogs lists the live log files directly in dir: picked by name as
// a walk picks them, but no rotated copy (syslog.1, messages-20211003)
// and nothing compressed, which are no longer written to.
func liveLogs(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || stripCompression(name) != name || !isLogName(name) {
			continue
		}
		if _, class, _ := rotation(name); class != 2 {
			continue
		}
		out = append(out, filepath.Join(dir, name))
	}
	slices.Sort(out)
	return out
}

// fileTail is the state of one followed file, owned by its goroutine.
type fileTail struct {
	f       *Follower
	src     *followSrc
	path    string
	atStart bool
	resume  *FilePosition
	screen  Screen

	file *os.File
	fi   os.FileInfo
	off  int64 // offset after the last whole line read
	line int64 // number of that line
	buf  []byte
	pend int  // bytes of a partial line at the start of buf
	skip bool // discarding the rest of an over-long line
	asm  *parse.Assembler
	opts parse.Options
	c    chunk
	// pending are the events assembled and not yet handed on.
	pending []event.Event
	// missing: the file's absence was warned about.
	missing, binWarned bool
	idle               bool // an idle batch was sent and nothing came since
}

func (t *fileTail) close() {
	if t.file != nil {
		t.file.Close()
		t.file = nil
	}
}

// run follows the file until following stops.
func (t *fileTail) run() {
	for {
		// What was written before this moment is read in this round.
		looked := time.Now().UnixNano()
		if t.file == nil {
			t.open()
		}
		if t.file != nil {
			n, ok := t.readAvailable()
			if !ok {
				return
			}
			if n == 0 && t.rotated() {
				continue // the new file at once
			}
		}
		if !t.idle {
			if !t.sendEvents(true) {
				return
			}
			t.idle = true
		}
		t.src.checked.Store(looked)
		if !t.f.sleep(t.f.opts.Poll) {
			return
		}
	}
}

// open opens the file and seeks to where reading starts.
func (t *fileTail) open() {
	f, err := openRegular(t.path)
	if err != nil {
		if !t.missing {
			t.missing = true
			if errors.Is(err, fs.ErrNotExist) {
				t.f.ws.Addf(t.path, 0, "not there (yet): waiting for it")
			} else {
				t.f.ws.Addf(t.path, 0, "cannot read: %v; trying again", unwrapPath(err))
			}
		}
		t.atStart = false // once it appears, it is read whole
		return
	}
	t.missing = false
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return
	}
	var head [8]byte
	n, _ := f.ReadAt(head[:], 0)
	if kind := unfollowable(head[:n]); kind != "" {
		t.f.ws.Addf(t.path, 0, "%s: not followed (only plain text files grow)", kind)
		f.Close()
		t.atStart, t.missing = false, true
		return
	}
	t.file, t.fi, t.off, t.line, t.pend, t.skip = f, fi, 0, 0, 0, false
	t.newAssembler(fi)
	start, atStart := t.resume, t.atStart
	t.resume, t.atStart = nil, false
	switch {
	case start != nil && sameFile(fi, start) && start.Offset <= fi.Size():
		t.off, t.line = start.Offset, start.Line
	case start != nil:
		if !sameFile(fi, start) && t.openRotated(start) {
			return
		}
		t.f.ws.Addf(t.path, 0, "not the file the saved position names (rotated or truncated while logsleuth was not running): read from its start")
	case atStart && !t.f.opts.FromStart:
		t.off = fi.Size()
		t.line = linesBefore(f, t.off)
	}
	if _, err := f.Seek(t.off, io.SeekStart); err != nil {
		t.f.ws.Addf(t.path, 0, "cannot seek: %v", err)
		t.off, t.line = 0, 0
	}
}

// openRotated looks beside the file for the one the saved position
// names (rotated by rename while logsleuth was not running: syslog is
// now syslog.1) and continues there; the live file follows (rotated).
func (t *fileTail) openRotated(start *FilePosition) bool {
	ents, err := os.ReadDir(filepath.Dir(t.path))
	if err != nil {
		return false
	}
	for _, e := range ents {
		p := filepath.Join(filepath.Dir(t.path), e.Name())
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() || !sameFile(fi, start) || fi.Size() < start.Offset {
			continue
		}
		f, err := openRegular(p)
		if err != nil {
			return false
		}
		if _, err := f.Seek(start.Offset, io.SeekStart); err != nil {
			f.Close()
			return false
		}
		t.file.Close()
		t.file, t.fi, t.off, t.line = f, fi, start.Offset, start.Line
		t.newAssembler(fi)
		return true
	}
	return false
}

// newAssembler starts the parse state of a (new) file: its zone, and
// the year of year-less stamps anchored on its mtime (its last line is
// about now).
func (t *fileTail) newAssembler(fi os.FileInfo) {
	loc := t.f.opts.Location
	anchor := anchorFor(0, loc, anchorFacts{name: filepath.Base(t.path), mtime: fi.ModTime()})
	t.asm = parse.NewAssembler(parse.AssemblerConfig{Path: t.path, Location: loc, Anchor: anchor, Warnings: t.f.ws, OwnFields: true})
	t.opts = parse.Options{Location: loc, Year: t.asm.ProvisionalYear()}
}

// unfollowable names what a file is when it cannot be followed as text.
func unfollowable(head []byte) string {
	switch {
	case bytes.HasPrefix(head, magicJournal):
		return "a native journal file (follow it with --journal-file)"
	case bytes.HasPrefix(head, magicGzip), bytes.HasPrefix(head, magicZstd), bytes.HasPrefix(head, magicXz),
		len(head) >= 4 && bytes.HasPrefix(head, magicBzip2) && head[3] >= '1' && head[3] <= '9':
		return "compressed"
	}
	return ""
}

func sameFile(fi os.FileInfo, p *FilePosition) bool {
	dev, ino := fileID(fi)
	return dev == p.Dev && ino == p.Ino
}

func fileID(fi os.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), st.Ino
	}
	return 0, 0
}

// linesBefore counts the lines of f before off: the number of the first
// line read when following starts at the end.
func linesBefore(f *os.File, off int64) int64 {
	buf := make([]byte, 1<<20)
	var n int64
	for pos := int64(0); pos < off; {
		k, err := f.ReadAt(buf[:min(int64(len(buf)), off-pos)], pos)
		n += int64(bytes.Count(buf[:k], nl))
		pos += int64(k)
		if err != nil {
			break
		}
	}
	return n
}

// readAvailable reads the file to its current end, a block at a time,
// and hands each block's events on. It returns the bytes read; false
// when following stopped.
func (t *fileTail) readAvailable() (int64, bool) {
	var total int64
	for {
		if len(t.buf) < blockSize {
			t.buf = make([]byte, blockSize)
		}
		if t.pend == len(t.buf) {
			// One partial line fills the buffer: grow it, up to
			// maxLineLen, then cut the line there.
			if len(t.buf) >= maxLineLen {
				t.block(t.buf[:maxLineLen], 1)
				t.f.ws.Addf(t.path, t.line, "line longer than %d bytes: cut", maxLineLen)
				t.pend, t.skip = 0, true
				if !t.sendEvents(false) {
					return total, false
				}
				continue
			}
			nb := make([]byte, min(2*len(t.buf), maxLineLen))
			copy(nb, t.buf[:t.pend])
			t.buf = nb
		}
		n, err := t.file.Read(t.buf[t.pend:])
		total += int64(n)
		if n > 0 {
			if !t.consume(n) {
				return total, false
			}
		}
		if err != nil || n == 0 {
			if err != nil && !errors.Is(err, io.EOF) {
				t.f.ws.Addf(t.path, t.line, "read error: %v", err)
			}
			return total, true
		}
	}
}

// consume handles n new bytes after the partial line in t.buf: the
// whole lines among them become a batch.
func (t *fileTail) consume(n int) bool {
	data := t.buf[:t.pend+n]
	if t.skip {
		i := bytes.IndexByte(data[t.pend:], '\n')
		if i < 0 {
			t.off += int64(n)
			return true
		}
		t.off += int64(i + 1)
		t.line++
		t.skip = false
		rest := copy(t.buf, data[t.pend+i+1:])
		t.pend = 0
		if rest == 0 {
			return true
		}
		return t.consume(rest)
	}
	i := bytes.LastIndexByte(data, '\n')
	if i < 0 {
		t.pend = len(data)
		return true
	}
	whole := data[:i+1]
	k := bytes.Count(whole, nl)
	t.block(whole, int64(k))
	t.off += int64(len(whole))
	t.pend = copy(t.buf, data[i+1:])
	t.idle = false
	return t.sendEvents(false)
}

// block parses k whole lines (ending in '\n', or cut) into the
// Assembler's pending events (t.c.parsed).
func (t *fileTail) block(lines []byte, k int64) {
	c := &t.c
	if t.opts.Hint == "" {
		t.opts.Hint, _ = parse.Sniff(lines)
	}
	c.buf, c.first, c.opts, c.path = lines, t.line+1, &t.opts, t.path
	parseChunk(c, false, nil)
	t.line += k
	if c.bin > 0 && !t.binWarned {
		t.binWarned = true
		t.f.ws.Addf(t.path, c.bin, "binary data at line %d (NUL bytes or invalid UTF-8); read as text", c.bin)
	}
	for i := range c.parsed {
		p := &c.parsed[i]
		if t.screen != nil && (p.Kind == parse.KindEntry || p.Kind == parse.KindText) {
			p.Event.Screen = t.screen(&p.Event, nil)
		}
	}
	t.pending = t.asm.AddAll(t.pending, c.parsed)
	c.clearParsed() // for the next block
}

// sendEvents hands the assembled events on, with the position after
// them; flush (the file is at its end) also hands on the entry the
// Assembler holds back for continuation lines, and says the source is
// idle.
func (t *fileTail) sendEvents(flush bool) bool {
	if flush && t.asm != nil {
		t.pending = t.asm.Flush(t.pending)
	}
	fb := &followBatch{src: t.src, idle: flush, read: time.Now()}
	if t.file != nil {
		dev, ino := fileID(t.fi)
		fb.file = &FilePosition{Path: t.path, Dev: dev, Ino: ino, Offset: t.off, Line: t.line}
	}
	if len(t.pending) > 0 {
		fb.b = getBatch()
		fb.b.events, t.pending = t.pending, fb.b.events[:0]
	}
	return t.f.send(fb)
}

// rotated checks, at the file's end, whether its name now leads to
// another file (rotated by rename) or the file shrank (copytruncate);
// true when reading goes on in a new file, from its start.
func (t *fileTail) rotated() bool {
	fi, err := os.Stat(t.path)
	if err != nil {
		return false // renamed, not yet recreated: the old file may still grow
	}
	if !os.SameFile(fi, t.fi) {
		// Lines written to the old file after the rename: read them
		// first.
		if n, _ := t.readAvailable(); n > 0 {
			return true
		}
		if !t.sendEvents(true) {
			return false
		}
		t.close()
		t.f.ws.Addf(t.path, 0, "rotated (a new file has its name): following the new file from its start")
		return true
	}
	if cur, err := t.file.Stat(); err == nil && cur.Size() < t.off {
		t.f.ws.Addf(t.path, t.line, "truncated to %d bytes after line %d (copytruncate?): following it from its start", cur.Size(), t.line)
		if !t.sendEvents(true) {
			return false
		}
		t.fi = cur
		t.off, t.line, t.pend, t.skip = 0, 0, 0, false
		t.newAssembler(cur)
		if _, err := t.file.Seek(0, io.SeekStart); err != nil {
			t.close()
		}
		return true
	}
	return false
}
