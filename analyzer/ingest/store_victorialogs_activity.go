package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// vlHostFields are the fields a host's name is stored in, by ingestion
// path (syslog, journald upload, JSON lines in logsleuth's naming).
const vlHostFields = "hostname, _HOSTNAME, host"

// Activity implements Store with two stats queries: rows per host and
// bucket (a count, which the server answers from its block headers
// for most blocks), then the first and last row's time in the buckets
// either side of each run of empty ones (only those buckets' rows are
// read). Each is retried as a window is.
func (v *VictoriaLogs) Activity(ctx context.Context, q StoreQuery, bucket time.Duration) ([]HostActivity, error) {
	if q.Since.IsZero() || q.Until.IsZero() || q.Until.Before(q.Since) {
		return nil, errors.New("victorialogs: a time range is required")
	}
	if bucket < time.Second || bucket%time.Second != 0 {
		return nil, fmt.Errorf("victorialogs: activity bucket %v: want whole seconds", bucket)
	}
	step := strconv.FormatInt(int64(bucket/time.Second), 10) + "s"
	// The server's buckets are multiples of the step since the epoch.
	start := time.Unix(0, q.Since.UnixNano()-q.Since.UnixNano()%int64(bucket)).UTC()
	nb := int(q.Until.Sub(start)/bucket) + 1
	byHost := map[string]*HostActivity{}
	err := v.retry(ctx, &StoreStats{}, func() error {
		clear(byHost)
		return v.stats(ctx, vlHostFilter(q.Hosts)+"* | stats by (_time:"+step+", "+vlHostFields+") count() as rows", q.Since, q.Until,
			func(row *vlRow) error {
				b, err := time.Parse(time.RFC3339Nano, row.value("_time"))
				if err != nil {
					return fmt.Errorf("bad bucket time %q", row.value("_time"))
				}
				n, err := strconv.ParseInt(row.value("rows"), 10, 64)
				if err != nil {
					return fmt.Errorf("bad count %q", row.value("rows"))
				}
				i := int(b.Sub(start) / bucket)
				if i < 0 || i >= nb {
					return fmt.Errorf("bucket %s outside the range", row.value("_time"))
				}
				host := firstOf(row, "hostname", "_HOSTNAME", "host")
				a := byHost[host]
				if a == nil {
					a = &HostActivity{Host: host, Bucket: bucket, Start: start, Counts: make([]int64, nb)}
					byHost[host] = a
				}
				a.Counts[i] += n
				return nil
			})
	})
	if err != nil {
		return nil, fmt.Errorf("activity: %w", err)
	}
	out := make([]HostActivity, 0, len(byHost))
	for _, a := range byHost {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Host < out[j].Host })

	// The buckets either side of each run of empty buckets, and the
	// silences they bound.
	type edge struct {
		host string
		b    int // bucket index
	}
	type pending struct {
		act           *HostActivity
		before, after int
	}
	var silences []pending
	edges := map[int]bool{}
	for i := range out {
		prev := -1
		for b, n := range out[i].Counts {
			if n == 0 {
				continue
			}
			if prev >= 0 && b > prev+1 {
				silences = append(silences, pending{&out[i], prev, b})
				edges[prev], edges[b] = true, true
			}
			prev = b
		}
	}
	if len(silences) == 0 {
		return out, nil
	}
	idx := make([]int, 0, len(edges))
	for b := range edges {
		idx = append(idx, b)
	}
	sort.Ints(idx)
	first, last := map[edge]time.Time{}, map[edge]time.Time{}
	// Several queries when the edges are many: each time filter is
	// some 60 bytes, far under the query limit in batches of 100.
	for len(idx) > 0 {
		batch := idx[:min(len(idx), 100)]
		idx = idx[len(batch):]
		ranges := make([]string, len(batch))
		for k, b := range batch {
			bs := start.Add(time.Duration(b) * bucket)
			ranges[k] = "_time:[" + bs.UTC().Format(time.RFC3339Nano) + ", " + bs.Add(bucket).UTC().Format(time.RFC3339Nano) + ")"
		}
		query := vlHostFilter(q.Hosts) + "(" + strings.Join(ranges, " OR ") + ") | stats by (_time:" + step + ", " + vlHostFields +
			") min(_time) as first, max(_time) as last"
		err := v.retry(ctx, &StoreStats{}, func() error {
			return v.stats(ctx, query, q.Since, q.Until, func(row *vlRow) error {
				bt, err := time.Parse(time.RFC3339Nano, row.value("_time"))
				f, err1 := time.Parse(time.RFC3339Nano, row.value("first"))
				l, err2 := time.Parse(time.RFC3339Nano, row.value("last"))
				if err != nil || err1 != nil || err2 != nil {
					return fmt.Errorf("bad times %q, %q, %q", row.value("_time"), row.value("first"), row.value("last"))
				}
				k := edge{firstOf(row, "hostname", "_HOSTNAME", "host"), int(bt.Sub(start) / bucket)}
				if t, ok := first[k]; !ok || f.Before(t) {
					first[k] = f
				}
				if l.After(last[k]) {
					last[k] = l
				}
				return nil
			})
		})
		if err != nil {
			return nil, fmt.Errorf("activity: %w", err)
		}
	}
	for _, s := range silences {
		from, ok1 := last[edge{s.act.Host, s.before}]
		to, ok2 := first[edge{s.act.Host, s.after}]
		if !ok1 || !ok2 {
			// Rows counted a moment ago and gone now (retention):
			// the silence's bounds are unknown.
			return nil, fmt.Errorf("activity: no rows of %s around a silence the counts showed", s.act.Host)
		}
		s.act.Silences = append(s.act.Silences, Silence{From: from, To: to})
	}
	return out, nil
}

// stats runs a stats query over [since, until] and calls f with each row
// of its reply.
func (v *VictoriaLogs) stats(ctx context.Context, query string, since, until time.Time, f func(*vlRow) error) error {
	r, err := v.open(ctx, query, since, until.Add(time.Nanosecond))
	if err != nil {
		return err
	}
	defer r.close()
	for {
		row, err := r.nextRow()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if err := f(row); err != nil {
			return err
		}
	}
}
