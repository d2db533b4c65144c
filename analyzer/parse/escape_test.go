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
