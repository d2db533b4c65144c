package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestTimelineOutputIsInput: -o naming one of the inputs, by any name,
// is refused with exit 2 and the log is left as it was (issue 19 item 14).
func TestTimelineOutputIsInput(t *testing.T) {
	const log = "2025-03-02T10:20:00Z app-1 CRON[1001]: (root) CMD (run-parts /etc/cron.hourly)\n"
	dir := t.TempDir()
	syslog := filepath.Join(dir, "syslog")
	if err := os.WriteFile(syslog, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hardlink")
	if err := os.Link(syslog, hard); err != nil {
		t.Fatal(err)
	}
	sym := filepath.Join(dir, "symlink")
	if err := os.Symlink(syslog, sym); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	tests := []struct {
		name string
		args []string
	}{
		{"same name", []string{"-o", "syslog", "syslog"}},
		{"another spelling", []string{"-o", "./syslog", filepath.Join(dir, "syslog")}},
		{"a hard link", []string{"-o", "hardlink", "syslog"}},
		{"a symlink", []string{"-o", "symlink", "syslog"}},
		{"the second input", []string{"-o", syslog, "other.log", "syslog"}},
		{"a journal file", []string{"-o", "syslog", "--journal-file", "hardlink"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, stderr := Test()
			if got := run(context.Background(), ios, append([]string{"timeline"}, tt.args...)); got != exitError {
				t.Errorf("exit status %d, want %d; stderr:\n%s", got, exitError, stderr)
			}
			if !strings.Contains(stderr.String(), "the report would replace it") {
				t.Errorf("stderr does not say why:\n%s", stderr)
			}
			if b, _ := os.ReadFile(syslog); string(b) != log {
				t.Fatalf("the log was changed to:\n%s", b)
			}
		})
	}
	// Stdin redirected from the log is an input too.
	f, err := os.Open(syslog)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ios, _, _, stderr := Test()
	ios.In = f
	if got := run(context.Background(), ios, []string{"timeline", "-o", "syslog", "-"}); got != exitError {
		t.Errorf("stdin: exit status %d, want %d; stderr:\n%s", got, exitError, stderr)
	}
	// A report beside the log is fine.
	ios, _, _, stderr = Test()
	if got := run(context.Background(), ios, []string{"timeline", "-o", "report.txt", "syslog"}); got != exitOK {
		t.Errorf("report.txt: exit status %d; stderr:\n%s", got, stderr)
	}
}

// TestWriteReportMode: -o honours the umask for a new report and keeps
// an existing report's mode (issue 19 item 19).
func TestWriteReportMode(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	render := func(w interface{ Write([]byte) (int, error) }) error {
		_, err := w.Write([]byte("report\n"))
		return err
	}
	tests := []struct {
		name     string
		existing os.FileMode // 0: no file yet
		want     os.FileMode
	}{
		{"new file under umask 027", 0, 0o640},
		{"existing 0600 report", 0o600, 0o600},
		{"existing 0664 report", 0o664, 0o664},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "report"+string(rune('a'+i)))
			if tt.existing != 0 {
				if err := os.WriteFile(p, []byte("old\n"), tt.existing); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(p, tt.existing); err != nil { // past the umask
					t.Fatal(err)
				}
			}
			if err := writeReport(nil, p, func(w io.Writer) error { return render(w) }); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != tt.want {
				t.Errorf("mode %04o, want %04o", got, tt.want)
			}
			if b, _ := os.ReadFile(p); string(b) != "report\n" {
				t.Errorf("content %q", b)
			}
		})
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
