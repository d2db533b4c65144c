package parse

import (
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Timedatectl is what `timedatectl` says about a host's clock.
type Timedatectl struct {
	// Zone is the zone name ("Asia/Seoul"); Abbrev and Offset what
	// follows it ("KST", "+0900").
	Zone, Abbrev, Offset string
	// Universal is the "Universal time" line: when the output was taken.
	// Zero when it could not be read.
	Universal time.Time
	// Synchronized is "System clock synchronized" (or, before systemd
	// 239, "NTP synchronized"): "yes" or "no". NTP is "NTP service"
	// ("active", "inactive", "n/a"), or "NTP enabled"/"Network time on".
	Synchronized, NTP string
	// Fields are every line as a snake_case field: local_time,
	// universal_time, rtc_time, time_zone, ...
	Fields []event.Field
}

// ParseTimedatectl reads the output of `timedatectl` (or `timedatectl
// status`), as a whole text; ok is false when it holds no timedatectl
// line.
func ParseTimedatectl(text string) (Timedatectl, bool) {
	var r timedatectlReader
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if !r.add(line, false, &Parsed{}) && r.keys > 0 {
			break
		}
	}
	return r.result(), r.keys >= 2
}

// timedatectlReader reads `timedatectl`:
//
//	               Local time: Tue 2023-11-14 15:20:24 KST
//	           Universal time: Tue 2023-11-14 06:20:24 UTC
//	                 RTC time: Tue 2023-11-14 06:20:24
//	                Time zone: Asia/Seoul (KST, +0900)
//	System clock synchronized: yes
//	              NTP service: active
//	          RTC in local TZ: no
type timedatectlReader struct {
	fields []event.Field
	keys   int
	line   int64
	last   string
}

var timedatectlKeys = map[string]string{
	"Local time": "local_time", "Universal time": "universal_time", "RTC time": "rtc_time",
	"Time zone": "time_zone", "System clock synchronized": "ntp_synchronized",
	"NTP synchronized": "ntp_synchronized", "NTP service": "ntp_service", "NTP enabled": "ntp_service",
	"Network time on": "ntp_service", "systemd-timesyncd.service active": "ntp_service",
	"RTC in local TZ": "rtc_in_local_tz", "DST active": "dst_active",
	"Last DST change": "last_dst_change", "Next DST change": "next_dst_change",
}

func (r *timedatectlReader) add(raw string, gap bool, p *Parsed) bool {
	k, v, ok := cutKey(raw)
	name := timedatectlKeys[k]
	if !ok || name == "" {
		// "Last DST change: DST began at" continues on indented lines.
		if r.keys > 0 && !gap && strings.HasPrefix(raw, "  ") && strings.HasSuffix(r.last, "dst_change") {
			return true
		}
		return false
	}
	if r.keys == 0 {
		if name != "local_time" {
			return false
		}
		r.line = p.Line
	}
	r.keys++
	r.last = name
	if name == "time_zone" {
		zone, rest, _ := strings.Cut(v, " (")
		r.fields = append(r.fields, event.Field{Key: "time_zone", Value: zone})
		abbr, off, _ := strings.Cut(strings.TrimSuffix(rest, ")"), ", ")
		if abbr != "" {
			r.fields = append(r.fields, event.Field{Key: "zone_abbrev", Value: abbr})
		}
		if off != "" {
			r.fields = append(r.fields, event.Field{Key: "zone_offset", Value: off})
		}
		return true
	}
	if name == "universal_time" {
		if t, ok := stampTime(v, time.UTC); ok {
			v = t.UTC().Format(time.RFC3339)
		}
	}
	r.fields = append(r.fields, event.Field{Key: name, Value: v})
	return true
}

func (r *timedatectlReader) result() Timedatectl {
	var t Timedatectl
	for _, f := range r.fields {
		switch f.Key {
		case "time_zone":
			t.Zone = f.Value
		case "zone_abbrev":
			t.Abbrev = f.Value
		case "zone_offset":
			t.Offset = f.Value
		case "universal_time":
			t.Universal, _ = time.Parse(time.RFC3339, f.Value)
		case "ntp_synchronized":
			t.Synchronized = f.Value
		case "ntp_service":
			t.NTP = f.Value
		}
	}
	t.Fields = r.fields
	return t
}

func (r *timedatectlReader) finish(out []event.Event) ([]event.Event, bool) {
	if r.keys < 2 {
		return out, false
	}
	t := r.result()
	ev := newStateEvent("timedatectl", "timedatectl", FormatTimedatectl, r.line)
	ev.Fields = append(ev.Fields, r.fields...)
	if !t.Universal.IsZero() {
		// The output says when it was taken.
		ev.Time, ev.TimeQuality = t.Universal, event.TimeExact
	}
	ev.Message = "timedatectl: zone " + t.Zone
	if t.Synchronized != "" {
		ev.Message += ", synchronized " + t.Synchronized
	}
	if t.NTP != "" {
		ev.Message += ", NTP " + t.NTP
	}
	return append(out, ev), true
}

// ParseDate reads the output of `date` in the C locale, as a sosreport
// holds it in sos_commands/date/date ("Tue Nov 14 15:20:24 KST 2023") and
// date_--utc: the instant, and whether the zone named in it was known
// (UTC, a numeric offset, loc's abbreviation at that date, or a
// well-known abbreviation); an unknown zone reads the clock in loc.
func ParseDate(text string, loc *time.Location) (t time.Time, zoneKnown, ok bool) {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	f := strings.Fields(line)
	// Weekday Month Day HH:MM:SS Zone Year; the zone may be missing.
	if len(f) < 5 || len(f) > 6 {
		return time.Time{}, false, false
	}
	mo := englishMonth([]byte(f[1]))
	day, ok1 := atoiN([]byte(f[2]))
	year, ok2 := atoiN([]byte(f[len(f)-1]))
	c, end, ok3 := readClock([]byte(f[3]), 0, 0)
	if mo == 0 || !ok1 || !ok2 || !ok3 || end != len(f[3]) || day < 1 || day > 31 {
		return time.Time{}, false, false
	}
	if loc == nil {
		loc = time.UTC
	}
	if len(f) == 5 {
		return time.Date(year, mo, day, c.h, c.m, c.s, 0, loc), false, true
	}
	t, q := resolveZone([]byte(f[4]), year, mo, day, c, loc)
	return t, q == event.TimeExact, true
}

// dateReader reads a pasted `date`: one line, whose instant is the
// event's time.
type dateReader struct {
	ev   event.Event
	done bool
	loc  *time.Location
}

func (r *dateReader) add(raw string, gap bool, p *Parsed) bool {
	if r.done {
		return false
	}
	t, known, ok := ParseDate(raw, r.loc)
	if !ok {
		return false
	}
	r.done = true
	r.ev = newStateEvent("date", "date", FormatDate, p.Line)
	r.ev.Time, r.ev.TimeQuality = t, event.TimeExact
	if !known {
		r.ev.TimeQuality = event.TimeZoneAssumed
	}
	setField(&r.ev, "date", t.Format(time.RFC3339))
	r.ev.Message = "date: " + strings.TrimSpace(raw)
	return true
}

func (r *dateReader) finish(out []event.Event) ([]event.Event, bool) {
	if !r.done {
		return out, false
	}
	return append(out, r.ev), true
}

func (r *dateReader) setLocation(loc *time.Location) { r.loc = loc }
