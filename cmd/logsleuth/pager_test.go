package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPager runs `patterns list` with a fake PAGER that records that it
// ran, and with which LESS, then copies its input to stdout.
func TestPager(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		stdoutTTY bool
		pager     string // "unset": no PAGER
		less      string // "unset": no LESS
		wantPaged bool
		wantLess  string
	}{
		{"terminal", nil, true, "fake", "unset", true, "FRX"},
		{"terminal, user's LESS kept", nil, true, "fake", "-S", true, "-S"},
		{"pipe", nil, false, "fake", "unset", false, ""},
		{"terminal, --no-pager", []string{"--no-pager"}, true, "fake", "unset", false, ""},
		{"terminal, PAGER=cat", nil, true, "cat", "unset", false, ""},
		{"terminal, PAGER empty", nil, true, "", "unset", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			marker := filepath.Join(t.TempDir(), "paged")
			switch tt.pager {
			case "fake":
				t.Setenv("PAGER", `printf '%s' "$LESS" > '`+marker+`'; cat`)
			default:
				t.Setenv("PAGER", tt.pager)
			}
			if tt.less == "unset" {
				unsetenv(t, "LESS")
			} else {
				t.Setenv("LESS", tt.less)
			}
			ios, _, stdout, stderr := Test()
			ios.SetStdoutTTY(tt.stdoutTTY)
			args := append([]string{"patterns", "list"}, tt.args...)
			if code := run(context.Background(), ios, args); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout.String(), "\nunattended-upgrade ") {
				t.Errorf("the list did not reach stdout:\n%s", stdout)
			}
			less, err := os.ReadFile(marker)
			if paged := err == nil; paged != tt.wantPaged {
				t.Fatalf("paged = %v, want %v", paged, tt.wantPaged)
			}
			if string(less) != tt.wantLess {
				t.Errorf("pager saw LESS=%q, want %q", less, tt.wantLess)
			}
		})
	}
}

// TestPagerQuit: a pager that quits without reading (q on the first
// screen) ends the run normally, though the command's writes fail: the
// events of 20000 lines are far more than a pipe holds.
func TestPagerQuit(t *testing.T) {
	syslog := filepath.Join(t.TempDir(), "syslog")
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "Oct  7 %02d:%02d:%02d web-3 CRON[%d]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)\n", 6+i/3600, i/60%60, i%60, 1000+i)
	}
	if err := os.WriteFile(syslog, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PAGER", "exit 0")
	ios, _, stdout, stderr := Test()
	ios.SetStdoutTTY(true)
	if code := run(context.Background(), ios, []string{"events", "--year", "2021", "--tz", "UTC", syslog}); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout.Len() != 0 || stderr.Len() != 0 {
		t.Errorf("stdout %d bytes, stderr: %s", stdout.Len(), stderr)
	}
}

// unsetenv removes key for the test, restoring it afterwards.
func unsetenv(t *testing.T, key string) {
	t.Setenv(key, "")
	os.Unsetenv(key)
}

// /dev/null is a character device but no terminal: output sent there
// (make bench's `events > /dev/null`) must not start a pager, which held
// the whole output in memory (2.6 GiB for 1 GiB of log).
func TestDevNullIsNoTerminal(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Fatal("isTerminal(/dev/null) = true")
	}
}
