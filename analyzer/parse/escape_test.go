package parse

import (
	"bytes"
	"strings"
	"testing"
)

var indexEscapeTests = []string{
	"",
	"#",
	"#0",
	"#01",
	"#012",
	"a#01",
	"##01",
	"#0#01",
	"#00#01#012",
	"panic: boom#012#012goroutine 1 [running]:#012main.main()",
	"no escape here at all",
	"issue #1 and #02 and #10",
	"ends with #0",
	strings.Repeat("#", 100) + "01",
	strings.Repeat("#0", 50) + "1",
	strings.Repeat("x", 4095) + "#01",
}

// TestIndexEscape: indexEscape finds "#01" where bytes.Index does.
func TestIndexEscape(t *testing.T) {
	for _, s := range indexEscapeTests {
		if got, want := indexEscape([]byte(s)), bytes.Index([]byte(s), []byte("#01")); got != want {
			t.Errorf("indexEscape(%q) = %d, want %d", s, got, want)
		}
	}
}

func FuzzIndexEscape(f *testing.F) {
	for _, s := range indexEscapeTests {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := indexEscape(b), bytes.Index(b, []byte("#01")); got != want {
			t.Fatalf("indexEscape(%q) = %d, want %d", b, got, want)
		}
	})
}

// TestDecodeRsyslog: "#012" and "#011" become a newline and a tab, any
// other "#01x" stays as written, a NUL becomes U+FFFD; a decoded
// message costs one allocation, its string.
func TestDecodeRsyslog(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"no escape here at all", "no escape here at all"},
		{"panic: boom#012#012goroutine 1 [running]:#012#011main.main()", "panic: boom\n\ngoroutine 1 [running]:\n\tmain.main()"},
		{"#012", "\n"},
		{"#011#012", "\t\n"},
		{"#01", "#01"},
		{"ends #01", "ends #01"},
		{"issue #013 and #010", "issue #013 and #010"},
		{"#01#012", "#01\n"},
		{"#0#011x", "#0\tx"},
		{"nul\x00 then#012next", "nul\uFFFD then\nnext"},
		{"nul\x00 only", "nul\uFFFD only"},
	} {
		if got := decodeRsyslog([]byte(c.in)); got != c.want {
			t.Errorf("decodeRsyslog(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	in := []byte("panic: boom#012#012goroutine 1 [running]:#012main.main()")
	if n := testing.AllocsPerRun(100, func() { decodeRsyslog(in) }); n != 1 {
		t.Errorf("decodeRsyslog: %v allocations, want 1", n)
	}
}

// FuzzDecodeRsyslog: decodeRsyslog agrees with a byte-by-byte decode.
func FuzzDecodeRsyslog(f *testing.F) {
	for _, s := range indexEscapeTests {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := decodeRsyslog(b), toValidString(unescapeRsyslog(nil, b, 0)); got != want {
			t.Fatalf("decodeRsyslog(%q) = %q, want %q", b, got, want)
		}
	})
}
