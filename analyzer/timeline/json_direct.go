package timeline

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// The findings and near misses of the timeline JSON are written here
// byte by byte, as the jsonFinding and jsonNearMiss structs encode
// through encoding/json and appendIndented: reflection over 27,000
// evidence objects, then a second pass to indent them, were 4.4% of a
// dense log's instructions, all in the run's serial tail (issue 20).
// jsonReport (json_test.go) encoded whole by encoding/json stays the
// reference the output must equal byte for byte.

// jsonIndented appends a JSON value indented as appendIndented indents
// json.Marshal's output: each member on a line of its own, after prefix
// and two spaces a level.
type jsonIndented struct {
	b      []byte
	prefix string
	level  int
	// empty: the object or array opened last has no member yet.
	empty bool
	// caps is scratch for a finding's captures, sorted by name.
	caps []signature.Capture
	// nl is a line break, prefix and indents for the first levels.
	nl string
}

func (w *jsonIndented) newline() {
	if w.nl == "" {
		w.nl = "\n" + w.prefix + strings.Repeat("  ", 8)
	}
	if n := 1 + len(w.prefix) + 2*w.level; n <= len(w.nl) {
		// One append: byte by byte, the indents were a third of writing
		// the evidence of a dense log's findings.
		w.b = append(w.b, w.nl[:n]...)
		return
	}
	w.b = append(w.b, '\n')
	w.b = append(w.b, w.prefix...)
	for range w.level {
		w.b = append(w.b, "  "...)
	}
}

// open starts an object ('{') or array ('[').
func (w *jsonIndented) open(c byte) {
	w.b = append(w.b, c)
	w.level++
	w.empty = true
}

// close ends the object or array opened last; an empty one closes on
// its opening line.
func (w *jsonIndented) close(c byte) {
	w.level--
	if !w.empty {
		w.newline()
	}
	w.b = append(w.b, c)
	w.empty = false
}

// elem starts a member of the object or array opened last.
func (w *jsonIndented) elem() {
	if !w.empty {
		w.b = append(w.b, ',')
	}
	w.empty = false
	w.newline()
}

// key starts the member named k, a name of the schema: ASCII that needs
// no escape (escaping the names byte by byte was a fifth of the writing).
func (w *jsonIndented) key(k string) {
	w.elem()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':', ' ')
}

// anyKey starts the member named k, any text (a capture's name).
func (w *jsonIndented) anyKey(k string) {
	w.elem()
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ':', ' ')
}

func (w *jsonIndented) str(k, v string) {
	w.key(k)
	w.b = appendJSONString(w.b, v)
}

func (w *jsonIndented) int(k string, v int64) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}

// time writes t as jsonTime does.
func (w *jsonIndented) time(k string, t time.Time) {
	w.key(k)
	w.b = append(w.b, '"')
	if !t.IsZero() {
		w.b = appendRFC3339Nano(w.b, t.UTC())
	}
	w.b = append(w.b, '"')
}

// appendRFC3339Nano appends t, in UTC, as t.AppendFormat(dst,
// time.RFC3339Nano) does, digit by digit for the years 0 to 9999: the
// general formatter was a tenth of writing the findings.
func appendRFC3339Nano(dst []byte, t time.Time) []byte {
	if year := t.Year(); year < 0 || year > 9999 || t.Location() != time.UTC {
		return t.AppendFormat(dst, time.RFC3339Nano)
	}
	dst = event.AppendDateClock(dst, t, 'T')
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		dst = append(dst, frac[:n]...)
	}
	return append(dst, 'Z')
}

// strings writes vs as an array; nil as [] (nonNil).
func (w *jsonIndented) strings(k string, vs []string) {
	w.key(k)
	w.open('[')
	for _, v := range vs {
		w.elem()
		w.b = appendJSONString(w.b, v)
	}
	w.close(']')
}

// finding writes f as newJSONFinding's struct encodes.
func (w *jsonIndented) finding(f *Finding) {
	w.open('{')
	w.str("id", f.ID)
	w.str("signature", f.Signature.ID)
	w.str("title", f.Signature.Title)
	w.str("severity", f.Severity().String())
	w.strings("tags", f.Signature.Tags)
	w.str("outcome", f.Outcome)
	w.str("reason", f.Reason)
	w.str("host", f.Host)
	w.time("start", f.Start)
	w.time("end", f.End)
	w.int("count", int64(f.Count))
	w.str("summary", f.Summary)
	w.captures(f.Captures)
	w.evidence(f.Evidence)
	w.strings("remediation", f.Remediation)
	w.key("references")
	w.open('[')
	for _, r := range f.Signature.References {
		w.elem()
		w.open('{')
		w.str("title", r.Title)
		w.str("url", r.URL)
		w.close('}')
	}
	w.close(']')
	if f.EvidenceOmitted != 0 {
		w.int("evidence_omitted", int64(f.EvidenceOmitted))
	}
	if len(f.Finding.Warnings) > 0 {
		w.strings("warnings", f.Finding.Warnings)
	}
	w.close('}')
}

// incident writes inc as its jsonIncident encodes.
func (w *jsonIndented) incident(inc *Incident) {
	w.open('{')
	w.str("root", inc.Root.ID)
	w.key("symptoms")
	w.open('[')
	for _, sym := range inc.Symptoms {
		w.elem()
		w.b = appendJSONString(w.b, sym.ID)
	}
	w.close(']')
	w.close('}')
}

// nearMiss writes n as its jsonNearMiss encodes.
func (w *jsonIndented) nearMiss(n *NearMiss) {
	w.open('{')
	w.str("signature", n.Signature.ID)
	w.str("group", n.Group)
	w.int("steps", int64(n.Steps))
	w.str("reason", n.Reason)
	w.time("time", n.Time)
	w.evidence(n.Evidence)
	w.close('}')
}

// captures writes caps as the map newJSONFinding makes of them encodes:
// one value per name (the last), names sorted.
func (w *jsonIndented) captures(caps []signature.Capture) {
	w.caps = w.caps[:0]
	for _, c := range caps {
		if i := slices.IndexFunc(w.caps, func(x signature.Capture) bool { return x.Name == c.Name }); i >= 0 {
			w.caps[i].Value = c.Value
		} else {
			w.caps = append(w.caps, c)
		}
	}
	slices.SortFunc(w.caps, func(a, b signature.Capture) int { return strings.Compare(a.Name, b.Name) })
	w.key("captures")
	w.open('{')
	for _, c := range w.caps {
		w.anyKey(c.Name)
		w.b = appendJSONString(w.b, c.Value)
	}
	w.close('}')
}

// evidence writes ev as jsonChain's slice encodes.
func (w *jsonIndented) evidence(ev []Evidence) {
	w.key("evidence")
	w.open('[')
	for i := range ev {
		e := &ev[i]
		x := e.Event
		w.elem()
		w.open('{')
		w.str("step", e.Step)
		w.time("time", x.Time)
		w.key("delta_seconds")
		w.b = appendJSONFloat(w.b, e.Delta.Seconds())
		w.str("source", x.Source.Path)
		if x.Source.Line != 0 {
			w.int("line", x.Source.Line)
		}
		if x.Source.Cursor != "" {
			w.str("cursor", x.Source.Cursor)
		}
		w.str("host", x.Host)
		w.str("program", x.Program)
		if x.PID != 0 {
			w.int("pid", int64(x.PID))
		}
		w.str("message", x.Message)
		if e.Refetch != "" {
			w.str("refetch", e.Refetch)
		}
		if e.Cut != 0 {
			w.int("message_cut_bytes", int64(e.Cut))
		}
		if e.Context != nil {
			w.key("context")
			w.open('{')
			w.lines("before", e.Context.Before)
			w.lines("after", e.Context.After)
			w.close('}')
		}
		w.close('}')
	}
	w.close(']')
}

// lines writes context lines as jsonLines' slice encodes.
func (w *jsonIndented) lines(k string, evs []*event.Event) {
	w.key(k)
	w.open('[')
	for _, x := range evs {
		w.elem()
		w.open('{')
		w.time("time", x.Time)
		w.str("source", x.Source.Path)
		if x.Source.Line != 0 {
			w.int("line", x.Source.Line)
		}
		if x.Source.Cursor != "" {
			w.str("cursor", x.Source.Cursor)
		}
		w.str("program", x.Program)
		w.str("message", x.Message)
		w.close('}')
	}
	w.close(']')
}

// jsonSafe marks the ASCII bytes encoding/json copies into a string as
// they are when it does not escape HTML: all but control bytes, '"' and
// '\\'.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONString appends s quoted as encoding/json writes a string
// with SetEscapeHTML(false): '"', '\\' and control bytes escaped,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 as escapes.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none needs a look: the byte loop
		// was half of writing a dense log's findings.
		if i+8 <= len(s) && jsonSpecial8(le64(s[i:])) == 0 {
			i += 8
			continue
		}
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// le64 is the first 8 bytes of s, little-endian.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// jsonSpecial8 is 0 when the 8 bytes of w are ASCII that a JSON string
// holds as they are: none a control byte, '"', '\\' or from 0x80. Each
// test sets the high bit of a byte that matches (or, borrowing, of one
// above a byte that matches), never when none does.
func jsonSpecial8(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs := w^(ones*'"'), w^(ones*'\\')
	return (w | (q-ones)&^q | (bs-ones)&^bs | (w-ones*0x20)&^w) & highs
}

// appendJSONFloat appends f as encoding/json writes a float64: the
// shortest decimal that reads back as f, in exponent form below 1e-6 or
// from 1e21 on, its exponent without a leading zero. f is finite.
func appendJSONFloat(dst []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// e-09 -> e-9
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// Findings and near misses are written on every core: one goroutine
// wrote a dense log's 14.7 MB of findings in about 40 ms of the run's
// serial tail, the other core idle (issue 20). Workers write batches of
// items into buffers of their own, and the caller's goroutine writes the
// batches out in order, item by item, as directArray does; at most
// directWindow batches are held at once, so memory stays bounded by that
// window rather than the report.
const (
	// directBatch is the number of items of one batch: about 90 KB of a
	// dense log's findings, enough to make a batch's handoff cheap.
	directBatch = 16
	// minParallelItems is the number of items from which the work is
	// split: below it a goroutine costs more than it saves.
	minParallelItems = 4 * directBatch
)

// directBatchOut is a rendered batch: its bytes and where each item ends
// in them.
type directBatchOut struct {
	b    []byte
	ends []int
}

// parallelDirectArray is directArray with the items written by up to
// workers goroutines; the bytes written are the same.
func parallelDirectArray[E any](s *jsonStream, depth int, items []E, write func(*jsonIndented, E), workers int) {
	batches := (len(items) + directBatch - 1) / directBatch
	workers = min(workers, batches)
	if workers < 2 || len(items) < minParallelItems {
		directArray(s, depth, items, write)
		return
	}
	s.raw("[")
	if s.err != nil {
		return
	}
	window := 4 * workers
	// tokens bounds the batches in flight; a worker takes one before it
	// claims a batch, so the batch the writer waits for is always claimed
	// by a worker that can finish it.
	tokens := make(chan struct{}, window)
	for range window {
		tokens <- struct{}{}
	}
	free := make(chan *directBatchOut, window)
	done := make([]chan *directBatchOut, batches)
	for i := range done {
		done[i] = make(chan *directBatchOut, 1)
	}
	quit := make(chan struct{})
	var next atomic.Int64
	var wg sync.WaitGroup
	indent := "\n" + jsonIndent[:2*(depth+1)]
	for range workers {
		wg.Go(func() {
			w := jsonIndented{prefix: jsonIndent[:2*(depth+1)]}
			for {
				select {
				case <-tokens:
				case <-quit:
					return
				}
				bi := int(next.Add(1)) - 1
				if bi >= batches {
					return
				}
				var out *directBatchOut
				select {
				case out = <-free:
				default:
					out = &directBatchOut{}
				}
				w.b, out.ends = out.b[:0], out.ends[:0]
				for i := bi * directBatch; i < min((bi+1)*directBatch, len(items)); i++ {
					if i > 0 {
						w.b = append(w.b, ',')
					}
					w.b = append(w.b, indent...)
					w.level, w.empty = 0, false
					write(&w, items[i])
					out.ends = append(out.ends, len(w.b))
				}
				out.b = w.b
				done[bi] <- out
			}
		})
	}
	for bi := 0; bi < batches && s.err == nil; bi++ {
		out := <-done[bi]
		from := 0
		for _, end := range out.ends {
			if _, s.err = s.w.Write(out.b[from:end]); s.err != nil {
				break
			}
			from = end
		}
		free <- out
		tokens <- struct{}{}
	}
	close(quit)
	wg.Wait()
	s.first = false
	s.end(depth, "]")
}
