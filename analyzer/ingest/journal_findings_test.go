package ingest

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
	"github.com/logsleuth/logsleuth/patterns"
)

// findings runs the built-in signatures over what opts reads and
// returns each finding as "signature outcome reason host captures".
// The built-in unattended-upgrade signature is named by the id in
// patterns/unattended-upgrade.yaml, whatever it is.
func findings(t *testing.T, opts Options) []string {
	t.Helper()
	sigs, err := signature.LoadFS(patterns.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, opts)
	if len(r.warnings) > 0 {
		t.Errorf("warnings: %v", r.warnings)
	}
	e := engine.New(sigs, engine.Options{Warnings: &event.Warnings{}})
	for i := range r.events {
		e.Process(&r.events[i])
	}
	fs, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s %q %s %v", f.Signature.ID, f.Outcome, f.Reason, f.Host, f.Captures))
	}
	slices.Sort(out)
	return out
}

// The seed 002 incident gives the same findings read from rsyslog's
// text, from the journal, and from both at once.
func TestJournalSameFindingsAsSyslog(t *testing.T) {
	j := makeJournal(t, filepath.Join(journalTestdata, "seed002.export"), "")
	syslog := filepath.Join(journalTestdata, "seed002.syslog")
	seoul, _ := time.LoadLocation("Asia/Seoul")
	want := []string{upgradeID(t) + ` confirmed "" test-server [{down.svc docker}]`}
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"syslog", Options{Paths: []string{syslog}, Location: seoul, Year: 2020}},
		{"journal", Options{JournalFiles: []string{j}}},
		{"both", Options{Paths: []string{syslog}, JournalFiles: []string{j}, Location: seoul, Year: 2020}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := findings(t, tc.opts); !slices.Equal(got, want) {
				t.Errorf("findings\n got %q\nwant %q", got, want)
			}
		})
	}
}

// A journal-remote directory of two hosts: a finding for the host whose
// runtime stayed down, none for the one where it was started again.
func TestJournalPerHostFindings(t *testing.T) {
	dir := journalDir(t, "web-1", "web-2")
	got := findings(t, Options{JournalDirs: []string{dir}})
	want := []string{upgradeID(t) + ` confirmed "" web-1 [{down.svc containerd}]`}
	if !slices.Equal(got, want) {
		t.Errorf("findings\n got %q\nwant %q", got, want)
	}
}

// upgradeID is the id of the built-in signature of the seed incidents.
func upgradeID(t *testing.T) string {
	sigs, errs := signature.LoadFiles(patterns.FS, "unattended-upgrade.yaml")
	if len(errs) > 0 || len(sigs) != 1 {
		t.Fatalf("patterns/unattended-upgrade.yaml: %v", errs)
	}
	return sigs[0].ID
}
