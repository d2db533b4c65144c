package main

import (
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// junitFixtures writes a signature and three cases under dir: one that
// passes, one whose expectation is wrong, one negative case that passes.
func junitFixtures(t *testing.T, dir string) {
	t.Helper()
	const kill = "Mar  3 03:12:44 db-1 kernel: [812345.123456] Out of memory: Killed process 4242 (java) total-vm:8388608kB, anon-rss:6291456kB, file-rss:0kB, shmem-rss:0kB, UID:1001 pgtables:12688kB oom_score_adj:0\n"
	files := map[string]string{
		"rules/oom.yaml": `schema: logsleuth/v1
id: oom-kill
title: The kernel OOM killer killed a process
severity: high
events:
  kill: {program: kernel, message|re: 'Out of memory: Killed process (?P<pid>\d+) \((?P<comm>[^)]+)\)'}
match: {event: kill}
`,
		"cases/oom-kill/java/kern.log": kill,
		"cases/oom-kill/java/expect.yaml": `args: [--year, "2024", --tz, UTC]
findings:
  - {signature: oom-kill, captures: {kill.comm: java}}
`,
		"cases/oom-kill/wrong-comm/kern.log": kill,
		"cases/oom-kill/wrong-comm/expect.yaml": `args: [--year, "2024", --tz, UTC]
findings:
  - {signature: oom-kill, captures: {kill.comm: postgres}}
`,
		"cases/oom-kill/app-message/app.log":     "Mar  3 03:12:44 db-1 myapp[77]: cache: Out of memory while growing buffer, retrying\n",
		"cases/oom-kill/app-message/expect.yaml": "args: [--year, \"2024\"]\nfindings: []\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestJUnit: --junit writes JUnit XML that a CI system's parser reads
// back (here encoding/xml into the shape JUnit readers expect): one
// testcase per case, classname the signature directory, the diff in the
// failing case's failure element; written although a case fails.
func TestJUnit(t *testing.T) {
	dir := t.TempDir()
	junitFixtures(t, dir)
	t.Chdir(dir)
	report := filepath.Join(dir, "out", "junit.xml")
	if err := os.Mkdir(filepath.Dir(report), 0o755); err != nil {
		t.Fatal(err)
	}
	ios, _, stdout, stderr := Test()
	if got := run(context.Background(), ios, []string{"test", "--patterns", "rules", "--only", "oom-kill", "--junit", report, "cases"}); got != exitFailOn {
		t.Fatalf("exit status %d, want %d; stdout:\n%s\nstderr:\n%s", got, exitFailOn, stdout, stderr)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("no report although a case failed: %v", err)
	}
	if !strings.HasPrefix(string(b), "<?xml ") {
		t.Errorf("report does not start with an XML declaration:\n%s", b)
	}
	type problem struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
	var got struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Errors   int      `xml:"errors,attr"`
		Suites   []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				ClassName string   `xml:"classname,attr"`
				Name      string   `xml:"name,attr"`
				Time      string   `xml:"time,attr"`
				Failure   *problem `xml:"failure"`
				Error     *problem `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &got); err != nil {
		t.Fatalf("report is not XML: %v\n%s", err, b)
	}
	if got.Tests != 3 || got.Failures != 1 || got.Errors != 0 {
		t.Errorf("testsuites tests=%d failures=%d errors=%d, want 3 1 0", got.Tests, got.Failures, got.Errors)
	}
	if len(got.Suites) != 1 {
		t.Fatalf("%d testsuites, want 1:\n%s", len(got.Suites), b)
	}
	s := got.Suites[0]
	if s.Tests != 3 || s.Failures != 1 || len(s.Cases) != 3 {
		t.Errorf("testsuite tests=%d failures=%d with %d testcases, want 3 1 3", s.Tests, s.Failures, len(s.Cases))
	}
	failing := map[string]bool{}
	for _, c := range s.Cases {
		if c.ClassName != "oom-kill" {
			t.Errorf("testcase %s: classname %q, want oom-kill", c.Name, c.ClassName)
		}
		if c.Time == "" {
			t.Errorf("testcase %s has no time", c.Name)
		}
		if c.Error != nil {
			t.Errorf("testcase %s has an error: %s", c.Name, c.Error.Text)
		}
		if c.Failure == nil {
			continue
		}
		failing[c.Name] = true
		for _, want := range []string{"- oom-kill kill.comm=postgres", "+ oom-kill confirmed host=db-1 kill.pid=4242 kill.comm=java"} {
			if !strings.Contains(c.Failure.Text, want) {
				t.Errorf("failure of %s lacks %q:\n%s", c.Name, want, c.Failure.Text)
			}
		}
		if !strings.Contains(c.Failure.Message, "differ") {
			t.Errorf("failure message %q does not say the findings differ", c.Failure.Message)
		}
	}
	if len(failing) != 1 || !failing["wrong-comm"] {
		t.Errorf("failing testcases %v, want only wrong-comm", failing)
	}
	if !strings.Contains(stdout.String(), "2 passed, 1 failed") {
		t.Errorf("the usual summary is missing:\n%s", stdout)
	}
}

// TestJUnitError: a case that cannot run (a flag logsleuth does not
// know in its args) is an error element naming the cause, not a failure.
func TestJUnitError(t *testing.T) {
	dir := t.TempDir()
	junitFixtures(t, dir)
	bad := filepath.Join(dir, "cases", "oom-kill", "java", "expect.yaml")
	if err := os.WriteFile(bad, []byte("args: [--no-such-flag]\nfindings: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	ios, _, stdout, stderr := Test()
	if got := run(context.Background(), ios, []string{"test", "--patterns", "rules", "--only", "oom-kill", "--junit", "junit.xml", "cases"}); got != exitFailOn {
		t.Fatalf("exit status %d, want %d; stdout:\n%s\nstderr:\n%s", got, exitFailOn, stdout, stderr)
	}
	b, err := os.ReadFile("junit.xml")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Errors   int `xml:"errors,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name  string `xml:"name,attr"`
				Error *struct {
					Text string `xml:",chardata"`
				} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &got); err != nil {
		t.Fatalf("report is not XML: %v\n%s", err, b)
	}
	if got.Errors != 1 || got.Failures != 1 || len(got.Suites) != 1 {
		t.Fatalf("errors=%d failures=%d suites=%d, want 1 1 1:\n%s", got.Errors, got.Failures, len(got.Suites), b)
	}
	for _, c := range got.Suites[0].Cases {
		if (c.Error != nil) != (c.Name == "java") {
			t.Errorf("testcase %s: error %v", c.Name, c.Error)
		}
		if c.Error != nil && !strings.Contains(c.Error.Text, "no-such-flag") {
			t.Errorf("error of %s does not name the flag: %q", c.Name, c.Error.Text)
		}
	}
}

// TestJUnitIsInput: --junit naming a file the run reads (a case's log,
// its expect.yaml, a signature) is refused with exit 2 before any case
// runs, and the file is left as it was; a missing directory is refused
// too.
func TestJUnitIsInput(t *testing.T) {
	dir := t.TempDir()
	junitFixtures(t, dir)
	t.Chdir(dir)
	tests := []struct{ name, junit, why string }{
		{"a case's log", "cases/oom-kill/java/kern.log", "the report would replace it"},
		{"an expect.yaml", "./cases/oom-kill/java/expect.yaml", "the report would replace it"},
		{"a signature", "rules/oom.yaml", "the report would replace it"},
		{"no such directory", "nowhere/junit.xml", "no directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tt.junit)
			ios, _, stdout, stderr := Test()
			if got := run(context.Background(), ios, []string{"test", "--patterns", "rules", "--only", "oom-kill", "--junit", tt.junit, "cases"}); got != exitError {
				t.Errorf("exit status %d, want %d; stderr:\n%s", got, exitError, stderr)
			}
			if !strings.Contains(stderr.String(), tt.why) {
				t.Errorf("stderr does not say %q:\n%s", tt.why, stderr)
			}
			if strings.Contains(stdout.String(), "passed") {
				t.Errorf("cases ran:\n%s", stdout)
			}
			if after, _ := os.ReadFile(tt.junit); string(after) != string(before) {
				t.Errorf("%s was changed to:\n%s", tt.junit, after)
			}
		})
	}
}
