package timeline

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

var kst = time.FixedZone("KST", 9*3600)

func kstAt(h, m, s int) time.Time { return time.Date(2025, 11, 10, h, m, s, 0, kst) }

func TestLaneTicks(t *testing.T) {
	x := func(time.Time) float64 { return 0 }
	for _, c := range []struct {
		name   string
		lo, hi time.Time
		want   []string // nil: only midnights
	}{
		{"an hour: every 10 minutes, on the zone's round minutes", kstAt(5, 58, 48), kstAt(6, 57, 3),
			[]string{"06:00", "06:10", "06:20", "06:30", "06:40", "06:50"}},
		{"a minute: every 10 seconds", kstAt(6, 0, 3), kstAt(6, 1, 0),
			[]string{"06:00:10", "06:00:20", "06:00:30", "06:00:40", "06:00:50", "06:01:00"}},
		{"a week: with the date, at the zone's midnight", kstAt(0, 0, 0), kstAt(0, 0, 0).Add(6*24*time.Hour + time.Hour),
			[]string{"11-10 00:00", "11-11 00:00", "11-12 00:00", "11-13 00:00", "11-14 00:00", "11-15 00:00", "11-16 00:00"}},
		{"weeks: the day step doubles", kstAt(0, 0, 0), kstAt(0, 0, 0).Add(40 * 24 * time.Hour), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, tk := range laneTicks(c.lo, c.hi, kst, x) {
				got = append(got, tk.Label)
			}
			if len(got) < 2 || len(got) > 8 {
				t.Errorf("%d ticks, want 2 to 8: %q", len(got), got)
			}
			if c.want != nil && !slices.Equal(got, c.want) {
				t.Errorf("ticks %q, want %q", got, c.want)
			}
			for _, l := range got {
				if c.want == nil && !strings.HasSuffix(l, " 00:00") {
					t.Errorf("tick %q is not at midnight", l)
				}
			}
		})
	}
}

// laneFinding builds a report finding of signature id with evidence at
// the given times, named by step.
func laneFinding(id, outcome, reason string, steps []string, times []time.Time, abs []engine.Absence) *Finding {
	f := &Finding{ID: id, Finding: &engine.Finding{Signature: &signature.Signature{ID: "sig-" + id}, Outcome: outcome, Reason: reason,
		Start: times[0], End: times[len(times)-1], Absences: abs}}
	for i, at := range times {
		ev := &event.Event{Time: at, Host: "web-1", Program: "systemd", Message: "line " + strconv.Itoa(i),
			Source: event.SourceRef{Path: "syslog", Line: int64(i + 1)}}
		f.Evidence = append(f.Evidence, Evidence{Step: steps[i], Event: ev})
	}
	return f
}

// The lane spans its incident only: points and windows fill it, labels
// name steps once per cluster and stay inside the plot, and windows say
// their outcome.
func TestZoomLane(t *testing.T) {
	down := kstAt(6, 25, 40)
	root := laneFinding("f1", engine.Unresolved, engine.ReasonEndOfLog, []string{"upgrade", "down"}, []time.Time{kstAt(6, 0, 12), down},
		[]engine.Absence{{Step: "restart", Start: down, End: down.Add(30 * time.Minute), For: 30 * time.Minute}})
	var times []time.Time
	var steps []string
	for i := range 5 {
		times = append(times, kstAt(6, 29, 0).Add(time.Duration(i)*time.Second))
		steps = append(steps, "notready")
	}
	symptom := laneFinding("f2", engine.Confirmed, "", steps, times, nil)
	// A window without an end, and one anchored at an unknown time,
	// which is not drawn.
	open := laneFinding("f3", engine.Boundary, engine.ReasonReboot, []string{"down"}, []time.Time{kstAt(6, 40, 0)},
		[]engine.Absence{{Step: "restart", Start: kstAt(6, 40, 0), For: time.Hour}, {Step: "later", For: time.Hour}})
	// The log ends 5 minutes into the root's window.
	p := &htmlPage{R: &Report{Coverage: Coverage{Sources: []ingest.SourceStats{{Last: down.Add(5 * time.Minute)}}}}, Loc: kst}
	// A reboot 10 minutes into a window.
	rebooted := laneFinding("f4", engine.Boundary, engine.ReasonReboot, []string{"down"}, []time.Time{kstAt(6, 20, 0)},
		[]engine.Absence{{Step: "restart", Start: kstAt(6, 20, 0), End: kstAt(6, 50, 0), For: 30 * time.Minute}})
	rebooted.End = kstAt(6, 30, 0)
	z := p.zoomLane(&Incident{Root: root, Symptoms: []*Finding{symptom, open, rebooted}}, []*Finding{root, symptom, open, rebooted})
	if z == nil || len(z.Rows) != 4 {
		t.Fatalf("lane %+v", z)
	}
	xs := func(ps []htmlPoint) (lo, hi float64) {
		lo, hi = 1e9, -1e9
		for _, p := range ps {
			v, _ := strconv.ParseFloat(p.X, 64)
			lo, hi = min(lo, v), max(hi, v)
		}
		return lo, hi
	}
	// 06:00:12 .. 06:55:40, padded by a fortieth each side.
	if lo, hi := xs(z.Rows[0].Points); lo > laneLeft+30 || hi-lo < 0.4*(laneRight-laneLeft) {
		t.Errorf("root points at %.1f .. %.1f of %v .. %v", lo, hi, laneLeft, laneRight)
	}
	w := z.Rows[0].Windows
	if len(w) != 1 || w[0].Class != "window unresolved" || w[0].Label != "restart: absent 30m, unresolved (end of log); seen 5m of it" {
		t.Errorf("root window %+v", w)
	} else {
		x, wd, cut := mustFloat(w[0].X), mustFloat(w[0].W), mustFloat(w[0].CutX)
		if x+wd > laneRight {
			t.Errorf("window runs past the plot: %+v", w[0])
		}
		if seen := (cut - x) / wd; seen < 0.16 || seen > 0.17 {
			t.Errorf("the log's end is drawn %.3f into the window, want 5/30", seen)
		}
	}
	var labels []string
	for _, p := range z.Rows[1].Points {
		if p.Label != "" {
			labels = append(labels, p.Label)
		}
	}
	if len(z.Rows[1].Points) != 5 || !slices.Equal(labels, []string{"notready"}) {
		t.Errorf("five points a second apart: %d points, labels %q", len(z.Rows[1].Points), labels)
	}
	if w := z.Rows[2].Windows; len(w) != 1 || w[0].Class != "window boundary" ||
		w[0].Label != "restart: absent, no end, boundary (reboot)" || w[0].CutX != "" {
		t.Errorf("open window %+v", w)
	}
	if w := z.Rows[3].Windows; len(w) != 1 || w[0].Label != "restart: absent 30m, boundary (reboot); seen 10m of it" || w[0].CutX == "" {
		t.Errorf("window cut by a reboot %+v", w)
	}
	for _, r := range z.Rows {
		for _, p := range r.Points {
			if p.Label == "" {
				continue
			}
			x := mustFloat(p.LabelX)
			n := float64(len(p.Label)) * laneCharW
			switch p.Anchor {
			case "start":
				if x+n > laneRight {
					t.Errorf("label %q at %v runs past the plot", p.Label, x)
				}
			case "end":
				if x-n < laneLeft {
					t.Errorf("label %q at %v starts before the plot", p.Label, x)
				}
			}
		}
	}
	if z.From != "2025-11-10T05:58:48+09:00" || len(z.Ticks) == 0 {
		t.Errorf("lane from %s, ticks %+v", z.From, z.Ticks)
	}
}

func mustFloat(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(err)
	}
	return v
}

func TestFreeLevel(t *testing.T) {
	for _, c := range []struct {
		ends []float64
		left float64
		want int
	}{
		{[]float64{-1, -1}, 0, 0},
		{[]float64{50, -1}, 40, 1}, // the first line is taken there
		{[]float64{50, 30}, 60, 0}, // both free: the lowest
		{[]float64{50, 45}, 40, 1}, // both taken: the one free first
		{[]float64{50, 80}, 40, 0},
	} {
		if got := freeLevel(c.ends, c.left); got != c.want {
			t.Errorf("freeLevel(%v, %v) = %d, want %d", c.ends, c.left, got, c.want)
		}
	}
}
