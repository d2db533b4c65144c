package parse

import (
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// journalctl -o short under non-English locales (research §2.5; seed 002 is
// a Korean journalctl excerpt).
var localizedCases = []lineCase{
	{
		name: "ko October (seed 002 style)",
		line: "10월 07 15:20:17 userver systemd[1]: Starting Daily apt upgrade and clean activities...",
		want: want{time: "2021-10-07T15:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Starting Daily apt upgrade and clean activities...", format: FormatJournalShort},
	},
	{
		name: "ko December (seed 002)",
		line: "12월 02 06:56:02 test-server systemd[1]: Stopping Docker Application Container Engine...",
		want: want{time: "2021-12-02T06:56:02Z", q: event.TimeYearInferred, host: "test-server", prog: "systemd", pid: 1,
			msg: "Stopping Docker Application Container Engine...", format: FormatJournalShort},
	},
	{
		name: "ko dockerd (seed 002)",
		line: `12월 02 06:56:02 test-server dockerd[16376]: time="2020-12-02T06:56:02.357507251+09:00" level=info msg="Processing signal 'terminated'"`,
		want: want{time: "2021-12-02T06:56:02Z", q: event.TimeYearInferred, host: "test-server", prog: "dockerd", pid: 16376,
			msg: `time="2020-12-02T06:56:02.357507251+09:00" level=info msg="Processing signal 'terminated'"`, format: FormatJournalShort},
	},
	{
		name: "ko January with leading space",
		line: " 1월 02 15:56:02 test-server systemd[1]: Started Daily apt download activities.",
		want: want{time: "2021-01-02T15:56:02Z", q: event.TimeYearInferred, host: "test-server", prog: "systemd", pid: 1,
			msg: "Started Daily apt download activities.", format: FormatJournalShort},
	},
	{
		name: "ko short-precise",
		line: "12월 02 06:55:52.123456 test-server systemd[1]: Starting Daily apt upgrade and clean activities...",
		want: want{time: "2021-12-02T06:55:52.123456Z", q: event.TimeYearInferred, host: "test-server", prog: "systemd", pid: 1,
			msg: "Starting Daily apt upgrade and clean activities...", format: FormatJournalShortPrecise},
	},
	{
		name: "ja October",
		line: "10月 07 15:20:17 userver systemd[1]: Starting Daily apt upgrade and clean activities...",
		want: want{time: "2021-10-07T15:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Starting Daily apt upgrade and clean activities...", format: FormatJournalShort},
	},
	{
		name: "ja January with leading space",
		line: " 1月 02 15:56:02 test-server systemd[1]: Started Daily apt download activities.",
		want: want{time: "2021-01-02T15:56:02Z", q: event.TimeYearInferred, host: "test-server", prog: "systemd", pid: 1,
			msg: "Started Daily apt download activities.", format: FormatJournalShort},
	},
	{
		name: "zh_CN January unpadded",
		line: "1月 02 15:56:02 test-server systemd[1]: Started Daily apt download activities.",
		want: want{time: "2021-01-02T15:56:02Z", q: event.TimeYearInferred, host: "test-server", prog: "systemd", pid: 1,
			msg: "Started Daily apt download activities.", format: FormatJournalShort},
	},
	{
		name: "de Okt",
		line: "Okt 07 06:20:17 userver systemd[1]: Starting Daily apt upgrade and clean activities...",
		want: want{time: "2021-10-07T06:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Starting Daily apt upgrade and clean activities...", format: FormatJournalShort},
	},
	{
		name: "de Mär (non-ASCII after an ASCII letter)",
		line: "Mär 15 06:20:17 userver systemd[1]: Starting Daily apt upgrade and clean activities...",
		want: want{time: "2021-03-15T06:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Starting Daily apt upgrade and clean activities...", format: FormatJournalShort},
	},
	{
		name: "de Dez two-digit day is still journal-short",
		line: "Dez 24 18:00:00 userver systemd[1]: Reloading.",
		want: want{time: "2021-12-24T18:00:00Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Reloading.", format: FormatJournalShort},
	},
	{
		name: "fr oct.",
		line: "oct. 07 06:20:17 userver systemd[1]: Starting Daily apt upgrade and clean activities...",
		want: want{time: "2021-10-07T06:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Starting Daily apt upgrade and clean activities...", format: FormatJournalShort},
	},
	{
		name: "fr févr.",
		line: "févr. 07 06:20:17 userver systemd[1]: Reloading.",
		want: want{time: "2021-02-07T06:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Reloading.", format: FormatJournalShort},
	},
	{
		name: "fr mars (longer than es/it mar)",
		line: "mars 07 06:20:17 userver systemd[1]: Reloading.",
		want: want{time: "2021-03-07T06:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Reloading.", format: FormatJournalShort},
	},
	{
		name: "fr août",
		line: "août 07 06:20:17 userver systemd[1]: Reloading.",
		want: want{time: "2021-08-07T06:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Reloading.", format: FormatJournalShort},
	},
	{
		name: "es ene",
		line: "ene 07 06:20:17 userver systemd[1]: Reloading.",
		want: want{time: "2021-01-07T06:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Reloading.", format: FormatJournalShort},
	},
	{
		name: "ru окт",
		line: "окт 07 06:20:17 userver systemd[1]: Reloading.",
		want: want{time: "2021-10-07T06:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Reloading.", format: FormatJournalShort},
	},
	{
		name: "ru мая",
		line: "мая 07 06:20:17 userver systemd[1]: Reloading.",
		want: want{time: "2021-05-07T06:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Reloading.", format: FormatJournalShort},
	},
	{
		name: "pt out",
		line: "out 07 06:20:17 userver systemd[1]: Reloading.",
		want: want{time: "2021-10-07T06:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Reloading.", format: FormatJournalShort},
	},
	{
		name: "it ott",
		line: "ott 07 06:20:17 userver systemd[1]: Reloading.",
		want: want{time: "2021-10-07T06:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Reloading.", format: FormatJournalShort},
	},
	{
		name: "pl paź",
		line: "paź 07 06:20:17 userver systemd[1]: Reloading.",
		want: want{time: "2021-10-07T06:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Reloading.", format: FormatJournalShort},
	},
	{
		name: "tr Şub",
		line: "Şub 07 06:20:17 userver systemd[1]: Reloading.",
		want: want{time: "2021-02-07T06:20:17Z", q: event.TimeYearInferred, host: "userver", prog: "systemd", pid: 1,
			msg: "Reloading.", format: FormatJournalShort},
	},
}

func TestLocalizedMonths(t *testing.T) { runCases(t, localizedCases) }

// TestLocalMonthTable checks the committed table: twelve names per locale,
// and no name that two locales give different months.
func TestLocalMonthTable(t *testing.T) {
	month := map[string]time.Month{}
	for li, names := range localMonthNames {
		for i, n := range names {
			if n == "" {
				t.Errorf("locale row %d: month %d empty", li, i+1)
				continue
			}
			m := time.Month(i + 1)
			if old, ok := month[n]; ok && old != m {
				t.Errorf("%q is month %v in one locale and %v in another", n, old, m)
			}
			month[n] = m
			got, l := localMonth([]byte(n + " 07"))
			if got != m || l != len(n) {
				t.Errorf("localMonth(%q) = %v, %d; want %v, %d", n+" 07", got, l, m, len(n))
			}
		}
	}
}

func TestNumericMonth(t *testing.T) {
	cases := []struct {
		in string
		m  time.Month
		n  int
	}{
		{"10월 07", 10, 5},
		{" 1월 02", 1, 5},
		{"1月 02", 1, 4},
		{" 9月 02", 9, 5},
		{"12. 02", 12, 3},
		{"13월 02", 0, 0},
		{"0월 02", 0, 0},
		{" 10월 02", 0, 0},
		{"10월07", 0, 0},
		{"10 07", 0, 0},
		{"1", 0, 0},
	}
	for _, c := range cases {
		b := []byte(c.in)
		if len(b) < 2 {
			if m, n := localMonth(b); m != 0 || n != 0 {
				t.Errorf("localMonth(%q) = %v, %d; want 0, 0", c.in, m, n)
			}
			continue
		}
		if m, n := numericMonth(b); m != c.m || n != c.n {
			t.Errorf("numericMonth(%q) = %v, %d; want %v, %d", c.in, m, n, c.m, c.n)
		}
	}
}

// TestEnglishMonthFastPath compares the switch with time's own month names.
func TestEnglishMonthFastPath(t *testing.T) {
	for m := time.January; m <= time.December; m++ {
		if got := englishMonth([]byte(m.String()[:3])); got != m {
			t.Errorf("englishMonth(%q) = %v", m.String()[:3], got)
		}
	}
	for _, s := range []string{"oct", "OCT", "Okt", "Oc", "", "Sept"[:2]} {
		if got := englishMonth([]byte(s)); got != 0 {
			t.Errorf("englishMonth(%q) = %v, want 0", s, got)
		}
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		if !englishWeekday([]byte(d.String()[:3])) {
			t.Errorf("englishWeekday(%q) = false", d.String()[:3])
		}
	}
	if englishWeekday([]byte("Thx")) || englishWeekday([]byte("Th")) {
		t.Error("englishWeekday accepted a non-weekday")
	}
}
