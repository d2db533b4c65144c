package parse

import "time"

// gapMark is the Location of a zone-less stamp whose wall clock does not
// exist in the source's zone: the hour skipped when clocks move forward
// (02:30 on the second Sunday of March in America/New_York). Such a
// time holds time.Date's instant (which reads the clock with the offset
// after the change: an hour early) until the Assembler places it
// between its neighbours (placeGap); nothing else sees the mark.
var gapMark = time.FixedZone("skipped-by-DST", 0)

// localTime is time.Date in loc for a zone-less stamp; a wall clock that
// loc skips comes back in gapMark.
func localTime(y int, mo time.Month, d, h, mi, s, ns int, loc *time.Location) time.Time {
	t := time.Date(y, mo, d, h, mi, s, ns, loc)
	// Only a clock within range can be skipped: time.Date also moves a
	// leap second (":60") or another overflow to the next minute.
	if loc != time.UTC && h < 24 && mi < 60 && s < 60 {
		if th, tm, _ := t.Clock(); th != h || tm != mi {
			return t.In(gapMark)
		}
	}
	return t
}

// inGap reports whether t is a stamp localTime found skipped.
func inGap(t time.Time) bool { return t.Location() == gapMark }
