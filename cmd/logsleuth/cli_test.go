package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/ingest"
)

func TestExitStatus(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		want       int
		wantStderr string
	}{
		{"success", nil, 0, ""},
		{"broken pipe is quiet", fmt.Errorf("write events: %w", &os.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}), 0, ""},
		{"fail-on", &ExitError{Code: 1}, 1, ""},
		{"interrupted", fmt.Errorf("read inputs: %w", context.Canceled), 130, ""},
		{"usage", flagErrorf("logsleuth events", "invalid --year 21: want 1970..2100"), 2,
			"logsleuth: invalid --year 21: want 1970..2100\nRun 'logsleuth events --help' for usage.\n"},
		{"nothing readable", errNothingReadable, 2, "logsleuth: nothing readable\n"},
		{"other", fmt.Errorf("open inputs: %w", fs.ErrPermission), 2, "logsleuth: open inputs: permission denied\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, stderr := Test()
			if got := exitStatus(ios, tt.err); got != tt.want {
				t.Errorf("exitStatus(%v) = %d, want %d", tt.err, got, tt.want)
			}
			if stderr.String() != tt.wantStderr {
				t.Errorf("stderr\n got: %q\nwant: %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		stdinTTY   bool
		want       int
		wantStdout string
		wantStderr string
	}{
		{
			name: "version", args: []string{"--version"},
			want: 0, wantStdout: "logsleuth devel\njournal reader: " + ingest.JournalReaderInfo + "\n",
		},
		{
			name: "unknown command with suggestion", args: []string{"evnets"},
			want:       2,
			wantStderr: "logsleuth: unknown command \"evnets\"; did you mean \"events\"?\nRun 'logsleuth --help' for usage.\n",
		},
		{
			name: "bad format", args: []string{"events", "--format", "xml", "syslog"},
			want:       2,
			wantStderr: "logsleuth: invalid argument \"xml\" for \"-o, --format\" flag: valid values are jsonl, json, text, short-iso, cat\nRun 'logsleuth events --help' for usage.\n",
		},
		{
			name: "terminal stdin and no paths", args: []string{"events"}, stdinTTY: true,
			want:       2,
			wantStderr: "logsleuth: no input: name log files or directories, or pipe logs on stdin (e.g. zcat syslog.2.gz | logsleuth events)\nRun 'logsleuth events --help' for usage.\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, stdout, stderr := Test()
			ios.SetStdinTTY(tt.stdinTTY)
			if got := run(context.Background(), ios, tt.args); got != tt.want {
				t.Errorf("exit status %d, want %d (stderr %q)", got, tt.want, stderr)
			}
			if stdout.String() != tt.wantStdout {
				t.Errorf("stdout\n got: %q\nwant: %q", stdout, tt.wantStdout)
			}
			if stderr.String() != tt.wantStderr {
				t.Errorf("stderr\n got: %q\nwant: %q", stderr, tt.wantStderr)
			}
		})
	}
}

// TestHelpTeaches keeps the examples the README promises in --help.
func TestHelpTeaches(t *testing.T) {
	ios, _, stdout, _ := Test()
	if got := run(context.Background(), ios, []string{"events", "--help"}); got != 0 {
		t.Fatalf("exit status %d", got)
	}
	for _, want := range []string{
		"zcat syslog.2.gz | logsleuth events --year 2021 --tz Asia/Seoul",
		"logsleuth events --stats sosreport-web3.tar.xz",
		"output format (default: short-iso on a terminal, else jsonl): {jsonl|json|text|short-iso|cat}",
		"--journal-dir dir",
		"--since time",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("events --help lacks %q", want)
		}
	}
}
