// Package ingest opens logsleuth's inputs (files, directories, archives,
// stdin), decompresses them, splits them into lines, parses the lines on
// all cores through package parse, and merges every source into one
// time-ordered event stream (DESIGN §4).
package ingest

import (
	"context"
	"io"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Options says what to read and how.
type Options struct {
	// Paths are files, directories or archives; "-" is Stdin.
	Paths []string
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Location is the zone of zone-less stamps (--tz). Nil: the machine's
	// local zone for local files, UTC with a warning for stdin.
	Location *time.Location
	// Year is the year of the first year-less line (--year); 0 infers it.
	Year int
	// Since and Until bound the events returned (zero: unbounded).
	Since, Until time.Time
	// Workers is the number of parse goroutines; 0 means GOMAXPROCS.
	Workers int
	// Warnings receives every problem with the input. Required.
	Warnings *event.Warnings
}

// SourceStats describes one source after it was read (`events --stats`,
// timeline coverage).
type SourceStats struct {
	Path        string    // as the user named it; archive members as "archive.tar.gz:var/log/syslog"
	Format      string    // the format most of its events had
	Events      int64     // events read (before --since/--until)
	Bytes       int64     // decompressed bytes read
	First, Last time.Time // first and last known event time
	TimeQuality string    // e.g. "exact", "year_inferred from gzip header"
}

// Stream is the merged, time-ordered event stream. Not safe for
// concurrent use.
type Stream struct {
}

// Open resolves opts.Paths and starts reading. Problems with single inputs
// become warnings; Open fails only on unusable options.
func Open(ctx context.Context, opts Options) (*Stream, error) {
	return &Stream{}, nil
}

// Next advances to the next event; false at the end of all input.
func (s *Stream) Next() bool { return false }

// Event returns the current event. It is valid until the next call to
// Next; copy it (event.Event.Clone) to keep it.
func (s *Stream) Event() *event.Event { return nil }

// Err returns the error that ended the stream early, if any (input
// problems are warnings, not errors).
func (s *Stream) Err() error { return nil }

// Sources returns per-source statistics, in the order sources were
// opened. Complete once Next has returned false.
func (s *Stream) Sources() []SourceStats { return nil }

// Close stops reading and releases every input.
func (s *Stream) Close() error { return nil }
