package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// TestTuneGC requires gcPercent when GOGC is unset and the user's choice
// otherwise.
func TestTuneGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(old) })
	for _, c := range []struct {
		name string
		env  *string
		want int
	}{
		{"unset", nil, gcPercent},
		{"set", ptr("50"), 100},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("GOGC", "x") // restored after the test
			if c.env == nil {
				os.Unsetenv("GOGC")
			} else {
				os.Setenv("GOGC", *c.env)
			}
			debug.SetGCPercent(100)
			tuneGC()
			if got := debug.SetGCPercent(100); got != c.want {
				t.Errorf("GC percent = %d, want %d", got, c.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }

// TestStartCPUProfile requires a profile file with data in it, and an
// error naming the variable when the file cannot be made.
func TestStartCPUProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.pgo")
	stop, err := startCPUProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("profile %s: %v, %v", path, fi, err)
	}
	if _, err := startCPUProfile(filepath.Join(t.TempDir(), "no", "such", "dir")); err == nil || !strings.Contains(err.Error(), "LOGSLEUTH_CPUPROFILE") {
		t.Fatalf("error %v, want one naming LOGSLEUTH_CPUPROFILE", err)
	}
}
