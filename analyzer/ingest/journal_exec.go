package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// journalctlPath is the journalctl the fallback runs; tests point it
// elsewhere.
var journalctlPath = "journalctl"

// errNoJournalReader says no journal file can be read: the native reader
// is not available and neither is journalctl.
var errNoJournalReader = errors.New("this logsleuth has no native journal reader (built without -tags sdjournal, or libsystemd.so.0 could not be loaded) and journalctl is not installed: " +
	"install systemd's journalctl, or convert the journal elsewhere with `journalctl -o export` and read that file")

// execReader reads one journal file through `journalctl --file F -o
// export`: the reader of builds without the native one (no -tags
// sdjournal, or no cgo), and of machines where libsystemd cannot be
// loaded.
type execReader struct {
	cmd    *exec.Cmd
	out    io.ReadCloser
	x      *parse.ExportReader
	stderr bytes.Buffer
	done   bool
}

// openJournalctl starts journalctl on one file, with since and until
// pushed down as @epoch seconds (widened to whole seconds; the stream
// filters exactly).
func openJournalctl(ctx context.Context, path string, since, until time.Time) (journalReader, error) {
	bin, err := exec.LookPath(journalctlPath)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNoJournalReader, err)
	}
	args := []string{"--no-pager", "-o", "export", "--file", path}
	if !since.IsZero() {
		args = append(args, "--since", "@"+strconv.FormatInt(since.Unix(), 10))
	}
	if !until.IsZero() {
		args = append(args, "--until", "@"+strconv.FormatInt(until.Add(time.Second-1).Unix(), 10))
	}
	r := &execReader{cmd: exec.CommandContext(ctx, bin, args...)}
	out, err := startJournalctl(r.cmd, &r.stderr)
	if err != nil {
		return nil, fmt.Errorf("journalctl: %w", err)
	}
	r.out = out
	r.x = parse.NewExportReader(out)
	return r, nil
}

// startJournalctl starts cmd, keeping the first 4 KiB of its stderr in
// stderr (for the error that says why it failed), and returns its stdout.
func startJournalctl(cmd *exec.Cmd, stderr *bytes.Buffer) (io.ReadCloser, error) {
	cmd.Stderr = &limitedBuffer{buf: stderr, max: 4 << 10}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return out, nil
}

// Next reads the next entry. A malformed entry is a *corruptEntry; the
// end of journalctl's output is io.EOF when it exited cleanly.
func (r *execReader) Next(ev *event.Event) error {
	if r.done {
		return io.EOF
	}
	err := r.x.Next(ev)
	if err == nil {
		ev.Source.Line = 0 // a line of journalctl's output means nothing to the user
		return nil
	}
	var fe *parse.FormatError
	if errors.As(err, &fe) {
		return &corruptEntry{fe}
	}
	r.done = true
	if errors.Is(err, io.EOF) {
		if werr := r.wait(); werr != nil {
			return werr
		}
		return io.EOF
	}
	r.wait()
	return err
}

// wait reaps journalctl and turns a failure into an error carrying its
// stderr ("Failed to open files: ...").
func (r *execReader) wait() error {
	if r.cmd == nil {
		return nil
	}
	err := r.cmd.Wait()
	r.cmd = nil
	if err == nil {
		return nil
	}
	if msg := strings.TrimSpace(r.stderr.String()); msg != "" {
		return fmt.Errorf("journalctl: %s (%v)", firstLine(msg), err)
	}
	return fmt.Errorf("journalctl: %w", err)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Close stops journalctl if it is still running.
func (r *execReader) Close() error {
	if r.cmd == nil {
		return nil
	}
	if r.cmd.Process != nil {
		r.cmd.Process.Kill()
	}
	r.out.Close()
	r.cmd.Wait()
	r.cmd = nil
	return nil
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
