package parse

import (
	"testing"
	"time"
	_ "time/tzdata" // zone abbreviation tests need America/New_York everywhere

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// The same entry in every journalctl short mode (research §2.5, systemd
// 252, TZ=UTC), plus the variants of other versions and settings.
var journalShortCases = []lineCase{
	{
		name: "short",
		line: "Oct 07 06:20:23 userver systemd[1]: Stopped containerd container runtime.",
		want: want{time: "2021-10-07T06:20:23Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Stopped containerd container runtime.", format: FormatJournalShort},
	},
	{
		name: "short, two-digit day reads as rfc3164",
		line: "Oct 12 06:20:23 userver systemd[1]: Stopped containerd container runtime.",
		want: want{time: "2021-10-12T06:20:23Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Stopped containerd container runtime.", format: FormatRFC3164},
	},
	{
		name: "short keeps #012 literally",
		line: "Oct 07 06:20:23 userver myapp[9]: literal #012 text",
		want: want{time: "2021-10-07T06:20:23Z", q: event.TimeYearInferred, host: "userver", prog: "myapp", pid: 9,
			msg: "literal #012 text", format: FormatJournalShort},
	},
	{
		name: "short-precise",
		line: "Oct 07 06:20:23.250900 userver systemd[1]: Stopped containerd container runtime.",
		want: want{time: "2021-10-07T06:20:23.2509Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Stopped containerd container runtime.", format: FormatJournalShortPrecise},
	},
	{
		name: "short-iso",
		line: "2021-10-07T06:20:23+0000 userver systemd[1]: Stopped containerd container runtime.",
		want: want{time: "2021-10-07T06:20:23Z", q: event.TimeExact, host: "userver", prog: "systemd", pid: 1,
			msg: "Stopped containerd container runtime.", format: FormatJournalShortISO},
	},
	{
		name: "short-iso Asia/Seoul",
		line: "2021-10-07T15:25:09+0900 userver systemd[1]: Started containerd container runtime.",
		want: want{time: "2021-10-07T06:25:09Z", q: event.TimeExact, host: "userver", prog: "systemd", pid: 1,
			msg: "Started containerd container runtime.", format: FormatJournalShortISO},
	},
	{
		name: "short-iso v255 colon offset",
		line: "2021-10-07T15:25:09+09:00 userver systemd[1]: Started containerd container runtime.",
		want: want{time: "2021-10-07T06:25:09Z", q: event.TimeExact, host: "userver", prog: "systemd", pid: 1,
			msg: "Started containerd container runtime.", format: FormatJournalShortISO},
	},
	{
		name: "short-iso-precise",
		line: "2021-10-07T06:20:23.250900+0000 userver systemd[1]: Stopped containerd container runtime.",
		want: want{time: "2021-10-07T06:20:23.2509Z", q: event.TimeExact, host: "userver", prog: "systemd", pid: 1,
			msg: "Stopped containerd container runtime.", format: FormatJournalShortISOPrecise},
	},
	{
		name: "short-full",
		line: "Thu 2021-10-07 06:20:23 UTC userver systemd[1]: Stopped containerd container runtime.",
		want: want{time: "2021-10-07T06:20:23Z", q: event.TimeExact, host: "userver", prog: "systemd", pid: 1,
			msg: "Stopped containerd container runtime.", format: FormatJournalShortFull},
	},
	{
		name: "with-unit",
		line: "Thu 2021-10-07 06:20:23 UTC userver init.scope[1]: Stopped containerd container runtime.",
		want: want{time: "2021-10-07T06:20:23Z", q: event.TimeExact, host: "userver", prog: "init.scope", pid: 1,
			msg: "Stopped containerd container runtime.", format: FormatJournalShortFull},
	},
	{
		name: "short-full KST from the table",
		line: "Thu 2021-10-07 15:25:09 KST userver systemd[1]: Started containerd container runtime.",
		want: want{time: "2021-10-07T06:25:09Z", q: event.TimeExact, host: "userver", prog: "systemd", pid: 1,
			msg: "Started containerd container runtime.", format: FormatJournalShortFull},
	},
	{
		name: "short-full IST is the source zone's abbreviation",
		line: "Thu 2021-10-07 11:50:09 IST userver systemd[1]: Started containerd container runtime.",
		loc:  time.FixedZone("IST", 5*3600+1800),
		want: want{time: "2021-10-07T06:20:09Z", q: event.TimeExact, host: "userver", prog: "systemd", pid: 1,
			msg: "Started containerd container runtime.", format: FormatJournalShortFull},
	},
	{
		name: "short-full IST elsewhere: zone assumed",
		line: "Thu 2021-10-07 11:50:09 IST userver systemd[1]: Started containerd container runtime.",
		want: want{time: "2021-10-07T11:50:09Z", q: event.TimeZoneAssumed, host: "userver", prog: "systemd", pid: 1,
			msg: "Started containerd container runtime.", format: FormatJournalShortFull},
	},
	{
		name: "short-full EDT in America/New_York",
		line: "Sun 2021-11-07 01:30:00 EDT nyc cron[77]: job ran",
		loc:  mustLoad("America/New_York"),
		want: want{time: "2021-11-07T05:30:00Z", q: event.TimeExact, host: "nyc", prog: "cron", pid: 77,
			msg: "job ran", format: FormatJournalShortFull},
	},
	{
		name: "short-full EST in the repeated hour of America/New_York",
		line: "Sun 2021-11-07 01:30:00 EST nyc cron[77]: job ran",
		loc:  mustLoad("America/New_York"),
		want: want{time: "2021-11-07T06:30:00Z", q: event.TimeExact, host: "nyc", prog: "cron", pid: 77,
			msg: "job ran", format: FormatJournalShortFull},
	},
	{
		name: "short-full numeric abbreviation",
		line: "Thu 2021-10-07 09:20:23 +03 ist01 systemd[1]: Stopped containerd container runtime.",
		want: want{time: "2021-10-07T06:20:23Z", q: event.TimeExact, host: "ist01", prog: "systemd", pid: 1,
			msg: "Stopped containerd container runtime.", format: FormatJournalShortFull},
	},
	{
		name: "short-full no hostname",
		line: "Thu 2021-10-07 06:20:17 UTC t: a-first",
		want: want{time: "2021-10-07T06:20:17Z", q: event.TimeExact, prog: "t",
			msg: "a-first", format: FormatJournalShortFull},
	},
	{
		name: "short-monotonic",
		line: "[33432.250900] userver systemd[1]: Stopped containerd container runtime.",
		want: want{q: event.TimeNone, host: "userver", prog: "systemd", pid: 1,
			msg: "Stopped containerd container runtime.", fields: f("monotonic", "33432.250900"), format: FormatJournalShortMonotonic},
	},
	{
		name: "short-monotonic small value kernel",
		line: "[    1.523001] userver kernel: Linux version 5.4.0-88-generic (buildd@lgw01-amd64-008)",
		want: want{q: event.TimeNone, host: "userver", prog: "kernel",
			msg: "Linux version 5.4.0-88-generic (buildd@lgw01-amd64-008)", fields: f("monotonic", "1.523001"), format: FormatJournalShortMonotonic},
	},
	{
		name: "short-monotonic tag without pid in a monotonic source",
		line: "[   12.000100] userver audit: type=1400 audit(1633587623.250:2): apparmor=\"STATUS\"",
		hint: FormatJournalShortMonotonic,
		want: want{q: event.TimeNone, host: "userver", prog: "audit",
			msg: "type=1400 audit(1633587623.250:2): apparmor=\"STATUS\"", fields: f("monotonic", "12.000100"), format: FormatJournalShortMonotonic},
	},
	{
		name: "short-unix",
		line: "1633587623.250900 userver systemd[1]: Stopped containerd container runtime.",
		want: want{time: "2021-10-07T06:20:23.2509Z", q: event.TimeExact, host: "userver", prog: "systemd", pid: 1,
			msg: "Stopped containerd container runtime.", format: FormatJournalShortUnix},
	},
	{
		name: "no hostname",
		line: "Oct 07 06:25:09 systemd[1]: Started containerd container runtime.",
		want: want{time: "2021-10-07T06:25:09Z", q: event.TimeYearInferred, prog: "systemd", pid: 1,
			msg: "Started containerd container runtime.", format: FormatJournalShort},
	},
	{
		name: "no hostname, tag without pid",
		line: "Oct 07 06:25:10 kernel: Linux version 5.4.0-88-generic",
		want: want{time: "2021-10-07T06:25:10Z", q: event.TimeYearInferred, prog: "kernel",
			msg: "Linux version 5.4.0-88-generic", format: FormatJournalShort},
	},
}

func TestJournalShortModes(t *testing.T) { runCases(t, journalShortCases) }

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var journalMarkerCases = []lineCase{
	{
		name: "boot",
		line: "-- Boot 9a8b7c6d5e4f30211203f4e5d6c7b8a9 --",
		want: want{kind: KindBoot, boot: "9a8b7c6d5e4f30211203f4e5d6c7b8a9", format: FormatJournalShort},
	},
	{
		name: "reboot",
		line: "-- Reboot --",
		want: want{kind: KindBoot, format: FormatJournalShort},
	},
	{
		name: "no entries",
		line: "-- No entries --",
		want: want{kind: KindBanner, format: FormatJournalShort},
	},
	{
		name: "logs begin (seed 002)",
		line: "-- Logs begin at Tue 2020-10-13 18:15:48 KST, end at Wed 2020-12-09 14:31:19 KST. --",
		want: want{kind: KindBanner, time: "2020-10-13T09:15:48Z", q: event.TimeExact,
			fields: f("end", "2020-12-09T14:31:19+09:00"), format: FormatJournalShort},
	},
	{
		name: "logs begin, UTC",
		line: "-- Logs begin at Tue 2020-10-13 09:15:48 UTC, end at Wed 2020-12-09 05:31:19 UTC. --",
		want: want{kind: KindBanner, time: "2020-10-13T09:15:48Z", q: event.TimeExact,
			fields: f("end", "2020-12-09T05:31:19Z"), format: FormatJournalShort},
	},
	{
		name: "journal begins",
		line: "-- Journal begins at Mon 2021-10-04 00:00:01 CEST, ends at Thu 2021-10-07 08:20:23 CEST. --",
		want: want{kind: KindBanner, time: "2021-10-03T22:00:01Z", q: event.TimeExact,
			fields: f("end", "2021-10-07T08:20:23+02:00"), format: FormatJournalShort},
	},
	{
		name: "logs begin, unknown zone in source zone",
		line: "-- Logs begin at Tue 2020-10-13 18:15:48 XYZT, end at Wed 2020-12-09 14:31:19 XYZT. --",
		loc:  time.FixedZone("KST", 9*3600),
		want: want{kind: KindBanner, time: "2020-10-13T09:15:48Z", q: event.TimeZoneAssumed,
			fields: f("end", "2020-12-09T14:31:19+09:00"), format: FormatJournalShort},
	},
	{
		name: "banner with a stamp we cannot read",
		line: "-- Logs begin at 2020-10-13 18:15:48, end at 2020-12-09 14:31:19. --",
		want: want{kind: KindBanner, format: FormatJournalShort},
	},
	{
		name: "catalog subject",
		line: "░░ Subject: A start job for unit apt-daily-upgrade.service has begun execution",
		want: want{kind: KindContinuation, fields: f("catalog", "Subject: A start job for unit apt-daily-upgrade.service has begun execution"),
			format: FormatJournalShort},
	},
	{
		name: "catalog defined-by",
		line: "░░ Defined-By: systemd",
		want: want{kind: KindContinuation, fields: f("catalog", "Defined-By: systemd"), format: FormatJournalShort},
	},
	{
		name: "catalog blank",
		line: "░░ ",
		want: want{kind: KindContinuation, fields: f("catalog", ""), format: FormatJournalShort},
	},
	{
		name: "catalog blank, trailing space trimmed",
		line: "░░",
		want: want{kind: KindContinuation, fields: f("catalog", ""), format: FormatJournalShort},
	},
	{
		name: "old catalog line by key",
		line: "-- Subject: Unit docker.service has begun start-up",
		want: want{kind: KindContinuation, fields: f("catalog", "Subject: Unit docker.service has begun start-up"), format: FormatJournalShort},
	},
	{
		name: "old catalog body in a journal source",
		line: "-- Unit docker.service has begun starting up.",
		hint: FormatJournalShort,
		want: want{kind: KindContinuation, fields: f("catalog", "Unit docker.service has begun starting up."), format: FormatJournalShort},
	},
}

func TestJournalMarkers(t *testing.T) { runCases(t, journalMarkerCases) }
