package ingest

import (
	"os"
	"path/filepath"
	"testing"
)

// Regression tests of issue 19 (hostile input): ingest, parse and
// output-file items, one test or more per item.

// TestSymlinkToDirArgument: a symlink to a directory named as an argument
// is walked like the directory (item 12); links inside a walk still are
// not followed.
func TestSymlinkToDirArgument(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	writeFile(t, logs, "syslog", []byte(incident))
	writeFile(t, dir, "elsewhere/messages", []byte(incident))
	link := filepath.Join(dir, "link")
	if err := os.Symlink(logs, link); err != nil {
		t.Fatal(err)
	}
	// A link inside the walk is not followed (sos links to .tailed copies).
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(logs, "inner")); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{Paths: []string{link}})
	if len(r.sources) != 1 || r.sources[0].Path != filepath.Join(link, "syslog") {
		t.Fatalf("sources %+v, want only %s", r.sources, filepath.Join(link, "syslog"))
	}
	if want := run(t, Options{Paths: []string{logs}}); len(r.events) != len(want.events) || len(r.events) == 0 {
		t.Errorf("%d events through the link, %d through the directory", len(r.events), len(want.events))
	}
	for _, w := range r.warnings {
		t.Errorf("warning: %v", w)
	}
}
