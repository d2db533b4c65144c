package parse

import (
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// TestSkimLine: a line SkimLine takes is an entry ParseLine reads with
// the same time, quality and format, and a message that is a substring
// of the line; it leaves every other line, and a line of a program the
// caller names, to ParseLine.
func TestSkimLine(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	sshd := []string{"sshd"}
	for _, c := range []struct {
		line string
		hint string
		ok   bool
	}{
		{"Jan  2 06:25:00 db-1 systemd-resolved[603]: Using degraded feature set UDP instead of UDP+EDNS0.", FormatRFC3164, true},
		{"Jan  2 06:25:00 db-1 sshd[19939]: Failed password for root from 203.0.113.9 port 4242 ssh2", FormatRFC3164, false},
		{"Jan  2 06:25:00 db-1 sshd(pam_unix)[19939]: session closed for user root", FormatRFC3164, false},
		{"Jan  2 06:25:00 sshd[19939]: Connection closed by 10.0.0.4 port 22", FormatRFC3164, false},
		{"Jan  2 06:25:00 db-1 kernel: [2118300.014289] br-4f0a7c2e9d11: port 8(veth370365f) entered forwarding state", FormatRFC3164, true},
		{"Jan 02 06:25:00.123456 web-3 dockerd[730]: time=\"2021-01-02T06:25:00Z\" level=info msg=\"ignoring event\"", FormatJournalShortPrecise, true},
		{"Jan 02 06:25:00 web-3 CRON[2201]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", FormatJournalShort, true},
		{"2021-01-02T06:25:00.123456+09:00 web-3 containerd[880]: time=\"2021-01-02T06:25:00Z\" level=info msg=\"shim disconnected\"", FormatRFC3339, true},
		{"2021-01-02T06:25:00+0900 web-3 systemd[1]: Started Session 3 of User deploy.", FormatJournalShortISO, true},
		{"Sat 2021-01-02 06:25:00 KST web-3 systemd[1]: Started Session 3 of User deploy.", FormatJournalShortFull, true},
		{"1609536300.123456 web-3 systemd[1]: Started Session 3 of User deploy.", FormatJournalShortUnix, true},
		{"Mar  7 2008 19:06:53 core-sw1 %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down", FormatRFC3164, true},
		{"Feb 28 01:15:43: --- last message repeated 5 times ---", FormatRFC3164, true},
		{"12월 02 06:56:02 web-3 systemd[1]: Started Session 3 of User deploy.", FormatJournalShort, true},
		// not skimmed: other formats, markers, decoration, continuations
		{"<30>Jan  2 06:25:00 db-1 systemd[1]: Started Session 3 of User deploy.", FormatRFC3164, false},
		{"<34>1 2021-01-02T06:25:00.003Z mymachine su 77 ID47 - 'su root' failed for lonvick on /dev/pts/8", FormatRFC5424, false},
		{"[  123.456789] usb 1-1: new high-speed USB device number 2 using ehci-pci", FormatDmesg, false},
		{"2021-01-02 06:25:00 status installed docker.io:amd64 20.10.21-0ubuntu1", FormatDpkg, false},
		{`{"__REALTIME_TIMESTAMP":"1609536300123456","_HOSTNAME":"web-3","MESSAGE":"Started Session 3 of User deploy."}`, FormatJournalJSON, false},
		{"time=\"2021-01-02T06:25:00Z\" level=error msg=\"write failed\"", FormatLogfmt, false},
		{"-- Boot 0d4a1c2e3f4b5a69788796a5b4c3d2e1 --", FormatJournalShort, false},
		{"    at com.example.Main.main(Main.java:12)", FormatJournalShort, false},
		{"> Jan  2 06:25:00 db-1 systemd[1]: Started Session 3 of User deploy.", FormatRFC3164, false},
		{"root@web-3:~# systemctl status docker", FormatRFC3164, false},
		{"", FormatRFC3164, false},
	} {
		t.Run(c.line, func(t *testing.T) {
			o := &Options{Location: seoul, Year: 2021, Hint: c.hint}
			var p Parser
			var skim event.Event
			skim.Reset()
			// Twice: the second reads the stamp from the Parser's cache.
			for range 2 {
				got := p.SkimLine([]byte(c.line), o, &skim, sshd)
				if got != c.ok {
					t.Fatalf("SkimLine = %v, want %v", got, c.ok)
				}
			}
			if !c.ok {
				return
			}
			var whole event.Event
			whole.Reset()
			if k := ParseLine([]byte(c.line), o, &whole); k != KindEntry {
				t.Fatalf("ParseLine: kind %v, not an entry", k)
			}
			if !skim.Time.Equal(whole.Time) || skim.TimeQuality != whole.TimeQuality || skim.Source.Format != whole.Source.Format {
				t.Errorf("skimmed %v %v %s, parsed %v %v %s", skim.Time, skim.TimeQuality, skim.Source.Format,
					whole.Time, whole.TimeQuality, whole.Source.Format)
			}
			if !strings.Contains(c.line, whole.Message) || !IsSkimmed(&skim) || skim.Message != c.line {
				t.Errorf("message %q of %q; skimmed %v, %q", whole.Message, c.line, IsSkimmed(&skim), skim.Message)
			}
			ps := Parsed{Kind: KindEntry, Event: skim, Raw: c.line, Skim: true}
			ps.Unskim(o)
			if ps.Skim || IsSkimmed(&ps.Event) || ps.Event.Message != whole.Message || ps.Event.Program != whole.Program || ps.Event.Host != whole.Host {
				t.Errorf("unskimmed: %+v, parsed: %+v", ps.Event, whole)
			}
		})
	}
}

// TestUnitTexts: a line naming a unit holds one of its texts.
func TestUnitTexts(t *testing.T) {
	for _, c := range []struct{ unit, msg string }{
		{"docker.service", "Stopping Docker Application Container Engine..."},
		{"docker.service", "Stopping docker.service - Docker Application Container Engine..."},
		{"docker.service", "docker.service: Deactivated successfully."},
		{"user@1000.service", "Started User Manager for UID 1000."},
		{"session-5.scope", "Started Session 5 of User ubuntu."},
		{"multi-user.target", "Reached target Multi-User System."},
		{"nginx.service", "Unit nginx.service entered failed state."},
	} {
		ev := event.Event{Program: "systemd", Message: c.msg}
		deriveSystemd(&ev)
		if ev.Unit != c.unit {
			t.Fatalf("%q: unit %q, want %q", c.msg, ev.Unit, c.unit)
		}
		found := false
		for _, s := range UnitTexts(c.unit) {
			found = found || strings.Contains(c.msg, s)
		}
		if !found {
			t.Errorf("%q names %s, but holds none of %q", c.msg, c.unit, UnitTexts(c.unit))
		}
	}
}

// TestMayBeTagged: a line whose stamp a skim read before names a program
// in its tag, first word or after the host; the programs' first bytes
// rule out the rest, and a second list given to the same Parser replaces
// the first's.
func TestMayBeTagged(t *testing.T) {
	const stamp = "Jan  2 09:00:00"
	for _, c := range []struct {
		programs []string
		line     string
		want     bool
	}{
		{[]string{"kernel", "sshd"}, stamp + " web-3 sshd[812]: Accepted publickey", true},
		{[]string{"kernel", "sshd"}, stamp + " kernel: [12.5] eth0: link up", true},
		{[]string{"kernel", "sshd"}, stamp + " web-3 kernel: [12.5] eth0: link up", true},
		{[]string{"kernel", "sshd"}, stamp + " web-3 sshd-session[812]: Accepted", false},
		{[]string{"kernel", "sshd"}, stamp + " web-3 kubelet[2047]: I0102 sync", false},
		{[]string{"kernel", "sshd"}, stamp + " web-3 CRON[9]: (root) CMD (true)", false},
		{[]string{"kernel", "sshd"}, stamp + " ", false},
		{[]string{"CRON"}, stamp + " web-3 CRON[9]: (root) CMD (true)", true},
		{[]string{""}, stamp + " web-3 [9]: no tag name", true},
		{[]string{"", "sshd"}, stamp + " ", true},
	} {
		var p Parser
		// (A list given before: the first bytes are those of the list
		// given now.)
		p.mayBeTagged([]byte(stamp+" web-3 zebra[1]: x"), len(stamp), []string{"zebra"})
		if got := p.mayBeTagged([]byte(c.line), len(stamp), c.programs); got != c.want {
			t.Errorf("mayBeTagged(%q, %q) = %v, want %v", c.line, c.programs, got, c.want)
		}
	}
}
