package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileNamesAreEscaped: file names, archive and journal names and
// signature titles are written by strangers. A name holding an OSC title
// change, a screen clear and an OSC 8 link must reach the terminal as
// text (\x1b, \x07) in every command that prints it: warnings on stderr,
// events --stats, patterns list and show, explain.
func TestHostileNamesAreEscaped(t *testing.T) {
	const evil = "\x1b]0;PWNED\x07\x1b[2J\x1b]8;;https:evil.example\x07click\x1b]8;;\x07"
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	rules := filepath.Join(dir, "rules")
	for _, d := range []string{logs, rules} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	lines := "Oct  7 06:20:21 web-3 kernel: app[4242]: segfault at 0 ip 00007f sp 00007ffd error 4 in libc.so.6\n" +
		"Oct  7 06:20:25 web-3 sshd[19939]: Connection closed by 203.0.113.5 port 40022\n"
	if err := os.WriteFile(filepath.Join(logs, "syslog-"+evil), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	// A truncated gzip: its warning names the file.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat(lines, 50)))
	zw.Close()
	if err := os.WriteFile(filepath.Join(logs, "syslog.2-"+evil+".gz"), gz.Bytes()[:gz.Len()-12], 0o644); err != nil {
		t.Fatal(err)
	}
	sig := "schema: logsleuth/v1\nid: evil-title\ntitle: \"Crash \\e]0;PWNED\\a\\e[2J\"\nevents:\n  \"crash\\e[2J\": {program: kernel, message|contains: segfault}\nmatch: {event: \"crash\\e[2J\"}\n"
	if err := os.WriteFile(filepath.Join(rules, "evil-"+evil+".yaml"), []byte(sig), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"events", "--stats", "--year", "2021", logs},
		{"timeline", "--year", "2021", "--format", "text", logs},
		{"patterns", "list", "--patterns", rules},
		{"patterns", "show", "evil-title", "--patterns", rules},
		{"explain", "evil-title", "--patterns", rules, "--year", "2021", logs},
		{"events", filepath.Join(logs, "no-such-"+evil)},
	} {
		t.Run(args[0]+" "+args[1], func(t *testing.T) {
			ios, _, stdout, stderr := Test()
			run(context.Background(), ios, args)
			out := stdout.String() + stderr.String()
			if strings.ContainsAny(out, "\x1b\x07") {
				t.Fatalf("raw escape sequence reached the terminal:\n%q", out)
			}
			if !strings.Contains(out, `\x1b`) {
				t.Fatalf("the hostile name or title is not shown at all:\n%s", out)
			}
		})
	}
}

// TestHostileHostStaysOnItsLine: a journal's _HOSTNAME and
// SYSLOG_IDENTIFIER are the sender's to write. A newline in them must not
// start a new line in the output, where the rest would pass for a line of
// its own: in line formats it is shown as \n, as a message's is not (a
// message's newline is a continuation, indented).
func TestHostileHostStaysOnItsLine(t *testing.T) {
	var in strings.Builder
	for i := range 13 {
		program := "sshd"
		if i == 12 {
			program = `sshd\nFAKE program`
		}
		fmt.Fprintf(&in, `{"_HOSTNAME":"web-3\nFAKE host","SYSLOG_IDENTIFIER":"%s","_PID":"%d","MESSAGE":"Failed password for root from 203.0.113.9 port 22 ssh2","__REALTIME_TIMESTAMP":"17000000%02d000000","PRIORITY":"5"}`+"\n", program, 100+i, i)
	}
	path := filepath.Join(t.TempDir(), "export.json")
	if err := os.WriteFile(path, []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"events", "-o", "text", path},
		{"events", "-o", "short-iso", path},
		{"explain", "ssh-bruteforce", path},
		{"timeline", "--format", "text", path},
	} {
		t.Run(strings.Join(args[:len(args)-1], " "), func(t *testing.T) {
			ios, _, stdout, stderr := Test()
			if code := run(context.Background(), ios, args); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			out := stdout.String()
			if !strings.Contains(out, `web-3\nFAKE host`) {
				t.Fatalf("host not shown escaped:\n%s", out)
			}
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), "FAKE") {
					t.Fatalf("a newline in a host or program started line %q:\n%s", l, out)
				}
			}
		})
	}
}
