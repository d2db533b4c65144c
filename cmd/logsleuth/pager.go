package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
)

// pager is a running pager that stdout is piped into.
type pager struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out io.Writer // stdout before the pager took it
}

// StartPager pipes the rest of stdout through a pager, as git and
// journalctl do: $PAGER (run by the shell, so PAGER="less -S" works), else
// less, with LESS=FRX when LESS is unset (quit when it fits one screen,
// keep colours, leave the text on the screen). Nothing happens when stdout
// is not a terminal, with --no-pager, or when PAGER is empty or cat. A
// pager that cannot start is a warning; the output then goes to stdout.
func (s *IOStreams) StartPager() {
	if s.noPager || !s.stdoutTTY || s.pager != nil {
		return
	}
	cmdline, ok := os.LookupEnv("PAGER")
	if !ok {
		cmdline = "less"
	}
	if cmdline == "" || cmdline == "cat" {
		return
	}
	c := exec.Command("sh", "-c", cmdline)
	c.Env = os.Environ()
	if _, ok := os.LookupEnv("LESS"); !ok {
		c.Env = append(c.Env, "LESS=FRX")
	}
	c.Stdout, c.Stderr = s.Out, s.ErrOut
	in, err := c.StdinPipe()
	if err == nil {
		err = c.Start()
	}
	if err != nil {
		fmt.Fprintf(s.ErrOut, "logsleuth: warning: pager %s: %v; not paging\n", safeText(cmdline), err)
		return
	}
	s.pager = &pager{cmd: c, in: in, out: s.Out}
	s.Out = in
}

// StopPager ends the input of a running pager and waits for the reader to
// quit. How the pager ended is not the run's concern: quitting less early
// (q) makes the command's writes fail with EPIPE, which is a normal end.
func (s *IOStreams) StopPager() {
	if s.pager == nil {
		return
	}
	s.pager.in.Close()
	s.pager.cmd.Wait()
	s.Out = s.pager.out
	s.pager = nil
}
