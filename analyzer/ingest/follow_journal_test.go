package ingest

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// systemdEntry is one journal export entry of systemd on web-3 at t.
func systemdEntry(t time.Time, seq int, unit, msg string) string {
	return fmt.Sprintf("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=5e2b1c0a9f8e7d6c5b4a392817060504\n"+
		"_MACHINE_ID=0f1e2d3c4b5a69788796a5b4c3d2e1f0\n_HOSTNAME=web-3\nPRIORITY=6\nSYSLOG_FACILITY=3\nSYSLOG_IDENTIFIER=systemd\n"+
		"_PID=1\n_COMM=systemd\n_TRANSPORT=journal\n_SYSTEMD_UNIT=init.scope\nUNIT=%s\nMESSAGE=%s\n\n",
		t.UnixMicro(), 1000000+seq, unit, msg)
}

// appendJournal appends export entries to the journal file jf with
// systemd-journal-remote, as journald appends to a live file.
func appendJournal(t *testing.T, jf string, entries ...string) {
	t.Helper()
	exp := writeExport(t, t.TempDir(), "more.export", strings.Join(entries, ""))
	out, err := exec.Command(journalRemote(t), "-o", jf, exp).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-journal-remote: %v\n%s", err, out)
	}
}

// TestFollowJournalFile follows a real journal file while entries are
// appended to it, with the native reader (-tags sdjournal) or journalctl
// -f, and resumes from the saved cursor.
func TestFollowJournalFile(t *testing.T) {
	dir := t.TempDir()
	jf := filepath.Join(dir, "remote-web-3.journal")
	base := time.Now().Add(-time.Minute).UTC()
	makeJournal(t, writeExport(t, dir, "old.export", systemdEntry(base, 1, "ssh.service", "Started OpenBSD Secure Shell server.")), jf)

	f, ws := startFollow(t, FollowOptions{JournalFiles: []string{jf}})
	if got := caughtUp(t, f); len(got) != 0 {
		t.Fatalf("from the tail: got %q, want nothing of what was there", got)
	}
	appendJournal(t, jf,
		systemdEntry(base.Add(time.Second), 2, "apt-daily-upgrade.service", "Starting Daily apt upgrade and clean activities..."),
		systemdEntry(base.Add(2*time.Second), 3, "docker.service", "Stopping Docker Application Container Engine..."))
	var got []string
	for deadline := time.Now().Add(10 * time.Second); len(got) < 2 && time.Now().Before(deadline); {
		got = append(got, caughtUp(t, f)...)
	}
	name := "remote-web-3.journal"
	want := []string{name + ":0 Starting Daily apt upgrade and clean activities...", name + ":0 Stopping Docker Application Container Engine..."}
	if !slices.Equal(got, want) {
		t.Fatalf("appended: got %q (warnings %q), want %q", got, warningText(ws), want)
	}
	pos := f.Position()
	f.Close()
	if len(pos.Journals) != 1 || pos.Journals[0].Source != "journal:"+jf || !strings.HasPrefix(pos.Journals[0].Cursor, "s=") {
		t.Fatalf("position %+v: want the last entry's cursor", pos)
	}

	appendJournal(t, jf, systemdEntry(base.Add(3*time.Second), 4, "docker.service", "Started Docker Application Container Engine."))
	f2, ws2 := startFollow(t, FollowOptions{JournalFiles: []string{jf}, Resume: pos})
	got = nil
	for deadline := time.Now().Add(10 * time.Second); len(got) < 1 && time.Now().Before(deadline); {
		got = append(got, caughtUp(t, f2)...)
	}
	if want := []string{name + ":0 Started Docker Application Container Engine."}; !slices.Equal(got, want) {
		t.Errorf("resumed: got %q (warnings %q), want %q", got, warningText(ws2), want)
	}
}
