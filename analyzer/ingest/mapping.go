package ingest

import (
	"os"
	"sync"
)

// minMapSize is the smallest file mapped instead of read; useMmap turns
// mapping off (tests compare both ways of reading); mapped, when set, is
// called with each file just mapped (tests truncate it).
var (
	minMapSize int64 = 1
	useMmap          = true
	mapped     func(path string)
)

// mapping is a memory-mapped input file. Blocks of it go to the workers,
// which copy them (blockText), so it is unmapped once its source's
// assembler saw every block, or by Close when the stream stopped early.
type mapping struct {
	data []byte
	// copied is how much of data, from its start, the workers copied
	// and were dropped from the process's pages (dropCopied). Guarded
	// by the source's asmMu.
	copied int
}

// dropStride is how much of a mapping is dropped from the process at a
// time once copied: one madvise per dropStride bytes, and at most about
// that much of the file counting in the process's RSS. A variable for
// tests.
var dropStride = 8 << 20

// dropCopied tells m that every block before end was copied: their
// pages are dropped from the process in strides of dropStride. The
// page holding end may still be read by the next block's worker.
func (m *mapping) dropCopied(end int) {
	if end-m.copied < dropStride {
		return
	}
	page := os.Getpagesize()
	if to := end / page * page; to > m.copied {
		dropPages(m.data[m.copied:to])
		m.copied = to
	}
}

// mappings are the stream's mapped files not yet unmapped.
type mappings struct {
	mu   sync.Mutex
	live map[*mapping]bool
}

// track registers data as one of the stream's mappings.
func (s *Stream) track(data []byte) *mapping {
	m := &mapping{data: data}
	s.maps.mu.Lock()
	defer s.maps.mu.Unlock()
	if s.maps.live == nil {
		s.maps.live = map[*mapping]bool{}
	}
	s.maps.live[m] = true
	return m
}

// unmap releases m; nothing may read it any more.
func (s *Stream) unmap(m *mapping) {
	s.maps.mu.Lock()
	defer s.maps.mu.Unlock()
	if s.maps.live[m] {
		delete(s.maps.live, m)
		_ = unmapFile(m.data)
	}
}

// unmapAll releases every mapping left; Close calls it once no goroutine
// of the stream runs.
func (s *Stream) unmapAll() {
	s.maps.mu.Lock()
	defer s.maps.mu.Unlock()
	for m := range s.maps.live {
		_ = unmapFile(m.data)
	}
	s.maps.live = nil
}
