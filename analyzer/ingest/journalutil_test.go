package ingest

import (
	"bytes"
	"github.com/logsleuth/logsleuth/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// journalRemote is systemd-journal-remote, which turns journal export
// text into real .journal files (research inputs-parsing §5).
func journalRemote(t testing.TB) string {
	t.Helper()
	return testenv.FirstFile(t, "systemd-journal-remote", "/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote")
}

var finishedRE = regexp.MustCompile(`Finishing after writing (\d+) entries`)

// makeJournal converts the export text at exportPath into the journal
// file out (a name ending in .journal; t.TempDir()/<base>.journal when
// out is ""), checks that every entry made it, and returns out. Skips
// when systemd-journal-remote is absent, fails when CI=true.
func makeJournal(t testing.TB, exportPath, out string) string {
	t.Helper()
	tool := journalRemote(t)
	if out == "" {
		base := filepath.Base(exportPath)
		out = filepath.Join(t.TempDir(), base[:len(base)-len(filepath.Ext(base))]+".journal")
	}
	// An existing output is appended to: start afresh.
	os.Remove(out)
	data, err := os.ReadFile(exportPath)
	if err != nil {
		t.Fatal(err)
	}
	// The last entry needs its blank line, or it is silently lost.
	if !bytes.HasSuffix(data, []byte("\n\n")) {
		t.Fatalf("%s: export text must end with a blank line", exportPath)
	}
	want := exportEntries(data)
	cmd := exec.Command(tool, "-o", out, exportPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("systemd-journal-remote %s: %v\n%s", exportPath, err, stderr.Bytes())
	}
	m := finishedRE.FindSubmatch(stderr.Bytes())
	if m == nil || string(m[1]) != strconv.Itoa(want) {
		t.Fatalf("systemd-journal-remote %s: want %d entries written, stderr:\n%s", exportPath, want, stderr.Bytes())
	}
	return out
}

// exportEntries counts the entries of export text without binary fields.
func exportEntries(data []byte) int {
	n := 0
	for _, e := range bytes.Split(data, []byte("\n\n")) {
		if len(bytes.TrimSpace(e)) > 0 {
			n++
		}
	}
	return n
}

// writeExport writes export text to dir/name and returns the path.
func writeExport(t testing.TB, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
