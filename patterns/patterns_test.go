package patterns

import (
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// TestBuiltinSignaturesLoad keeps the embedded set loadable: a signature
// that does not load would take the whole built-in set down with it.
func TestBuiltinSignaturesLoad(t *testing.T) {
	sigs, err := signature.LoadFS(FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) == 0 {
		t.Fatal("no built-in signatures")
	}
}
