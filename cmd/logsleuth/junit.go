package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/fixture"
)

// JUnit XML as CI systems read it (Jenkins, GitLab, GitHub actions that
// display test reports): a testsuites root holding one testsuite.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
	elapsed  time.Duration
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitProblem `xml:"skipped,omitempty"`
	elapsed   time.Duration
}

// junitProblem is a failure (the findings differ), an error (the case
// could not run) or a skip (the case cannot be stored in VictoriaLogs);
// Text is the diff or the error.
type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// newJUnitCase names a case as JUnit does a test: the class is the
// signature's directory ("oom-kill" of "oom-kill/java"), the name the
// case's own; a case found at the root has its name as both.
func newJUnitCase(name string, elapsed time.Duration) junitCase {
	class, base := path.Dir(name), path.Base(name)
	if class == "." {
		class = base
	}
	return junitCase{ClassName: class, Name: base, Time: seconds(elapsed), elapsed: elapsed}
}

func (s *junitSuite) add(c junitCase) {
	s.Cases = append(s.Cases, c)
	s.Tests++
	s.elapsed += c.elapsed
}

// write is the report, XML declaration first.
func (s *junitSuite) write(w io.Writer) error {
	s.Time = seconds(s.elapsed)
	root := junitSuites{Name: s.Name, Tests: s.Tests, Failures: s.Failures, Errors: s.Errors, Time: s.Time, Suites: []junitSuite{*s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// testInputs are the files a test run reads: every case's logs and
// expect.yaml, and the signatures in the --patterns directories.
func testInputs(cases []*fixture.Case, patternDirs []string) []string {
	var paths []string
	for _, c := range cases {
		paths = append(paths, c.Inputs...)
		paths = append(paths, filepath.Join(c.Dir, fixture.ExpectFile))
	}
	for _, d := range patternDirs {
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				paths = append(paths, p)
			}
			return nil
		})
	}
	return paths
}
