package main

import (
	"context"
	"strings"
	"testing"
)

// TestColor runs a timeline that finds an incident with each --color
// value, NO_COLOR and TERM, on a terminal and in a pipe: ANSI escapes
// appear exactly when the colour rule says so.
func TestColor(t *testing.T) {
	const syslog = "../../fixtures/disk-full/docker-rfc3164/syslog"
	tests := []struct {
		name      string
		args      []string
		stdoutTTY bool
		noColor   string
		term      string
		want      bool
	}{
		{"terminal", nil, true, "", "xterm-256color", true},
		{"pipe", []string{"--format", "table"}, false, "", "xterm-256color", false},
		{"terminal, NO_COLOR", nil, true, "1", "xterm-256color", false},
		{"terminal, dumb", nil, true, "", "dumb", false},
		{"terminal, never", []string{"--color=never"}, true, "", "xterm-256color", false},
		{"pipe, always", []string{"--format", "table", "--color", "always"}, false, "", "xterm-256color", true},
		{"always beats NO_COLOR", []string{"--color=always"}, true, "1", "xterm-256color", true},
		{"always: text has no colour", []string{"--color=always", "--format", "text"}, true, "", "xterm-256color", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", tt.noColor)
			t.Setenv("TERM", tt.term)
			ios, _, stdout, stderr := Test()
			ios.SetStdoutTTY(tt.stdoutTTY)
			args := append([]string{"timeline", "--year", "2022", "--tz", "UTC"}, tt.args...)
			if code := run(context.Background(), ios, append(args, syslog)); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout.String(), "disk-full") {
				t.Fatalf("no disk-full incident in:\n%s", stdout)
			}
			if got := strings.Contains(stdout.String(), "\x1b["); got != tt.want {
				t.Errorf("colour = %v, want %v:\n%s", got, tt.want, stdout)
			}
		})
	}
}

func TestColorFlagInvalid(t *testing.T) {
	ios, _, _, stderr := Test()
	if code := run(context.Background(), ios, []string{"patterns", "list", "--color=sometimes"}); code != exitError {
		t.Fatalf("exit %d, want %d", code, exitError)
	}
	want := `invalid argument "sometimes" for "--color" flag: valid values are auto, always, never`
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr = %q, want it to contain %q", stderr, want)
	}
}
