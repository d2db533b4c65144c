package ingest

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// splitAll runs the splitter over r and returns its lines, numbered as
// the chunks say, as "N:text".
func splitAll(t testing.TB, r io.Reader, bs int, ws *event.Warnings) ([]string, *splitter) {
	return splitWith(t, newSplitter(r, bs, "f", ws))
}

// splitMapped is splitAll over a mapped input.
func splitMapped(t testing.TB, data []byte, bs int, ws *event.Warnings) ([]string, *splitter) {
	return splitWith(t, newMappedSplitter(data, bs, "f", ws))
}

func splitWith(t testing.TB, sp *splitter) ([]string, *splitter) {
	var out []string
	c := &chunk{}
	next := int64(1)
	for sp.next(c) {
		if c.first != next {
			t.Fatalf("chunk starts at line %d, want %d", c.first, next)
		}
		if len(c.buf) == 0 {
			t.Fatal("empty chunk")
		}
		data := c.buf
		for len(data) > 0 {
			l := data
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				l, data = data[:i], data[i+1:]
			} else {
				data = nil
			}
			out = append(out, fmt.Sprintf("%d:%s", next, l))
			next++
		}
	}
	if next-1 != sp.line {
		t.Fatalf("splitter counted %d lines, chunks held %d", sp.line, next-1)
	}
	return out, sp
}

// loneCRs returns data with each CR not followed by '\n' made a '\n'.
func loneCRs(data string) string {
	b := []byte(data)
	for i, c := range b {
		if c == '\r' && (i+1 == len(b) || b[i+1] != '\n') {
			b[i] = '\n'
		}
	}
	return string(b)
}

// referenceLines is what splitAll must return: every line (ended by
// '\n' or a lone CR), cut to maxLineLen.
func referenceLines(data []byte) []string {
	parts := strings.Split(loneCRs(string(data)), "\n")
	if parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		if len(p) > maxLineLen {
			p = p[:maxLineLen]
		}
		out[i] = fmt.Sprintf("%d:%s", i+1, p)
	}
	return out
}

func TestSplitter(t *testing.T) {
	tests := []struct {
		name           string
		data           string
		block, maxLine int
		lines          int
		warnLines      []int64
		readerWrappers bool
	}{
		{name: "empty", data: "", block: 8, maxLine: 16},
		{name: "one line, no newline", data: "Oct  7 06:20:21 a", block: 8, maxLine: 32},
		{name: "blank lines", data: "\n\n\n", block: 2, maxLine: 16},
		{name: "CRLF kept for the parser", data: "a\r\nb\r\n", block: 3, maxLine: 16},
		{name: "lone CRs end lines", data: "a\rbb\rccc\r\nd\r\re\r", block: 3, maxLine: 16},
		{name: "CR-only lines, one too long", data: "aa\r0123456789abcdefghij\rnext\rlast", block: 4, maxLine: 8, warnLines: []int64{2}},
		{name: "CR at a block's end before LF", data: "abc\r\ndef\r\n", block: 4, maxLine: 16},
		{name: "lines longer than the block", data: "0123456789abcdef\nxy\n", block: 4, maxLine: 32},
		{name: "long line truncated", data: "short\n0123456789abcdefghij\nnext\n", block: 4, maxLine: 8, warnLines: []int64{2}},
		{name: "long last line without newline", data: "a\n0123456789abcdefghij", block: 4, maxLine: 8, warnLines: []int64{2}},
		{name: "two long lines in a row", data: "0123456789\n0123456789\nok\n", block: 16, maxLine: 8, warnLines: []int64{1, 2}},
		{name: "long line at the end of a block", data: "ab\n" + strings.Repeat("z", 40) + "\nc\n", block: 8, maxLine: 8, warnLines: []int64{2}},
		{name: "line cap per chunk", data: "1\n2\n3\n4\n5\n6\n7", block: 64, maxLine: 64, lines: 2},
		{name: "block larger than the line limit", data: "aaaaaaaaaaaaaaaaaaaa\nb\n", block: 64, maxLine: 8, warnLines: []int64{1}},
		// Blocks of several countPiece pieces, counted piece by piece.
		{name: "lines over several count pieces", data: strings.Repeat("0123456789abcde\n", 3000), block: 40000, maxLine: 1 << 16},
		{name: "a lone CR in a later count piece", data: strings.Repeat("0123456789abcde\n", 1500) + "x\ry\n" + strings.Repeat("0123456789abcde\n", 1500), block: 40000, maxLine: 1 << 16},
	}
	for _, tt := range tests {
		for _, wrap := range []struct {
			name string
			f    func(io.Reader) io.Reader
		}{
			{"whole", func(r io.Reader) io.Reader { return r }},
			{"one byte", iotest.OneByteReader},
			{"data with EOF", iotest.DataErrReader},
			{"half", iotest.HalfReader},
			{"mapped", nil},
		} {
			t.Run(tt.name+"/"+wrap.name, func(t *testing.T) {
				setLimits(t, blockSize, tt.maxLine, cmp(tt.lines, maxChunkLines))
				ws := &event.Warnings{}
				var got []string
				var sp *splitter
				if wrap.f == nil {
					got, sp = splitMapped(t, []byte(tt.data), tt.block, ws)
				} else {
					got, sp = splitAll(t, wrap.f(strings.NewReader(tt.data)), tt.block, ws)
				}
				want := referenceLines([]byte(tt.data))
				if strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("lines %q\nwant  %q", got, want)
				}
				var warned []int64
				for _, w := range ws.List() {
					warned = append(warned, w.Line)
				}
				if fmt.Sprint(warned) != fmt.Sprint(tt.warnLines) {
					t.Errorf("truncation warnings at %v, want %v", warned, tt.warnLines)
				}
				if sp.read != int64(len(tt.data)) || sp.err != nil {
					t.Errorf("read %d bytes (err %v), want %d", sp.read, sp.err, len(tt.data))
				}
			})
		}
	}
}

func TestSplitterReadError(t *testing.T) {
	boom := fmt.Errorf("disk on fire")
	r := io.MultiReader(strings.NewReader("a\nb\npartial"), iotest.ErrReader(boom))
	got, sp := splitAll(t, r, 4, nil)
	if strings.Join(got, "|") != "1:a|2:b|3:partial" || sp.err != boom {
		t.Errorf("lines %q, err %v", got, sp.err)
	}
}

func FuzzSplitter(f *testing.F) {
	f.Add([]byte(incident), uint8(7), uint8(64), uint8(3))
	f.Add([]byte("a\n\nbb\nccc\x00\n\xff\xfe"), uint8(1), uint8(2), uint8(1))
	f.Add([]byte(strings.Repeat("x", 300)+"\ny\n"), uint8(16), uint8(8), uint8(100))
	f.Add([]byte("a\rb\r\nc\r\rd\r"), uint8(2), uint8(3), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, block, maxLine, lines uint8) {
		setLimits(t, blockSize, int(maxLine%64)+1, int(lines%16)+1)
		want := referenceLines(data)
		got, _ := splitAll(t, iotest.HalfReader(bytes.NewReader(data)), int(block%64)+1, nil)
		if strings.Join(got, "\x01") != strings.Join(want, "\x01") {
			t.Errorf("lines %q\nwant  %q", got, want)
		}
		got, _ = splitMapped(t, data, int(block%64)+1, nil)
		if strings.Join(got, "\x01") != strings.Join(want, "\x01") {
			t.Errorf("mapped: lines %q\nwant  %q", got, want)
		}
	})
}

// BenchmarkSplitter measures cutting blocks alone (no parsing).
func BenchmarkSplitter(b *testing.B) {
	data := benchData(8 << 20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	c := &chunk{}
	for b.Loop() {
		sp := newSplitter(bytes.NewReader(data), blockSize, "f", nil)
		for sp.next(c) {
		}
	}
}
