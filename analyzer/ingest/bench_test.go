package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// benchData returns about size bytes of RFC3164 syslog: a mix of the
// daemons of a real server.
func benchData(size int) []byte {
	msgs := []string{
		"systemd[1]: Starting Daily apt upgrade and clean activities...",
		`dockerd[1042]: time="2021-10-07T06:20:21.521938060+09:00" level=error msg="Failed to get event" error="rpc error: code = Unavailable desc = transport is closing" module=libcontainerd namespace=moby`,
		"sshd[1201]: Accepted publickey for ubuntu from 10.0.0.5 port 52234 ssh2: RSA SHA256:abc",
		"CRON[7001]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
		"kernel: [33431.000100] docker0: port 1(veth3a1b2c4) entered disabled state",
		"systemd[1]: containerd.service: Succeeded.",
	}
	out := make([]byte, 0, size+256)
	for i := 0; len(out) < size; i++ {
		s := i / 50 // 50 lines a second
		out = fmt.Appendf(out, "Oct %2d %02d:%02d:%02d web3 %s\n", 1+s/86400%28, s/3600%24, s/60%60, s%60, msgs[i%len(msgs)])
	}
	return out
}

// BenchmarkStream reads a ~50 MB RFC3164 file through the whole stage:
// read, split, parse on all cores, assemble, merge.
func BenchmarkStream(b *testing.B) {
	data := benchData(50 << 20)
	p := filepath.Join(b.TempDir(), "syslog")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s, err := Open(context.Background(), Options{Paths: []string{p}, Warnings: &event.Warnings{}, Location: time.UTC, Year: 2021})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for s.Next() {
			n++
		}
		s.Close()
		if n == 0 {
			b.Fatal("no events")
		}
	}
}

// BenchmarkPrescan is what reading a source's times from its head and
// tail costs, once per source (scanHead, scanTail): the clean path's only
// price for zone and year evidence.
func BenchmarkPrescan(b *testing.B) {
	data := benchData(1 << 20)
	p := filepath.Join(b.TempDir(), "syslog")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	head := data[:sniffSize]
	b.ReportAllocs()
	for b.Loop() {
		if hs := scanHead(head); !hs.first.known() {
			b.Fatal("no year-less line")
		}
		if !scanTail(f, int64(len(data))).last.known() {
			b.Fatal("no tail")
		}
	}
}
