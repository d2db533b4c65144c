package ingest

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCheckJournalFile: any bytes named *.journal give a verdict, never
// a panic, and a whole-looking header never claims truncation.
func FuzzCheckJournalFile(f *testing.F) {
	hdr := func(size int, headerSize, arena uint64) []byte {
		b := make([]byte, size)
		copy(b, magicJournal)
		if size >= journalHeaderMin {
			binary.LittleEndian.PutUint64(b[offHeaderSize:], headerSize)
			binary.LittleEndian.PutUint64(b[offArenaSize:], arena)
		}
		return b
	}
	f.Add([]byte{})
	f.Add([]byte("LPKSHHRH"))
	f.Add([]byte("Oct  7 06:20:21 userver systemd[1]: Stopping containerd container runtime...\n"))
	f.Add(hdr(272, 272, 0))
	f.Add(hdr(4096, 272, 8<<20))
	f.Add(hdr(200, 1<<63, 1<<63))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "fuzz.journal")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		size, problem := checkJournalFile(p)
		if size != int64(len(data)) {
			t.Errorf("size %d, want %d", size, len(data))
		}
		if len(data) >= journalHeaderMin && string(data[:8]) == "LPKSHHRH" {
			want := binary.LittleEndian.Uint64(data[offHeaderSize:]) + binary.LittleEndian.Uint64(data[offArenaSize:])
			if want <= uint64(len(data)) && problem != "" {
				t.Errorf("whole file reported as %q", problem)
			}
			if strings.Contains(problem, "truncated") && !strings.Contains(problem, "truncate -s") {
				t.Errorf("truncation without the salvage: %q", problem)
			}
		}
	})
}
