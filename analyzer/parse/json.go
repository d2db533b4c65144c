package parse

import (
	"unicode/utf16"
	"unicode/utf8"
)

// jsonObject walks the top-level members of one JSON object without
// decoding it. Key and Value are slices of the input (a string key
// without its quotes, still escaped; a value as written), so walking
// allocates nothing. Nested objects and arrays are skipped as one raw
// value. Not safe for concurrent use.
type jsonObject struct {
	b    []byte
	i    int
	key  []byte
	val  []byte
	err  bool
	done bool
}

// reset starts walking b, which must hold one object and nothing but
// white space around it; false when b does not start with '{'.
func (o *jsonObject) reset(b []byte) bool {
	*o = jsonObject{b: b}
	o.i = skipWS(b, 0)
	if o.i >= len(b) || b[o.i] != '{' {
		o.err = true
		return false
	}
	o.i++
	return true
}

// next advances to the next member; false at the closing brace (done) or
// at a syntax error (err), including trailing bytes after the object.
func (o *jsonObject) next() bool {
	if o.err || o.done {
		return false
	}
	b := o.b
	i := skipWS(b, o.i)
	if i >= len(b) {
		o.err = true
		return false
	}
	if b[i] == '}' {
		return o.finish(i + 1)
	}
	if o.key != nil { // not the first member: expect a comma
		if b[i] != ',' {
			o.err = true
			return false
		}
		i = skipWS(b, i+1)
	}
	if i >= len(b) || b[i] != '"' {
		o.err = true
		return false
	}
	end, ok := skipString(b, i)
	if !ok {
		o.err = true
		return false
	}
	o.key = b[i+1 : end-1]
	i = skipWS(b, end)
	if i >= len(b) || b[i] != ':' {
		o.err = true
		return false
	}
	i = skipWS(b, i+1)
	end, ok = skipValue(b, i)
	if !ok {
		o.err = true
		return false
	}
	o.val = b[i:end]
	o.i = end
	return true
}

func (o *jsonObject) finish(i int) bool {
	if skipWS(o.b, i) != len(o.b) {
		o.err = true
	} else {
		o.done = true
	}
	return false
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

// skipValue returns the index after the value starting at b[i]. Objects
// and arrays are matched by depth counting, not recursion, so deep
// nesting cannot exhaust the stack. Scalars are checked loosely.
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				e, ok := skipString(b, i)
				if !ok {
					return 0, false
				}
				i = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
		}
		return 0, false
	}
	s := i
	for i < len(b) {
		c := b[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E') {
			break
		}
		i++
	}
	return i, i > s
}

// appendUnescaped appends the decoded text of a quoted string body (raw,
// without quotes) to dst: JSON's escapes (with surrogate pairs), plus
// \xHH, which Go's %q writes into logfmt values. Malformed escapes are
// kept as written.
func appendUnescaped(dst, raw []byte) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 >= len(raw) {
			dst = append(dst, c)
			continue
		}
		i++
		switch e := raw[i]; e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hexRune(raw[i+1:], 4)
			if !ok {
				dst = append(dst, '\\', e)
				continue
			}
			i += 4
			if utf16.IsSurrogate(r) && i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
				if r2, ok := hexRune(raw[i+3:], 4); ok {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					}
				}
			}
			dst = utf8.AppendRune(dst, r)
		case 'x':
			if r, ok := hexRune(raw[i+1:], 2); ok {
				dst = append(dst, byte(r))
				i += 2
			} else {
				dst = append(dst, '\\', e)
			}
		default:
			dst = append(dst, '\\', e)
		}
	}
	return dst
}

// jsonString returns a JSON string value (raw, with or without quotes)
// decoded; other values are returned as written.
func jsonString(raw []byte) string {
	if len(raw) >= 2 && raw[0] == '"' {
		raw = raw[1 : len(raw)-1]
		for _, c := range raw {
			if c == '\\' {
				return toValidString(appendUnescaped(make([]byte, 0, len(raw)), raw))
			}
		}
	}
	return toValidString(raw)
}

// jsonText returns the text of a scalar for matching: a string's body
// undecoded (keys and levels never need escapes) or the literal itself.
func jsonText(raw []byte) []byte {
	if len(raw) >= 2 && raw[0] == '"' {
		return raw[1 : len(raw)-1]
	}
	return raw
}
