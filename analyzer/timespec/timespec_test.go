package timespec

import (
	"strings"
	"testing"
	"time"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	z, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("zone database lacks %s: %v", name, err)
	}
	return z
}

func TestParse(t *testing.T) {
	seoul := mustZone(t, "Asia/Seoul")
	ny := mustZone(t, "America/New_York")
	// The incident of seed 001: 2021-10-07 13:05 KST, when the admin looked.
	now := time.Date(2021, 10, 7, 13, 5, 30, 250_000_000, seoul)
	early := time.Date(2021, 10, 7, 8, 30, 0, 0, seoul) // still Oct 6 in New York
	// Days around the 2025 DST changes in New York.
	springNoon := time.Date(2025, 3, 9, 12, 0, 0, 0, ny) // EDT, the day is 23h long
	fallNoon := time.Date(2025, 11, 2, 12, 0, 0, 0, ny)  // EST, the day is 25h long

	tests := []struct {
		in   string
		now  time.Time
		loc  *time.Location
		want string // RFC3339Nano in UTC
	}{
		// absolute, in loc
		{"2021-10-07 06:20", now, seoul, "2021-10-06T21:20:00Z"},
		{"2021-10-07 06:20:21", now, seoul, "2021-10-06T21:20:21Z"},
		{"2021-10-07 06:20:21.5219", now, seoul, "2021-10-06T21:20:21.5219Z"},
		{"2021-10-07 06:20:21,5", now, seoul, "2021-10-06T21:20:21.5Z"},
		{"2021-10-07 06:20:21.123456789123", now, seoul, "2021-10-06T21:20:21.123456789Z"},
		{"2021-10-07", now, seoul, "2021-10-06T15:00:00Z"},
		{"  2021-10-07  ", now, seoul, "2021-10-06T15:00:00Z"},
		{"06:20", now, seoul, "2021-10-06T21:20:00Z"},
		{"06:20:21", now, seoul, "2021-10-06T21:20:21Z"},
		{"Thu 2021-10-07 06:20", now, seoul, "2021-10-06T21:20:00Z"},
		{"thursday 2021-10-07", now, seoul, "2021-10-06T15:00:00Z"},
		{"2024-02-29 00:00", now, time.UTC, "2024-02-29T00:00:00Z"},
		// ISO with zone or offset
		{"2021-10-07T06:20:21Z", now, seoul, "2021-10-07T06:20:21Z"},
		{"2021-10-07T06:20:21.521903779+09:00", now, time.UTC, "2021-10-06T21:20:21.521903779Z"},
		{"2021-10-07T06:20:21+0900", now, time.UTC, "2021-10-06T21:20:21Z"},
		{"2021-10-07T06:20:21-05", now, time.UTC, "2021-10-07T11:20:21Z"},
		{"2021-10-07T06:20", now, time.UTC, "2021-10-07T06:20:00Z"},
		// trailing zone names and offsets
		{"2021-10-07 06:20:21 UTC", now, seoul, "2021-10-07T06:20:21Z"},
		{"2021-10-07 06:20:21 Asia/Seoul", now, time.UTC, "2021-10-06T21:20:21Z"},
		{"2021-10-07 06:20 America/New_York", now, seoul, "2021-10-07T10:20:00Z"},
		{"2021-10-07 06:20 +09:00", now, time.UTC, "2021-10-06T21:20:00Z"},
		{"2021-10-07 UTC", now, seoul, "2021-10-07T00:00:00Z"},
		{"today UTC", now, seoul, "2021-10-07T00:00:00Z"},
		// words
		{"now", now, seoul, "2021-10-07T04:05:30.25Z"},
		{"today", now, seoul, "2021-10-06T15:00:00Z"},
		{"yesterday", now, seoul, "2021-10-05T15:00:00Z"},
		{"tomorrow", now, seoul, "2021-10-07T15:00:00Z"},
		// the day depends on loc
		{"today", early, ny, "2021-10-06T04:00:00Z"},
		{"today", early, seoul, "2021-10-06T15:00:00Z"},
		// relative spans
		{"-2h", now, seoul, "2021-10-07T02:05:30.25Z"},
		{"+10min", now, seoul, "2021-10-07T04:15:30.25Z"},
		{"-30s", now, seoul, "2021-10-07T04:05:00.25Z"},
		{"-1d", now, seoul, "2021-10-06T04:05:30.25Z"},
		{"-1w", now, seoul, "2021-09-30T04:05:30.25Z"},
		{"-1h 30min", now, seoul, "2021-10-07T02:35:30.25Z"},
		{"-1h30m", now, seoul, "2021-10-07T02:35:30.25Z"},
		{"-1.5h", now, seoul, "2021-10-07T02:35:30.25Z"},
		{"-90", now, seoul, "2021-10-07T04:04:00.25Z"},
		{"- 5 minutes", now, seoul, "2021-10-07T04:00:30.25Z"},
		{"-1M", now, seoul, "2021-09-06T17:31:54.25Z"}, // 30.44 days
		{"-1y", now, seoul, "2020-10-06T22:05:30.25Z"},
		{"2 hours ago", now, seoul, "2021-10-07T02:05:30.25Z"},
		{"1 hour 30 minutes ago", now, seoul, "2021-10-07T02:35:30.25Z"},
		{"3d ago", now, seoul, "2021-10-04T04:05:30.25Z"},
		// epoch
		{"@1633555221", now, seoul, "2021-10-06T21:20:21Z"},
		{"@1700000000.5", now, seoul, "2023-11-14T22:13:20.5Z"},
		{"@0", now, seoul, "1970-01-01T00:00:00Z"},
		// DST in New York: calendar words use the wall clock, spans use
		// elapsed time.
		{"today", springNoon, ny, "2025-03-09T05:00:00Z"},     // 00:00 EST
		{"tomorrow", springNoon, ny, "2025-03-10T04:00:00Z"},  // 00:00 EDT
		{"yesterday", springNoon, ny, "2025-03-08T05:00:00Z"}, // 00:00 EST
		{"-1d", springNoon, ny, "2025-03-08T16:00:00Z"},       // 11:00 EST, 24h earlier
		{"2025-03-09 01:59:59", springNoon, ny, "2025-03-09T06:59:59Z"},
		{"2025-03-09 03:00", springNoon, ny, "2025-03-09T07:00:00Z"},
		{"2025-03-09 02:30", springNoon, ny, "2025-03-09T07:30:00Z"}, // does not exist: 03:30 EDT
		{"today", fallNoon, ny, "2025-11-02T04:00:00Z"},              // 00:00 EDT
		{"tomorrow", fallNoon, ny, "2025-11-03T05:00:00Z"},           // 00:00 EST
		{"2025-11-02 01:30", fallNoon, ny, "2025-11-02T05:30:00Z"},   // ambiguous; Go picks the first (EDT)
		{"2025-11-02 03:00", fallNoon, ny, "2025-11-02T08:00:00Z"},
		{"+1d", fallNoon, ny, "2025-11-03T17:00:00Z"},
		// nil loc means Local: only checked for a zone-carrying input
		{"2021-10-07T06:20:21Z", now, nil, "2021-10-07T06:20:21Z"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in, tt.now, tt.loc)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if s := got.UTC().Format(time.RFC3339Nano); s != tt.want {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, s, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	now := time.Date(2021, 10, 7, 13, 5, 30, 0, time.UTC)
	tests := []struct {
		in, want string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"soon", "not a date, time or relative span"},
		{"2021-13-01", "date or time out of range"},
		{"2021-02-29", "date or time out of range"},
		{"2021-10-32 06:00", "date or time out of range"},
		{"2021-10-07 24:00", "date or time out of range"},
		{"2021-10-07 06:60", "date or time out of range"},
		{"2021-10-07 6:20", "not a date, time or relative span"},
		{"2021-1O-07", "bad date, want YYYY-MM-DD"},
		{"2021-10-07X06:20", `unexpected "X06:20" after the date`},
		{"2021-10-07 06:20:21.", "bad fraction of a second"},
		{"2021-10-07 06:20:2x", "bad seconds"},
		{"2021-10-07T06:20:21+9", `bad zone offset "+9"`},
		{"2021-10-07T06:20:21 PST8", `unexpected " PST8" after the time`},
		{"2021-10-07 06:20 Mars/Olympus", `unexpected " Mars/Olympus" after the time`},
		{"Fri 2021-10-07", "2021-10-07 is a Thursday"},
		{"-2 fortnights", `unknown time unit "fortnights"`},
		{"-", "missing time span"},
		{"+h", `expected a number at "h"`},
		{"-1..5h", `bad number "1..5"`},
		{"ago", "not a date, time or relative span"},
		{" ago", "not a date, time or relative span"},
		{"two hours ago", `expected a number at "two hours"`},
		{"@", "@ needs seconds since the epoch"},
		{"@-5", "@ needs seconds since the epoch"},
		{"@17e8", "@ needs seconds since the epoch"},
		{"@1700000000.x", "bad fraction after @seconds"},
		{"-99999999999y", "time span too large"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in, now, time.UTC)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tt.in, got)
			}
			msg := err.Error()
			prefix := "invalid time " + quote(tt.in) + ": " + tt.want + "; accepted: "
			if !strings.HasPrefix(msg, prefix) {
				t.Errorf("Parse(%q) error\n got: %s\nwant prefix: %s", tt.in, msg, prefix)
			}
			if !strings.HasSuffix(msg, Accepted) {
				t.Errorf("error does not list the accepted forms: %s", msg)
			}
		})
	}
}

func quote(s string) string { return `"` + s + `"` }

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"2021-10-07 06:20:21.5219", "2021-10-07T06:20:21+0900", "today UTC", "yesterday",
		"-1h 30min", "2 hours ago", "@1700000000.5", "Thu 2021-10-07 06:20", "06:20",
		"2021-10-07 06:20 Asia/Seoul", "-1..5h", "@", "2021-10-07T06:20:21+9",
	} {
		f.Add(s)
	}
	now := time.Date(2021, 10, 7, 13, 5, 30, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s, now, time.UTC)
		if err != nil {
			if !strings.Contains(err.Error(), "accepted:") {
				t.Fatalf("error without the accepted forms: %v", err)
			}
			return
		}
		// Parsing is deterministic.
		again, err := Parse(s, now, time.UTC)
		if err != nil || !again.Equal(got) {
			t.Fatalf("Parse(%q) not deterministic: %v then %v (%v)", s, got, again, err)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	now := time.Date(2021, 10, 7, 13, 5, 30, 0, time.UTC)
	for _, in := range []string{"2021-10-07 06:20:21", "-1h 30min", "yesterday"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(in, now, time.UTC); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
