package timeline

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/internal/testenv"
)

// kernelFailureByWord is the word-by-word kernelFailure that the
// one-pass version must agree with.
func kernelFailureByWord(msg string) bool {
	words := []string{
		"error", "Error", "ERROR", "fail", "Fail", "FAIL", "BUG", "panic", "Oops",
		"Out of memory", "oom-kill", "segfault", "Call Trace", "blocked for more than",
	}
	nots := map[string]string{"error": "s=", "fail": "cnt"}
	for _, w := range words {
		not := nots[w]
		for rest := msg; ; {
			i := strings.Index(rest, w)
			if i < 0 {
				break
			}
			rest = rest[i+len(w):]
			if not == "" || !strings.HasPrefix(rest, not) {
				return true
			}
		}
	}
	return false
}

var kernelFailureTests = []struct {
	msg  string
	want bool
}{
	{"", false},
	{"e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex", false},
	{"blk_update_request: I/O error, dev sda, sector 123", true},
	{"error", true},
	{"errors", true},
	{"errors=", false},
	{"errors=remount-ro", false},
	{"Opts: errors=remount-ro. Quota mode: none.", false},
	{"mounted with errors=continue, error count since last fsck: 2", true},
	{"errors=continue errors=remount-ro", false},
	{"errors=x errors", true},
	{"errorerrors=", true},
	{"errors=error", true},
	{"Errors=", true},
	{"ERRORS=", true},
	{"eRRor", false},
	{"erro", false},
	{"memory: usage 524288kB, limit 524288kB, failcnt 1893", false},
	{"failcnt", false},
	{"failcn", true},
	{"fail", true},
	{"failcnt failed", true},
	{"failcntfailcnt", false},
	{"Failcnt", true},
	{"FAILCNT", true},
	{"BUG: soft lockup - CPU#3 stuck for 22s!", true},
	{"BU", false},
	{"Kernel panic - not syncing", true},
	{"Oops: 0000 [#1] SMP", true},
	{"Out of memory: Killed process 4242 (java)", true},
	{"Out of memor", false},
	{"out of memory", false},
	{"oom-kill:constraint=CONSTRAINT_MEMCG", true},
	{"oom-kil", false},
	{"java[4242]: segfault at 0 ip 00007f sp 00007f error 4", true},
	{"Call Trace:", true},
	{"call trace", false},
	{"INFO: task jbd2/sda1-8:123 blocked for more than 120 seconds.", true},
	{"blocked for more tha", false},
	{"[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:ab:cd:ef SRC=10.0.0.1 DST=10.0.0.2 PROTO=TCP SYN URGP=0", false},
	{"ADDRCONF(NETDEV_CHANGE): veth25872d7: link becomes ready", false},
	{"h\xe9llo \xff error", true},
	{"\xffeeeerror", true},
	{"ééé fai\x00l", false},
}

func TestKernelFailure(t *testing.T) {
	for _, tt := range kernelFailureTests {
		if got := kernelFailure(tt.msg); got != tt.want {
			t.Errorf("kernelFailure(%q) = %v, want %v", tt.msg, got, tt.want)
		}
		if ref := kernelFailureByWord(tt.msg); ref != tt.want {
			t.Errorf("kernelFailureByWord(%q) = %v, want %v", tt.msg, ref, tt.want)
		}
	}
}

// TestKernelFailureAgrees compares kernelFailure with the word-by-word
// version on every line of real logs: the fixtures' inputs, and the
// loghub samples when shared/ is there. Whole lines are checked, not
// only kernel messages: more text, more near misses.
func TestKernelFailureAgrees(t *testing.T) {
	check := func(t *testing.T, path string) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if got, want := kernelFailure(line), kernelFailureByWord(line); got != want {
				t.Errorf("%s:%d: kernelFailure = %v, word by word %v: %q", path, n, got, want, line)
			}
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("fixtures", func(t *testing.T) {
		err := filepath.WalkDir("../../fixtures", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Ext(p) != ".go" {
				check(t, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("loghub", func(t *testing.T) {
		dir := testenv.SharedDir(t, "data/loghub")
		for _, name := range []string{"Linux_2k.log", "OpenSSH_2k.log"} {
			check(t, filepath.Join(dir, name))
		}
	})
}

func FuzzKernelFailure(f *testing.F) {
	for _, tt := range kernelFailureTests {
		f.Add(tt.msg)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		if got, want := kernelFailure(msg), kernelFailureByWord(msg); got != want {
			t.Fatalf("kernelFailure(%q) = %v, word by word %v", msg, got, want)
		}
	})
}

// BenchmarkKernelFailure is the cost of one ordinary kernel line, the
// kind most kernel lines of a busy host are: no failure word, so every
// byte is read.
func BenchmarkKernelFailure(b *testing.B) {
	msg := "[259200.210607] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:00:16:3e:ab:cd:ef:08:00 SRC=203.0.113.54 DST=10.0.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=54321 PROTO=TCP SPT=50122 DPT=3389 WINDOW=29200 RES=0x00 SYN URGP=0"
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if kernelFailure(msg) {
			b.Fatal("failure")
		}
	}
}
