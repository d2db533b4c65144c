package ingest

import (
	"bytes"
	"errors"
	"io"
	"os"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Limits of the line reader. Variables, not constants, so that tests can
// exercise every path with tiny blocks.
var (
	// blockSize is how much a source reads at a time; one block of whole
	// lines is one unit of parallel parsing. A worker copies its block
	// and parses it while the copy is still in the core's L2 cache:
	// against 512 KiB, 128 KiB blocks take 3-5% less CPU on the bench
	// corpus and the run's peak RSS falls from about 225 to 95 MiB.
	blockSize = 128 << 10
	// maxLineLen is the longest line kept; the rest of a longer line is
	// read and discarded without being buffered.
	maxLineLen = 1 << 20
	// maxChunkLines caps the lines in one block, so that a block of very
	// short lines cannot make a huge []parse.Parsed.
	maxChunkLines = 16384
)

// splitter cuts a byte stream into blocks of whole lines, the way
// ripgrep's line_buffer does: it reads a block, hands out everything up to
// the last '\n' and carries the partial line at the end into the next
// block. A line that fills maxLineLen bytes without a '\n' is handed out
// truncated (with a warning) and the rest of it is skipped. Invariant: a
// block buffer never holds more than maxLineLen bytes, so no line handed
// out is longer.
type splitter struct {
	r io.Reader
	// mapped, when not nil, is the whole input, memory-mapped: blocks are
	// slices of it instead of copies read from r (nextMapped).
	mapped []byte
	bs     int             // block size, <= maxLineLen
	path   string          // for warnings
	ws     *event.Warnings // receives truncation warnings
	pend   []byte          // bytes carried to the start of the next block
	line   int64           // lines handed out so far
	read   int64           // bytes read from r
	skip   bool            // discarding the rest of an over-long line
	// peek is the byte read after a full block that ends with a CR, to
	// tell a CRLF from a lone CR; it starts the next fill (hasPeek).
	peek    byte
	hasPeek bool
	eof     bool  // r is exhausted (or failed: see err)
	err     error // the read error that ended r, other than io.EOF
	zero    int   // consecutive empty reads
	// done, when not nil, stops the splitter when closed: it is checked
	// once per block read, and while an over-long line is skipped.
	done <-chan struct{}
	// dropped is how much of mapped, from its start, the skipping of
	// over-long lines dropped from the process's pages.
	dropped int
}

// stopped reports whether done was closed; the splitter then ends with
// errStopped.
func (s *splitter) stopped() bool {
	select {
	case <-s.done:
		s.err, s.eof = errStopped, true
		return true
	default:
		return false
	}
}

// errStopped ends a splitter whose stream was stopped.
var errStopped = errors.New("stopped")

func newSplitter(r io.Reader, bs int, path string, ws *event.Warnings) *splitter {
	if bs > maxLineLen {
		bs = maxLineLen
	}
	if bs < 1 {
		bs = 1
	}
	return &splitter{r: r, bs: bs, path: path, ws: ws}
}

// newMappedSplitter cuts data, a memory-mapped file, into blocks.
func newMappedSplitter(data []byte, bs int, path string, ws *event.Warnings) *splitter {
	s := newSplitter(nil, bs, path, ws)
	s.mapped = data
	return s
}

// fill reads into buf until it is full or r ends.
func (s *splitter) fill(buf []byte) []byte {
	if s.done != nil && s.stopped() {
		return buf
	}
	if s.hasPeek && len(buf) < cap(buf) {
		buf = append(buf, s.peek)
		s.hasPeek = false
	}
	for !s.eof && len(buf) < cap(buf) {
		n, err := s.r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		s.read += int64(n)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.err = err
			}
			s.eof = true
			break
		}
		if n == 0 {
			if s.zero++; s.zero > 100 {
				s.err, s.eof = io.ErrNoProgress, true
			}
			continue
		}
		s.zero = 0
	}
	if !s.eof && len(buf) > 0 && len(buf) == cap(buf) && buf[len(buf)-1] == '\r' && !s.hasPeek {
		// Is the CR a line end? The next byte says (crLines).
		var one [1]byte
		for !s.eof && !s.hasPeek {
			n, err := s.r.Read(one[:])
			s.read += int64(n)
			if n == 1 {
				s.peek, s.hasPeek = one[0], true
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					s.err = err
				}
				s.eof = true
			} else if n == 0 {
				if s.zero++; s.zero > 100 {
					s.err, s.eof = io.ErrNoProgress, true
				}
			}
		}
	}
	return buf
}

// next fills c.buf with the next block of lines and sets c.first to the
// number of its first line. It returns false at the end of the input;
// s.err then says whether reading failed.
func (s *splitter) next(c *chunk) bool {
	if s.mapped != nil {
		return s.nextMapped(c)
	}
	if s.eof && len(s.pend) == 0 && !s.hasPeek {
		return false
	}
	size := s.bs
	if 2*len(s.pend) > size {
		size = min(2*len(s.pend), maxLineLen)
	}
	if cap(c.mem) < size {
		c.mem = make([]byte, size)
	}
	buf := append(c.mem[:0:size], s.pend...)
	s.pend = s.pend[:0]
	for {
		buf = s.fill(buf)
		// One search of the block for CR: the clean LF path pays no
		// more (lone CRs are line ends: crLines).
		if bytes.IndexByte(buf, '\r') >= 0 {
			crLines(buf, s.eof || (s.hasPeek && s.peek != '\n'))
		}
		if s.skip {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				buf = buf[:0]
				if s.eof {
					s.skip = false
					return false
				}
				continue
			}
			buf = buf[:copy(buf, buf[i+1:])]
			s.skip = false
			continue
		}
		if len(buf) == 0 {
			return false // only at the end: fill stops short only then
		}
		end := len(buf) // the block handed out is buf[:end]
		if !s.eof {
			i := bytes.LastIndexByte(buf, '\n')
			if i < 0 {
				if len(buf) >= maxLineLen {
					s.emit(c, buf[:maxLineLen])
					s.warnTruncated(c.first)
					s.skip = true
					return true
				}
				// One partial line fills the block: grow it, up to
				// maxLineLen.
				nb := make([]byte, len(buf), min(2*cap(buf), maxLineLen))
				copy(nb, buf)
				c.mem, buf = nb, nb
				continue
			}
			end = i + 1
		}
		n := bytes.Count(buf[:end], nl)
		if n > maxChunkLines {
			end, n = nthNewline(buf, maxChunkLines)+1, maxChunkLines
		}
		s.pend = append(s.pend, buf[end:]...)
		s.emitCounted(c, buf[:end], n)
		return true
	}
}

// nextMapped is next for a mapped input: c.buf becomes a slice of the
// mapping, cut where next would cut it. A page of the mapping that is
// gone (the file shrank since it was mapped: logrotate's copytruncate)
// faults; the reader goroutine runs with debug.SetPanicOnFault, so the
// fault ends the input with errShrank instead of the process.
func (s *splitter) nextMapped(c *chunk) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if !isFault(r) {
				panic(r)
			}
			s.err, s.eof, ok = errShrank, true, false
			s.mapped = s.mapped[:0]
		}
	}()
	for int(s.read) < len(s.mapped) {
		if s.skip {
			if !s.skipMapped() {
				return false
			}
			continue
		}
		rest := s.mapped[s.read:]
		if s.done != nil && s.stopped() {
			return false
		}
		end := len(rest) // the block handed out is rest[:end]
		w := rest[:min(len(rest), s.bs)]
		// The lines of w, and whether it holds a CR: lone CRs end lines,
		// then the block is copied and they become '\n' in the copy.
		n, cr := countNewlines(w)
		if cr {
			if cap(c.mem) < len(w) {
				c.mem = make([]byte, max(len(w), s.bs))
			}
			cp := c.mem[:copy(c.mem[:len(w)], w)]
			crLines(cp, len(w) == len(rest) || rest[len(w)] != '\n')
			if end > s.bs {
				end = bytes.LastIndexByte(cp, '\n') + 1
			}
			if end > 0 {
				n = bytes.Count(cp[:end], nl)
				if n > maxChunkLines {
					end, n = nthNewline(cp, maxChunkLines)+1, maxChunkLines
				}
				s.read += int64(end)
				s.emitCounted(c, cp[:end:end], n)
				return true
			}
		} else if end > s.bs {
			end = bytes.LastIndexByte(w, '\n') + 1 // no '\n' after it: n stays
		}
		if end == 0 {
			// The first line is longer than a block: hand it out alone,
			// cut to maxLineLen.
			if i := lineEnd(rest, min(len(rest), maxLineLen+1)); i >= 0 {
				if rest[i] == '\r' {
					// A lone CR ends it: handed out without the CR.
					s.read += int64(i + 1)
					s.emitCounted(c, rest[:i:i], 0)
					return true
				}
				end = i + 1
			} else if len(rest) <= maxLineLen {
				end = len(rest) // the last line, unterminated
			} else {
				s.emit(c, rest[:maxLineLen:maxLineLen])
				s.read += int64(maxLineLen)
				s.warnTruncated(c.first)
				s.skip = true
				page := os.Getpagesize()
				s.dropped = (int(s.read) + page - 1) / page * page // past what a worker copies
				return true
			}
			n = bytes.Count(rest[:end], nl)
		}
		if n > maxChunkLines {
			end, n = nthNewline(rest, maxChunkLines)+1, maxChunkLines
		}
		s.read += int64(end)
		s.emitCounted(c, rest[:end:end], n)
		return true
	}
	s.eof = true
	return false
}

// skipMapped skips the rest of an over-long line of a mapped input, a
// stride at a time: the pages it read are dropped from the process as
// it goes (a 2 GB line costs no more than a stride of RSS), and a
// stopped stream ends it. False when the stream was stopped.
func (s *splitter) skipMapped() bool {
	page := os.Getpagesize()
	for s.skip {
		if s.done != nil && s.stopped() {
			return false
		}
		rest := s.mapped[s.read:]
		n := min(len(rest), skipStride)
		if i := lineEnd(rest, n); i >= 0 {
			s.read += int64(i + 1)
			s.skip = false
		} else if s.read += int64(n); int(s.read) == len(s.mapped) {
			s.skip = false
		}
		// Pages wholly inside the skipped part: no worker reads them.
		if to := int(s.read) / page * page; to-s.dropped >= skipStride/2 || (!s.skip && to > s.dropped) {
			dropPages(s.mapped[s.dropped:to])
			s.dropped = to
		}
	}
	return true
}

// skipStride is how much of an over-long line is skipped between checks
// of the stream and drops of its pages. A variable for tests.
var skipStride = 8 << 20

// crLines makes each lone CR of b (one not followed by '\n': classic Mac
// line ends, a line cut by a bare CR) a '\n', so that it ends a line as
// '\n' does; a CRLF is left for the parser. A CR at the end of b is a
// line end when final says the byte after it is not '\n' (or there is
// none); otherwise it is left alone.
func crLines(b []byte, final bool) {
	for i := 0; i < len(b); i++ {
		j := bytes.IndexByte(b[i:], '\r')
		if j < 0 {
			return
		}
		i += j
		if i+1 < len(b) {
			if b[i+1] != '\n' {
				b[i] = '\n'
			}
		} else if final {
			b[i] = '\n'
		}
	}
}

// lineEnd returns the index in b[:limit] of the first line end: a '\n',
// or a lone CR (b[limit], if any, tells whether a CR at limit-1 is
// lone). -1 when there is none.
func lineEnd(b []byte, limit int) int {
	i := bytes.IndexByte(b[:limit], '\n')
	scan := b[:limit]
	if i >= 0 {
		scan = b[:i]
	}
	for off := 0; off < len(scan); {
		j := bytes.IndexByte(scan[off:], '\r')
		if j < 0 {
			break
		}
		j += off
		if j+1 >= len(b) || b[j+1] != '\n' {
			return j
		}
		off = j + 1
	}
	return i
}

var nl = []byte{'\n'}

// countNewlines counts the '\n' of b and reports whether b holds a '\r'
// (the count then stops short). It reads b a piece at a time, so that
// the count reads each piece from the core's first-level cache, where the
// search for a CR just brought it, instead of reading b from memory
// twice.
func countNewlines(b []byte) (n int, cr bool) {
	for len(b) > 0 {
		p := b[:min(len(b), countPiece)]
		if bytes.IndexByte(p, '\r') >= 0 {
			return n, true
		}
		n += bytes.Count(p, nl)
		b = b[len(p):]
	}
	return n, false
}

// countPiece is countNewlines' piece: a part of a first-level cache.
const countPiece = 16 << 10

// nthNewline returns the index of the n-th '\n' in b (n >= 1), which
// must exist.
func nthNewline(b []byte, n int) int {
	off := 0
	for {
		i := bytes.IndexByte(b[off:], '\n')
		if n--; n == 0 {
			return off + i
		}
		off += i + 1
	}
}

// emit hands out b as c's block and counts its lines: every '\n' ends
// one, and a last line without one (end of input, or truncated) counts
// too.
func (s *splitter) emit(c *chunk, b []byte) {
	s.emitCounted(c, b, bytes.Count(b, nl))
}

// emitCounted is emit when the caller has counted b's newlines.
func (s *splitter) emitCounted(c *chunk, b []byte, newlines int) {
	c.buf = b
	c.first = s.line + 1
	n := int64(newlines)
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	s.line += n
}

func (s *splitter) warnTruncated(line int64) {
	if s.ws != nil {
		s.ws.Addf(s.path, line, "line longer than %d bytes truncated; the rest of it is skipped", maxLineLen)
	}
}

// errShrank ends a mapped input whose file shrank while it was read.
var errShrank = errors.New("mapped file shrank")

// isFault reports whether a recovered panic is a memory fault (of a
// goroutine running with debug.SetPanicOnFault): a page of a mapped file
// that is gone.
func isFault(r any) bool {
	e, ok := r.(interface{ Addr() uintptr })
	return ok && e != nil
}
