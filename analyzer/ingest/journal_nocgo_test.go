package ingest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// A build without cgo still works: the journal flags then read through
// journalctl. Builds the real command with CGO_ENABLED=0 and reads a
// journal with it.
func TestCgoFreeBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command; skipped under -short")
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	bin := filepath.Join(t.TempDir(), "logsleuth")
	build := exec.Command(goBin, "build", "-o", bin, "../../cmd/logsleuth")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	vet := exec.Command(goBin, "vet", ".")
	vet.Env = build.Env
	if out, err := vet.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go vet: %v\n%s", err, out)
	}

	needJournalctl(t)
	j := makeJournal(t, filepath.Join(journalTestdata, "seed002.export"), "")
	cmd := exec.Command(bin, "events", "--stats", "--journal-file", j)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	if !strings.Contains(string(out), "total: 1 sources, 23 events,") {
		t.Errorf("the cgo-free build read:\n%s", out)
	}

	// Without journalctl: a clear message, exit status 2.
	cmd = exec.Command(bin, "events", "--journal-file", j)
	cmd.Env = append(os.Environ(), "PATH="+t.TempDir())
	out, err = cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("without journalctl: %v, want exit status 2", err)
	}
	if !strings.Contains(string(out), "built without cgo (or libsystemd could not be loaded) and journalctl is not installed") {
		t.Errorf("without journalctl:\n%s", out)
	}
}
