package ingest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/internal/testenv"
)

// skipBuildTest skips a test that builds the command under -short, and
// under the race detector, which finds nothing in a go build that make
// unit has already run.
func skipBuildTest(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the command; skipped under -short")
	}
	if raceEnabled {
		t.Skip("builds the command; make unit runs it without the race detector")
	}
}

// goTool returns the go command of the toolchain running the test.
func goTool() string {
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		return "go"
	}
	return p
}

// A build without cgo still works: the journal flags then read through
// journalctl. Builds the real command with CGO_ENABLED=0 and reads a
// journal with it.
func TestCgoFreeBuild(t *testing.T) {
	skipBuildTest(t)
	goBin := goTool()
	bin := filepath.Join(t.TempDir(), "logsleuth")
	build := exec.Command(goBin, "build", "-tags", "sdjournal", "-o", bin, "../../cmd/logsleuth")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	vet := exec.Command(goBin, "vet", "-tags", "sdjournal", ".")
	vet.Env = build.Env
	if out, err := vet.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go vet: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "journal reader: journalctl -o export") {
		t.Errorf("--version of the cgo-free build: %v\n%s", err, out)
	}

	needJournalctl(t)
	j := makeJournal(t, filepath.Join(journalTestdata, "seed002.export"), "")
	cmd := exec.Command(bin, "events", "--stats", "--journal-file", j)
	out, err = cmd.CombinedOutput()
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
	if !strings.Contains(string(out), "has no native journal reader (built without -tags sdjournal, or libsystemd.so.0 could not be loaded) and journalctl is not installed") {
		t.Errorf("without journalctl:\n%s", out)
	}
}

// libsystemdHeaders are the headers Debian 12's libsystemd-dev installs
// under /usr/include/systemd.
var libsystemdHeaders = []string{
	"_sd-common.h", "sd-bus-protocol.h", "sd-bus-vtable.h", "sd-bus.h", "sd-daemon.h", "sd-device.h", "sd-event.h",
	"sd-gpt.h", "sd-hwdb.h", "sd-id128.h", "sd-journal.h", "sd-login.h", "sd-messages.h", "sd-path.h",
}

// `go install ./cmd/logsleuth` must work with cgo on and no
// libsystemd-dev: the default build's packages include no systemd
// header, and it builds when every such header is an #error, while the
// -tags sdjournal build (make build), given the same headers, does not.
func TestDefaultBuildNeedsNoSystemdHeaders(t *testing.T) {
	skipBuildTest(t)
	goBin := goTool()
	cc, err := exec.Command(goBin, "env", "CC").Output()
	if err != nil {
		t.Fatalf("go env CC: %v", err)
	}
	if _, err := exec.LookPath(strings.TrimSpace(string(cc))); err != nil {
		testenv.Missing(t, "no C compiler (%s) for a cgo build", bytes.TrimSpace(cc))
	}
	env := append(os.Environ(), "CGO_ENABLED=1")

	// The package graph: which packages have a cgo file that includes a
	// systemd header.
	systemdUsers := func(tags string) []string {
		t.Helper()
		list := exec.Command(goBin, "list", "-deps", "-tags", tags,
			"-f", "{{.ImportPath}}{{range .CgoFiles}} {{$.Dir}}/{{.}}{{end}}", "../../cmd/logsleuth")
		list.Env = env
		out, err := list.Output()
		if err != nil {
			t.Fatalf("go list -tags %q: %v", tags, err)
		}
		var users []string
		for line := range strings.Lines(string(out)) {
			fields := strings.Fields(line)
			for _, f := range fields[1:] {
				src, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(src, []byte("#include <systemd/")) {
					users = append(users, fields[0])
					break
				}
			}
		}
		return users
	}
	if users := systemdUsers(""); len(users) > 0 {
		t.Errorf("the default build includes systemd headers in %v", users)
	}
	if users := systemdUsers("sdjournal"); !slices.Contains(users, "github.com/coreos/go-systemd/v22/sdjournal") {
		t.Errorf("-tags sdjournal: systemd headers included by %v, want sdjournal among them", users)
	}

	// The real build, against headers that stop the compiler.
	poison := t.TempDir()
	if err := os.Mkdir(filepath.Join(poison, "systemd"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, h := range libsystemdHeaders {
		text := "#error \"" + h + " included: the default build must not need libsystemd-dev\"\n"
		if err := os.WriteFile(filepath.Join(poison, "systemd", h), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env = append(env, "CGO_CFLAGS=-I"+poison)
	build := func(tags string) (string, error) {
		cmd := exec.Command(goBin, "build", "-tags", tags, "-o", filepath.Join(t.TempDir(), "logsleuth"), "../../cmd/logsleuth")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := build(""); err != nil {
		t.Errorf("default build without systemd headers: %v\n%s", err, out)
	}
	if out, err := build("sdjournal"); err == nil || !strings.Contains(out, "sd-journal.h included") {
		t.Errorf("-tags sdjournal built without systemd headers (%v): the poisoned headers were not read\n%s", err, out)
	}
}

// The native reader's files build only with -tags sdjournal, which
// make's targets set and a plain go test ./... does not: this vets them
// from any test run, so a change that breaks them fails there too.
func TestNativeReaderVets(t *testing.T) {
	skipBuildTest(t)
	goBin := goTool()
	cc, err := exec.Command(goBin, "env", "CC").Output()
	if err != nil {
		t.Fatalf("go env CC: %v", err)
	}
	probe := exec.Command(strings.TrimSpace(string(cc)), "-E", "-x", "c", "-")
	probe.Stdin = strings.NewReader("#include <systemd/sd-journal.h>\n")
	if err := probe.Run(); err != nil {
		testenv.Missing(t, "libsystemd's headers do not compile (%v): apt-get install libsystemd-dev", err)
	}
	vet := exec.Command(goBin, "vet", "-tags", "sdjournal", ".")
	vet.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := vet.CombinedOutput(); err != nil {
		t.Fatalf("go vet -tags sdjournal: %v\n%s", err, out)
	}
}
