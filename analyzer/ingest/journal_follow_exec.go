package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// execFollower follows a journal through journalctl, in two runs. The
// first, without --follow, reads what is there up to its end: the
// backlog (from the head, or after the saved cursor), or, to start at
// the tail, the last entry, only for its cursor. The second runs
// `journalctl --follow -o export` after the last cursor seen; a
// goroutine reads its output into a channel of entries, so that Next
// can say there is nothing for now instead of blocking on the pipe.
// (A single `--follow` run could not tell the end of the backlog from
// a pause in it, and the clock must not advance inside the backlog.)
type execFollower struct {
	ctx context.Context
	bin string
	sp  *journalSpec
	// The first run, nil once it ended; tailOnly: its entry only gives
	// the cursor to follow after.
	backlog  *exec.Cmd
	x        *parse.ExportReader
	tailOnly bool
	last     string // cursor of the last entry read

	cmd     *exec.Cmd
	cancel  context.CancelFunc
	entries chan execEntry
	stderr  bytes.Buffer
	// held is an entry Wait took off the channel, handed out next;
	// closed: Wait found the channel closed; done: Next said so.
	held         *execEntry
	closed, done bool
}

type execEntry struct {
	ev  event.Event
	err error
}

// journalctlSource are journalctl's arguments naming sp's journal.
func journalctlSource(sp *journalSpec) []string {
	switch {
	case sp.dir != "":
		return []string{"--directory", sp.dir}
	case sp.file != "":
		return []string{"--file", sp.file}
	}
	return nil
}

// openJournalctlFollower starts journalctl on sp's backlog from at.
func openJournalctlFollower(ctx context.Context, sp *journalSpec, at journalStart) (journalFollower, error) {
	bin, err := exec.LookPath(journalctlPath)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNoJournalReader, err)
	}
	r := &execFollower{ctx: ctx, bin: bin, sp: sp, last: at.cursor}
	args := append([]string{"--no-pager", "-o", "export"}, journalctlSource(sp)...)
	switch {
	case at.cursor != "":
		args = append(args, "--after-cursor", at.cursor)
	case !at.fromStart:
		args = append(args, "--lines", "1")
		r.tailOnly = true
	}
	r.backlog = exec.CommandContext(ctx, bin, args...)
	out, err := startJournalctl(r.backlog, &r.stderr)
	if err != nil {
		return nil, fmt.Errorf("journalctl: %w", err)
	}
	r.x = parse.NewExportReader(out)
	return r, nil
}

// readBacklog is Next during the first run: it blocks until an entry or
// the run's end, then starts following.
func (r *execFollower) readBacklog(ev *event.Event) error {
	for {
		err := r.x.Next(ev)
		if err == nil {
			ev.Source.Line = 0 // a line of journalctl's output means nothing to the user
			if ev.Source.Cursor != "" {
				r.last = ev.Source.Cursor
			}
			if r.tailOnly {
				continue
			}
			return nil
		}
		var fe *parse.FormatError
		if errors.As(err, &fe) {
			return &corruptEntry{err}
		}
		werr := r.backlog.Wait()
		r.backlog, r.x = nil, nil
		if !errors.Is(err, io.EOF) || werr != nil {
			return fmt.Errorf("journalctl: %w %s", errors.Join(err, werr), bytes.TrimSpace(r.stderr.Bytes()))
		}
		r.stderr.Reset()
		if err := r.follow(); err != nil {
			return err
		}
		return io.EOF
	}
}

// follow starts `journalctl --follow` after the last cursor read.
func (r *execFollower) follow() error {
	args := append([]string{"--no-pager", "--follow", "-o", "export"}, journalctlSource(r.sp)...)
	if r.last != "" {
		args = append(args, "--after-cursor", r.last)
	} else {
		args = append(args, "--lines", "all") // the journal was empty
	}
	ctx, cancel := context.WithCancel(r.ctx)
	r.cmd, r.cancel, r.entries = exec.CommandContext(ctx, r.bin, args...), cancel, make(chan execEntry, jfileBatch)
	out, err := startJournalctl(r.cmd, &r.stderr)
	if err != nil {
		cancel()
		r.done = true
		return fmt.Errorf("journalctl --follow: %w", err)
	}
	go r.read(ctx, out)
	return nil
}

// read parses journalctl's output into entries until it ends.
func (r *execFollower) read(ctx context.Context, out io.Reader) {
	defer close(r.entries)
	x := parse.NewExportReader(out)
	for {
		var e execEntry
		e.ev.Priority = event.NoPriority
		err := x.Next(&e.ev)
		var fe *parse.FormatError
		switch {
		case err == nil:
			e.ev.Source.Line = 0 // a line of journalctl's output means nothing to the user
		case errors.As(err, &fe):
			e.err = &corruptEntry{err}
		case errors.Is(err, io.EOF):
			return
		default:
			e.err = err
		}
		select {
		case r.entries <- e:
		case <-ctx.Done():
			return
		}
		if e.err != nil && !errors.As(e.err, new(*corruptEntry)) {
			return
		}
	}
}

// Next returns the next entry read, io.EOF when none is waiting; once
// journalctl has ended, the reason.
func (r *execFollower) Next(ev *event.Event) error {
	if r.backlog != nil {
		return r.readBacklog(ev)
	}
	if r.done {
		return io.EOF
	}
	var e execEntry
	switch {
	case r.held != nil:
		e, r.held = *r.held, nil
	case r.closed:
		r.done = true
		return r.ended()
	default:
		var ok bool
		select {
		case e, ok = <-r.entries:
			if !ok {
				r.done = true
				return r.ended()
			}
		default:
			return io.EOF
		}
	}
	if e.err != nil {
		return e.err
	}
	*ev = e.ev
	return nil
}

// ended says why journalctl stopped: it never does on its own while
// following, so even a clean exit is an error.
func (r *execFollower) ended() error {
	err := r.cmd.Wait()
	msg := string(bytes.TrimSpace(r.stderr.Bytes()))
	if err == nil {
		err = errors.New("it ended")
	}
	if msg != "" {
		return fmt.Errorf("journalctl: %w: %s", err, msg)
	}
	return fmt.Errorf("journalctl: %w", err)
}

// Wait blocks until an entry is waiting, at most d.
func (r *execFollower) Wait(d time.Duration) {
	if r.backlog != nil || r.done || r.closed || r.held != nil {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case e, ok := <-r.entries:
		if ok {
			r.held = &e
		} else {
			r.closed = true
		}
	case <-t.C:
	}
}

// Close stops journalctl.
func (r *execFollower) Close() error {
	if r.backlog != nil {
		r.backlog.Process.Kill()
		r.backlog.Wait()
	}
	if r.cmd != nil {
		r.cancel()
		for range r.entries {
		}
		r.cmd.Wait()
	}
	return nil
}
