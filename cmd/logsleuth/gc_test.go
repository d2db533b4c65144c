package main

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestTuneGC requires gcPercent and the memory limit when neither GOGC
// nor GOMEMLIMIT is set, and the user's choice otherwise: GOGC=off with
// a limit of ours would not be off.
func TestTuneGC(t *testing.T) {
	old, oldLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(old)
		debug.SetMemoryLimit(oldLimit)
	})
	const none = math.MaxInt64
	for _, c := range []struct {
		name           string
		gogc, memlimit *string
		percent        int
		limit          int64
	}{
		{"unset", nil, nil, gcPercent, memoryLimit},
		{"GOGC set", ptr("50"), nil, 100, none},
		{"GOGC=off", ptr("off"), nil, 100, none},
		{"GOMEMLIMIT set", nil, ptr("1GiB"), 100, none},
	} {
		t.Run(c.name, func(t *testing.T) {
			for name, v := range map[string]*string{"GOGC": c.gogc, "GOMEMLIMIT": c.memlimit} {
				t.Setenv(name, "x") // restored after the test
				if v == nil {
					os.Unsetenv(name)
				} else {
					os.Setenv(name, *v)
				}
			}
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(none)
			stop := tuneGC()
			defer stop()
			if got := debug.SetGCPercent(100); got != c.percent {
				t.Errorf("GC percent = %d, want %d", got, c.percent)
			}
			if got := debug.SetMemoryLimit(-1); got != c.limit {
				t.Errorf("memory limit = %d, want %d", got, c.limit)
			}
		})
	}
}

// TestFollowLiveHeap: the limit rises to ratio times a live heap above
// base/ratio after a collection, and comes back to base once the heap
// is freed; nothing moves it once stopped.
func TestFollowLiveHeap(t *testing.T) {
	oldLimit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(oldLimit) })
	const base, ratio = 32 << 20, 2
	stop := followLiveHeap(base, ratio)
	// waitLimit collects until the limit satisfies ok (the cleanup that
	// moves it runs after a collection, on its own goroutine).
	waitLimit := func(what string, ok func(int64) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			runtime.GC()
			got := debug.SetMemoryLimit(-1)
			if ok(got) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("memory limit %d MiB, want %s", got>>20, what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if got := debug.SetMemoryLimit(-1); got != base {
		t.Fatalf("memory limit %d, want the base %d at once", got, base)
	}
	held := make([][]byte, 48)
	for i := range held {
		held[i] = make([]byte, 1<<20)
	}
	waitLimit("at least 96 MiB with 48 MiB live", func(l int64) bool { return l >= ratio*48<<20 })
	runtime.KeepAlive(held)
	held = nil
	waitLimit("the base again", func(l int64) bool { return l == base })
	stop()
	debug.SetMemoryLimit(base + 1)
	runtime.GC()
	runtime.GC()
	time.Sleep(50 * time.Millisecond)
	if got := debug.SetMemoryLimit(-1); got != base+1 {
		t.Errorf("memory limit %d after stop, want %d (untouched)", got, base+1)
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
