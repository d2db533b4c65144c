package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// spilled is the copy of an archive member on disk (readArchive): the
// member's bytes as the archive holds them, in a private temporary
// directory, removed once read.
type spilled struct {
	path    string // the copy
	name    string // Source.Path: "archive.tar.xz:var/log/syslog"
	member  string // the member's name in the archive
	size    int64
	modTime time.Time
	format  string // what parse.Sniff made of its head
	command string // a sos command output read as state
	src     *source
	once    sync.Once
}

// remove deletes the copy; safe to call more than once.
func (m *spilled) remove() {
	m.once.Do(func() { os.Remove(m.path) })
}

// spillDir is the stream's private temporary directory (mode 0700),
// made on first use and removed by Close.
func (s *Stream) spillDir() (string, error) {
	s.spillMu.Lock()
	defer s.spillMu.Unlock()
	if s.tmpDir == "" {
		dir, err := os.MkdirTemp("", "logsleuth-")
		if err != nil {
			return "", fmt.Errorf("temporary directory for archive members: %w", err)
		}
		s.tmpDir = dir
	}
	return s.tmpDir, nil
}

// removeSpillDir removes the temporary directory and whatever is left in
// it; Close calls it once no goroutine of the stream runs.
func (s *Stream) removeSpillDir() {
	s.spillMu.Lock()
	defer s.spillMu.Unlock()
	if s.tmpDir != "" {
		os.RemoveAll(s.tmpDir)
		s.tmpDir = ""
	}
}

// spill copies an archive member to the temporary directory: the bytes
// rec already read from it, then the rest of body. A stopped stream ends
// the copy with errStopped.
func (s *Stream) spill(archive, member string, rec *recorder, body io.Reader) (*spilled, error) {
	dir, err := s.spillDir()
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "member-*")
	if err != nil {
		return nil, fmt.Errorf("copy to a temporary file: %w", err)
	}
	m := &spilled{path: f.Name(), name: archive + ":" + member, member: member}
	n, err := f.Write(rec.buf.Bytes())
	m.size = int64(n)
	rec.buf = bytes.Buffer{}
	if err == nil {
		var k int64
		k, err = s.copyStopping(f, body)
		m.size += k
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		m.remove()
		return nil, err
	}
	return m, nil
}

// recorder reads r and keeps what it read (decode's sniffing of a
// member), so that the member's copy can start with it.
type recorder struct {
	r   io.Reader
	buf bytes.Buffer
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.buf.Write(p[:n])
	return n, err
}

// spillSubdir makes a new directory inside the stream's temporary
// directory (the journal files of one archive).
func (s *Stream) spillSubdir() (string, error) {
	dir, err := s.spillDir()
	if err != nil {
		return "", err
	}
	sub, err := os.MkdirTemp(dir, "journals-")
	if err != nil {
		return "", fmt.Errorf("temporary directory for journal files: %w", err)
	}
	return sub, nil
}

// spillJournal copies the decompressed journal file r, the archive member
// member, into j.dir under its base name, numbered in archive order, so
// that walkJournal finds it.
func (s *Stream) spillJournal(j *spilledJournals, member string, r io.Reader) error {
	base := filepath.Base(member)
	if !strings.HasSuffix(base, ".journal") && !strings.HasSuffix(base, ".journal~") {
		base += ".journal"
	}
	// Numbered in archive order, the order the journal reader sorts by.
	j.n++
	f, err := os.OpenFile(filepath.Join(j.dir, fmt.Sprintf("%05d-%s", j.n, base)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("copy to a temporary file: %w", err)
	}
	_, err = s.copyStopping(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// copyStopping copies r to w, a block at a time, until r ends (nil) or
// fails; a stopped stream ends the copy with errStopped. n counts the
// bytes written.
func (s *Stream) copyStopping(w io.Writer, r io.Reader) (n int64, err error) {
	buf := make([]byte, 256<<10)
	for {
		select {
		case <-s.done:
			return n, errStopped
		default:
		}
		k, rerr := r.Read(buf)
		if k > 0 {
			wn, werr := w.Write(buf[:k])
			n += int64(wn)
			if werr != nil {
				return n, fmt.Errorf("copy to a temporary file: %w", werr)
			}
		}
		if errors.Is(rerr, io.EOF) {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}
