package ingest

import (
	"fmt"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// TestAccountAcrossBatches feeds account a source in several batches, as
// the pipeline does: the first and last times, the format counts and the
// backwards warnings (whose "from" time is the previous batch's last
// event) come out as if the events had come in one batch.
func TestAccountAcrossBatches(t *testing.T) {
	base := time.Date(2021, 10, 7, 6, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return base.Add(time.Duration(min) * time.Minute) }
	// Minutes of lines 1..40; 0 is a line without a time. The step from
	// line 25 (minute 24) to line 26 (minute 20) crosses a batch; line 33
	// goes back 30 s (tolerated); line 38 sets the first time.
	mins := []int{5, 6, 7, 0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 22, 23, 23, 24, 24,
		20, 21, 22, 23, 24, 25, 26, -1, 27, 28, 29, 30, 1, 31, 32}
	var evs []event.Event
	for i, m := range mins {
		ev := event.Event{Source: event.SourceRef{Path: "a", Line: int64(i + 1), Format: "rfc3164"}}
		switch {
		case m > 0:
			ev.Time = at(m)
		case m < 0:
			ev.Time = at(25).Add(30 * time.Second)
		}
		if i%7 == 3 {
			ev.Source.Format = fmt.Sprint("rfc", 3164) // equal, not the same string
		}
		if i%9 == 4 {
			ev.Source.Format = "rfc3339"
		}
		evs = append(evs, ev)
	}
	for _, cut := range [][]int{{40}, {25, 40}, {1, 2, 25, 26, 33, 38, 40}} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			var ws event.Warnings
			src := &source{stats: SourceStats{Path: "a"}}
			from := 0
			for _, to := range cut {
				b := append([]event.Event(nil), evs[from:to]...)
				src.account(b, &ws)
				clear(b) // the pipeline recycles batches
				from = to
			}
			src.finishStats()
			src.finishOrder(&ws)
			st := src.stats
			if st.Events != 40 || !st.First.Equal(at(1)) || !st.Last.Equal(at(32)) || st.Format != "rfc3164" {
				t.Errorf("events %d, first %s, last %s, format %q", st.Events, st.First, st.Last, st.Format)
			}
			if len(src.formats) != 2 || src.formats[0].n != 36 || src.formats[1].n != 4 {
				t.Errorf("formats %v", src.formats)
			}
			want := []string{
				"a:26: time goes backwards by 4m0s (from 2021-10-07T06:24:00Z to 2021-10-07T06:20:00Z); kept in file order",
				"a:38: time goes backwards by 29m0s (from 2021-10-07T06:30:00Z to 2021-10-07T06:01:00Z); kept in file order",
			}
			var got []string
			for _, w := range ws.List() {
				got = append(got, fmt.Sprintf("%s:%d: %s", w.Path, w.Line, w.Msg))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("warnings\n%q\nwant\n%q", got, want)
			}
		})
	}
}
