package signature

import (
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// TestKnownSourceAppShapes: a signature may name the application and
// platform formats and the kubernetes family in `source:`.
func TestKnownSourceAppShapes(t *testing.T) {
	for _, s := range []string{parse.FormatNginx, parse.FormatZerolog, parse.FormatJavaLog, parse.FormatKubectlEvents, "kubernetes", "app"} {
		if !knownSource(s) {
			t.Errorf("source %q is not known", s)
		}
	}
	if knownSource("nginx") {
		t.Error(`source "nginx" (a program, not a format) is known`)
	}
}
