package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// benchJournal returns a directory holding a journal of n generated
// entries (a mix of systemd, kernel and daemon entries with journald's
// usual fields), made once per benchmark run.
func benchJournal(b *testing.B, n int) string {
	dir := b.TempDir()
	var sb strings.Builder
	for i := range n {
		rt := int64(1633564800000000) + int64(i)*50000
		fmt.Fprintf(&sb, "__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=5e2b1c0a9d8f4e6b8a7c6d5e4f3a2b1c\n"+
			"_MACHINE_ID=0f1e2d3c4b5a69788796a5b4c3d2e1f0\n_HOSTNAME=web-3\nPRIORITY=6\nSYSLOG_FACILITY=3\n", rt, rt-1633560000000000)
		switch i % 10 {
		case 0:
			sb.WriteString("SYSLOG_IDENTIFIER=systemd\n_PID=1\n_UID=0\n_COMM=systemd\n_EXE=/usr/lib/systemd/systemd\n_SYSTEMD_UNIT=init.scope\n" +
				"_TRANSPORT=journal\nUNIT=containerd.service\nMESSAGE_ID=de5b426a63be47a7b6ac3eaac82e2f6f\nCODE_FILE=src/core/job.c\n" +
				"MESSAGE=Stopping containerd.service - containerd container runtime...\n\n")
		case 1:
			sb.WriteString("SYSLOG_IDENTIFIER=kernel\n_TRANSPORT=kernel\nMESSAGE=docker0: port 1(veth3a1b2c4) entered disabled state\n\n")
		default:
			sb.WriteString("SYSLOG_IDENTIFIER=sshd\n_PID=1201\n_UID=0\n_COMM=sshd\n_EXE=/usr/sbin/sshd\n_SYSTEMD_UNIT=ssh.service\n" +
				"_SYSTEMD_CGROUP=/system.slice/ssh.service\n_TRANSPORT=syslog\n" +
				"MESSAGE=Accepted publickey for ubuntu from 10.0.0.5 port 52234 ssh2: RSA SHA256:Qm9vZGxlcw\n\n")
		}
	}
	exp := writeExport(b, dir, "bench.export", sb.String())
	jd := filepath.Join(dir, "j")
	os.Mkdir(jd, 0o755)
	makeJournal(b, exp, filepath.Join(jd, "bench.journal"))
	return jd
}

// BenchmarkJournalDir reads a 20k-entry journal through the whole
// stream, as `logsleuth events --journal-dir` does.
func BenchmarkJournalDir(b *testing.B) {
	const n = 20000
	dir := os.Getenv("LOGSLEUTH_BENCH_JOURNAL_DIR") // a bigger corpus, e.g. bench/journal.sh's
	if dir == "" {
		dir = benchJournal(b, n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	total := 0
	for b.Loop() {
		s, err := Open(context.Background(), Options{JournalDirs: []string{dir}, Warnings: &event.Warnings{}})
		if err != nil {
			b.Fatal(err)
		}
		for s.Next() {
			total++
		}
		s.Close()
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "entries/s")
}
