package parse

import (
	"strings"
	"testing"
)

var sniffCases = []struct {
	name, head string
	format     string
	isLog      bool
}{
	{"rfc3164", "Oct  7 06:17:01 userver CRON[1526502]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)\nOct  7 06:20:17 userver systemd[1]: Starting Daily apt upgrade and clean activities...\n", FormatRFC3164, true},
	{"rsyslog file format", "2025-11-11T06:20:21.123456+09:00 web-3 systemd[1]: Stopping docker.service - Docker Application Container Engine...\n2025-11-11T06:20:22.000001+09:00 web-3 dockerd[1021]: time=\"2025-11-11T06:20:22Z\" level=info msg=\"Processing signal 'terminated'\"\n", FormatRFC3339, true},
	{"korean journalctl with banner", "-- Logs begin at Tue 2020-10-13 18:15:48 KST, end at Wed 2020-12-09 14:31:19 KST. --\n12월 02 06:56:02 test-server systemd[1]: Stopping Docker Application Container Engine...\n 1월 02 06:56:02 test-server systemd[1]: Started Daily apt download activities.\n", FormatJournalShort, true},
	{"journal export", "__CURSOR=s=b1a57f169f28412cb21a5eebaae9a7f6;i=7\n__REALTIME_TIMESTAMP=1633587623250900\nMESSAGE=Stopped containerd container runtime.\n\n", FormatJournalExport, true},
	{"apt history", "\nStart-Date: 2021-10-07  06:20:19\nCommandline: /usr/bin/unattended-upgrade\nUpgrade: containerd:amd64 (1.5.2-0ubuntu1~20.04.3, 1.5.5-0ubuntu3~20.04.1)\nEnd-Date: 2021-10-07  06:20:34\n", FormatAptHistory, true},
	{"apt term", "\nLog started: 2021-10-07  06:20:19\n(Reading database ... 102431 files and directories currently installed.)\nPreparing to unpack .../containerd_1.5.5-0ubuntu3~20.04.1_amd64.deb ...\n", FormatAptTerm, true},
	{"dpkg", "2021-10-07 06:20:19 startup archives unpack\n2021-10-07 06:20:20 upgrade containerd:amd64 1.5.2-0ubuntu1~20.04.3 1.5.5-0ubuntu3~20.04.1\n", FormatDpkg, true},
	{"json lines", `{"level":"error","time":"2025-11-11T02:13:45Z","providerName":"docker","message":"Provider connection error"}` + "\n", FormatJSONLine, true},
	{"binary", "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00", "", false},
	{"config file", "# /etc/fstab: static file system information.\nUUID=1234-5678 / ext4 errors=remount-ro 0 1\n/swapfile none swap sw 0 0\n", FormatText, false},
	{"cut last line is ignored", "Oct  7 06:17:01 userver CRON[1]: a\nOct  7 06:17:02 userver CRON[1]: b\n\x00\x00garbage without newline", "", false},
}

func TestSniff(t *testing.T) {
	for _, c := range sniffCases {
		t.Run(c.name, func(t *testing.T) {
			f, ok := Sniff([]byte(c.head))
			if f != c.format || ok != c.isLog {
				t.Errorf("Sniff = (%q, %v), want (%q, %v)", f, ok, c.format, c.isLog)
			}
		})
	}
}

// FuzzSniff: any bytes give a verdict without panicking, and a verdict of
// "log" always comes with a format.
func FuzzSniff(f *testing.F) {
	for _, c := range sniffCases {
		f.Add([]byte(c.head))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		format, ok := Sniff(head)
		if ok && format == "" {
			t.Fatalf("isLog without a format for %q", head)
		}
		if ok && format != FormatJournalExport && strings.Contains(string(head), "\x00") {
			t.Fatalf("NUL bytes sniffed as a log: %q", head)
		}
	})
}
