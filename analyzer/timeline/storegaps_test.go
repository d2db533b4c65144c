package timeline

import (
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
)

// activity builds a host's activity over 24 h in 30-minute buckets:
// every rows per bucket, but none in the buckets silences cover.
func activity(host string, every time.Duration, silences ...ingest.Silence) ingest.HostActivity {
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	a := ingest.HostActivity{Host: host, Bucket: 30 * time.Minute, Start: t0, Counts: make([]int64, 48), Silences: silences}
	for b := range a.Counts {
		bs := t0.Add(time.Duration(b) * a.Bucket)
		quiet := false
		for _, s := range silences {
			if !bs.Before(s.From.Truncate(a.Bucket).Add(a.Bucket)) && bs.Add(a.Bucket).Before(s.To.Add(a.Bucket)) && bs.Before(s.To.Truncate(a.Bucket)) {
				quiet = true
			}
		}
		if !quiet {
			a.Counts[b] = int64(max(a.Bucket/every, 1))
		}
	}
	return a
}

func TestActivityGaps(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2025, 3, 1, h, m, 7, 0, time.UTC) }
	tests := []struct {
		name    string
		act     ingest.HostActivity
		gaps    []ingest.Silence
		typical [2]time.Duration // bounds of the typical spacing
	}{
		{"steady, every 10s", activity("steady", 10*time.Second), nil, [2]time.Duration{9 * time.Second, 11 * time.Second}},
		{"silent 3h of every minute", activity("napper", time.Minute, ingest.Silence{From: at(9, 1), To: at(12, 2)}),
			[]ingest.Silence{{From: at(9, 1), To: at(12, 2)}}, [2]time.Duration{50 * time.Second, 70 * time.Second}},
		{"two silences, one under the 1h floor", activity("two", time.Minute, ingest.Silence{From: at(2, 10), To: at(3, 5)}, ingest.Silence{From: at(15, 0), To: at(20, 30)}),
			[]ingest.Silence{{From: at(15, 0), To: at(20, 30)}}, [2]time.Duration{50 * time.Second, 70 * time.Second}},
		// every 5 minutes: a silence must exceed 100 minutes
		{"90 minutes of every 5", activity("slow", 5*time.Minute, ingest.Silence{From: at(4, 0), To: at(5, 30)}), nil,
			[2]time.Duration{4 * time.Minute, 6 * time.Minute}},
		{"2 hours of every 5", activity("slow", 5*time.Minute, ingest.Silence{From: at(4, 0), To: at(6, 0)}),
			[]ingest.Silence{{From: at(4, 0), To: at(6, 0)}}, [2]time.Duration{4 * time.Minute, 6 * time.Minute}},
		// a host that logs every 10 hours: its silences are its rhythm
		{"every 10 hours", func() ingest.HostActivity {
			a := ingest.HostActivity{Host: "sparse", Bucket: 30 * time.Minute, Start: at(0, 0).Truncate(time.Hour), Counts: make([]int64, 48)}
			a.Counts[0], a.Counts[20], a.Counts[40] = 1, 1, 1
			a.Silences = []ingest.Silence{{From: at(0, 0), To: at(10, 0)}, {From: at(10, 0), To: at(20, 0)}}
			return a
		}(), nil, [2]time.Duration{10 * time.Hour, 10 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ := typicalSpacing(tt.act)
			if typ < tt.typical[0] || typ > tt.typical[1] {
				t.Errorf("typical spacing %v, want %v..%v", typ, tt.typical[0], tt.typical[1])
			}
			gaps := activityGaps("victorialogs:127.0.0.1:9428", []ingest.HostActivity{tt.act})
			if len(gaps) != len(tt.gaps) {
				t.Fatalf("gaps %+v, want %v", gaps, tt.gaps)
			}
			for i, g := range gaps {
				if !g.From.Equal(tt.gaps[i].From) || !g.To.Equal(tt.gaps[i].To) || g.Host != tt.act.Host ||
					g.Source != "victorialogs:127.0.0.1:9428:"+tt.act.Host || g.Typical != typ {
					t.Errorf("gap %d: %+v, want %v of %s", i, g, tt.gaps[i], tt.act.Host)
				}
			}
		})
	}
}

func TestActivityBucket(t *testing.T) {
	for _, tt := range []struct{ span, want time.Duration }{
		{6 * time.Hour, 30 * time.Minute},
		{30 * 24 * time.Hour, 30 * time.Minute},
		{100 * 24 * time.Hour, 72 * time.Minute}, // a 2000th
		{365 * 24 * time.Hour, 263 * time.Minute},
	} {
		if got := ActivityBucket(tt.span); got != tt.want {
			t.Errorf("ActivityBucket(%v) = %v, want %v", tt.span, got, tt.want)
		}
	}
}

// TestBuildStoreGaps: from a store, the gaps are the hosts' silences in
// the store, not the silences between the candidates the collector saw.
func TestBuildStoreGaps(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	c := NewCollector(CollectorOptions{})
	var evs []*event.Event
	// A brute force at 01:00 and another at 14:00: 13 hours between
	// candidates, while the host logged on.
	for _, start := range []time.Time{t0.Add(time.Hour), t0.Add(14 * time.Hour)} {
		for i := range 30 {
			evs = append(evs, ev(start.Add(time.Duration(i)*time.Second), "victorialogs:127.0.0.1:9428:h/sshd", 0, "sshd", "Invalid user admin from 203.0.113.9 port 4022"))
		}
	}
	feed(c, evs, nil)
	if len(c.gapList()) == 0 {
		t.Fatal("the candidates alone give no gap: the test shows nothing")
	}
	silence := ingest.Silence{From: t0.Add(5 * time.Hour), To: t0.Add(9 * time.Hour)}
	r := Build(Input{Collector: c, Store: "victorialogs:127.0.0.1:9428",
		Activity: []ingest.HostActivity{activity("h", time.Second, silence)}})
	if len(r.Coverage.Gaps) != 1 || !r.Coverage.Gaps[0].From.Equal(silence.From) || r.Coverage.Gaps[0].Source != "victorialogs:127.0.0.1:9428:h" {
		t.Errorf("gaps %+v, want the store's one", r.Coverage.Gaps)
	}
	if r := Build(Input{Collector: c, Store: "victorialogs:127.0.0.1:9428"}); len(r.Coverage.Gaps) != 0 {
		t.Errorf("a store without silences: gaps %+v", r.Coverage.Gaps)
	}
}
