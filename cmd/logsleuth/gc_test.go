package main

import (
	"os"
	"runtime/debug"
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
