package parse

import (
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// yearless builds what a parser yields for a year-less stamp: the wall
// clock in loc with the provisional year.
func yearless(year int, stamp string, loc *time.Location) event.Event {
	t, err := time.Parse("Jan _2 15:04:05", stamp)
	if err != nil {
		panic(err)
	}
	return event.Event{
		Time:        time.Date(year, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc),
		TimeQuality: event.TimeYearInferred,
		Priority:    event.NoPriority,
		Message:     stamp,
	}
}

func feed(a *Assembler, lines []Parsed) []event.Event {
	var out []event.Event
	for i := range lines {
		if lines[i].Line == 0 {
			lines[i].Line = int64(i + 1)
		}
		out = a.Add(out, &lines[i])
	}
	return a.Flush(out)
}

func TestAssemblerYearInference(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	type tc struct {
		name   string
		anchor Anchor
		stamps []string
		want   []string // RFC3339 in seoul
		qual   string
	}
	gz := func(s string) Anchor {
		at, _ := time.ParseInLocation("2006-01-02 15:04:05", s, seoul)
		return Anchor{Time: at, End: true, Provenance: "gzip header"}
	}
	cases := []tc{
		{
			name:   "Dec->Jan rollover under an end anchor in January",
			anchor: gz("2022-01-02 06:25:00"),
			stamps: []string{"Dec 30 23:59:58", "Dec 31 23:59:59", "Jan  1 00:00:01", "Jan  2 06:20:21"},
			want:   []string{"2021-12-30T23:59:58+09:00", "2021-12-31T23:59:59+09:00", "2022-01-01T00:00:01+09:00", "2022-01-02T06:20:21+09:00"},
			qual:   "year_inferred from gzip header",
		},
		{
			name:   "end anchor in the same year",
			anchor: gz("2021-10-14 06:25:00"),
			stamps: []string{"Oct  7 06:17:01", "Oct  7 06:20:17"},
			want:   []string{"2021-10-07T06:17:01+09:00", "2021-10-07T06:20:17+09:00"},
		},
		{
			name:   "a one-month step back is not a rollover",
			anchor: gz("2021-06-01 00:00:00"),
			stamps: []string{"Apr 30 23:59:59", "May  1 00:00:01", "Apr 30 23:59:59"},
			want:   []string{"2021-04-30T23:59:59+09:00", "2021-05-01T00:00:01+09:00", "2021-04-30T23:59:59+09:00"},
		},
		{
			name:   "start anchor from --year on a piped stream",
			anchor: Anchor{Time: time.Date(2020, 1, 1, 0, 0, 0, 0, seoul), Provenance: "--year"},
			stamps: []string{"Dec  2 06:55:52", "Dec  2 06:56:02", "Jan  3 01:00:00"},
			want:   []string{"2020-12-02T06:55:52+09:00", "2020-12-02T06:56:02+09:00", "2021-01-03T01:00:00+09:00"},
			qual:   "year_inferred from --year",
		},
		{
			name:   "anchor a day behind the last line (clock skew) keeps the year",
			anchor: gz("2021-10-07 00:10:00"),
			stamps: []string{"Oct  8 00:05:00"},
			want:   []string{"2021-10-08T00:05:00+09:00"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := NewAssembler(AssemblerConfig{Path: "syslog", Location: seoul, Anchor: c.anchor, Warnings: &event.Warnings{}})
			var lines []Parsed
			for _, s := range c.stamps {
				lines = append(lines, Parsed{Kind: KindEntry, Event: yearless(a.ProvisionalYear(), s, seoul)})
			}
			out := feed(a, lines)
			if len(out) != len(c.want) {
				t.Fatalf("got %d events, want %d", len(out), len(c.want))
			}
			for i, ev := range out {
				if got := ev.Time.In(seoul).Format(time.RFC3339); got != c.want[i] {
					t.Errorf("line %d %q: got %s, want %s", i+1, c.stamps[i], got, c.want[i])
				}
			}
			if c.qual != "" && a.TimeQuality() != c.qual {
				t.Errorf("TimeQuality = %q, want %q", a.TimeQuality(), c.qual)
			}
		})
	}
}

func TestAssemblerFullDateReanchors(t *testing.T) {
	// A year-less line after an RFC3339 line takes that line's year, not
	// the (wrong) mtime anchor.
	a := NewAssembler(AssemblerConfig{Location: time.UTC, Anchor: Anchor{Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), End: true, Provenance: "file mtime"}})
	exact := event.Event{Time: time.Date(2019, 12, 31, 23, 0, 0, 0, time.UTC), TimeQuality: event.TimeExact}
	out := feed(a, []Parsed{
		{Kind: KindEntry, Event: exact},
		{Kind: KindEntry, Event: yearless(a.ProvisionalYear(), "Jan  1 00:00:05", time.UTC)},
	})
	if got := out[1].Time.Format(time.RFC3339); got != "2020-01-01T00:00:05Z" {
		t.Fatalf("got %s, want 2020-01-01T00:00:05Z", got)
	}
	if q := a.TimeQuality(); q != "year_inferred from full date in file" {
		t.Errorf("TimeQuality = %q", q)
	}
}

func TestAssemblerBannerAnchorsYear(t *testing.T) {
	// Seed 002: journalctl output that starts with its "Logs begin at" banner.
	seoul, _ := time.LoadLocation("Asia/Seoul")
	a := NewAssembler(AssemblerConfig{Location: seoul, Anchor: Anchor{Time: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), End: true, Provenance: "current time"}})
	banner := event.Event{Time: time.Date(2020, 10, 13, 18, 15, 48, 0, seoul)}
	out := feed(a, []Parsed{
		{Kind: KindBanner, Event: banner},
		{Kind: KindEntry, Event: yearless(a.ProvisionalYear(), "Dec  2 06:56:02", seoul)},
	})
	if len(out) != 1 {
		t.Fatalf("got %d events, want 1 (banner is no event)", len(out))
	}
	if got := out[0].Time.In(seoul).Format(time.RFC3339); got != "2020-12-02T06:56:02+09:00" {
		t.Fatalf("got %s", got)
	}
}

func TestAssemblerWarnsWhenInferredTimeIsAfterAnchor(t *testing.T) {
	ws := &event.Warnings{}
	a := NewAssembler(AssemblerConfig{Path: "syslog.2.gz", Location: time.UTC, Warnings: ws,
		Anchor: Anchor{Time: time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC), End: true, Provenance: "gzip header"}})
	// Feb -> Nov is no rollover (month rises), so Nov lands after the anchor.
	feed(a, []Parsed{
		{Kind: KindEntry, Event: yearless(2021, "Feb 27 10:00:00", time.UTC)},
		{Kind: KindEntry, Event: yearless(2021, "Nov 27 10:00:00", time.UTC)},
	})
	list := ws.List()
	if len(list) != 1 || !strings.Contains(list[0].String(), "syslog.2.gz:2: inferred time") {
		t.Fatalf("warnings = %v", list)
	}
}

func TestAssemblerDSTInLocalZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	a := NewAssembler(AssemblerConfig{Location: ny, Anchor: Anchor{Time: time.Date(2021, 11, 30, 0, 0, 0, 0, ny), End: true, Provenance: "file mtime"}})
	out := feed(a, []Parsed{
		// 2021-03-14 02:30 does not exist in New York; 2021-11-07 01:30 exists twice.
		{Kind: KindEntry, Event: yearless(a.ProvisionalYear(), "Mar 14 01:59:59", ny)},
		{Kind: KindEntry, Event: yearless(a.ProvisionalYear(), "Mar 14 03:00:00", ny)},
		{Kind: KindEntry, Event: yearless(a.ProvisionalYear(), "Nov  7 01:30:00", ny)},
	})
	if d := out[1].Time.Sub(out[0].Time); d != time.Second {
		t.Errorf("spring forward: 01:59:59 EST -> 03:00:00 EDT is %v, want 1s", d)
	}
	if got := out[2].Time.Format(time.RFC3339); got != "2021-11-07T01:30:00-04:00" {
		t.Errorf("ambiguous 01:30 = %s, want the first (EDT) reading", got)
	}
}

// The hour repeated when daylight saving time ends, as a syslog written in
// local time shows it: the second pass is read as EST, a line written a
// little late in the first pass stays EDT, and once past the change every
// repeated wall clock is the second one. Zone-less full dates (dpkg.log)
// get the same reading.
func TestAssemblerRepeatedHour(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	a := NewAssembler(AssemblerConfig{Location: ny, Anchor: Anchor{Time: time.Date(2021, 1, 1, 0, 0, 0, 0, ny), Provenance: "--year"}})
	var lines []Parsed
	for _, s := range []string{"Nov  7 01:10:00", "Nov  7 01:50:00", "Nov  7 01:40:00", "Nov  7 01:10:00", "Nov  7 01:59:59", "Nov  7 02:10:00"} {
		lines = append(lines, Parsed{Kind: KindEntry, Event: yearless(a.ProvisionalYear(), s, ny)})
	}
	out := feed(a, lines)
	want := []string{
		"2021-11-07T01:10:00-04:00", "2021-11-07T01:50:00-04:00", "2021-11-07T01:40:00-04:00",
		"2021-11-07T01:10:00-05:00", "2021-11-07T01:59:59-05:00", "2021-11-07T02:10:00-05:00",
	}
	for i, ev := range out {
		if got := ev.Time.In(ny).Format(time.RFC3339); got != want[i] {
			t.Errorf("line %d %q: %s, want %s", i+1, ev.Message, got, want[i])
		}
	}

	dpkg := func(wall string) Parsed {
		tm, err := time.ParseInLocation(time.DateTime, wall, ny)
		if err != nil {
			t.Fatal(err)
		}
		return Parsed{Kind: KindEntry, Event: event.Event{Time: tm, TimeQuality: event.TimeZoneAssumed, Message: wall}}
	}
	a = NewAssembler(AssemblerConfig{Location: ny})
	out = feed(a, []Parsed{dpkg("2021-11-07 01:50:00"), dpkg("2021-11-07 01:05:00")})
	if got := out[1].Time.In(ny).Format(time.RFC3339); got != "2021-11-07T01:05:00-05:00" {
		t.Errorf("dpkg line in the repeated hour: %s, want 2021-11-07T01:05:00-05:00", got)
	}
}

// Feb 29 of a year reached by rollover from a --year that has none: the
// parser must not carry the day into March before the year is settled.
func TestAssemblerLeapDay(t *testing.T) {
	a := NewAssembler(AssemblerConfig{Location: time.UTC, Anchor: Anchor{Time: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), Provenance: "--year"}})
	o := &Options{Location: time.UTC, Year: a.ProvisionalYear()}
	var lines []Parsed
	for _, l := range []string{"Dec 31 10:00:00 h a[1]: x", "Feb 29 10:00:00 h a[1]: leap day", "Mar  1 10:00:00 h a[1]: y"} {
		var p Parsed
		p.Event.Reset()
		p.Kind = ParseLine([]byte(l), o, &p.Event)
		lines = append(lines, p)
	}
	out := feed(a, lines)
	var got []string
	for _, ev := range out {
		got = append(got, ev.Time.Format(time.RFC3339))
	}
	if want := "2023-12-31T10:00:00Z 2024-02-29T10:00:00Z 2024-03-01T10:00:00Z"; strings.Join(got, " ") != want {
		t.Errorf("times %q, want %q", got, want)
	}
}

func TestAssemblerJoinsAndInherits(t *testing.T) {
	t0 := time.Date(2021, 10, 7, 6, 20, 25, 0, time.UTC)
	entry := func(msg string) Parsed {
		return Parsed{Kind: KindEntry, Event: event.Event{Time: t0, TimeQuality: event.TimeExact, Message: msg, Priority: event.NoPriority}}
	}
	cont := func(msg string, fields ...event.Field) Parsed {
		return Parsed{Kind: KindContinuation, Event: event.Event{Message: msg, Fields: fields}}
	}
	unstamped := Parsed{Kind: KindEntry, Event: event.Event{Message: "Unpacking containerd (1.5.5-0ubuntu3~20.04.1) over (1.5.2-0ubuntu1~20.04.3) ..."}}
	a := NewAssembler(AssemblerConfig{Location: time.UTC})
	out := feed(a, []Parsed{
		cont("orphan continuation at the top"),
		entry("panic: runtime error: index out of range [3] with length 3"),
		cont(""),
		cont("goroutine 1 [running]:"),
		{Kind: KindSkip},
		cont("", event.Field{Key: "catalog", Value: "Subject: A start job for unit apt-daily-upgrade.service has begun execution"}),
		cont("", event.Field{Key: "catalog", Value: "Defined-By: systemd"}),
		unstamped,
	})
	if len(out) != 3 {
		t.Fatalf("got %d events, want 3: %+v", len(out), out)
	}
	if out[0].Message != "orphan continuation at the top" || out[0].TimeQuality != event.TimeNone {
		t.Errorf("orphan: %+v", out[0])
	}
	wantMsg := "panic: runtime error: index out of range [3] with length 3\ngoroutine 1 [running]:"
	if out[1].Message != wantMsg {
		t.Errorf("joined message = %q, want %q", out[1].Message, wantMsg)
	}
	if v, _ := out[1].Field("catalog"); v != "Subject: A start job for unit apt-daily-upgrade.service has begun execution\nDefined-By: systemd" {
		t.Errorf("catalog field = %q", v)
	}
	if out[1].Source.Line != 2 {
		t.Errorf("entry line = %d, want 2", out[1].Source.Line)
	}
	if !out[2].Time.Equal(t0) || out[2].TimeQuality != event.TimeInherited {
		t.Errorf("unstamped line: time %v quality %v, want inherited %v", out[2].Time, out[2].TimeQuality, t0)
	}
}

func TestAssemblerBoots(t *testing.T) {
	t0 := time.Date(2021, 10, 7, 6, 20, 25, 0, time.UTC)
	e := func(prog, msg string) Parsed {
		return Parsed{Kind: KindEntry, Event: event.Event{Time: t0, TimeQuality: event.TimeExact, Program: prog, Message: msg}}
	}
	a := NewAssembler(AssemblerConfig{Location: time.UTC})
	out := feed(a, []Parsed{
		e("kernel", "Linux version 5.4.0-88-generic (buildd@lgw01-amd64-008)"), // first line: no new boot
		e("systemd", "Started Journal Service."),
		{Kind: KindBoot, Event: event.Event{BootID: "9a8b7c6d5e4f30211203f4e5d6c7b8a9"}},
		e("kernel", "Linux version 5.4.0-88-generic (buildd@lgw01-amd64-008)"), // right after a marker: same boot
		{Kind: KindBoot},
		e("systemd", "Started Journal Service."),
		e("kernel", "Linux version 5.4.0-89-generic (buildd@lgw01-amd64-008)"), // a reboot in syslog
	})
	want := []string{"", "", "9a8b7c6d5e4f30211203f4e5d6c7b8a9", "2", "3"}
	if len(out) != len(want) {
		t.Fatalf("got %d events", len(out))
	}
	for i, w := range want {
		if out[i].BootID != w {
			t.Errorf("event %d boot = %q, want %q", i, out[i].BootID, w)
		}
	}
}

func TestAssemblerDoesNotAliasFields(t *testing.T) {
	a := NewAssembler(AssemblerConfig{Location: time.UTC})
	p := Parsed{Kind: KindEntry, Event: event.Event{Fields: []event.Field{{Key: "level", Value: "error"}}}}
	out := a.Add(nil, &p)
	p.Event.Fields[0].Value = "clobbered" // the caller reuses its buffers
	p.Event.Fields = p.Event.Fields[:1]
	out = a.Add(out, &Parsed{Kind: KindEntry})
	if v, _ := out[0].Field("level"); v != "error" {
		t.Fatalf("field aliased the caller's buffer: %q", v)
	}
}

// TestAssemblerMinuteCache requires the same times with and without the
// per-minute placement cache, over lines that cross daylight saving
// changes (both ways), a Dec->Jan rollover, a mid-file full date and the
// provisional year being wrong, in zones with and without DST; lines
// arrive in bursts within a minute and slightly out of order, and some
// repeat the stamp of the line before or of the one before that (the
// Assembler's stampPlaced), also after a step back and across the
// changes.
func TestAssemblerMinuteCache(t *testing.T) {
	zones := []string{"America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Seoul", "UTC"}
	starts := []string{"Mar  8 01:58:30", "Nov  1 01:58:30", "Oct 31 23:59:10", "Dec 31 23:58:50", "Apr  5 01:59:00"}
	for _, zone := range zones {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, start := range starts {
			for _, provisional := range []int{2019, 2020, 2021} {
				t0 := yearless(provisional, start, loc).Time
				var lines []Parsed
				for i := range 400 {
					ev := event.Event{Priority: event.NoPriority}
					// Bursts of lines within a minute, each burst a little later;
					// every seventh line steps back 20 s.
					d := time.Duration(i/5)*37*time.Second + time.Duration(i%5)*3*time.Second
					if i%7 == 0 {
						d -= 20 * time.Second
					}
					w := t0.Add(d).In(loc)
					ev.Time = time.Date(provisional, w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), i*1000, loc)
					ev.TimeQuality = event.TimeYearInferred
					switch {
					case i%3 == 2:
						ev.Time = lines[i-1].Event.Time
					case i%11 == 4:
						ev.Time = lines[i-2].Event.Time
					}
					if i == 250 {
						ev.Time = time.Date(provisional+1, w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc)
						ev.TimeQuality = event.TimeExact
					}
					lines = append(lines, Parsed{Kind: KindEntry, Event: ev})
				}
				cfg := AssemblerConfig{Path: "x", Location: loc, Anchor: Anchor{Time: time.Date(2020, 6, 1, 0, 0, 0, 0, loc), End: true, Provenance: "test"}}
				cached, plain := NewAssembler(cfg), NewAssembler(cfg)
				plain.noMinuteCache = true
				got := feed(cached, append([]Parsed(nil), lines...))
				want := feed(plain, append([]Parsed(nil), lines...))
				if len(got) != len(want) {
					t.Fatalf("%s %s: %d events, want %d", zone, start, len(got), len(want))
				}
				for i := range got {
					if got[i].Time != want[i].Time {
						t.Fatalf("%s %s %d, line %d: time %v, want %v", zone, start, provisional, i+1, got[i].Time, want[i].Time)
					}
				}
			}
		}
	}
}

// TestAssemblerStampPlaced checks the Assembler's stampPlaced against
// the Assembler without it, and the times it must give, over lines that
// repeat an earlier stamp after something moved the state the placing
// reads: a line read as the repeated hour's second pass, a step back, a
// rollover, a full date.
func TestAssemblerStampPlaced(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		stamps []string // "=RFC3339" is a dated line
		want   []string // RFC3339 in ny; nil: only cached == plain
	}{
		{"repeated hour, then the first pass's stamp again",
			[]string{"Nov  2 01:50:00", "Nov  2 01:50:00", "Nov  2 01:10:00", "Nov  2 01:50:00"},
			[]string{"2025-11-02T01:50:00-04:00", "2025-11-02T01:50:00-04:00", "2025-11-02T01:10:00-05:00", "2025-11-02T01:50:00-05:00"}},
		{"a step back between two lines of one stamp",
			[]string{"Jun  1 10:00:05", "Jun  1 10:00:05", "Jun  1 09:59:00", "Jun  1 10:00:05"},
			[]string{"2025-06-01T10:00:05-04:00", "2025-06-01T10:00:05-04:00", "2025-06-01T09:59:00-04:00", "2025-06-01T10:00:05-04:00"}},
		{"rollover between two lines of one stamp",
			[]string{"Dec 31 23:59:59", "Dec 31 23:59:59", "Jan  1 00:00:01", "Dec 31 23:59:59", "Dec 31 23:59:59"}, nil},
		{"full date between two lines of one stamp",
			[]string{"Mar  3 08:00:00", "Mar  3 08:00:00", "=2023-03-03T08:00:00-05:00", "Mar  3 08:00:00", "Mar  3 08:00:00"}, nil},
	}
	for _, tt := range tests {
		lines := make([]Parsed, len(tt.stamps))
		for i, s := range tt.stamps {
			var ev event.Event
			if s[0] == '=' {
				d, err := time.Parse(time.RFC3339, s[1:])
				if err != nil {
					t.Fatal(err)
				}
				ev = event.Event{Time: d.UTC(), TimeQuality: event.TimeExact, Priority: event.NoPriority}
			} else {
				ev = yearless(2025, s, ny)
			}
			for j := range i {
				if s == tt.stamps[j] {
					ev.Time = lines[j].Event.Time // the parser reads a stamp again as the same value
					break
				}
			}
			lines[i] = Parsed{Kind: KindEntry, Event: ev}
		}
		cfg := AssemblerConfig{Path: "x", Location: ny, Anchor: Anchor{Time: time.Date(2025, 12, 1, 0, 0, 0, 0, ny), Provenance: "test"}}
		cached, plain := NewAssembler(cfg), NewAssembler(cfg)
		plain.noMinuteCache = true
		got := feed(cached, append([]Parsed(nil), lines...))
		ref := feed(plain, append([]Parsed(nil), lines...))
		for i := range got {
			if !got[i].Time.Equal(ref[i].Time) {
				t.Errorf("%s: line %d at %v, without the caches %v", tt.name, i+1, got[i].Time, ref[i].Time)
			}
			if tt.want != nil && got[i].Time.In(ny).Format(time.RFC3339) != tt.want[i] {
				t.Errorf("%s: line %d at %v, want %s", tt.name, i+1, got[i].Time.In(ny).Format(time.RFC3339), tt.want[i])
			}
		}
	}
}
