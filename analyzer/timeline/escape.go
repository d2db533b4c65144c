package timeline

import (
	"strings"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// AppendSafe appends log-derived text s for a terminal: C0 and C1 control
// characters (ESC, BEL, CSI U+009B ...), DEL, bytes that are not UTF-8
// and the bidirectional overrides that reorder what a reader sees are
// shown as \xNN or \u{NNNN}, so a log line cannot move the cursor, change
// colours, set a hyperlink (OSC 8) or retitle the window. Tab is kept; a
// newline is replaced by newline (e.g. "\n    " to indent continuation
// lines, or `\n` to keep the text on one line).
func AppendSafe(dst []byte, s, newline string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7f || c == '\t' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			if c == '\n' {
				dst = append(dst, newline...)
			} else {
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		case r >= 0x80 && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\u{`...)
			for shift := 12; shift >= 0; shift -= 4 {
				dst = append(dst, hexDigits[(r>>shift)&0xf])
			}
			dst = append(dst, '}')
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}

// Safe is AppendSafe on one line: a newline is shown as \n.
func Safe(s string) string {
	if isPlain(s) {
		return s
	}
	return string(AppendSafe(nil, s, `\n`))
}

// isPlain reports whether s is printable ASCII (and tab) only.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}

// mdSpecial are the characters that can start Markdown (CommonMark and
// GitHub) markup: emphasis, links, images, headings, lists, tables, code,
// raw HTML, entities and autolinks (@ for e-mail, : and . break URLs and
// www. below).
const mdSpecial = "\\`*_[](){}#+-!|<>&~@"

// EscapeMarkdown returns s as literal Markdown text on one line: every
// character that could become markup, a link or raw HTML is
// backslash-escaped, "://" becomes ":\/\/" and "www." "www\." so that
// GitHub does not turn URLs into links, newlines become spaces and
// control characters \xNN.
func EscapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	safe := AppendSafe(nil, s, " ")
	for i := 0; i < len(safe); i++ {
		c := safe[i]
		switch {
		case c == '/' && i > 0 && (safe[i-1] == ':' || safe[i-1] == '/') && hasSchemePrefix(safe, i):
			b.WriteString(`\/`)
		case c == '.' && i >= 3 && string(safe[i-3:i]) == "www":
			b.WriteString(`\.`)
		case strings.IndexByte(mdSpecial, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// hasSchemePrefix reports whether the '/' at i belongs to a "://" run.
func hasSchemePrefix(s []byte, i int) bool {
	j := i
	for j > 0 && s[j-1] == '/' {
		j--
	}
	return j > 0 && s[j-1] == ':'
}
