package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/internal/testenv"
)

// loghubDir is the Loghub sample data, read in place.
func loghubDir(t *testing.T) string { return testenv.SharedDir(t, "data/loghub") }

// TestLoghubNoFalsePositives runs every built-in signature over real
// syslog from the Loghub collection. Those files hold no outage of any
// kind the library knows; the only thing in them is SSH password
// guessing, so ssh-bruteforce is the only signature allowed to fire.
//
// Linux_2k.log is a 2005 RedHat /var/log/messages whose sshd logged
// failures only through pam_unix ("sshd(pam_unix)[N]: authentication
// failure; ... rhost=X"): bursts of ten root attempts within a second or
// two from one rhost. That is a brute force, and ssh-bruteforce counts
// those lines on purpose (modern sshd's "pam_unix(sshd:auth)" lines are
// not counted, they double its own "Failed password" lines).
func TestLoghubNoFalsePositives(t *testing.T) {
	dir := loghubDir(t)
	sigs, err := loadSignatureSet(nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file string
		// exact burst sizes of a few addresses, counted by hand from the
		// file (one attempt = one count: 286 "Failed password" lines
		// from 183.62.140.253, each with a pam_unix twin not counted)
		bursts map[string]int
		// how many ssh-bruteforce findings the file gives
		findings int
	}{
		{"Linux_2k.log", map[string]int{"150.183.249.110": 80, "n219076184117.netvigator.com": 23}, 28},
		{"OpenSSH_2k.log", map[string]int{"183.62.140.253": 286, "187.141.143.180": 80}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			in := InputFlags{Year: 2005, TZ: "UTC"}
			ios, _, _, _ := Test()
			if err := in.validate("test", []string{path}, ios, time.Now()); err != nil {
				t.Fatal(err)
			}
			a, err := analyze(context.Background(), ios, &in, sigs, &event.Warnings{}, engine.Options{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			n := 0
			for _, f := range a.Findings {
				if f.Signature.ID != "ssh-bruteforce" {
					t.Errorf("false positive: %s fired on %s: %s", f.Signature.ID, tt.file, f.Summary)
					continue
				}
				n++
				if f.Count < 10 {
					t.Errorf("ssh-bruteforce fired with %d attempts (< 10): %s", f.Count, f.Summary)
				}
				for _, c := range f.Captures {
					if c.Name == "fail.addr" && f.Count > got[c.Value] {
						got[c.Value] = f.Count
					}
				}
			}
			if n != tt.findings {
				t.Errorf("ssh-bruteforce fired %d times, want %d", n, tt.findings)
			}
			for addr, want := range tt.bursts {
				if got[addr] != want {
					t.Errorf("burst from %s: %d attempts, want %d", addr, got[addr], want)
				}
			}
		})
	}
}
