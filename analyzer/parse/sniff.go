package parse

import (
	"bytes"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// sniffLines is how many lines Sniff parses; enough to outvote a banner
// or a few odd lines at the top of a file.
const sniffLines = 64

// Sniff looks at the first bytes of a decompressed input and says which
// format it is (the Hint for its lines) and whether it looks like a log at
// all. Binary data is not a log; text is a log when at least half of its
// first lines parse as some known format with a time.
func Sniff(head []byte) (format string, isLog bool) {
	if bytes.HasPrefix(head, []byte("__CURSOR=")) || bytes.HasPrefix(head, []byte("__REALTIME_TIMESTAMP=")) {
		return FormatJournalExport, true
	}
	if looksBinary(head) {
		return "", false
	}
	// The last line may be cut short by the sniff window; drop it unless
	// it is the only one.
	if i := bytes.LastIndexByte(head, '\n'); i > 0 {
		head = head[:i]
	}
	o := Options{Location: time.UTC, Year: 2000}
	counts := map[string]int{}
	entries, known := 0, 0
	var ev event.Event
	for n := 0; len(head) > 0 && n < sniffLines; n++ {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		ev.Reset()
		k := ParseLine(line, &o, &ev)
		switch ev.Source.Format {
		case FormatAptHistory, FormatAptTerm:
			// Their other lines only parse with the hint.
			return ev.Source.Format, true
		}
		if k != KindEntry && k != KindText && k != KindBanner && k != KindBoot {
			continue
		}
		entries++
		if ev.Source.Format != FormatText && ev.Source.Format != "" {
			known++
			counts[ev.Source.Format]++
		}
	}
	best, bestN := FormatText, 0
	for f, n := range counts {
		if n > bestN || (n == bestN && f < best) {
			best, bestN = f, n
		}
	}
	return best, known > 0 && known*2 >= entries
}

// looksBinary reports NUL bytes or a high share of control bytes, the way
// grep and ripgrep decide a file is binary.
func looksBinary(head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	ctl := 0
	for _, c := range head {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != 0x1b && c != 0x1e && c != '\f' {
			ctl++
		}
	}
	return ctl*20 > len(head)
}
