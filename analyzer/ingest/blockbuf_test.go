package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// poison turns poisonBlocks on for the test: a released block copy is
// overwritten instead of reused.
func poison(t *testing.T) {
	old := poisonBlocks
	poisonBlocks = true
	t.Cleanup(func() { poisonBlocks = old })
}

// ticketPaste is a support ticket's worth of text whose events are held
// back across blocks when blocks are small: entries with continuation
// lines, journalctl boot markers, a prompt whose command's output
// follows, and `systemctl status` pasted between log lines (a state
// block the Assembler keeps until it ends).
func ticketPaste(reps int) string {
	var b strings.Builder
	for i := range reps {
		fmt.Fprintf(&b, "Oct 07 06:%02d:01 web-3 dockerd[812]: level=error msg=\"failed to start daemon\" attempt=%d\n", i%60, i)
		fmt.Fprintf(&b, "Oct 07 06:%02d:02 web-3 kernel: general protection fault, probably for non-canonical address 0xdead%04x\n", i%60, i)
		b.WriteString("    RIP: 0010:__list_del_entry_valid+0x2d/0x60\n")
		b.WriteString("    Call Trace:\n     <TASK>\n     release_pages+0x1c4/0x4a0\n")
		if i%5 == 0 {
			fmt.Fprintf(&b, "-- Boot 8c3f0a%026d --\n", i)
		}
		if i%7 == 3 {
			b.WriteString("root@web-3:~# systemctl status docker\n")
			b.WriteString("× docker.service - Docker Application Container Engine\n")
			b.WriteString("     Loaded: loaded (/lib/systemd/system/docker.service; enabled; vendor preset: enabled)\n")
			fmt.Fprintf(&b, "     Active: failed (Result: exit-code) since Tue 2021-10-07 06:%02d:03 KST; 4s ago\n", i%60)
			b.WriteString("    Process: 812 ExecStart=/usr/bin/dockerd -H fd:// (code=exited, status=1/FAILURE)\n")
			b.WriteString("   Main PID: 812 (code=exited, status=1/FAILURE)\n\n")
			fmt.Fprintf(&b, "Oct 07 06:%02d:03 web-3 systemd[1]: docker.service: Failed with result 'exit-code'.\n", i%60)
		}
		fmt.Fprintf(&b, "Oct 07 06:%02d:04 web-3 containerd[640]: time=\"2021-10-07T06:%02d:04.1+09:00\" level=info msg=\"shim disconnected\" id=%08x\n", i%60, i%60, i)
	}
	return b.String()
}

// TestBlockCopiesRecycled reads text whose events are held back across
// block edges, in blocks of a few lines each, with every released block
// copy poisoned: the events must equal those read in one block, so no
// event was handed out with a string into a copy already released; and
// copies must have been released, or the test proves nothing.
func TestBlockCopiesRecycled(t *testing.T) {
	text := ticketPaste(60)
	path := filepath.Join(t.TempDir(), "ticket.txt")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	seoul := time.FixedZone("KST", 9*3600)
	want := view(run(t, Options{Paths: []string{path}, Location: seoul, Year: 2021}).events)
	for _, block := range []int{64, 200, 1 << 10} {
		for _, mmap := range []bool{true, false} {
			t.Run(fmt.Sprintf("block %d mmap %v", block, mmap), func(t *testing.T) {
				setLimits(t, block, maxLineLen, maxChunkLines)
				oldMmap := useMmap
				useMmap = mmap
				t.Cleanup(func() { useMmap = oldMmap })
				poison(t)
				before := blocksPoisoned.Load()
				got := view(run(t, Options{Paths: []string{path}, Location: seoul, Year: 2021, Workers: 2}).events)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("events differ from one block's:\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if n := blocksPoisoned.Load() - before; n < int64(len(text)/block/4) {
					t.Errorf("%d block copies released of about %d blocks", n, len(text)/block)
				}
			})
		}
	}
}

// TestPoisonedBlockShowsKeptString: the check above can fail. A string
// kept from an event past the stream's next batches, against Stream's
// contract, reads as poison once its block copy is released.
func TestPoisonedBlockShowsKeptString(t *testing.T) {
	var b strings.Builder
	for i := range 400 {
		fmt.Fprintf(&b, "Oct 07 06:20:%02d web-3 sshd[%d]: Failed password for root from 10.0.0.%d port 22 ssh2\n", i%60, 1000+i, i%250)
	}
	path := filepath.Join(t.TempDir(), "auth.log")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	setLimits(t, 256, maxLineLen, maxChunkLines)
	poison(t)
	s, err := Open(context.Background(), Options{Paths: []string{path}, Year: 2021, Warnings: &event.Warnings{}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var kept string
	for s.Next() {
		if kept == "" {
			kept = s.Event().Message // not cloned
		}
	}
	if strings.Contains(kept, "Failed password") || !strings.Contains(kept, "\x7f") {
		t.Errorf("a string kept past its block reads %q, want poison", kept)
	}
}
