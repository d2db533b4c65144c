package parse

import (
	"strconv"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

func fields(kv ...string) []JournalField {
	fs := make([]JournalField, 0, len(kv))
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		fs = append(fs, JournalField{Key: []byte(k), Value: []byte(v)})
	}
	return fs
}

func TestFromJournalFields(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []JournalField
		want string // program[pid] unit lifecycle prio | message
	}{
		{"catalog lifecycle",
			fields("__REALTIME_TIMESTAMP=1606859762300100", "_HOSTNAME=test-server", "SYSLOG_IDENTIFIER=systemd", "_PID=1",
				"_SYSTEMD_UNIT=init.scope", "UNIT=docker.service", "MESSAGE_ID=de5b426a63be47a7b6ac3eaac82e2f6f", "PRIORITY=6",
				"MESSAGE=Stopping Docker Application Container Engine..."),
			"systemd[1] docker.service stopping 6 | Stopping Docker Application Container Engine..."},
		{"lifecycle from text without MESSAGE_ID",
			fields("SYSLOG_IDENTIFIER=systemd", "_PID=1", "MESSAGE=docker.service: Succeeded."),
			"systemd[1] docker.service stopped -1 | docker.service: Succeeded."},
		{"oneshot finished",
			fields("SYSLOG_IDENTIFIER=systemd", "_PID=1", "UNIT=apt-daily-upgrade.service", "MESSAGE_ID=39f53479d3a045ac8e11786248231fbf",
				"MESSAGE=Finished apt-daily-upgrade.service - Daily apt upgrade and clean activities."),
			"systemd[1] apt-daily-upgrade.service finished -1 | Finished apt-daily-upgrade.service - Daily apt upgrade and clean activities."},
		{"kernel without identifier",
			fields("_TRANSPORT=kernel", "PRIORITY=6", "MESSAGE=docker0: port 1(veth3a1b2c4) entered disabled state"),
			"kernel[0]  none 6 | docker0: port 1(veth3a1b2c4) entered disabled state"},
		{"near miss: user transport is no kernel",
			fields("_TRANSPORT=stdout", "MESSAGE=plain"),
			"[0]  none -1 | plain"},
		{"_COMM when no identifier; priority from the logfmt level",
			fields("_COMM=dockerd", "_PID=16376", "_SYSTEMD_UNIT=docker.service",
				`MESSAGE=time="2020-12-02T06:56:02.357507251+09:00" level=info msg="Processing signal 'terminated'"`),
			`dockerd[16376] docker.service none 6 | time="2020-12-02T06:56:02.357507251+09:00" level=info msg="Processing signal 'terminated'"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ev event.Event
			ev.Host = "stale" // FromJournalFields resets
			FromJournalFields(tc.in, &ev)
			lc := ev.Lifecycle.String()
			if lc == "" {
				lc = "none"
			}
			got := ev.Program + "[" + strconv.Itoa(ev.PID) + "] " + ev.Unit + " " + lc + " " + strconv.Itoa(int(ev.Priority)) + " | " + ev.Message
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if ev.Source.Format != FormatJournal || ev.Host == "stale" {
				t.Errorf("format %q host %q", ev.Source.Format, ev.Host)
			}
		})
	}
}
