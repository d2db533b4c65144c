package ingest

import (
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// TestRecycledChunkKeepsNoBlock: a chunk back in the pool keeps nothing
// of its parse, whose strings are slices of a 128 KiB copy of its block:
// on the 256 MiB dense bench corpus the pool held 41 such copies (5 MiB
// of live heap, times GOGC in peak RSS).
func TestRecycledChunkKeepsNoBlock(t *testing.T) {
	c := getChunk()
	c.buf, c.first = numbered(50), 1
	c.opts = &parse.Options{Location: time.UTC, Year: 2021}
	parseChunk(c, false, nil)
	if len(c.parsed) != 50 || c.parsed[49].Event.Message != "line 50" {
		t.Fatalf("parsed %d lines, want 50 ending with line 50", len(c.parsed))
	}
	parsed := c.parsed[:cap(c.parsed)]
	putChunk(c)
	for i := range parsed {
		if p := &parsed[i]; p.Raw != "" || p.Event.Message != "" || p.Event.Host != "" || p.Event.Program != "" {
			t.Fatalf("recycled chunk's line %d still holds %q", i+1, p.Raw)
		}
	}
}
