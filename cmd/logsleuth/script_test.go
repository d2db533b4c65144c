package main

import (
	"flag"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script/*.txtar")

// TestMain lets the test binary double as the logsleuth command: scripts
// run `exec logsleuth ...`, which re-executes this binary into Main.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"logsleuth": func() { os.Exit(Main()) },
	})
}

// TestScripts runs the CLI scripts in testdata/script through the real
// entry point. `go test ./cmd/logsleuth -run TestScripts -update` rewrites
// the golden sections after a deliberate output change.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(e *testscript.Env) error {
			// Output that depends on the local zone must not depend on
			// the machine running the tests.
			e.Setenv("TZ", "UTC")
			return nil
		},
	})
}
			// Scripts that need a tool skip without it, but fail in CI.
			e.Setenv("CI", os.Getenv("CI"))
