package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/internal/testenv"
)

// TestFleetMargin: around --since and --until the store sends only what
// can change a finding that overlaps the range, each signature's own
// events within its own window: a chain whose first steps lie before
// --since completes (web-3), a restart after --until refutes an absence
// that began in the range (web-4), a dedupe window reaches back over
// --since (oom on db-1); a single-event signature without a window gets
// nothing before --since, and the oom line further back than its window
// is not sent. The findings are the file's.
func TestFleetMargin(t *testing.T) {
	base := testenv.StartVictoriaLogs(t)
	dir := t.TempDir()
	probe := `schema: logsleuth/v1
id: watchdog-probe
title: A watchdog probe fired
severity: low
events:
  fired: {message|contains: "watchdog probe fired"}
match: {event: fired}
`
	if err := os.WriteFile(filepath.Join(dir, "probe.yaml"), []byte(probe), 0o644); err != nil {
		t.Fatal(err)
	}
	sigs, err := loadSignatureSet([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	log := strings.Join([]string{
		"2025-04-02T04:10:00Z web-3 systemd[1]: Starting Daily apt upgrade and clean activities...",
		"2025-04-02T05:00:00Z db-1 kernel: [812.331] Out of memory: Killed process 4410 (postgres) total-vm:8123456kB, anon-rss:7012345kB, file-rss:0kB, shmem-rss:0kB, UID:113 pgtables:15872kB oom_score_adj:0",
		"2025-04-02T05:30:00Z web-3 healthd[77]: watchdog probe fired for /healthz (timeout 5s)",
		"2025-04-02T05:40:00Z web-3 systemd[1]: Stopping Docker Application Container Engine...",
		"2025-04-02T05:40:05Z web-3 systemd[1]: docker.service: Deactivated successfully.",
		"2025-04-02T05:40:05Z web-3 systemd[1]: Stopped Docker Application Container Engine.",
		"2025-04-02T05:55:00Z db-1 kernel: [4112.007] Out of memory: Killed process 5120 (postgres) total-vm:8123456kB, anon-rss:7033445kB, file-rss:0kB, shmem-rss:0kB, UID:113 pgtables:15880kB oom_score_adj:0",
		"2025-04-02T06:02:00Z db-1 kernel: [4532.118] Out of memory: Killed process 5388 (postgres) total-vm:8123456kB, anon-rss:7040112kB, file-rss:0kB, shmem-rss:0kB, UID:113 pgtables:15884kB oom_score_adj:0",
		"2025-04-02T06:20:00Z web-3 healthd[77]: watchdog probe fired for /healthz (timeout 5s)",
		"2025-04-02T06:30:00Z web-3 CRON[9121]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
		"2025-04-02T06:40:00Z web-4 systemd[1]: Starting Daily apt upgrade and clean activities...",
		"2025-04-02T06:50:00Z web-4 systemd[1]: Stopping containerd container runtime...",
		"2025-04-02T06:50:02Z web-4 systemd[1]: Stopped containerd container runtime.",
		"2025-04-02T07:10:00Z web-4 systemd[1]: Starting containerd container runtime...",
		"2025-04-02T07:10:01Z web-4 systemd[1]: Started containerd container runtime.",
		"2025-04-02T08:00:00Z web-4 CRON[2210]: (root) CMD (test -x /usr/sbin/anacron || run-parts --report /etc/cron.daily)",
	}, "\n") + "\n"
	path := filepath.Join(t.TempDir(), "syslog")
	if err := os.WriteFile(path, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	since, until := time.Date(2025, 4, 2, 6, 0, 0, 0, time.UTC), time.Date(2025, 4, 2, 7, 0, 0, 0, time.UTC)
	ios, _, _, _ := Test()
	findings := func(in *InputFlags, observe func(*event.Event)) string {
		t.Helper()
		fs := strings.Split(analyzedFindings(t, in, sigs, observe, func(f *engine.Finding) string {
			return fmt.Sprintf("%s %s %s %s..%s %d", f.Signature.ID, f.Outcome, f.Host,
				f.Start.UTC().Format("15:04:05"), f.End.UTC().Format("15:04:05"), f.Count)
		}), "\n")
		slices.Sort(fs)
		return strings.Join(fs, "\n")
	}
	// The flags as a command line gives them (--lookback's default).
	inputs := func(args ...string) *InputFlags {
		t.Helper()
		in := &InputFlags{}
		fs := pflag.NewFlagSet("timeline", pflag.ContinueOnError)
		in.register(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		if err := in.validate("timeline", fs.Args(), ios, timeNow()); err != nil {
			t.Fatal(err)
		}
		return in
	}
	in := inputs(path)
	var rows []map[string]string
	if _, err := analyze(context.Background(), ios, in, sigs, &event.Warnings{}, engine.Options{}, func(ev *event.Event) {
		rows = append(rows, storeRow(ev.Clone(), len(rows))) // (ev is the stream's until the next)
	}); err != nil {
		t.Fatal(err)
	}
	if err := shipRows(context.Background(), base, "0", rows); err != nil {
		t.Fatal(err)
	}
	rangeArgs := []string{"--since", since.Format(time.RFC3339), "--until", until.Format(time.RFC3339)}
	local := findings(inputs(append(rangeArgs, path)...), nil)
	for _, want := range []string{
		"unattended-upgrade confirmed web-3 04:10:00..06:10:00 1",
		"oom confirmed db-1 05:55:00..06:02:00 2",
		"watchdog-probe confirmed web-3 06:20:00..06:20:00 1",
	} {
		if !strings.Contains(local, want) {
			t.Fatalf("from the file, no %q:\n%s", want, local)
		}
	}
	if strings.Contains(local, "web-4") {
		t.Fatalf("from the file, the restarted runtime is a finding:\n%s", local)
	}

	in = inputs(append(rangeArgs, "--victorialogs", base)...)
	var fetched []string
	got := findings(in, func(ev *event.Event) {
		fetched = append(fetched, ev.Time.UTC().Format("15:04:05")+" "+ev.Host+" "+ev.Program)
	})
	if got != local {
		t.Errorf("through the store:\n%s\nfrom the file:\n%s", got, local)
	}
	for _, not := range []string{"05:30:00 web-3 healthd", "05:00:00 db-1 kernel"} {
		if slices.Contains(fetched, not) {
			t.Errorf("fetched %s, which no finding in the range can hold:\n%s", not, strings.Join(fetched, "\n"))
		}
	}
	for _, want := range []string{"04:10:00 web-3 systemd", "05:55:00 db-1 kernel", "07:10:01 web-4 systemd"} {
		if !slices.Contains(fetched, want) {
			t.Errorf("not fetched: %s:\n%s", want, strings.Join(fetched, "\n"))
		}
	}
}
