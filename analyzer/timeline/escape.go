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

// EscapeMarkdown returns s as literal Markdown text on one line that
// reads well raw: only what CommonMark or GitHub would misread is
// backslash-escaped. Always: backslash before punctuation, backticks,
// '*', '~', '|' (a table cell), '<' (raw HTML, autolinks) and '@'
// (mentions, e-mail autolinks); '_' unless inside a word; ']' before '('
// '[' or ':' (a link or a definition needs it); '&' before a letter or
// '#' (an entity); at the start, what would open a block (#, >, -, +, =,
// "1." ...). "://" becomes ":\/\/" and "www." "www\." so that GitHub does
// not autolink URLs. Newlines become spaces, control characters \xNN,
// and leading blanks are dropped (Markdown drops them too, or makes
// code of four).
func EscapeMarkdown(s string) string {
	var b strings.Builder
	escapeMarkdown(&b, AppendSafe(nil, s, " "), true)
	return b.String()
}

// escapeMarkdown writes safe (already through AppendSafe) escaped to b;
// lineStart says whether it starts a line, where blocks can open.
func escapeMarkdown(b *strings.Builder, safe []byte, lineStart bool) {
	ol := -1
	if lineStart {
		i := 0
		for i < len(safe) && (safe[i] == ' ' || safe[i] == '\t') {
			i++
		}
		safe = safe[i:]
		ol = orderedMarker(safe)
	}
	b.Grow(len(safe) + len(safe)/16 + 1)
	for i := 0; i < len(safe); i++ {
		c := safe[i]
		switch {
		case i == 0 && lineStart && blockStart(safe), i == ol:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '/' && i > 0 && (safe[i-1] == ':' || safe[i-1] == '/') && hasSchemePrefix(safe, i):
			b.WriteString(`\/`)
		case c == '.' && i >= 3 && string(safe[i-3:i]) == "www":
			b.WriteString(`\.`)
		case mdEscape(safe, i):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
}

// mdEscape reports whether the byte at i needs a backslash wherever it is
// in a line.
func mdEscape(s []byte, i int) bool {
	switch c := s[i]; c {
	case '`', '*', '~', '|', '<', '@':
		return true
	case '\\':
		return i+1 == len(s) || isASCIIPunct(s[i+1])
	case '_':
		return i == 0 || i+1 == len(s) || !isAlnum(s[i-1]) || !isAlnum(s[i+1])
	case ']':
		return i+1 < len(s) && (s[i+1] == '(' || s[i+1] == '[' || s[i+1] == ':')
	case '&':
		return i+1 < len(s) && (s[i+1] == '#' || isAlnum(s[i+1]))
	}
	return false
}

// blockStart reports whether s, at the start of a line, would open a
// block: a heading, quote, list item, thematic break, setext underline,
// fence or table row; its first byte is escaped. Ordered list items are
// orderedMarker's.
func blockStart(s []byte) bool {
	switch s[0] {
	case '#', '>', '-', '+', '*', '=', '_', '`', '~', '|':
		return true
	}
	return false
}

// orderedMarker is the index of the '.' or ')' of an ordered list marker
// ("1. ", "12) ") that s starts with, or -1.
func orderedMarker(s []byte) int {
	j := 0
	for j < len(s) && j < 9 && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == 0 || j == len(s) || (s[j] != '.' && s[j] != ')') {
		return -1
	}
	if j+1 < len(s) && s[j+1] != ' ' && s[j+1] != '\t' {
		return -1
	}
	return j
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// hasSchemePrefix reports whether the '/' at i belongs to a "://" run.
func hasSchemePrefix(s []byte, i int) bool {
	j := i
	for j > 0 && s[j-1] == '/' {
		j--
	}
	return j > 0 && s[j-1] == ':'
}

// CodeSpanMarkdown returns s as a Markdown code span on one line: fenced
// by one backtick more than the longest run inside it, padded with a
// space when it starts or ends with a backtick or a space (CommonMark
// strips one of each). Newlines become spaces, control characters \xNN.
// inTable escapes '|', which ends a GitHub table cell even in code (the
// table reads "\|" as a literal '|').
func CodeSpanMarkdown(s string, inTable bool) string {
	safe := AppendSafe(nil, s, " ")
	if len(safe) == 0 {
		return ""
	}
	longest, run := 0, 0
	for _, c := range safe {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	var b strings.Builder
	b.Grow(len(safe) + 2*len(fence) + 2)
	b.WriteString(fence)
	pad := safe[0] == '`' || safe[len(safe)-1] == '`' || safe[0] == ' ' || safe[len(safe)-1] == ' '
	if pad {
		b.WriteByte(' ')
	}
	for _, c := range safe {
		if c == '|' && inTable {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	if pad {
		b.WriteByte(' ')
	}
	b.WriteString(fence)
	return b.String()
}

// ProseMarkdown returns signature prose (remediation, with captures
// filled in) as Markdown: its code spans, such as the commands to run,
// stay code spans (re-fenced by CodeSpanMarkdown); the rest is
// EscapeMarkdown'd. A backtick run that no run of its length closes is
// literal text, as CommonMark reads it.
func ProseMarkdown(s string) string {
	safe := AppendSafe(nil, s, " ")
	var b strings.Builder
	text := 0 // start of the text not yet written
	for i := 0; i < len(safe); {
		if safe[i] != '`' {
			i++
			continue
		}
		n := 0
		for i+n < len(safe) && safe[i+n] == '`' {
			n++
		}
		closeAt := closingRun(safe, i+n, n)
		if closeAt < 0 {
			i += n
			continue
		}
		escapeMarkdown(&b, safe[text:i], text == 0)
		code := string(safe[i+n : closeAt])
		if len(code) >= 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.Trim(code, " ") != "" {
			code = code[1 : len(code)-1]
		}
		b.WriteString(CodeSpanMarkdown(code, false))
		i = closeAt + n
		text = i
	}
	escapeMarkdown(&b, safe[text:], text == 0)
	return b.String()
}

// closingRun is the index of the first run of exactly n backticks at or
// after i, or -1.
func closingRun(s []byte, i, n int) int {
	for i < len(s) {
		if s[i] != '`' {
			i++
			continue
		}
		m := 0
		for i+m < len(s) && s[i+m] == '`' {
			m++
		}
		if m == n {
			return i
		}
		i += m
	}
	return -1
}
