// Package timespec parses the time specifications that journalctl's
// --since and --until accept: the subset of systemd.time(7) that people
// actually type. It is written by hand because the general date-parsing
// libraries disagree with systemd on the cases that matter (`yesterday` is
// 00:00, `@N` is an epoch, `1h ago` is a span).
package timespec

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Accepted is the one-line summary of the syntax, used in error messages
// and help texts.
const Accepted = `"2025-11-11 06:00[:00[.frac]]", "2025-11-11", "06:00", ISO "2025-11-11T06:00:00Z" or with an offset, ` +
	`an optional zone ("UTC", "Asia/Seoul"), "now", "today", "yesterday", "tomorrow", ` +
	`"-2h", "+10min", "-1h 30min", "2 hours ago", "@1700000000"`

// Systemd's fixed lengths for calendar-ish units (systemd.time(7)): a
// month is 30.44 days and a year 365.25 days; relative specs are plain
// durations, so DST never changes them.
const (
	day   = 24 * time.Hour
	month = time.Duration(30.44 * float64(day))
	year  = time.Duration(365.25 * float64(day))
)

var units = map[string]time.Duration{
	"us": time.Microsecond, "usec": time.Microsecond,
	"ms": time.Millisecond, "msec": time.Millisecond,
	"s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": day, "day": day, "days": day,
	"w": 7 * day, "week": 7 * day, "weeks": 7 * day,
	"M": month, "month": month, "months": month,
	"y": year, "year": year, "years": year,
}

// Parse interprets s relative to now; wall-clock forms (dates, times,
// today, yesterday, tomorrow) are read in loc unless s names a zone or an
// offset. A nil loc means time.Local. Errors name the input and list what
// is accepted.
func Parse(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.Local
	}
	t, err := parse(strings.TrimSpace(s), now, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid time %q: %v; accepted: %s", s, err, Accepted)
	}
	return t, nil
}

func parse(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("empty")
	}
	switch {
	case s[0] == '@':
		return parseEpoch(s[1:])
	case s[0] == '+' || s[0] == '-':
		d, err := parseSpan(s[1:])
		if err != nil {
			return time.Time{}, err
		}
		if s[0] == '-' {
			d = -d
		}
		return now.Add(d), nil
	case strings.HasSuffix(s, " ago"):
		d, err := parseSpan(strings.TrimSuffix(s, " ago"))
		if err != nil {
			return time.Time{}, err
		}
		return now.Add(-d), nil
	}

	// A trailing zone applies to everything before it.
	if i := strings.LastIndexByte(s, ' '); i > 0 {
		if z, ok := zone(s[i+1:]); ok {
			s, loc = strings.TrimSpace(s[:i]), z
		}
	}
	switch s {
	case "now":
		return now, nil
	case "today", "yesterday", "tomorrow":
		y, m, d := now.In(loc).Date()
		switch s {
		case "yesterday":
			d--
		case "tomorrow":
			d++
		}
		return time.Date(y, m, d, 0, 0, 0, 0, loc), nil
	}
	return parseAbsolute(s, now, loc)
}

// zone recognizes a zone name; only names that look like one are looked
// up, so a stray word is reported as a syntax error, not a missing zone.
func zone(name string) (*time.Location, bool) {
	switch name {
	case "UTC", "Z", "GMT":
		return time.UTC, true
	}
	if name != "" && (name[0] == '+' || name[0] == '-') {
		z, err := offset(name)
		return z, err == nil
	}
	if !strings.Contains(name, "/") {
		return nil, false
	}
	z, err := time.LoadLocation(name)
	return z, err == nil
}

func parseEpoch(s string) (time.Time, error) {
	secs, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || secs == "" || secs[0] == '+' || secs[0] == '-' {
		return time.Time{}, errors.New("@ needs seconds since the epoch")
	}
	ns, ok := fraction(frac)
	if !ok {
		return time.Time{}, errors.New("bad fraction after @seconds")
	}
	return time.Unix(sec, int64(ns)).UTC(), nil
}

// parseSpan reads "1h 30min", "2 hours", "1.5d", "90" (seconds).
func parseSpan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("missing time span")
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && (isDigit(s[i]) || s[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("expected a number at %q", s)
		}
		n, err := strconv.ParseFloat(s[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("bad number %q", s[:i])
		}
		s = strings.TrimLeft(s[i:], " ")
		j := 0
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		unit := time.Second // systemd: a bare number is seconds
		if j > 0 {
			u, ok := units[s[:j]]
			if !ok {
				// Unit names are case-sensitive except that "M" is month.
				u, ok = units[strings.ToLower(s[:j])]
			}
			if !ok {
				return 0, fmt.Errorf("unknown time unit %q", s[:j])
			}
			unit = u
		}
		s = strings.TrimLeft(s[j:], " ")
		d := n * float64(unit)
		if d > float64(1<<62) {
			return 0, errors.New("time span too large")
		}
		total += time.Duration(d)
	}
	return total, nil
}

// parseAbsolute reads [Weekday] [YYYY-MM-DD][( |T)HH:MM[:SS[.frac]]][Z|±HH[:]MM].
// A time without a date is today; a date without a time is 00:00.
func parseAbsolute(s string, now time.Time, loc *time.Location) (time.Time, error) {
	wday := -1
	if i := strings.IndexByte(s, ' '); i > 0 {
		if w, ok := weekday(s[:i]); ok {
			wday, s = int(w), strings.TrimLeft(s[i+1:], " ")
		}
	}
	y, mo, d := now.In(loc).Date()
	hasDate := len(s) >= 10 && s[4] == '-' && s[7] == '-'
	if hasDate {
		var ok bool
		if y, ok = num(s[0:4]); !ok {
			return time.Time{}, errors.New("bad year")
		}
		m, ok1 := num(s[5:7])
		dd, ok2 := num(s[8:10])
		if !ok1 || !ok2 {
			return time.Time{}, errors.New("bad date, want YYYY-MM-DD")
		}
		mo, d = time.Month(m), dd
		s = s[10:]
		if s != "" {
			if s[0] != ' ' && s[0] != 'T' {
				return time.Time{}, fmt.Errorf("unexpected %q after the date", s)
			}
			s = strings.TrimLeft(s[1:], " ")
		}
	}
	var hh, mm, ss, ns int
	if s != "" || !hasDate {
		if len(s) < 5 || s[2] != ':' {
			return time.Time{}, errors.New("not a date, time or relative span")
		}
		var ok1, ok2, ok3 bool
		hh, ok1 = num(s[0:2])
		mm, ok2 = num(s[3:5])
		if !ok1 || !ok2 {
			return time.Time{}, errors.New("bad time, want HH:MM[:SS]")
		}
		s = s[5:]
		ok3 = true
		if len(s) >= 3 && s[0] == ':' {
			ss, ok3 = num(s[1:3])
			s = s[3:]
			if ok3 && len(s) > 0 && (s[0] == '.' || s[0] == ',') {
				i := 1
				for i < len(s) && isDigit(s[i]) {
					i++
				}
				var ok bool
				if ns, ok = fraction(s[1:i]); !ok || i == 1 {
					return time.Time{}, errors.New("bad fraction of a second")
				}
				s = s[i:]
			}
		}
		if !ok3 {
			return time.Time{}, errors.New("bad seconds")
		}
		if s != "" {
			z, err := offset(s)
			if err != nil {
				return time.Time{}, err
			}
			loc = z
		}
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, errors.New("date or time out of range")
	}
	t := time.Date(y, mo, d, hh, mm, ss, ns, loc)
	if t.Hour() != hh || t.Minute() != mm {
		// The wall time fell into a DST gap. Read it with the offset in
		// force before the gap, as mktime does: 02:30 on a spring-forward
		// day becomes 03:30 of the new offset.
		_, off := t.Add(-3 * time.Hour).Zone()
		t = time.Date(y, mo, d, hh, mm, ss, ns, time.FixedZone("", off)).In(loc)
	}
	if wday >= 0 && int(t.Weekday()) != wday {
		return time.Time{}, fmt.Errorf("%s is a %s", t.Format("2006-01-02"), t.Weekday())
	}
	return t, nil
}

// offset reads "Z", "+09:00", "+0900" or "-05".
func offset(s string) (*time.Location, error) {
	if s == "Z" {
		return time.UTC, nil
	}
	if s[0] != '+' && s[0] != '-' {
		return nil, fmt.Errorf("unexpected %q after the time", s)
	}
	v := strings.Replace(s[1:], ":", "", 1)
	if len(v) == 2 {
		v += "00"
	}
	h, ok1 := num(v[:min(2, len(v))])
	m, ok2 := num(v[min(2, len(v)):])
	if len(v) != 4 || !ok1 || !ok2 || h > 23 || m > 59 {
		return nil, fmt.Errorf("bad zone offset %q", s)
	}
	sec := h*3600 + m*60
	if s[0] == '-' {
		sec = -sec
	}
	return time.FixedZone("", sec), nil
}

func weekday(s string) (time.Weekday, bool) {
	for w := time.Sunday; w <= time.Saturday; w++ {
		n := w.String()
		if strings.EqualFold(s, n) || strings.EqualFold(s, n[:3]) {
			return w, true
		}
	}
	return 0, false
}

// fraction turns the digits after a decimal point into nanoseconds.
func fraction(s string) (int, bool) {
	ns := 0
	for i := 0; i < 9; i++ {
		ns *= 10
		if i < len(s) {
			if !isDigit(s[i]) {
				return 0, false
			}
			ns += int(s[i] - '0')
		}
	}
	for i := 9; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
	}
	return ns, true
}

func num(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
