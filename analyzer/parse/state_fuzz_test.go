package parse

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// FuzzStateBlocks feeds arbitrary text through the workers' path and the
// Assembler: no panic, and no value of a "Key: value" line is lost when
// no state event came of it.
func FuzzStateBlocks(f *testing.F) {
	for _, seed := range []string{
		dockerInfo2410, dockerInfo1706, dockerVersion,
		"● docker.service - Docker\n     Active: failed (Result: exit-code) since Tue 2023-11-14 06:20:24 UTC; 2h ago\n\nNov 14 06:20:24 h systemd[1]: x",
		"Server: nginx\nDate: today\n  x",
		"$ docker info\nServer:\n Docker Root Dir: /x\nNov 14 06:20:24 h a[1]: b",
		"Kernel IP routing table\nDestination Gateway Genmask Flags Metric Ref Use Iface\n0.0.0.0 1.2.3.4 0.0.0.0 UG 0 0 0 eth0",
		"ID   Status  Spawn   Ready   Summary\n1    Done    today   today   x\n",
		"Name  Version  Rev  Tracking  Publisher  Notes\ncore 1 2 latest/stable canonical✓ base",
		"ii  a  1  all  d\nDesired=x\n",
		"   Local time: x\n Universal time: Tue 2023-11-14 06:20:24 UTC\n",
		"1: lo: <LOOPBACK> mtu 1 state UNKNOWN\n    inet 127.0.0.1/8 scope host lo\n2: eth0    inet 10.0.0.5/24 scope global eth0\\",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<16 || strings.ContainsRune(text, 0) {
			return
		}
		evs := assembleText(t, text, AssemblerConfig{})
		// A block abandoned is read again as ordinary lines: whatever
		// ends a line that looks like docker's "Key: value" and made no
		// state event is still somewhere.
		states := 0
		var all strings.Builder
		for _, e := range evs {
			all.WriteString(e.Message + "\n")
			if out, ok := e.Field("output"); ok {
				all.WriteString(out + "\n")
			}
			if e.Kind == event.KindState {
				states++
			}
		}
		if states > 0 {
			return
		}
		got := all.String()
		for line := range strings.SplitSeq(text, "\n") {
			if _, v, ok := cutKey(line); ok && len(v) > 3 && utf8.ValidString(v) && !strings.Contains(got, v) {
				t.Errorf("line %q lost: events %q", line, got)
			}
		}
	})
}
