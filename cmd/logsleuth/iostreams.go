package main

import (
	"bytes"
	"golang.org/x/term"
	"io"
	"os"
)

// IOStreams are the standard streams a command uses, with terminal
// detection that tests can override. Commands never touch os.Stdin,
// os.Stdout or os.Stderr directly.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	// colorMode is --color: auto, always or never.
	colorMode string
	// noPager is --no-pager; pager is the running one (StartPager).
	noPager bool
	pager   *pager
}

// colorModes are the values of --color.
var colorModes = []string{"auto", "always", "never"}

// System returns the process's real streams.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
	}
}

// Test returns streams backed by buffers, none of them a terminal, and
// the buffers: stdin, stdout, stderr.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := new(bytes.Buffer), new(bytes.Buffer), new(bytes.Buffer)
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

func (s *IOStreams) IsStdinTTY() bool  { return s.stdinTTY }
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

func (s *IOStreams) SetStdinTTY(v bool)  { s.stdinTTY = v }
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// ColorEnabled says whether stdout gets ANSI colour. It is the one place
// that decides: --color=always or never wins; auto (the default) colours a
// terminal unless NO_COLOR is set to anything (no-color.org) or TERM is
// dumb, as git and journalctl do.
func (s *IOStreams) ColorEnabled() bool {
	switch s.colorMode {
	case "always":
		return true
	case "never":
		return false
	}
	return s.stdoutTTY && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}

// isTerminal reports whether f is a terminal (a termios ioctl succeeds).
// A character device is not enough: /dev/null is one, and output sent
// there must not start a pager (less would hold all of it in memory).
func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}
