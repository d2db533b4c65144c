package parse

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestStampsAgainstTimeParse checks the hand-written stamp readers against
// the standard library on random instants and offsets.
func TestStampsAgainstTimeParse(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		sec := r.Int64N(4102444800) // 1970 .. 2100
		ns := r.Int64N(1e9)
		off := (r.IntN(26*4+1) - 12*4) * 15 * 60 // -12:00 .. +14:00
		zone := time.FixedZone("", off)
		tm := time.Unix(sec, ns).In(zone)

		for _, layout := range []string{
			"2006-01-02T15:04:05.000000Z07:00", // RSYSLOG_FileFormat
			"2006-01-02T15:04:05Z07:00",        // short-iso, v255
			"2006-01-02T15:04:05-0700",         // short-iso, up to v254
			"2006-01-02T15:04:05.000000-0700",  // short-iso-precise
			"2006-01-02T15:04:05.000Z07:00",    // RFC5424 example
		} {
			s := tm.Format(layout)
			want, err := time.Parse(layout, s)
			if err != nil {
				t.Fatal(err)
			}
			st, end, ok := readISO([]byte(s), 0)
			if !ok || end != len(s) || !st.t.Equal(want) {
				t.Fatalf("readISO(%q) = %v, %d, %v; want %v", s, st.t, end, ok, want)
			}
		}

		s := tm.Format("Jan _2 15:04:05")
		p, err := time.ParseInLocation("Jan _2 15:04:05", s, zone)
		if err != nil {
			t.Fatal(err)
		}
		// time.ParseInLocation gives year 0; the parser takes Options.Year.
		want := time.Date(tm.Year(), p.Month(), p.Day(), p.Hour(), p.Minute(), p.Second(), 0, zone)
		var h header
		line := []byte(s + " host prog[1]: msg")
		if !parseMonthDay(line, 3, englishMonth(line), false, &Options{Location: zone, Year: tm.Year()}, &h) || !h.t.Equal(want) {
			t.Fatalf("parseMonthDay(%q) = %v; want %v", s, h.t, want)
		}
	}
}

// BenchmarkStamp compares the hand-written readers with time.Parse.
func BenchmarkStamp(b *testing.B) {
	rfc3339 := []byte("2025-11-11T06:20:21.123456+09:00")
	rfc3164 := []byte("Oct  7 06:20:21 h p: m")
	o := &Options{Location: time.UTC, Year: 2021}
	b.Run("hand-rfc3339", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, ok := readISO(rfc3339, 0); !ok {
				b.Fatal("not parsed")
			}
		}
	})
	b.Run("stdlib-rfc3339", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := time.Parse(time.RFC3339Nano, string(rfc3339)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hand-rfc3164", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var h header
			if !parseMonthDay(rfc3164, 3, englishMonth(rfc3164), false, o, &h) {
				b.Fatal("not parsed")
			}
		}
	})
	b.Run("stdlib-rfc3164", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p, err := time.Parse("Jan _2 15:04:05", string(rfc3164[:15]))
			if err != nil {
				b.Fatal(err)
			}
			_ = time.Date(o.Year, p.Month(), p.Day(), p.Hour(), p.Minute(), p.Second(), 0, o.Location)
		}
	})
}

// TestReadISOMatchesTimeDate checks the arithmetic in readISO against
// time.Date over the edges of its input: year 0000 and 9999, leap days,
// month ends, leap seconds and offsets either side of UTC.
func TestReadISOMatchesTimeDate(t *testing.T) {
	for _, y := range []int{0, 1, 99, 100, 399, 400, 1582, 1899, 1900, 1969, 1970, 1999, 2000, 2020, 2024, 2100, 2400, 9999} {
		for _, md := range [][2]int{{1, 1}, {1, 31}, {2, 28}, {2, 29}, {3, 1}, {6, 30}, {12, 31}} {
			if md[1] > daysIn(time.Month(md[0]), y) {
				continue
			}
			for _, clk := range []string{"00:00:00", "23:59:60", "12:34:56.789"} {
				for _, zone := range []string{"Z", "+09:00", "-12:00", "+1400"} {
					s := fmt.Sprintf("%04d-%02d-%02dT%s%s", y, md[0], md[1], clk, zone)
					st, _, ok := readISO([]byte(s+" h p: m"), 0)
					want, err := time.Parse("2006-01-02T15:04:05.999999999Z07:00", strings.Replace(strings.Replace(s, "+1400", "+14:00", 1), ":60", ":59", 1))
					if err != nil {
						t.Fatal(err)
					}
					if strings.Contains(s, ":60") {
						want = want.Add(time.Second)
					}
					if !ok || st.t != want.UTC() {
						t.Errorf("readISO(%q) = %v, %v; want %v", s, st.t, ok, want.UTC())
					}
				}
			}
		}
	}
}
