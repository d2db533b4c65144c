package timeline

import (
	"math/bits"
	"strings"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// maxTemplateLen bounds a template's length: two lines that share their
// first 200 bytes after masking are the same error for a reader, and a
// 50 MB line must not become a 50 MB map key.
const maxTemplateLen = 200

// Placeholders that replace the variable parts of a message.
const (
	maskNum  = "<n>"
	maskHex  = "<hex>"
	maskID   = "<id>"
	maskIP   = "<ip>"
	maskPath = "<path>"
	maskURL  = "<url>"
	maskTime = "<time>"
)

// Byte classes of the template scanner.
const (
	classDelim = 1 << iota // ends a token
	classColon             // ':': only a token holding one can be a URL or IPv6
	classDigit             // '0'-'9': only a token holding one can be masked, but for paths and ids
)

// byteClass holds the classes of every byte. ':' '/' '.' '-' are not
// delimiters: they hold IPs, paths, ports and UUIDs together.
var byteClass = func() (t [256]uint8) {
	for _, c := range []byte(" \t\"'()[]{},;=<>|`\r\n") {
		t[c] = classDelim
	}
	t[':'] = classColon
	for c := '0'; c <= '9'; c++ {
		t[c] = classDigit
	}
	return t
}()

// AppendTemplate appends the template of msg to dst: its first line with
// numbers, hex strings, UUID-like ids, IP addresses, paths and URLs
// replaced by placeholders (<n>, <hex>, <id>, <ip>, <path>, <url>), cut
// at 200 bytes. Messages that differ only in those parts share a
// template. It allocates nothing beyond growing dst.
func AppendTemplate(dst []byte, msg string) []byte {
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	start := len(dst)
	for i := 0; i < len(msg) && len(dst)-start < maxTemplateLen; {
		j := i
		var seen uint8 // the classes of the token's bytes
		for ; j < len(msg); j++ {
			cl := byteClass[msg[j]]
			if cl&classDelim != 0 {
				break
			}
			seen |= cl
		}
		if j == i {
			dst = append(dst, msg[i]) // a delimiter
			i++
			continue
		}
		tok := msg[i:j]
		i = j
		// Most tokens are words: without a digit or a colon, a token
		// shorter than a UUID is masked only as a path, so the rest
		// are copied without trying each mask (which cost 8K
		// instructions an error line on the dense bench corpus).
		if seen&(classDigit|classColon) == 0 && len(tok) < len("01234567-89ab-cdef-0123-456789abcdef") &&
			tok[0] != '/' && tok[0] != '~' && tok[0] != '.' {
			dst = append(dst, tok...)
			continue
		}
		dst = appendToken(dst, tok, seen&classColon != 0)
	}
	if len(dst)-start > maxTemplateLen {
		dst = dst[:start+maxTemplateLen]
	}
	return dst
}

// appendToken masks one token. Trailing ':' and '.' (sentence ends, "path:")
// are kept out of the classification and copied as they are. colon says
// whether tok holds a ':'; most tokens, words, hold none.
func appendToken(dst []byte, tok string, colon bool) []byte {
	end := len(tok)
	for end > 0 && (tok[end-1] == ':' || tok[end-1] == '.') {
		end--
	}
	core, tail := tok[:end], tok[end:]
	switch {
	case core == "":
	case colon && strings.Contains(core, "://"):
		dst = append(dst, maskURL...)
	case len(core) > 1 && (core[0] == '/' || strings.HasPrefix(core, "~/") || strings.HasPrefix(core, "./")):
		dst = append(dst, maskPath...)
	case isStamp(core):
		dst = append(dst, maskTime...)
	case isUUID(core):
		dst = append(dst, maskID...)
	case isIPv4(core) || colon && isIPv6(core):
		dst = append(dst, maskIP...)
	case isHexID(core):
		dst = append(dst, maskHex...)
	default:
		dst = appendDigitsMasked(dst, core)
	}
	return append(dst, tail...)
}

// appendDigitsMasked copies s with every run of decimal digits replaced
// by <n>: "sda1" -> "sda<n>", "kubelet.go:2183" -> "kubelet.go:<n>".
func appendDigitsMasked(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && !isDigit(s[j]) {
			j++
		}
		dst = append(dst, s[i:j]...)
		if j == len(s) {
			break
		}
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		dst = append(dst, maskNum...)
		i = j
	}
	return dst
}

// isStamp reports a token that starts with an ISO date, "2025-11-11...".
func isStamp(s string) bool {
	return len(s) >= 10 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && isDigit(s[3]) && s[4] == '-' &&
		isDigit(s[5]) && isDigit(s[6]) && s[7] == '-' && isDigit(s[8]) && isDigit(s[9])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// isUUID reports a UUID-like id: hex groups of 8-4-4-4-12.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i]) {
				return false
			}
		}
	}
	return true
}

// isHexID reports a 0x number, or a run of at least 8 hex digits holding
// at least one decimal digit (container ids, hashes, boot ids; a word
// such as "deadbeef" has no digit and stays).
func isHexID(s string) bool {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		for i := 2; i < len(s); i++ {
			if !isHex(s[i]) {
				return false
			}
		}
		return true
	}
	if len(s) < 8 {
		return false
	}
	digit := false
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
		digit = digit || isDigit(s[i])
	}
	return digit
}

// isIPv4 reports a dotted quad, optionally with ":port" or "/prefix".
func isIPv4(s string) bool {
	if s == "" || !isDigit(s[0]) {
		return false // most tokens: no need to look for a port
	}
	if i := strings.IndexAny(s, ":/"); i >= 0 {
		rest := s[i+1:]
		if rest == "" {
			return false
		}
		for j := 0; j < len(rest); j++ {
			if !isDigit(rest[j]) {
				return false
			}
		}
		s = s[:i]
	}
	parts := 0
	for len(s) > 0 {
		n := 0
		for n < len(s) && isDigit(s[n]) {
			n++
		}
		if n == 0 || n > 3 {
			return false
		}
		parts++
		s = s[n:]
		if s == "" {
			break
		}
		if s[0] != '.' {
			return false
		}
		s = s[1:]
		if s == "" {
			return false
		}
	}
	return parts == 4
}

// isIPv6 reports an IPv6-looking token: hex groups and at least two
// colons, with "::" or eight groups (so "06:20:21" is a number, not an IP).
func isIPv6(s string) bool {
	colons := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			colons++
		case isHex(c), c == '.':
		default:
			return false
		}
	}
	return colons >= 2 && (strings.Contains(s, "::") || colons == 7)
}

// IsError reports whether ev is error-level for the "unexplained errors"
// section: priority err or worse, a level=error/fatal/panic field, a
// systemd unit failure, or a kernel line reporting a failure.
func IsError(ev *event.Event) bool {
	switch ev.ErrorLevel {
	case event.VerdictYes:
		return true
	case event.VerdictNo:
		return false
	}
	return JudgeError(ev)
}

// JudgeError is IsError without the cached verdict: what a parse worker
// runs (ingest.Options.JudgeError) to set ev.ErrorLevel.
func JudgeError(ev *event.Event) bool {
	if ev.Priority >= 0 && ev.Priority <= 3 {
		return true
	}
	if ev.Lifecycle == event.Failed {
		return true
	}
	if v, ok := ev.Field("level"); ok {
		switch strings.ToLower(v) {
		case "error", "err", "fatal", "panic", "crit", "critical", "emerg", "alert":
			return true
		}
	}
	if ev.Program == "kernel" {
		return kernelFailure(ev.Message)
	}
	// sshd, apt and many daemons without a level say "error: ..." first;
	// a program's crash reads the same wherever its lines land (Go's
	// "panic: ", Python's "Traceback", Java's "Exception in thread", a
	// kernel "BUG: " cut from its header). The first byte rules out every
	// prefix for most messages.
	m := ev.Message
	if m == "" {
		return false
	}
	switch m[0] {
	case 'e':
		return strings.HasPrefix(m, "error: ")
	case 'f':
		return strings.HasPrefix(m, "fatal: ") || strings.HasPrefix(m, "fatal error: ")
	case 'p':
		return strings.HasPrefix(m, "panic: ") || strings.HasPrefix(m, "psycopg2.") && exceptionLine(m)
	case 'E':
		return strings.HasPrefix(m, "Error: ") || strings.HasPrefix(m, "ERROR: ") || strings.HasPrefix(m, "ERROR ") ||
			strings.HasPrefix(m, "Exception in thread ") || exceptionLine(m)
	case 'F':
		return strings.HasPrefix(m, "FATAL: ") || strings.HasPrefix(m, "FATAL ") || exceptionLine(m)
	case 'T':
		return strings.HasPrefix(m, tracebackHead) || exceptionLine(m)
	case 'B':
		return strings.HasPrefix(m, "BUG: ") || exceptionLine(m)
	case 'O':
		return strings.HasPrefix(m, "Oops: ") || exceptionLine(m)
	case '[':
		return bracketError(m)
	// Exceptions named by their package: the JVM's, and Python
	// libraries' (requests.exceptions.ConnectionError).
	case 'j':
		return (strings.HasPrefix(m, "java.") || strings.HasPrefix(m, "javax.") || strings.HasPrefix(m, "jakarta.")) && exceptionLine(m)
	case 'o':
		return strings.HasPrefix(m, "org.") && exceptionLine(m)
	case 'c':
		return strings.HasPrefix(m, "com.") && exceptionLine(m)
	case 'i':
		return strings.HasPrefix(m, "io.") && exceptionLine(m)
	case 'k':
		return strings.HasPrefix(m, "kotlin.") && exceptionLine(m)
	case 'r':
		return (strings.HasPrefix(m, "requests.") || strings.HasPrefix(m, "redis.")) && exceptionLine(m)
	case 'u':
		return strings.HasPrefix(m, "urllib3.") && exceptionLine(m)
	case 's':
		return (strings.HasPrefix(m, "sqlalchemy.") || strings.HasPrefix(m, "scala.")) && exceptionLine(m)
	}
	if c := m[0]; c >= 'A' && c <= 'Z' {
		return exceptionLine(m) // Python's builtins: "ValueError: ..."
	}
	return false
}

// exceptionLine reports a message that starts with an exception, as a
// Java or Python program prints one uncaught: a class name ending in
// "Exception" or "Error", then ": " or the end ("ValueError: ...",
// "java.lang.IllegalStateException: ..."). The caller tested the first
// byte; this finds the first blank (one search) and reads the name's
// bytes only when its last letters fit.
func exceptionLine(m string) bool {
	// The name is the first word, followed by ':' or the end.
	const maxName = 128
	var w string
	switch sp := strings.IndexByte(m[:min(len(m), maxName+2)], ' '); {
	case sp < 0 && len(m) > maxName+1:
		return false
	case sp < 0:
		w = m
	case sp == 0 || m[sp-1] != ':':
		return false
	default:
		w = m[:sp-1]
	}
	if !(strings.HasSuffix(w, "Exception") && len(w) > len("Exception") ||
		strings.HasSuffix(w, "Error") && len(w) > len("Error")) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '$') {
			return false
		}
	}
	return true
}

// bracketError reports a message that starts with an error level in
// brackets: "[error] ...", "[crit] ...", "[ERROR] ...", as nginx, PHP and
// many scripts write them when no parser took the level out.
func bracketError(m string) bool {
	end := strings.IndexByte(m[:min(len(m), 12)], ']')
	if end < 2 {
		return false
	}
	for _, lv := range [...]string{"error", "err", "crit", "critical", "alert", "emerg", "fatal", "panic"} {
		if strings.EqualFold(m[1:end], lv) {
			return true
		}
	}
	return false
}

// kernelFailures are the words of kernel lines that report a failure;
// kernel lines rarely carry a priority in text logs. A word followed by
// its not-suffix reports none: the mount option "errors=remount-ro"
// (every ext4 mount logs it) and the memory cgroup's "failcnt" counter.
var kernelFailures = [...]struct{ word, not string }{
	{"error", "s="}, {"Error", ""}, {"ERROR", ""}, {"fail", "cnt"}, {"Fail", ""}, {"FAIL", ""},
	{"BUG", ""}, {"panic", ""}, {"Oops", ""}, {"Out of memory", ""}, {"oom-kill", ""},
	{"segfault", ""}, {"Call Trace", ""}, {"blocked for more than", ""},
}

// kernelBytes maps a byte to the kernelFailures words (at most 32)
// having it as first byte (the low 32 bits) and as second byte (the high
// 32 bits), as bit sets of word indexes. A word is tried only where its
// first two bytes are, so kernelFailure reads a message once instead of
// once per word, with one table load per byte.
var kernelBytes = func() (t [256]uint64) {
	for i, f := range kernelFailures {
		t[f.word[0]] |= 1 << i
		t[f.word[1]] |= 1 << (32 + i)
	}
	return t
}()

// kernelFailure reports a kernel message holding a kernelFailures word.
func kernelFailure(msg string) bool {
	// prev is the entry of the byte before i. A word may start at i-1
	// where prev's first-byte set meets the second-byte set of msg[i]:
	// four bytes are tested with one branch (a pair at a time, or eight
	// at a time, cost more: BenchmarkKernelFailure).
	var prev uint64
	i := 0
	for ; i+4 <= len(msg); i += 4 {
		b := msg[i : i+4]
		t0, t1, t2, t3 := kernelBytes[b[0]], kernelBytes[b[1]], kernelBytes[b[2]], kernelBytes[b[3]]
		if prev&(t0>>32)|t0&(t1>>32)|t1&(t2>>32)|t2&(t3>>32) != 0 {
			if kernelWordAt(msg, i-1, uint32(prev&(t0>>32))) || kernelWordAt(msg, i, uint32(t0&(t1>>32))) ||
				kernelWordAt(msg, i+1, uint32(t1&(t2>>32))) || kernelWordAt(msg, i+2, uint32(t2&(t3>>32))) {
				return true
			}
		}
		prev = t3
	}
	for ; i < len(msg); i++ {
		t := kernelBytes[msg[i]]
		if kernelWordAt(msg, i-1, uint32(prev&(t>>32))) {
			return true
		}
		prev = t
	}
	return false
}

// kernelWordAt reports whether one of the kernelFailures words in set
// starts at msg[at:] (and is not followed by its not-suffix).
func kernelWordAt(msg string, at int, set uint32) bool {
	for ; set != 0; set &= set - 1 {
		f := &kernelFailures[bits.TrailingZeros32(set)]
		if rest, ok := strings.CutPrefix(msg[at:], f.word); ok && (f.not == "" || !strings.HasPrefix(rest, f.not)) {
			return true
		}
	}
	return false
}

// ErrorText is the part of an error message its group is named by: the
// first line, except for a Python traceback, whose exception is its last
// line ("ValueError: ..."), and an nginx error, whose ", client: ...,
// request: ..." tail names one request. A traceback whose exception line
// is missing keeps its first line.
func ErrorText(m string) string {
	if strings.HasPrefix(m, tracebackHead) {
		last := strings.TrimRight(m, "\n ")
		if i := strings.LastIndexByte(last, '\n'); i >= 0 {
			if l := last[i+1:]; l != "" && l[0] != ' ' && l[0] != '\t' {
				return l
			}
		}
		return m
	}
	if i := strings.IndexByte(m, '\n'); i >= 0 {
		m = m[:i]
	}
	if i := strings.Index(m, ", client: "); i > 0 {
		m = m[:i]
	}
	return m
}

const tracebackHead = "Traceback (most recent call last):"
