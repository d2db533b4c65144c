package parse

import (
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

func TestTimedatectl(t *testing.T) {
	cases := []struct {
		name, text string
		fields     map[string]string
		utc        time.Time
	}{{
		name: "systemd 239+",
		text: `               Local time: Tue 2023-11-14 15:20:24 KST
           Universal time: Tue 2023-11-14 06:20:24 UTC
                 RTC time: Tue 2023-11-14 06:20:24
                Time zone: Asia/Seoul (KST, +0900)
System clock synchronized: no
              NTP service: inactive
          RTC in local TZ: no`,
		fields: map[string]string{"command": "timedatectl", "time_zone": "Asia/Seoul", "zone_abbrev": "KST", "zone_offset": "+0900",
			"ntp_synchronized": "no", "ntp_service": "inactive", "rtc_in_local_tz": "no", "universal_time": "2023-11-14T06:20:24Z",
			"local_time": "Tue 2023-11-14 15:20:24 KST"},
		utc: time.Date(2023, 11, 14, 6, 20, 24, 0, time.UTC),
	}, {
		name: "before 239, German weekday",
		text: `      Local time: Di 2018-02-13 11:51:23 CET
  Universal time: Di 2018-02-13 10:51:23 UTC
        RTC time: Di 2018-02-13 10:51:23
       Time zone: Europe/Berlin (CET, +0100)
     NTP enabled: yes
NTP synchronized: yes
 RTC in local TZ: no
      DST active: no
 Last DST change: DST ended at
                  Sun 2017-10-29 02:59:59 CEST
                  Sun 2017-10-29 02:00:00 CET`,
		fields: map[string]string{"time_zone": "Europe/Berlin", "ntp_synchronized": "yes", "ntp_service": "yes", "dst_active": "no"},
		utc:    time.Date(2018, 2, 13, 10, 51, 23, 0, time.UTC),
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs := assembleText(t, tc.text, AssemblerConfig{})
			if len(evs) != 1 || evs[0].Kind != event.KindState {
				t.Fatalf("%d events: %+v", len(evs), evs)
			}
			checkFields(t, evs[0], tc.fields)
			if !evs[0].Time.Equal(tc.utc) || evs[0].TimeQuality != event.TimeExact {
				t.Errorf("time %v (%v), want %v", evs[0].Time, evs[0].TimeQuality, tc.utc)
			}
			td, ok := ParseTimedatectl(tc.text)
			if !ok || td.Zone != tc.fields["time_zone"] || !td.Universal.Equal(tc.utc) {
				t.Errorf("ParseTimedatectl = %+v, %v", td, ok)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	cases := []struct {
		text      string
		loc       *time.Location
		want      time.Time
		zoneKnown bool
		ok        bool
	}{
		{"Tue Nov 14 15:20:24 KST 2023\n", seoul, time.Date(2023, 11, 14, 6, 20, 24, 0, time.UTC), true, true},
		{"Tue Nov 14 06:20:24 UTC 2023", nil, time.Date(2023, 11, 14, 6, 20, 24, 0, time.UTC), true, true},
		{"Thu Jan  4 09:00:01 +03 2024", nil, time.Date(2024, 1, 4, 6, 0, 1, 0, time.UTC), true, true},
		{"Tue Nov 14 15:20:24 XYZT 2023", seoul, time.Date(2023, 11, 14, 6, 20, 24, 0, time.UTC), false, true},
		{"2023. 11. 14. (화) 15:20:24 KST", seoul, time.Time{}, false, false},
		{"", nil, time.Time{}, false, false},
	}
	for _, tc := range cases {
		got, known, ok := ParseDate(tc.text, tc.loc)
		if ok != tc.ok || known != tc.zoneKnown || (ok && !got.Equal(tc.want)) {
			t.Errorf("ParseDate(%q) = %v, %v, %v; want %v, %v, %v", tc.text, got, known, ok, tc.want, tc.zoneKnown, tc.ok)
		}
	}
	// Pasted after its prompt, `date` is a state event at its own time.
	evs := assembleWithPrompt(t, "date", "Tue Nov 14 06:20:24 UTC 2023")
	st := stateEvents(evs)
	if len(st) != 1 || !st[0].Time.Equal(time.Date(2023, 11, 14, 6, 20, 24, 0, time.UTC)) {
		t.Fatalf("date state events: %+v", st)
	}
}

func TestStampTime(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	cases := []struct {
		in   string
		loc  *time.Location
		want time.Time
		ok   bool
	}{
		{"Tue 2023-11-14 06:20:24 UTC; 2h 3min ago", seoul, time.Date(2023, 11, 14, 6, 20, 24, 0, time.UTC), true},
		{"화 2023-11-14 15:20:24 KST", seoul, time.Date(2023, 11, 14, 6, 20, 24, 0, time.UTC), true},
		{"Di 2018-02-13 10:51:23", time.UTC, time.Date(2018, 2, 13, 10, 51, 23, 0, time.UTC), true},
		{"2023-11-14 15:20:24", seoul, time.Date(2023, 11, 14, 6, 20, 24, 0, time.UTC), true},
		{"Tue 2023-11-14 06:20:24.250000 UTC", seoul, time.Date(2023, 11, 14, 6, 20, 24, 250e6, time.UTC), true},
		{"Tue 2023-11-14 15:20:24 +0900", nil, time.Date(2023, 11, 14, 6, 20, 24, 0, time.UTC), true},
		{"Thu 2023-02-30 06:20:24 UTC", nil, time.Time{}, false},
		{"Tue 2023-11-14 24:20:24 UTC", nil, time.Time{}, false},
		{"Tue 2023-11-14", nil, time.Time{}, false},
		{"n/a", nil, time.Time{}, false},
	}
	for _, tc := range cases {
		got, ok := stampTime(tc.in, tc.loc)
		if ok != tc.ok || (ok && !got.Equal(tc.want)) {
			t.Errorf("stampTime(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
