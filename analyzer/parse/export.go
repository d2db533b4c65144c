package parse

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// MaxExportField bounds one field of the journal export format. A larger
// field is skipped (its entry is reported as a FormatError), so that a
// corrupt length cannot make the reader allocate gigabytes.
const MaxExportField = 16 << 20

// MaxExportEntry and MaxExportFields bound one entry of the journal
// export format, its bytes and its fields (systemd-journal-remote stops
// at 1024 fields): a larger entry is skipped and reported as a
// FormatError, so that many large fields cannot exhaust memory.
const (
	MaxExportEntry  = 32 << 20
	MaxExportFields = 1024
)

// FormatError is a malformed entry in a non-line input. Line is the
// 1-based line where the problem was found.
type FormatError struct {
	Line int64
	Msg  string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// ExportReader reads the journal export format (`journalctl -o export`,
// systemd's "Journal Export Format"): entries of fields separated by a
// blank line, each field either "KEY=value\n" or, binary-safe,
// "KEY\n" + little-endian uint64 length + bytes + "\n". Not safe for
// concurrent use.
type ExportReader struct {
	r     *bufio.Reader
	line  int64 // 0x0A bytes consumed so far, binary data included, as a text tool counts lines
	buf   []byte
	spans []jspan
	fs    []journalField
	eof   bool
}

// NewExportReader returns a reader of the export stream r.
func NewExportReader(r io.Reader) *ExportReader {
	return &ExportReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Next resets ev and fills it with the next entry: Format
// journal-export, Source.Line the line where the entry starts, payload
// fields and systemd lifecycle derived as for every parsed entry. It
// returns io.EOF after the last entry. A malformed entry returns a
// *FormatError and leaves ev unspecified; the next call continues with
// the entry after it. Other errors come from the underlying reader.
func (x *ExportReader) Next(ev *event.Event) error {
	if cap(x.buf) > 2*MaxExportField {
		x.buf = nil // after a huge entry: not kept for the small ones
	}
	x.buf, x.spans, x.fs = x.buf[:0], x.spans[:0], x.fs[:0]
	var start int64
	var ferr *FormatError
	for {
		if x.eof {
			break
		}
		lineNo := x.line + 1
		l0 := len(x.buf)
		n, err := x.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			var fe *FormatError
			if errors.As(err, &fe) {
				ferr = fe
				x.resync()
				break
			}
			return err
		}
		if n == 0 && err != nil { // EOF with nothing read
			x.eof = true
			break
		}
		ln := x.buf[l0 : l0+n]
		if len(ln) == 0 {
			x.buf = x.buf[:l0]
			if len(x.spans) == 0 {
				continue // blank lines between entries
			}
			break
		}
		if start == 0 {
			start = lineNo
		}
		if eq := bytes.IndexByte(ln, '='); eq >= 0 {
			if len(x.buf) > MaxExportEntry || len(x.spans) >= MaxExportFields {
				ferr = x.entryTooLarge(start)
				x.buf = x.buf[:l0]
				if err == nil {
					x.resync()
				} else {
					x.eof = true
				}
				break
			}
			if !validFieldName(ln[:eq]) {
				ferr = &FormatError{lineNo, fmt.Sprintf("invalid field name %q", clip(ln[:eq]))}
				x.resync()
				break
			}
			x.spans = append(x.spans, jspan{l0, l0 + eq, l0 + eq + 1, l0 + n})
			if err != nil {
				x.eof = true
			}
			continue
		}
		if !validFieldName(ln) {
			ferr = &FormatError{lineNo, fmt.Sprintf("invalid field name %q", clip(ln))}
			x.resync()
			break
		}
		if fe, midLine := x.readBinary(lineNo, l0, l0+n, start); fe != nil {
			ferr = fe
			if midLine {
				x.discardLine()
			}
			x.resync() // a no-op after a truncated field: x.eof is set
			break
		}
	}
	if ferr != nil {
		return ferr
	}
	if len(x.spans) == 0 {
		return io.EOF
	}
	for _, sp := range x.spans {
		x.fs = append(x.fs, journalField{Key: x.buf[sp.k0:sp.k1], Value: x.buf[sp.v0:sp.v1]})
	}
	ev.Reset()
	fromJournalFields(x.fs, ev)
	ev.Source.Format = FormatJournalExport
	ev.Source.Line = start
	finishEntry(ev)
	return nil
}

// readLine appends the next line, without its newline, to x.buf and
// returns its length; io.EOF when the input ended before a newline. A
// line longer than MaxExportField is a FormatError.
func (x *ExportReader) readLine() (int, error) {
	l0 := len(x.buf)
	for {
		chunk, err := x.r.ReadSlice('\n')
		if len(x.buf)-l0+len(chunk) > MaxExportField+1 {
			return 0, &FormatError{x.line + 1, "field longer than 16 MiB"}
		}
		if len(x.buf)+len(chunk) > MaxExportEntry+1 {
			return 0, &FormatError{x.line + 1, fmt.Sprintf("entry larger than %d MiB or %d fields; skipped", MaxExportEntry>>20, MaxExportFields)}
		}
		x.buf = append(x.buf, chunk...)
		switch {
		case err == nil:
			x.line++
			x.buf = x.buf[:len(x.buf)-1]
			return len(x.buf) - l0, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return len(x.buf) - l0, err
		}
	}
}

// readBinary reads the length and data of a binary-safe field whose name
// is x.buf[k0:k1]. On error, midLine says that the reader stopped inside
// a line, whose rest is no blank line even when empty.
func (x *ExportReader) readBinary(lineNo int64, k0, k1 int, start int64) (fe *FormatError, midLine bool) {
	var lenBuf [8]byte
	if _, err := io.ReadFull(x.r, lenBuf[:]); err != nil {
		x.eof = true
		return &FormatError{lineNo, "truncated binary field"}, false
	}
	size := binary.LittleEndian.Uint64(lenBuf[:])
	x.line += int64(bytes.Count(lenBuf[:], []byte{'\n'}))
	over := size <= MaxExportField && (uint64(len(x.buf))+size > MaxExportEntry || len(x.spans) >= MaxExportFields)
	if size > MaxExportField || over {
		if size > 1<<40 {
			return &FormatError{lineNo, fmt.Sprintf("field %s has an impossible length %d", clip(x.buf[k0:k1]), size)}, true
		}
		// Skip the data, counting its lines, then the rest of the entry.
		cw := &lineCounter{}
		if _, err := io.CopyN(cw, x.r, int64(size)); err != nil {
			x.line += cw.n
			x.eof = true
			return &FormatError{lineNo, "truncated binary field"}, false
		}
		x.line += cw.n
		// Eat the newline after the data, or resync would take it for
		// the blank line that ends the entry.
		if c, err := x.r.ReadByte(); err == nil && c == '\n' {
			x.line++
		} else if err == nil {
			_ = x.r.UnreadByte()
		}
		if over {
			return x.entryTooLarge(start), false
		}
		return &FormatError{lineNo, fmt.Sprintf("field %s is %d bytes, over the 16 MiB limit; entry skipped", clip(x.buf[k0:k1]), size)}, false
	}
	v0 := len(x.buf)
	x.buf = append(x.buf, make([]byte, int(size)+1)...)
	if _, err := io.ReadFull(x.r, x.buf[v0:]); err != nil {
		x.eof = true
		return &FormatError{lineNo, "truncated binary field"}, false
	}
	x.line += int64(bytes.Count(x.buf[v0:], []byte{'\n'}))
	if x.buf[len(x.buf)-1] != '\n' {
		return &FormatError{lineNo, fmt.Sprintf("binary field %s not followed by a newline", clip(x.buf[k0:k1]))}, true
	}
	x.spans = append(x.spans, jspan{k0, k1, v0, len(x.buf) - 1})
	return nil, false
}

// entryTooLarge is the error of an entry over MaxExportEntry bytes or
// MaxExportFields fields, starting at line start.
func (x *ExportReader) entryTooLarge(start int64) *FormatError {
	return &FormatError{start, fmt.Sprintf("entry larger than %d MiB or %d fields; skipped", MaxExportEntry>>20, MaxExportFields)}
}

// resync skips to the blank line that ends the current entry, so that the
// next call starts with the entry after a malformed one.
func (x *ExportReader) resync() {
	for !x.eof {
		l0 := len(x.buf)
		n, err := x.readLine()
		x.buf = x.buf[:l0]
		if err != nil {
			var fe *FormatError
			if errors.As(err, &fe) {
				x.discardLine()
				continue
			}
			x.eof = true
			return
		}
		if n == 0 {
			return
		}
	}
}

// discardLine drops the rest of an over-long line.
func (x *ExportReader) discardLine() {
	for {
		_, err := x.r.ReadSlice('\n')
		if err == nil {
			x.line++
			return
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			x.eof = true
			return
		}
	}
}

type lineCounter struct{ n int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

// validFieldName accepts journal field names: upper-case letters, digits
// and underscores, not starting with a digit, at most 64 bytes. Lower
// case is tolerated (hand-written exports); anything else means the input
// is not an export stream or is out of step.
func validFieldName(k []byte) bool {
	if len(k) == 0 || len(k) > 64 || (k[0] >= '0' && k[0] <= '9') {
		return false
	}
	for _, c := range k {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// clip shortens b for an error message.
func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
