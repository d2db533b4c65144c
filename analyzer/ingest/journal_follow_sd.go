//go:build linux && cgo && sdjournal

package ingest

import (
	"fmt"
	"strings"
	"time"

	"github.com/coreos/go-systemd/v22/sdjournal"

	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// sdFollower follows a journal through libsystemd: the reader of
// journal_sd.go over a journal opened on this machine's files, a
// directory or a file, waiting with sd_journal_wait at its end.
type sdFollower struct {
	*sdReader
}

// openNativeFollower opens the journal of sp and seeks to at.
func openNativeFollower(sp *journalSpec, at journalStart, extra []string) (journalFollower, error) {
	var j *sdjournal.Journal
	var err error
	switch {
	case sp.local:
		j, err = sdjournal.NewJournal()
	case sp.dir != "":
		j, err = sdjournal.NewJournalFromDir(sp.dir)
	default:
		j, err = sdjournal.NewJournalFromFiles(sp.file)
	}
	if err != nil {
		if strings.Contains(err.Error(), "unable to open a handle to the library") {
			return nil, fmt.Errorf("%w: %v", errNoNative, err)
		}
		return nil, err
	}
	if err := j.SetDataThreshold(parse.MaxExportField); err != nil {
		j.Close()
		return nil, err
	}
	if err := seekFollow(j, at); err != nil {
		j.Close()
		return nil, err
	}
	return &sdFollower{&sdReader{j: j, extra: wants(extra...)}}, nil
}

// seekFollow places j so that its next Next returns the first entry to
// follow.
func seekFollow(j *sdjournal.Journal, at journalStart) error {
	switch {
	case at.cursor != "":
		if err := j.SeekCursor(at.cursor); err != nil {
			return fmt.Errorf("seek to the saved cursor: %w", err)
		}
		// The cursor's own entry was read before: step onto it, so that
		// Next goes past it. (When it is gone, the journal was rotated
		// away under it: SeekCursor took the nearest entry.)
		if _, err := j.Next(); err != nil {
			return err
		}
		if err := j.TestCursor(at.cursor); err != nil {
			return j.SeekCursor(at.cursor) // not the same entry: read from it
		}
		return nil
	case at.fromStart:
		return j.SeekHead()
	}
	// The tail: Previous onto the last entry, so that Next returns only
	// what comes after it.
	if err := j.SeekTail(); err != nil {
		return err
	}
	_, err := j.Previous()
	return err
}

// Wait blocks until the journal changed, at most d.
func (s *sdFollower) Wait(d time.Duration) { s.j.Wait(d) }
