package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/signature"
)

func TestNewCmdTimeline(t *testing.T) {
	high, _ := signature.ParseSeverity("high")
	tests := []struct {
		name      string
		cli       string
		stdoutTTY bool
		want      TimelineOptions
		wantErr   string
	}{
		{
			name: "a pipe gets text",
			cli:  "x",
			want: TimelineOptions{Format: "text"},
		},
		{
			name:      "a terminal gets the table",
			cli:       "x",
			stdoutTTY: true,
			want:      TimelineOptions{Format: "table"},
		},
		{
			name:      "--output on a terminal writes text",
			cli:       "--output report.txt x",
			stdoutTTY: true,
			want:      TimelineOptions{Format: "text", Output: "report.txt"},
		},
		{
			name:      "an explicit format wins",
			cli:       "--format json x",
			stdoutTTY: true,
			want:      TimelineOptions{Format: "json"},
		},
		{
			name: "all flags",
			cli:  "--format md -o out.md --fail-on high --near-misses --context 3 x",
			want: TimelineOptions{Format: "md", Output: "out.md", FailOn: high, FailOnSet: true, NearMisses: true, Context: 3},
		},
		{
			name:    "bad format",
			cli:     "--format pdf x",
			wantErr: `invalid argument "pdf" for "--format" flag: valid values are table, text, json, md, html`,
		},
		{
			name:    "bad severity",
			cli:     "--fail-on severe x",
			wantErr: `invalid --fail-on "severe": want info, low, medium, high or critical`,
		},
		{
			name:    "context too large",
			cli:     "--context 51 x",
			wantErr: "invalid --context 51: want 0..50",
		},
		{
			name:    "no directory for --output",
			cli:     "--output /nonexistent-dir/report.html x",
			wantErr: `invalid --output "/nonexistent-dir/report.html": no directory /nonexistent-dir`,
		},
		{
			name:    "negative context",
			cli:     "--context -1 x",
			wantErr: "invalid --context -1: want 0..50",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := Test()
			ios.SetStdoutTTY(tt.stdoutTTY)
			var got *TimelineOptions
			cmd := NewCmdTimeline(ios, func(o *TimelineOptions) error {
				got = o
				return nil
			})
			cmd.SetArgs(splitArgs(tt.cli))
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			_, err := cmd.ExecuteC()
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error\n got: %v\nwant: %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			w := tt.want
			if got.Format != w.Format || got.Output != w.Output || got.FailOn != w.FailOn || got.FailOnSet != w.FailOnSet ||
				got.NearMisses != w.NearMisses || got.Context != w.Context {
				t.Errorf("options\n got: format %q output %q fail-on %v/%v near-misses %v context %d\nwant: format %q output %q fail-on %v/%v near-misses %v context %d",
					got.Format, got.Output, got.FailOn, got.FailOnSet, got.NearMisses, got.Context,
					w.Format, w.Output, w.FailOn, w.FailOnSet, w.NearMisses, w.Context)
			}
		})
	}
}

// TestTimelineProgress checks the progress bar rule (DESIGN §6): on
// stderr only when stderr is a terminal and the input is large; never in
// a pipe, never for stdin (its size is unknown), never on stdout.
func TestTimelineProgress(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "syslog")
	var b strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&b, "2025-03-02T%02d:%02d:%02dZ app-1 CRON[%d]: (root) CMD (run-parts /etc/cron.hourly)\n", i/3600, i/60%60, i%60, 1000+i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		stderrTTY bool
		min       int64 // progressMin
		wantBar   bool
	}{
		{"large input, stderr a terminal", []string{path}, true, 1, true},
		{"large input, stderr a pipe", []string{path}, false, 1, false},
		{"small input, stderr a terminal", []string{path}, true, 1 << 30, false},
		{"stdin, stderr a terminal", []string{"-"}, true, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, stdin, stdout, stderr := Test()
			ios.SetStderrTTY(tt.stderrTTY)
			stdin.WriteString(b.String())
			cmd := NewCmdTimeline(ios, func(o *TimelineOptions) error {
				o.progressMin = tt.min
				return runTimeline(o, "logsleuth timeline")
			})
			cmd.SetArgs(append([]string{"--tz", "UTC"}, tt.args...))
			if _, err := cmd.ExecuteC(); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(stderr.String(), "reading"); got != tt.wantBar {
				t.Errorf("progress bar on stderr = %v, want %v; stderr:\n%q", got, tt.wantBar, stderr.String())
			}
			if !tt.wantBar && stderr.Len() != 0 {
				t.Errorf("stderr should be empty:\n%q", stderr.String())
			}
			if !strings.HasPrefix(stdout.String(), "logsleuth timeline: 0 incidents") || strings.Contains(stdout.String(), "reading") {
				t.Errorf("stdout is the report only:\n%.300s", stdout.String())
			}
		})
	}
}
