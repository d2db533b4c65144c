package parse

import (
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// TestAssemblerImpossibleWallClocks: stamps that do not exist in the
// inferred year or in the zone (issue 19 item 16) are placed between
// their neighbours, so the source stays in order, with one precise
// warning per source.
func TestAssemblerImpossibleWallClocks(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		loc    *time.Location
		year   int
		lines  []string
		want   []string // times in loc, RFC 3339
		warn   string   // the one warning, a substring
		onLine int64
	}{
		{
			name: "Feb 29 in an inferred non-leap year",
			loc:  time.UTC, year: 2025,
			lines: []string{
				"Feb 28 23:00:00 h app[1]: before",
				"Feb 29 01:00:00 h app[1]: leap 1",
				"Feb 29 01:00:30 h app[1]: leap 2, same minute",
				"Feb 29 23:00:00 h app[1]: leap 3",
				"Mar  1 00:30:00 h app[1]: after",
			},
			want: []string{"2025-02-28T23:00:00Z", "2025-02-28T23:59:59Z", "2025-02-28T23:59:59Z", "2025-02-28T23:59:59Z", "2025-03-01T00:30:00Z"},
			warn: "Feb 29 does not exist in 2025 (year inferred from --year): its lines are placed at 2025-02-28T23:59:59Z", onLine: 2,
		},
		{
			name: "syslog in the hour skipped by DST",
			loc:  ny, year: 2025,
			lines: []string{
				"Mar  9 01:59:59 h app[1]: before",
				"Mar  9 02:30:00 h app[1]: in the gap",
				"Mar  9 02:30:10 h app[1]: in the gap, same minute",
				"Mar  9 03:00:01 h app[1]: after",
			},
			want: []string{"2025-03-09T01:59:59-05:00", "2025-03-09T03:00:00-04:00", "2025-03-09T03:00:00-04:00", "2025-03-09T03:00:01-04:00"},
			warn: "02:30:00 on 2025-03-09 does not exist in America/New_York (the clock skips from 02:00 to 03:00): placed at 03:00:00 EDT", onLine: 2,
		},
		{
			name: "dpkg.log in the skipped hour, after the change",
			loc:  ny, year: 2025,
			lines: []string{
				"2025-03-09 03:10:00 startup archives unpack",
				"2025-03-09 02:30:00 install docker.io:amd64 <none> 24.0.7",
				"2025-03-09 03:40:00 status installed docker.io:amd64 24.0.7",
			},
			// Beside the line before it: neither an hour early (01:30
			// EST) nor past its own reading before the change (03:30 EDT).
			want: []string{"2025-03-09T03:10:00-04:00", "2025-03-09T03:10:00-04:00", "2025-03-09T03:40:00-04:00"},
			warn: "02:30:00 on 2025-03-09 does not exist in America/New_York", onLine: 2,
		},
		{
			// The application shapes read zone-less stamps too: Go's log
			// package (and nginx), Apache's error log, klog.
			name: "Go log in the skipped hour",
			loc:  ny, year: 2025,
			lines: []string{
				"2025/03/09 01:59:59 before",
				"2025/03/09 02:30:00 [error] 7#7: *1 in the gap",
				"2025/03/09 03:00:01 after",
			},
			want: []string{"2025-03-09T01:59:59-05:00", "2025-03-09T03:00:00-04:00", "2025-03-09T03:00:01-04:00"},
			warn: "02:30:00 on 2025-03-09 does not exist in America/New_York", onLine: 2,
		},
		{
			name: "Apache error log in the skipped hour",
			loc:  ny, year: 2025,
			lines: []string{
				"[Sun Mar 09 01:59:59.000100 2025] [core:error] [pid 1] before",
				"[Sun Mar 09 02:30:00.000100 2025] [core:error] [pid 1] in the gap",
				"[Sun Mar 09 03:00:01.000100 2025] [core:error] [pid 1] after",
			},
			want: []string{"2025-03-09T01:59:59-05:00", "2025-03-09T03:00:00-04:00", "2025-03-09T03:00:01-04:00"},
			warn: "02:30:00 on 2025-03-09 does not exist in America/New_York", onLine: 2,
		},
		{
			name: "klog in the skipped hour, alone and after a cut syslog tag",
			loc:  ny, year: 2025,
			lines: []string{
				"E0309 01:59:59.000000    1201 kubelet.go:2000] before",
				"E0309 02:30:00.000000    1201 kubelet.go:2000] in the gap",
				"kubelet[1201]: E0309 02:30:10.000000    1201 kubelet.go:2000] in the gap, cut",
				"E0309 03:00:01.000000    1201 kubelet.go:2000] after",
			},
			want: []string{"2025-03-09T01:59:59-05:00", "2025-03-09T03:00:00-04:00", "2025-03-09T03:00:00-04:00", "2025-03-09T03:00:01-04:00"},
			warn: "02:30:00 on 2025-03-09 does not exist in America/New_York", onLine: 2,
		},
		{
			name: "the repeated hour when DST ends",
			loc:  ny, year: 2025,
			lines: []string{
				"Nov  2 01:50:00 h app[1]: first pass",
				"Nov  2 01:10:00 h app[1]: second pass",
				"Nov  2 01:20:00 h app[1]: second pass",
			},
			want: []string{"2025-11-02T01:50:00-04:00", "2025-11-02T01:10:00-05:00", "2025-11-02T01:20:00-05:00"},
			warn: "01:10:00 on 2025-11-02 occurs twice in America/New_York (the clock goes back from 02:00 to 01:00): read as the second, 01:10:00 EST", onLine: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := &event.Warnings{}
			a := NewAssembler(AssemblerConfig{Path: "x.log", Location: tt.loc, Warnings: ws,
				Anchor: Anchor{Time: time.Date(tt.year, 1, 1, 0, 0, 0, 0, tt.loc), Provenance: "--year"}})
			o := &Options{Location: tt.loc, Year: a.ProvisionalYear()}
			var p Parser
			var lines []Parsed
			for _, l := range tt.lines {
				var pl Parsed
				pl.Event.Reset()
				pl.Kind = p.ParseLine([]byte(l), o, &pl.Event)
				lines = append(lines, pl)
			}
			out := feed(a, lines)
			var got []string
			for i, ev := range out {
				got = append(got, ev.Time.In(tt.loc).Format(time.RFC3339))
				if i > 0 && ev.Time.Before(out[i-1].Time) {
					t.Errorf("line %d goes back in time", i+1)
				}
				if ev.Time.Location() == gapMark {
					t.Errorf("line %d keeps the parser's mark", i+1)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("times\n got %q\nwant %q", got, tt.want)
			}
			list := ws.List()
			if len(list) != 1 || !strings.Contains(list[0].String(), tt.warn) || list[0].Line != tt.onLine {
				t.Errorf("warnings %v, want one on line %d with %q", list, tt.onLine, tt.warn)
			}
		})
	}
}

// A leap second (":60") is no wall clock skipped by daylight saving time:
// time.Date moves it to the next minute, and it must come back in the
// source's zone like any other stamp (FuzzParseLine found it marked).
func TestLocalTimeLeapSecondIsNoGap(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name           string
		h, mi, s       int
		day            int
		month          time.Month
		wantGap        bool
		wantHour, wMin int
	}{
		{"leap second", 23, 59, 60, 31, time.December, false, 0, 0},
		{"ordinary", 12, 30, 5, 1, time.July, false, 12, 30},
		{"skipped hour", 2, 30, 0, 10, time.March, true, 3, 30},
	} {
		got := localTime(2024, tc.month, tc.day, tc.h, tc.mi, tc.s, 0, ny)
		if inGap(got) != tc.wantGap {
			t.Errorf("%s: inGap = %v, want %v (%v)", tc.name, inGap(got), tc.wantGap, got)
		}
		if !tc.wantGap {
			if h, m, _ := got.Clock(); h != tc.wantHour || m != tc.wMin {
				t.Errorf("%s: clock %02d:%02d, want %02d:%02d", tc.name, h, m, tc.wantHour, tc.wMin)
			}
		}
	}
}
