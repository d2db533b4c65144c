package ingest

import (
	"reflect"
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

// TestReusedChunkParsesAfresh: parseChunk gives a line's slot only what
// differs from zero, so a chunk parsed again after clearParsed (the
// pool's, a follower's) must read each line as a new chunk does,
// whatever the lines before left in its slots: fields, a PID, a unit
// and lifecycle, a priority, a kernel stamp, blank runs.
func TestReusedChunkParsesAfresh(t *testing.T) {
	rich := []byte(`Oct  7 06:20:21 web-3 dockerd[730]: time="2021-10-07T06:20:21.1Z" level=error msg="shim disconnected" id=1 namespace=moby
Oct  7 06:20:22 web-3 systemd[1]: Stopping Docker Application Container Engine...


Oct  7 06:20:23 web-3 kernel: [33431.000100] Out of memory: Killed process 1201 (java)
Oct  7 06:20:24 web-3 sshd(pam_unix)[19939]: session opened for user root
Oct  7 06:20:25 web-3 systemd[1]: docker.service: Failed with result 'exit-code'.
`)
	poor := []byte(`plain text that no format reads

Oct  7 06:20:30 web-3 app: a message
    an indented continuation
<34>1 2021-10-07T06:20:31Z - - - - - five four two four
Oct  7 06:20:32 web-3 sshd[42]: Accepted publickey for ubuntu
Oct  7 06:20:33 web-3 CRON[7]: (root) CMD (run-parts)
`)
	opts := &parse.Options{Location: time.UTC, Year: 2021}
	parseFresh := func(block []byte) []parse.Parsed {
		var c chunk
		c.buf, c.first, c.opts, c.path = block, 1, opts, "syslog"
		parseChunk(&c, true, nil)
		return c.parsed
	}
	for _, order := range [][2][]byte{{rich, poor}, {poor, rich}, {rich, rich}} {
		var c chunk
		c.buf, c.first, c.opts, c.path = order[0], 1, opts, "syslog"
		parseChunk(&c, true, nil)
		c.clearParsed()
		c.buf = order[1]
		parseChunk(&c, true, nil)
		want := parseFresh(order[1])
		if len(c.parsed) != len(want) {
			t.Fatalf("reused chunk: %d lines, a new one %d", len(c.parsed), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(c.parsed[i], want[i]) {
				t.Errorf("line %d of a reused chunk:\n%+v\nof a new one:\n%+v", i+1, c.parsed[i], want[i])
			}
		}
	}
}
