package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

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
			// Scripts that need a tool skip without it, but fail in CI.
			e.Setenv("CI", os.Getenv("CI"))
			return nil
		},
		// [race]: the test binary runs under the race detector, whose
		// shadow memory no address-space cap leaves room for.
		Condition: func(cond string) (bool, error) {
			if cond == "race" {
				return raceEnabled, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"gzip":      cmdGzip,
			"segfaults": cmdSegfaults,
		},
	})
}

// cmdGzip is the script command "gzip [-cut N] [-time T] FILE OUT": it
// writes FILE gzip-compressed to OUT, with the header time T (RFC 3339;
// default 2021-10-08 00:00 UTC), and with -cut only the first N bytes of
// that (a truncated download).
func cmdGzip(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! gzip")
	}
	cut := -1
	mod := time.Date(2021, 10, 8, 0, 0, 0, 0, time.UTC)
	for len(args) > 2 && (args[0] == "-cut" || args[0] == "-time") {
		switch args[0] {
		case "-cut":
			n, err := strconv.Atoi(args[1])
			ts.Check(err)
			cut = n
		case "-time":
			t, err := time.Parse(time.RFC3339, args[1])
			ts.Check(err)
			mod = t
		}
		args = args[2:]
	}
	if len(args) != 2 {
		ts.Fatalf("usage: gzip [-cut N] [-time T] FILE OUT")
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.ModTime = mod
	_, err := zw.Write([]byte(ts.ReadFile(args[0])))
	ts.Check(err)
	ts.Check(zw.Close())
	data := b.Bytes()
	if cut >= 0 && cut < len(data) {
		data = data[:cut]
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o644))
}

// cmdSegfaults is the script command "segfaults N SIZE OUT": it writes to
// OUT a gzip-compressed kernel log of N segfault lines of different
// processes, each padded to SIZE bytes (issue 19: 3000 such lines of
// 1 MiB in a 3.3 MB gzip took 12 GB).
func cmdSegfaults(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: segfaults N SIZE OUT")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	size, err := strconv.Atoi(args[1])
	ts.Check(err)
	f, err := os.Create(ts.MkAbs(args[2]))
	ts.Check(err)
	zw := gzip.NewWriter(f)
	pad := bytes.Repeat([]byte("A"), size)
	start := time.Date(2021, 10, 7, 6, 0, 0, 0, time.UTC)
	for i := range n {
		line := start.Add(time.Duration(i)*time.Second).Format("Jan _2 15:04:05") +
			" web-3 kernel: [" + strconv.Itoa(1000+i) + ".000001] app" + strconv.Itoa(i) + "[" + strconv.Itoa(4000+i) +
			"]: segfault at 0 ip 00007f0000001000 sp 00007ffd00002000 error 4 in libc.so.6 "
		_, err := zw.Write([]byte(line))
		ts.Check(err)
		_, err = zw.Write(pad[:max(size-len(line), 0)])
		ts.Check(err)
		_, err = zw.Write([]byte("\n"))
		ts.Check(err)
	}
	ts.Check(zw.Close())
	ts.Check(f.Close())
}
