package ingest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// Store is a log store that holds a fleet's logs and runs logsleuth's
// prefilter where they are (fleet mode): only candidate events travel.
// VictoriaLogs is one (VictoriaLogs); another store implements the same
// two methods and the engine does not change.
type Store interface {
	// Name says which store, for coverage and evidence
	// ("victorialogs:127.0.0.1:9428").
	Name() string
	// Candidates calls yield with the events of q's range that q's
	// filter may match, in time order (a stable order for equal times).
	// ev is reused after yield returns. A store that cannot return every
	// candidate returns an error: nothing is reported as complete that
	// was not.
	Candidates(ctx context.Context, q StoreQuery, yield func(ev *event.Event) error) (StoreStats, error)
	// Coverage counts, per host and program, every row of q's range
	// and hosts (q's filter is not applied), with an aggregate query:
	// the rows themselves are not fetched.
	Coverage(ctx context.Context, q StoreQuery) ([]StreamCoverage, error)
	// Activity counts the rows of each host of q's range and hosts per
	// bucket of time (q's filter is not applied), and finds the exact
	// bounds of each silence that holds a whole bucket, with aggregate
	// queries: the rows themselves are not fetched. By host.
	Activity(ctx context.Context, q StoreQuery, bucket time.Duration) ([]HostActivity, error)
	// Counts counts, for each of conds, the rows of q's range and hosts
	// that pass its condition (within its own range and host, where it
	// sets them), with aggregate queries (one while they fit the
	// server's query limit): what fetching them would cost. q's filter
	// is not applied.
	Counts(ctx context.Context, q StoreQuery, conds []WindowedFilter) ([]int64, error)
	// Partial says, after Coverage or Candidates, why what they
	// returned is only part of what the store holds (a cluster node
	// that did not answer), or "" when it is all of it.
	Partial() string
}

// StreamCoverage is what the store holds of one host and program in a
// range.
type StreamCoverage struct {
	Host, Program string
	Rows          int64
	First, Last   time.Time
}

// HostActivity is what a store holds of one host in a range: its rows
// per bucket of time, and its silences.
type HostActivity struct {
	Host string
	// Bucket is the span each of Counts counts the rows of; Start is the
	// first bucket's start (a multiple of Bucket since the Unix epoch,
	// at or before the range's start).
	Bucket time.Duration
	Start  time.Time
	Counts []int64
	// Silences are the spans without a row of the host that hold a
	// whole bucket or more, so every silence longer than 2×Bucket: From
	// is the time of the last row before it, To of the first row after.
	// Before the host's first row and after its last are not silences.
	Silences []Silence
}

// Silence is a span without rows, between the rows at From and To.
type Silence struct{ From, To time.Time }

// StoreFilter is the engine's prefilter (engine.Pushdown) as the store
// sees it: an event is a candidate when its message holds one of
// Literals (case-sensitive substrings), its program is one of Programs
// or its unit one of Units, or it passes one of Terms; every event when
// All.
type StoreFilter struct {
	Literals, Programs, Units []string
	Terms                     []event.Filter
	All                       bool
	// ErrorLevel also asks for the events of priority err (3) or more
	// severe: the timeline's unexplained error-level lines.
	ErrorLevel bool
	// ErrorSince and ErrorUntil, when set, ask for the error-level
	// events of this range only (both inclusive): the report's range,
	// whose error lines the timeline shows, within the query's range,
	// which a correlation margin widens.
	ErrorSince, ErrorUntil time.Time
	// Windowed are conditions fetched only inside their own ranges
	// (engine.WindowedTerm: a later sequence step's events, wanted only
	// shortly after a match of the step before).
	Windowed []WindowedFilter
}

// WindowedFilter asks for the events that pass Cond in [Since, Until]
// (both inclusive), of Host when it is set.
type WindowedFilter struct {
	Cond         event.Filter
	Host         string
	Since, Until time.Time
}

// MergeWindows merges, of each condition and host, the windows that
// overlap or touch, and returns them sorted by condition, host and
// start. The windows of a condition that has more than maxPerCond left
// become one that spans them all, whatever the host: so many that
// fetching the condition over the range costs little more.
func MergeWindows(ws []WindowedFilter, maxPerCond int) []WindowedFilter {
	type keyed struct {
		cond string
		w    WindowedFilter
	}
	ks := make([]keyed, len(ws))
	for i, w := range ws {
		ks[i] = keyed{fmt.Sprint(w.Cond), w}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		if c := strings.Compare(a.cond, b.cond); c != 0 {
			return c
		}
		if c := strings.Compare(a.w.Host, b.w.Host); c != 0 {
			return c
		}
		return a.w.Since.Compare(b.w.Since)
	})
	var out []WindowedFilter
	for i := 0; i < len(ks); {
		j := i
		var merged []WindowedFilter
		for ; j < len(ks) && ks[j].cond == ks[i].cond; j++ {
			w := ks[j].w
			if n := len(merged); n > 0 && merged[n-1].Host == w.Host && !w.Since.After(merged[n-1].Until) {
				if w.Until.After(merged[n-1].Until) {
					merged[n-1].Until = w.Until
				}
				continue
			}
			merged = append(merged, w)
		}
		if len(merged) > maxPerCond {
			all := WindowedFilter{Cond: merged[0].Cond, Since: merged[0].Since, Until: merged[0].Until}
			for _, w := range merged {
				all.Since = event.MinTime(all.Since, w.Since)
				if w.Until.After(all.Until) {
					all.Until = w.Until
				}
			}
			merged = []WindowedFilter{all}
		}
		out = append(out, merged...)
		i = j
	}
	return out
}

// StoreQuery is what the store is asked for.
type StoreQuery struct {
	Filter StoreFilter
	// Since and Until bound the range, both inclusive (as --since and
	// --until); both are required.
	Since, Until time.Time
	// Hosts, when set, keeps only these hosts.
	Hosts []string
	// Rows, when known, is about how many rows the store holds in the
	// range (EstimateRows): a store sizes its fetches by it.
	Rows int64
}

// EstimateRows is about how many rows of cov lie in [since, until]:
// each stream's rows in proportion to the part of its first..last
// that the range overlaps.
func EstimateRows(cov []StreamCoverage, since, until time.Time) int64 {
	var n float64
	for _, c := range cov {
		a, b := c.First, c.Last
		if since.After(a) {
			a = since
		}
		if until.Before(b) {
			b = until
		}
		switch span := c.Last.Sub(c.First); {
		case b.Before(a):
		case span <= 0:
			n += float64(c.Rows)
		default:
			n += float64(c.Rows) * float64(b.Sub(a)) / float64(span)
		}
	}
	return int64(n + 0.5)
}

// StoreStats describes what a store returned.
type StoreStats struct {
	Queries int   // requests sent (windows × query parts)
	Rows    int64 // rows received (a retried window's again)
	// ErrorRows are the rows of Rows that only the error-level filter
	// asked for (StoreFilter.ErrorLevel); the rest are candidates.
	ErrorRows int64
	Bytes     int64 // response bytes read (after decompression)
	Retries   int
	// First and Last are the earliest and latest event time returned.
	First, Last time.Time
}

// Add adds o, what another fetch returned, to s.
func (s *StoreStats) Add(o StoreStats) {
	s.Queries += o.Queries
	s.Rows += o.Rows
	s.ErrorRows += o.ErrorRows
	s.Bytes += o.Bytes
	s.Retries += o.Retries
	if !o.First.IsZero() && (s.First.IsZero() || o.First.Before(s.First)) {
		s.First = o.First
	}
	if o.Last.After(s.Last) {
		s.Last = o.Last
	}
}

// rowEvent fills ev from one stored row (flat string fields), whatever
// path it was ingested by: journald upload (_HOSTNAME, SYSLOG_IDENTIFIER,
// _PID, PRIORITY, _SYSTEMD_UNIT, _BOOT_ID, ... kept as journal fields),
// syslog (hostname, app_name, proc_id, severity) or JSON lines in either
// naming or logsleuth's own (host, program, pid, unit, priority). The
// time is _time, the message _msg. src names the store in the event's
// source: "victorialogs:HOST/app" with the time as position.
func rowEvent(row *vlRow, t time.Time, src string, p *parse.Parser, ev *event.Event) {
	if isJournalRow(row) {
		fs := make([]parse.JournalField, 0, len(row.fields)+1)
		fs = append(fs, parse.JournalField{Key: []byte("__REALTIME_TIMESTAMP"), Value: strconv.AppendInt(nil, t.UnixMicro(), 10)})
		_, hasPriority := row.get("PRIORITY")
		for _, f := range row.fields {
			k, v := f.key, f.value
			switch k {
			case "_time", "_stream", "_stream_id", "__REALTIME_TIMESTAMP":
				continue
			case "level":
				// The server's name for PRIORITY (journald has no
				// lower-case fields): as a field it would shadow the
				// level a message's payload gives.
				if hasPriority {
					continue
				}
			case "_msg":
				k = "MESSAGE"
			}
			fs = append(fs, parse.JournalField{Key: []byte(k), Value: []byte(v)})
		}
		parse.FromJournalFields(fs, ev)
		ev.Time = t
	} else {
		host := firstOf(row, "hostname", "host")
		prog := firstOf(row, "app_name", "program")
		pid := firstOf(row, "proc_id", "pid")
		msg := row.value("_msg")
		ev.Reset()
		if host != "" && prog != "" && !strings.ContainsAny(host+prog+pid, " \n[]") {
			// The line rsyslog would have written: the syslog parser
			// then reads it as it reads a file (units, lifecycle,
			// payload), so a stored event equals the local one.
			line := make([]byte, 0, 64+len(msg))
			line = t.UTC().AppendFormat(line, time.RFC3339Nano)
			line = append(line, ' ')
			line = append(line, host...)
			line = append(line, ' ')
			line = append(line, prog...)
			if pid != "" && pid != "-" {
				line = append(line, '[')
				line = append(line, pid...)
				line = append(line, ']')
			}
			line = append(line, ": "...)
			line = append(line, msg...)
			p.ParseLine(line, &parse.Options{Location: time.UTC}, ev)
		}
		// The parser may take a prefix of the message for a field (the
		// kernel's printk stamp): the rest is still the row's text.
		// sshd(pam_unix) is program sshd with a subsystem, as in a file.
		if ev.Host != host || ev.Program != prog && !strings.HasPrefix(prog, ev.Program+"(") ||
			!strings.HasSuffix(msg, ev.Message) || ev.Message == "" && msg != "" {
			// Not a syslog header after all: the row as it is.
			ev.Reset()
			ev.Host, ev.Program, ev.Message = host, prog, msg
			ev.PID, _ = strconv.Atoi(pid)
			ev.Source.Format = "victorialogs"
			// A JSON-lines row's other fields are the event's fields
			// (a syslog line's come from its message, parsed above).
			for _, f := range row.fields {
				if !rowColumns[f.key] {
					ev.Fields = append(ev.Fields, event.Field{Key: f.key, Value: f.value})
				}
			}
			sort.Slice(ev.Fields, func(i, j int) bool { return ev.Fields[i].Key < ev.Fields[j].Key })
		}
		ev.Time, ev.TimeQuality = t, event.TimeExact
		if ev.Priority == event.NoPriority {
			if pr, ok := event.ParsePriority(firstOf(row, "severity", "priority", "level")); ok {
				ev.Priority = pr
			}
		}
		if ev.Unit == "" {
			ev.Unit = row.value("unit")
		}
	}
	if ev.Host != "" {
		ev.Source.Path = src + ":" + ev.Host + "/" + orDashStr(ev.Program)
	} else {
		// Host-less rows are one source: the engine correlates them by
		// source, as it does the lines of one host-less file.
		ev.Source.Path = src + ":-"
	}
	ev.Source.Line = 0
	ev.Source.Cursor = t.UTC().Format(time.RFC3339Nano)
}

// rowColumns are the row fields the event model has a column for, and
// the store's own.
var rowColumns = map[string]bool{
	"_time": true, "_msg": true, "_stream": true, "_stream_id": true, "seq": true,
	"hostname": true, "host": true, "app_name": true, "program": true, "proc_id": true, "pid": true,
	"unit": true, "severity": true, "priority": true, "facility": true, "facility_keyword": true, "format": true,
}

// isJournalRow: the row came from systemd-journal-upload (or JSON lines
// in the journal's naming).
func isJournalRow(row *vlRow) bool {
	for _, f := range row.fields {
		switch f.key {
		case "_HOSTNAME", "SYSLOG_IDENTIFIER", "_SYSTEMD_UNIT", "PRIORITY", "_BOOT_ID", "_TRANSPORT":
			return true
		}
	}
	return false
}

// firstOf is the first of keys that row holds a value for.
func firstOf(row *vlRow, keys ...string) string {
	for _, k := range keys {
		if v := row.value(k); v != "" {
			return v
		}
	}
	return ""
}

func orDashStr(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
