package timeline

import (
	"sort"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/ingest"
)

// maxActivityBuckets bounds the buckets a store counts each host's rows
// in (ActivityBucket).
const maxActivityBuckets = 2000

// ActivityBucket is the bucket a store counts each host's rows in over
// span for the coverage's gaps (ingest.Store.Activity): half the
// shortest gap, so that every silence long enough to be one holds a
// whole bucket and is found; over a span longer than 41 days, a 2000th
// of it in whole minutes, to keep the reply small (silences shorter
// than two buckets may then go unseen).
func ActivityBucket(span time.Duration) time.Duration {
	b := gapFloor / 2
	if long := span / maxActivityBuckets; long > b {
		b = (long + time.Minute - 1).Truncate(time.Minute)
	}
	return b
}

// activityGaps returns the gaps of a store's hosts by the rule of a
// source's (gapList): each silence of a host longer than max(1h, 20×
// the host's typical spacing), by host, then time. store names the
// store in each gap's source ("victorialogs:HOST:PORT:web-3").
func activityGaps(store string, acts []ingest.HostActivity) []Gap {
	var out []Gap
	for _, a := range acts {
		typical := typicalSpacing(a)
		limit := max(gapFloor, gapFactor*typical)
		for _, s := range a.Silences {
			if s.To.Sub(s.From) > limit {
				out = append(out, Gap{Source: store + ":" + orDash(a.Host), Host: a.Host, From: s.From, To: s.To, Typical: typical})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Host != out[j].Host {
			return out[i].Host < out[j].Host
		}
		return out[i].From.Before(out[j].From)
	})
	return out
}

// typicalSpacing estimates the median spacing between a host's rows from
// its rows per bucket, as a source's median spacing is taken from every
// spacing between its events: a bucket of n rows holds n-1 spacings of
// about Bucket/n, two neighbouring buckets one more of about the same,
// and each silence one of its exact length (a host that logs every 10
// hours has a typical spacing of 10 hours, not of a bucket).
func typicalSpacing(a ingest.HostActivity) time.Duration {
	type spacings struct {
		d time.Duration
		n int64
	}
	var all []spacings
	var total int64
	add := func(d time.Duration, n int64) {
		if n > 0 {
			all = append(all, spacings{d, n})
			total += n
		}
	}
	prev := -1
	for b, n := range a.Counts {
		if n == 0 {
			continue
		}
		add(a.Bucket/time.Duration(n), n-1)
		if prev >= 0 && prev == b-1 {
			add(a.Bucket/time.Duration(max((a.Counts[prev]+n)/2, 1)), 1)
		}
		prev = b
	}
	for _, s := range a.Silences {
		add(s.To.Sub(s.From), 1)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].d < all[j].d })
	half, seen := (total+1)/2, int64(0)
	for _, s := range all {
		if seen += s.n; seen >= half {
			return s.d
		}
	}
	return 0
}
