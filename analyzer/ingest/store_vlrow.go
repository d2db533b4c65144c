package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// vlRow is one row of a VictoriaLogs reply: the fields of a flat JSON
// object, in reply order. All its strings share one allocation (text):
// an event may keep them, and a row costs two allocations at most
// whatever its fields (the field slice is reused).
type vlRow struct {
	fields []vlField
	text   string
}

type vlField struct{ key, value string }

// get returns the value of key (the last one, as a JSON object's
// decoding into a map would keep).
func (r *vlRow) get(key string) (string, bool) {
	for i := len(r.fields) - 1; i >= 0; i-- {
		if r.fields[i].key == key {
			return r.fields[i].value, true
		}
	}
	return "", false
}

// value is get's value alone ("" when key is missing).
func (r *vlRow) value(key string) string {
	v, _ := r.get(key)
	return v
}

// copyFrom makes r the same row as o: r's own field slice, the shared
// text.
func (r *vlRow) copyFrom(o *vlRow) {
	r.fields = append(r.fields[:0], o.fields...)
	r.text = o.text
}

// vlScanner reads a reply's rows, one JSON object per line, as the
// reply streams: neither the body nor more than a row is ever held.
// VictoriaLogs writes every value as a string; a number, true or false
// is kept as its text, null as "", a nested object or array as its JSON
// text. It does what encoding/json's decoding into map[string]string
// did, without reflection and with one allocation per row.
type vlScanner struct {
	rd   *bufio.Reader
	long []byte // a line longer than rd's buffer, gathered
	buf  []byte // the row's unescaped keys and values
	offs []int  // per field: key start and end, value start and end, in buf
}

func newVLScanner(r io.Reader) *vlScanner {
	return &vlScanner{rd: bufio.NewReaderSize(r, 64<<10)}
}

// errRowEnd: the row ended before its object did.
var errRowEnd = errors.New("unexpected end of row")

// next reads the next row into row. At the end of a complete reply it
// returns io.EOF; a reply cut inside a row (no newline, an object not
// closed) is errReplyCut, never an end.
func (s *vlScanner) next(row *vlRow) error {
	for {
		line, complete, err := s.line()
		if err != nil {
			return err
		}
		if isBlank(line) {
			if !complete {
				return io.EOF
			}
			continue
		}
		switch err := s.parse(line, row); {
		case err == errRowEnd && !complete:
			return errReplyCut
		case err != nil:
			return fmt.Errorf("reading reply: %w", err)
		}
		return nil
	}
}

// line returns the next line without its newline; complete is false
// for the reply's last bytes when no newline ends them. It is valid
// until the next call.
func (s *vlScanner) line() (line []byte, complete bool, err error) {
	s.long = s.long[:0]
	for {
		b, err := s.rd.ReadSlice('\n')
		switch {
		case err == nil:
			if len(s.long) > 0 {
				s.long = append(s.long, b...)
				b = s.long
			}
			return b[:len(b)-1], true, nil
		case err == bufio.ErrBufferFull:
			s.long = append(s.long, b...)
		case err == io.EOF:
			if len(s.long) > 0 {
				s.long = append(s.long, b...)
				b = s.long
			}
			return b, false, nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, false, errReplyCut
		default:
			return nil, false, fmt.Errorf("reading reply: %w", err)
		}
	}
}

func isBlank(b []byte) bool {
	return skipSpace(b, 0) == len(b)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// parse reads the one object b holds into row.
func (s *vlScanner) parse(b []byte, row *vlRow) error {
	s.buf, s.offs = s.buf[:0], s.offs[:0]
	i := skipSpace(b, 0)
	if b[i] != '{' {
		return fmt.Errorf("a row is not a JSON object: %q", clip(b[i:]))
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			if i >= len(b) {
				return errRowEnd
			}
			if b[i] != '"' {
				return fmt.Errorf("invalid character %q looking for a field name", b[i])
			}
			ks := len(s.buf)
			var err error
			if i, err = s.str(b, i+1); err != nil {
				return err
			}
			ke := len(s.buf)
			if i = skipSpace(b, i); i >= len(b) {
				return errRowEnd
			}
			if b[i] != ':' {
				return fmt.Errorf("invalid character %q after a field name", b[i])
			}
			if i = skipSpace(b, i+1); i >= len(b) {
				return errRowEnd
			}
			vs := len(s.buf)
			if i, err = s.value(b, i); err != nil {
				return err
			}
			s.offs = append(s.offs, ks, ke, vs, len(s.buf))
			if i = skipSpace(b, i); i >= len(b) {
				return errRowEnd
			}
			if b[i] == '}' {
				i++
				break
			}
			if b[i] != ',' {
				return fmt.Errorf("invalid character %q after a field value", b[i])
			}
			i = skipSpace(b, i+1)
		}
	}
	if i = skipSpace(b, i); i < len(b) {
		return fmt.Errorf("invalid character %q after a row", b[i])
	}
	text := string(s.buf)
	row.fields, row.text = row.fields[:0], text
	for k := 0; k < len(s.offs); k += 4 {
		row.fields = append(row.fields, vlField{text[s.offs[k]:s.offs[k+1]], text[s.offs[k+2]:s.offs[k+3]]})
	}
	return nil
}

// value appends the value at b[i] to buf (a string unescaped, null as
// nothing, another scalar, an object or an array as its text) and
// returns the index after it.
func (s *vlScanner) value(b []byte, i int) (int, error) {
	switch c := b[i]; {
	case c == '"':
		return s.str(b, i+1)
	case c == '{' || c == '[':
		end, err := skipComposite(b, i)
		if err != nil {
			return 0, err
		}
		s.buf = append(s.buf, b[i:end]...)
		return end, nil
	case c == 'n' || c == 't' || c == 'f':
		for _, lit := range [...]string{"null", "true", "false"} {
			if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
				if lit != "null" {
					s.buf = append(s.buf, lit...)
				}
				return i + len(lit), nil
			}
			if len(b)-i < len(lit) && string(b[i:]) == lit[:len(b)-i] {
				return 0, errRowEnd
			}
		}
	case c == '-' || c >= '0' && c <= '9':
		j := i + 1
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || b[j] == '+' || b[j] == '-') {
			j++
		}
		s.buf = append(s.buf, b[i:j]...)
		return j, nil
	}
	return 0, fmt.Errorf("invalid character %q looking for a value", b[i])
}

// skipComposite returns the index after the object or array at b[i].
func skipComposite(b []byte, i int) (int, error) {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			for j++; j < len(b) && b[j] != '"'; j++ {
				if b[j] == '\\' {
					j++
				}
			}
			if j >= len(b) {
				return 0, errRowEnd
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return j + 1, nil
			}
		}
	}
	return 0, errRowEnd
}

// str appends the string whose text starts at b[i] (after its opening
// quote), unescaped, to buf and returns the index after its closing
// quote. Invalid UTF-8 and lone surrogates become U+FFFD, as
// encoding/json makes them.
func (s *vlScanner) str(b []byte, i int) (int, error) {
	start := i
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			s.buf = append(s.buf, b[start:i]...)
			return i + 1, nil
		case c == '\\':
			s.buf = append(s.buf, b[start:i]...)
			if i+1 >= len(b) {
				return 0, errRowEnd
			}
			switch e := b[i+1]; e {
			case '"', '\\', '/':
				s.buf = append(s.buf, e)
			case 'b':
				s.buf = append(s.buf, '\b')
			case 'f':
				s.buf = append(s.buf, '\f')
			case 'n':
				s.buf = append(s.buf, '\n')
			case 'r':
				s.buf = append(s.buf, '\r')
			case 't':
				s.buf = append(s.buf, '\t')
			case 'u':
				r, n, err := unquoteRune(b[i:])
				if err != nil {
					return 0, err
				}
				s.buf = utf8.AppendRune(s.buf, r)
				i += n
				start = i
				continue
			default:
				return 0, fmt.Errorf("invalid escape \\%c in a string", e)
			}
			i += 2
			start = i
		case c < 0x20:
			return 0, fmt.Errorf("invalid character %q in a string", c)
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				if !utf8.FullRune(b[i:]) && len(b)-i < utf8.UTFMax {
					return 0, errRowEnd // cut inside a character: the reply's end
				}
				s.buf = append(s.buf, b[start:i]...)
				s.buf = append(s.buf, "\uFFFD"...)
				start = i + 1
			}
			i += n
		}
	}
	return 0, errRowEnd
}

// unquoteRune reads the \uXXXX escape at b (and a low surrogate's after
// a high one): the rune and the bytes read.
func unquoteRune(b []byte) (rune, int, error) {
	r, err := hex4(b)
	if err != nil {
		return 0, 0, err
	}
	if !utf16.IsSurrogate(r) {
		return r, 6, nil
	}
	if len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
		if r2, err := hex4(b[6:]); err == nil {
			if c := utf16.DecodeRune(r, r2); c != utf8.RuneError {
				return c, 12, nil
			}
		}
	} else if len(b) < 12 && (len(b) == 6 || b[6] == '\\') {
		return 0, 0, errRowEnd
	}
	return utf8.RuneError, 6, nil
}

// hex4 is the XXXX of the \uXXXX at b.
func hex4(b []byte) (rune, error) {
	if len(b) < 6 {
		return 0, errRowEnd
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, fmt.Errorf("invalid escape %q in a string", b[:6])
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

// clip is the start of b, for messages.
func clip(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}
