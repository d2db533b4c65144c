package ingest

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// VictoriaLogs is a Store backed by a VictoriaLogs server (single node or
// vlselect of a cluster), queried over its HTTP API with LogsQL
// (../shared/research/fleet-victorialogs.md).
type VictoriaLogs struct {
	// URL is the server's base URL ("http://127.0.0.1:9428"); user info
	// in it is sent as basic auth.
	URL string
	// AccountID and ProjectID select the tenant ("" = the default, 0).
	AccountID, ProjectID string
	// BearerToken, when set, is sent as "Authorization: Bearer ...".
	BearerToken string
	// Client sends the requests; nil: a client with a 30 s response
	// header timeout.
	Client *http.Client
	// Window is the span of one fetch: each window is sorted by the
	// server and fetched after the one before, so neither side holds
	// more than a window's candidates. 0: 6 h.
	Window time.Duration
	// MaxQueryLen is the server's -search.maxQueryLen; a longer filter
	// is split into several queries merged here. 0: 16 KiB.
	MaxQueryLen int
	// Retries is how many times a failed window is fetched again (with
	// backoff) before the run fails. 0: 3; negative: none.
	Retries int
	// Backoff is the first retry's delay, doubled each time. 0: 500 ms.
	Backoff time.Duration
	// AllowPartial reads what a cluster's other storage nodes hold when
	// one does not answer, instead of failing (ErrStorageNodeDown); the
	// stats then say the rows are partial. Otherwise every query asks
	// for a complete answer, whatever vlselect's
	// -search.allowPartialResponse says.
	AllowPartial bool
	// partial is the server's word on the node that did not answer,
	// once one did not (AllowPartial).
	partial string
	// Timeout is the longest wait for the next byte of a reply (the
	// first one included: a sorted window answers only once the server
	// has sorted it); then the request is dropped and retried. 0: 60 s.
	Timeout time.Duration
}

// Name implements Store.
func (v *VictoriaLogs) Name() string {
	u, err := url.Parse(v.URL)
	if err != nil || u.Host == "" {
		return "victorialogs"
	}
	return "victorialogs:" + u.Host
}

// vlSortBy orders rows by time and then by a tie-break that is the same
// on every run and every node: a shipper's seq field (JSON lines; the
// server keeps no insertion order), the stream, then the message
// (identical rows are interchangeable). Before it, the fields no event
// reads are dropped (rowEvent: the stream's text, which _stream_id
// names, and the syslog columns rowColumns ignores), a quarter of a
// syslog row's bytes, so the server sorts and sends less.
const vlSortBy = " | delete _stream, facility, facility_keyword, format | sort by (_time, seq, _stream_id, _msg)"

// LogsQL returns the queries (one, or several when the filter is longer
// than maxLen) whose union is exactly q's candidates, each ending in the
// sort. Since and Until are passed as the request's start and end, not
// in the query.
func LogsQL(q StoreQuery, maxLen int) ([]string, error) {
	qs, err := vlQueries(q, maxLen)
	texts := make([]string, len(qs))
	for i, vq := range qs {
		texts[i] = vq.text
	}
	return texts, err
}

// vlQuery is one query of a fetch; errorLevel: it holds only the
// error-level terms (StoreFilter.ErrorLevel), which never share a query
// with candidate terms, so a row is known to be a candidate or only an
// error-level row.
type vlQuery struct {
	text       string
	errorLevel bool
}

func vlQueries(q StoreQuery, maxLen int) ([]vlQuery, error) {
	if maxLen <= 0 {
		maxLen = 16 << 10
	}
	prefix := vlHostFilter(q.Hosts)
	if q.Filter.All {
		return []vlQuery{{text: prefix + "*" + vlSortBy}}, nil
	}
	fixed := len(prefix) + len("()") + len(vlSortBy)
	var queries []vlQuery
	var cur []string
	size := fixed
	flush := func(errorLevel bool) {
		if len(cur) > 0 {
			queries = append(queries, vlQuery{prefix + "(" + strings.Join(cur, " OR ") + ")" + vlSortBy, errorLevel})
			cur, size = nil, fixed
		}
	}
	for k, terms := range [2][]string{vlTerms(q.Filter), vlErrorLevelTerms(q.Filter)} {
		for _, t := range terms {
			if fixed+len(t) > maxLen {
				return nil, fmt.Errorf("victorialogs: one filter term is %d bytes, over the server's query limit of %d: %.60s...", len(t), maxLen, t)
			}
			if size+len(t)+len(" OR ") > maxLen {
				flush(k == 1)
			}
			cur = append(cur, t)
			size += len(t) + len(" OR ")
		}
		flush(k == 1)
	}
	return queries, nil
}

// vlHostFilter keeps the rows of hosts, whatever path stored them.
func vlHostFilter(hosts []string) string {
	if len(hosts) == 0 {
		return ""
	}
	in := quoteList(hosts)
	return "(hostname:in(" + in + ") OR _HOSTNAME:in(" + in + ") OR host:in(" + in + ")) "
}

// vlTerms turns the filter's candidates into OR terms, each exact for
// logsleuth's semantics on the fields each ingestion path stores.
func vlTerms(f StoreFilter) []string {
	var terms []string
	for _, l := range f.Literals {
		if l != "" {
			terms = append(terms, vlLiteral(l))
		}
	}
	if len(f.Programs) > 0 {
		terms = append(terms, vlPrograms(f.Programs)...)
	}
	if len(f.Units) > 0 {
		terms = append(terms, vlUnits(f.Units)...)
	}
	for i := range f.Terms {
		terms = append(terms, vlCond(&f.Terms[i]))
	}
	return append(terms, vlWindowed(f.Windowed)...)
}

// vlErrorLevelTerms are the terms of f's error-level rows, if it asks
// for them.
func vlErrorLevelTerms(f StoreFilter) []string {
	switch {
	case !f.ErrorLevel:
		return nil
	case f.ErrorSince.IsZero() || f.ErrorUntil.IsZero():
		return vlErrorTerms
	}
	in := vlTimeRange(f.ErrorSince, f.ErrorUntil) + " "
	terms := make([]string, len(vlErrorTerms))
	for i, t := range vlErrorTerms {
		terms[i] = "(" + in + t + ")"
	}
	return terms
}

// vlWindowed turns windowed conditions (MergeWindows' order) into
// terms: one per condition and host, holding up to vlWindowsPerTerm of
// its time ranges, so a term stays far below the query limit.
func vlWindowed(ws []WindowedFilter) []string {
	var terms []string
	for i := 0; i < len(ws); {
		cond := vlCond(&ws[i].Cond)
		var b strings.Builder
		b.WriteByte('(')
		if ws[i].Host != "" {
			b.WriteString(vlHostFilter([]string{ws[i].Host}))
		}
		b.WriteByte('(')
		n := 0
		j := i
		for ; j < len(ws) && n < vlWindowsPerTerm && ws[j].Host == ws[i].Host && vlCond(&ws[j].Cond) == cond; j++ {
			if n > 0 {
				b.WriteString(" OR ")
			}
			b.WriteString("_time:[" + ws[j].Since.UTC().Format(time.RFC3339Nano) + ", " + ws[j].Until.UTC().Format(time.RFC3339Nano) + "]")
			n++
		}
		b.WriteString(") " + cond + ")")
		terms = append(terms, b.String())
		i = j
	}
	return terms
}

// vlWindowsPerTerm bounds the time ranges of one windowed term (about
// 70 bytes each).
const vlWindowsPerTerm = 64

// vlPrograms are the terms that hold the rows of programs: journal rows
// name it in SYSLOG_IDENTIFIER, else _COMM (as the journal reader takes
// it); a syslog row's app_name may add a subsystem (sshd(pam_unix) is
// program sshd).
func vlPrograms(programs []string) []string {
	in := quoteList(programs)
	terms := []string{"app_name:in(" + in + ")", "program:in(" + in + ")",
		"SYSLOG_IDENTIFIER:in(" + in + ")", `(SYSLOG_IDENTIFIER:"" AND _COMM:in(` + in + "))"}
	for _, p := range programs {
		terms = append(terms, "app_name:="+strconv.Quote(p+"(")+"*")
	}
	return terms
}

// vlUnits are the terms that hold the rows of units.
func vlUnits(units []string) []string {
	in := quoteList(units)
	terms := []string{"unit:in(" + in + ")", "UNIT:in(" + in + ")", "USER_UNIT:in(" + in + ")",
		`(UNIT:"" AND USER_UNIT:"" AND _SYSTEMD_UNIT:in(` + in + "))"}
	// Syslog rows carry no unit: systemd's own lines name it, or its
	// description, in the text. Substrings: a superset of what the
	// syslog parser reads as the unit.
	var words []string
	for _, u := range units {
		words = append(words, "*"+strconv.Quote(u)+"*")
		for _, d := range parse.DescriptionsOf(u) {
			words = append(words, "*"+strconv.Quote(d)+"*")
		}
	}
	for _, w := range words {
		terms = append(terms, `(app_name:in("systemd","init") AND `+w+")")
	}
	return terms
}

// vlCond is c as one LogsQL filter, exact as vlLiteral's: a prefix is
// the exact-prefix filter ="V"* (anchored at the message's start, which
// the phrase prefix "V"* is not), a whole message ="V".
func vlCond(c *event.Filter) string {
	var parts []string
	join := " OR "
	switch c.Op {
	case event.FilterAnd, event.FilterOr:
		if c.Op == event.FilterAnd {
			join = " "
		}
		for i := range c.Sub {
			parts = append(parts, vlCond(&c.Sub[i]))
		}
	case event.FilterNot:
		return "!" + vlCond(&c.Sub[0])
	case event.FilterContains:
		for _, v := range c.Values {
			parts = append(parts, vlLiteral(v))
		}
	case event.FilterStartsWith, event.FilterEquals:
		for _, v := range c.Values {
			q := "_msg:=" + strconv.Quote(v)
			if c.Op == event.FilterStartsWith {
				q += "*"
			}
			parts = append(parts, q)
		}
	case event.FilterProgram:
		parts = vlPrograms(c.Values)
	case event.FilterUnit:
		parts = vlUnits(c.Values)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, join) + ")"
}

// vlErrorTerms hold every row the timeline judges an error line
// (timeline.JudgeError), and more: a priority of err or worse in any
// field naming; a level word in the message in any case (logfmt's
// level=error, JSON's "level":"error", zerolog's ERR, logrus's ERRO,
// nginx's [crit], "error: " and "FATAL " openings); klog's E/F headers;
// exception names and tracebacks; the kernel's failure words; and
// systemd's lines about a failure. TestFleetErrorLevelPushdown checks it
// on every fixture.
var vlErrorTerms = func() []string {
	terms := []string{`PRIORITY:in("0","1","2","3")`, `severity:in("0","1","2","3")`,
		`priority:in("0","1","2","3")`, // (in any case, as the timeline reads a level; the regexp runs on
		// the few distinct values of the column, not on messages)
		`level:~"(?i)^(emerg|alert|crit|critical|fatal|panic|err|error)$"`}
	// Each spelling of each level word as its own word filter, which the
	// server answers from its word index: i(word) has none, and 13 of
	// them read every message 13 times (28 s over the 6.9M rows of the
	// 1 GiB bench corpus, against 1.1 s for the 544 spellings).
	var words []string
	for _, w := range []string{"error", "err", "erro", "fatal", "ftl", "panic", "pnc", "crit", "critical", "crt", "emerg", "alert", "severe"} {
		for _, v := range caseVariants(w) {
			words = append(words, strconv.Quote(v))
		}
	}
	terms = append(terms, "("+strings.Join(words, " OR ")+")",
		// klog and glog: E1202 06:20:21.433183 ... (the month's first digit)
		`"E0"*`, `"E1"*`, `"F0"*`, `"F1"*`,
		`*"Error"*`, `*"Exception"*`, `"Traceback"*`, `"BUG"*`, `"Oops"*`)
	var kernel []string
	for _, w := range []string{"error", "Error", "ERROR", "fail", "Fail", "FAIL", "BUG", "panic", "Oops",
		"Out of memory", "oom-kill", "segfault", "Call Trace", "blocked for more than"} {
		kernel = append(kernel, vlLiteral(w))
	}
	terms = append(terms, `((app_name:kernel OR SYSLOG_IDENTIFIER:kernel OR program:kernel OR _TRANSPORT:kernel) AND (`+strings.Join(kernel, " OR ")+"))",
		`((app_name:in("systemd","init") OR SYSLOG_IDENTIFIER:in("systemd","init") OR program:in("systemd","init")) AND (*"fail"* OR *"Fail"* OR *"FAIL"* OR i("start request repeated too quickly") OR *" process exited, code="*))`)
	return terms
}()

// caseVariants returns every spelling of the ASCII word w in upper and
// lower case: what i(w) matches.
func caseVariants(w string) []string {
	out := []string{""}
	for i := 0; i < len(w); i++ {
		lo, up := strings.ToLower(w[i:i+1]), strings.ToUpper(w[i:i+1])
		next := make([]string, 0, 2*len(out))
		for _, p := range out {
			next = append(next, p+lo)
			if up != lo {
				next = append(next, p+up)
			}
		}
		out = next
	}
	return out
}

// vlLiteral is the filter on _msg that holds exactly the messages with l
// as a substring. A phrase filter "l" checks word boundaries at an end of
// l that is a word character ("Out of memory: Kill" misses "...: Killed
// process"), so it is used only where l begins and ends with a non-word
// character; "l"* where only the end is a word character; *"l"*
// (a plain substring) otherwise. A substring filter has no index: the
// server reads every message of the range. So it is preceded by the
// longest word l holds whole (non-word characters on both sides within
// l), which every message holding l holds as a word too: the server
// skips the blocks whose word index lacks it ("password" for "Failed
// password for "). The answer is the same, found in a fraction of the
// time.
func vlLiteral(l string) string {
	first, _ := utf8.DecodeRuneInString(l)
	last, _ := utf8.DecodeLastRuneInString(l)
	q := strconv.Quote(l)
	switch {
	case isWordRune(first):
		if w := innerWord(l); w != "" {
			return "(" + strconv.Quote(w) + " *" + q + "*)"
		}
		return "*" + q + "*"
	case isWordRune(last):
		return q + "*"
	}
	return q
}

// innerWord returns the longest run of word characters in l that has a
// non-word character of l on both sides, or "".
func innerWord(l string) string {
	best := ""
	start := -1      // start of the current run; -1: not in a run
	prevWord := true // l's start counts as a word character: a run there is not whole
	for i, r := range l {
		w := isWordRune(r)
		switch {
		case w && !prevWord:
			start = i
		case !w && start >= 0:
			if i-start > len(best) {
				best = l[start:i]
			}
			start = -1
		}
		prevWord = w
	}
	return best
}

// isWordRune is VictoriaLogs' token character: a letter, digit or _.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
}

func quoteList(vs []string) string {
	qs := make([]string, len(vs))
	for i, v := range vs {
		qs[i] = strconv.Quote(v)
	}
	return strings.Join(qs, ",")
}

// Candidates implements Store: the range in windows, each window's
// queries sorted by the server and merged here.
func (v *VictoriaLogs) Candidates(ctx context.Context, q StoreQuery, yield func(*event.Event) error) (StoreStats, error) {
	var st StoreStats
	if q.Since.IsZero() || q.Until.IsZero() || q.Until.Before(q.Since) {
		return st, errors.New("victorialogs: a time range is required")
	}
	queries, err := vlQueries(q, v.MaxQueryLen)
	if err != nil || len(queries) == 0 {
		return st, err
	}
	window := v.window(q)
	src := v.Name()
	var p parse.Parser
	ev := &event.Event{}
	end := q.Until.Add(time.Nanosecond) // the server's end is exclusive
	for start := q.Since; start.Before(end); start = start.Add(window) {
		wend := start.Add(window)
		if wend.After(end) {
			wend = end
		}
		emitted := 0 // rows of this window already yielded: skipped on a retry
		err := v.retry(ctx, &st, func() error {
			skip := emitted
			return v.fetchWindow(ctx, queries, start, wend, &st, func(row *vlRow, t time.Time) error {
				if skip > 0 {
					skip--
					return nil
				}
				rowEvent(row, t, src, &p, ev)
				if st.First.IsZero() || t.Before(st.First) {
					st.First = t
				}
				if t.After(st.Last) {
					st.Last = t
				}
				emitted++
				return yield(ev)
			})
		})
		if err != nil {
			var ye *yieldError
			if errors.As(err, &ye) {
				return st, ye.err
			}
			return st, fmt.Errorf("window %s .. %s: %w", start.UTC().Format(time.RFC3339), wend.UTC().Format(time.RFC3339), err)
		}
	}
	return st, nil
}

// vlRowsPerWindow bounds the rows a window of a fetch spans (rows
// stored, whatever the filter: the server sorts what matches, all of
// them for StoreFilter.All): 6 hours of the bench corpus's six hosts.
const vlRowsPerWindow = 1_500_000

// window is the span of each of q's fetches: Window when set; else as
// many equal windows as q's rows (StoreQuery.Rows) need so that none
// spans more than vlRowsPerWindow, one for a small range; 6 hours when
// q does not say.
func (v *VictoriaLogs) window(q StoreQuery) time.Duration {
	switch {
	case v.Window > 0:
		return v.Window
	case q.Rows <= 0:
		return 6 * time.Hour
	}
	n := (q.Rows + vlRowsPerWindow - 1) / vlRowsPerWindow
	return q.Until.Sub(q.Since)/time.Duration(n) + time.Nanosecond
}

// retry runs fetch until it succeeds, fails in a way a retry cannot
// mend, or has failed Retries+1 times, waiting Backoff, 2×Backoff, ...
// in between.
func (v *VictoriaLogs) retry(ctx context.Context, st *StoreStats, fetch func() error) error {
	retries := v.Retries
	if retries == 0 {
		retries = 3
	}
	backoff := v.Backoff
	if backoff <= 0 {
		backoff = 500 * time.Millisecond
	}
	for attempt := 0; ; attempt++ {
		err := fetch()
		var se *statusError
		if v.AllowPartial && v.partial == "" && errors.As(err, &se) && errors.Is(err, ErrStorageNodeDown) {
			// From now on every query takes what the live nodes hold.
			v.partial = se.body
			attempt--
			continue
		}
		if err == nil || ctx.Err() != nil || attempt >= max(retries, 0) || !retryable(err) {
			if err != nil && attempt > 0 {
				err = fmt.Errorf("%w (after %d retries)", err, attempt)
			}
			return err
		}
		st.Retries++
		select {
		case <-time.After(backoff << attempt):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// yieldError carries the consumer's own error through a fetch: never
// retried.
type yieldError struct{ err error }

func (e *yieldError) Error() string { return e.err.Error() }

// statusError is a reply other than 200.
type statusError struct {
	code int
	body string
}

func (e *statusError) Error() string {
	if e.Unwrap() != nil {
		return fmt.Sprintf("storage node %s did not answer: HTTP %d: %s", storageNode(e.body), e.code, e.body)
	}
	return fmt.Sprintf("HTTP %d: %s", e.code, e.body)
}

// Unwrap: a cluster's vlselect says 502 "cannot connect to storage node
// at ..." (or passes on the node's error) when a node does not answer.
func (e *statusError) Unwrap() error {
	if e.code == http.StatusBadGateway && strings.Contains(e.body, "storage node") {
		return ErrStorageNodeDown
	}
	return nil
}

// ErrStorageNodeDown: a storage node of a VictoriaLogs cluster did not
// answer, so the reply would have been partial.
var ErrStorageNodeDown = errors.New("a storage node of the cluster did not answer")

// Partial implements Store.
func (v *VictoriaLogs) Partial() string {
	if v.partial == "" {
		return ""
	}
	return fmt.Sprintf("storage node %s did not answer (%s)", storageNode(v.partial), v.partial)
}

// storageNode picks the node's address out of vlselect's message.
func storageNode(msg string) string {
	_, rest, ok := strings.Cut(msg, `storage node at "`)
	if !ok {
		return "?"
	}
	u, _, _ := strings.Cut(rest, `"`)
	if pu, err := url.Parse(u); err == nil && pu.Host != "" {
		return pu.Host
	}
	return u
}

// retryable: a 4xx other than 429 is the query's own fault and fails
// the same way again; so does a reply that is not VictoriaLogs', or a
// server certificate that does not verify. The consumer's own error is
// never retried.
func retryable(err error) bool {
	var ye *yieldError
	if errors.As(err, &ye) {
		return false
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.code >= 500 || se.code == http.StatusTooManyRequests
	}
	var ce *contentError
	var tlsErr *tls.CertificateVerificationError // the same certificate again
	return !errors.As(err, &ce) && !errors.As(err, &tlsErr)
}

type contentError struct{ ctype string }

func (e *contentError) Error() string {
	return fmt.Sprintf("reply is %q, not JSON lines: is the URL a VictoriaLogs server?", e.ctype)
}

// fetchWindow runs each query over [start, end) and merges their sorted
// rows. A row matched by several queries comes from each of them; the
// merge keeps, of a run of identical rows, as many as the query that
// returned most of them (identical rows match the same queries).
func (v *VictoriaLogs) fetchWindow(ctx context.Context, queries []vlQuery, start, end time.Time, st *StoreStats, f func(*vlRow, time.Time) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The queries are sent at once: the server works on them side by
	// side (each answers only once it has sorted its rows).
	rs := make([]*vlReader, len(queries))
	errs := make([]error, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		wg.Go(func() {
			r, err := v.open(ctx, q.text, start, end)
			if err != nil {
				errs[i] = err
				return
			}
			r.errorLevel = q.errorLevel
			rs[i] = r
			errs[i] = r.next()
		})
	}
	wg.Wait()
	st.Queries += len(queries)
	rs = slices.DeleteFunc(rs, func(r *vlReader) bool { return r == nil })
	defer func() {
		for _, r := range rs {
			r.close()
		}
	}()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	defer func() {
		for _, r := range rs {
			st.Bytes += r.body.n
		}
	}()
	var row vlRow // the smallest head, copied: its reader moves on before it is yielded
	for {
		// The smallest head; readers are few (one per 16 KiB of filter).
		var min *vlReader
		for _, r := range rs {
			if r.row != nil && (min == nil || r.less(min)) {
				min = r
			}
		}
		if min == nil {
			return nil
		}
		row.copyFrom(min.row)
		t := min.t
		// Count the run of this exact row in every reader.
		most, candidates := 0, 0
		for _, r := range rs {
			n := 0
			for r.row != nil && sameRow(r.row, &row) {
				n++
				if err := r.next(); err != nil {
					return err
				}
			}
			most = max(most, n)
			if !r.errorLevel {
				candidates = max(candidates, n)
			}
		}
		st.ErrorRows += int64(most - candidates)
		for range most {
			st.Rows++
			if err := f(&row, t); err != nil {
				return &yieldError{err}
			}
		}
	}
}

var errReplyCut = errors.New("reply cut off before its end (server timeout or dropped connection)")

// vlReader decodes one query's reply row by row: the body is never held
// whole.
type vlReader struct {
	body       *vlBody
	errorLevel bool // the query's terms are the error-level ones
	sc         *vlScanner
	cur        vlRow
	row        *vlRow // &cur; nil at the end
	t          time.Time
}

func (r *vlReader) close() { r.body.Close() }

func (r *vlReader) less(o *vlReader) bool {
	if !r.t.Equal(o.t) {
		return r.t.Before(o.t)
	}
	if a, b := r.row.value("seq"), o.row.value("seq"); a != b {
		ia, errA := strconv.ParseInt(a, 10, 64)
		ib, errB := strconv.ParseInt(b, 10, 64)
		if errA == nil && errB == nil {
			return ia < ib
		}
		return a < b
	}
	if a, b := r.row.value("_stream_id"), o.row.value("_stream_id"); a != b {
		return a < b
	}
	return r.row.value("_msg") < o.row.value("_msg")
}

// sameRow: a and b are one row in the merge: the same _time, _stream_id,
// seq and _msg (other fields are not compared).
func sameRow(a, b *vlRow) bool {
	for _, k := range [...]string{"_time", "seq", "_stream_id", "_msg"} {
		if a.value(k) != b.value(k) {
			return false
		}
	}
	return true
}

// next reads the next row; at the end of a complete reply row is nil. A
// reply cut short (the server's query timeout after 200 OK, a dropped
// connection) is an error, never an end.
func (r *vlReader) next() error {
	if err := r.sc.next(&r.cur); err != nil {
		if err == io.EOF {
			r.row = nil
			return nil
		}
		return err
	}
	ts, ok := r.cur.get("_time")
	if !ok {
		return errors.New("reply row without _time")
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return fmt.Errorf("reply row: bad _time %q", ts)
	}
	r.row, r.t = &r.cur, t
	return nil
}

// nextRow reads the next row of an aggregate reply (no _time needed);
// io.EOF at the end of a complete reply. The row is valid until the
// next call.
func (r *vlReader) nextRow() (*vlRow, error) {
	if err := r.sc.next(&r.cur); err != nil {
		return nil, err
	}
	return &r.cur, nil
}

// open sends one query over [start, end).
func (v *VictoriaLogs) open(ctx context.Context, query string, start, end time.Time) (*vlReader, error) {
	base, err := url.Parse(v.URL)
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("victorialogs: bad URL %q: want http://host:port", v.URL)
	}
	user := base.User
	base.User = nil
	form := url.Values{
		"query": {query},
		"start": {start.UTC().Format(time.RFC3339Nano)},
		"end":   {end.UTC().Format(time.RFC3339Nano)},
		// Asked for always: a vlselect started with
		// -search.allowPartialResponse would otherwise leave a dead
		// node's rows out without a word.
		"allow_partial_response": {strconv.FormatBool(v.partial != "")},
	}
	endpoint := strings.TrimSuffix(base.String(), "/") + "/select/logsql/query"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if v.AccountID != "" {
		req.Header.Set("AccountID", v.AccountID)
	}
	if v.ProjectID != "" {
		req.Header.Set("ProjectID", v.ProjectID)
	}
	if user != nil {
		pw, _ := user.Password()
		req.SetBasicAuth(user.Username(), pw)
	}
	if v.BearerToken != "" {
		req.Header.Set("Authorization", "Bearer "+v.BearerToken)
	}
	client := v.Client
	if client == nil {
		client = defaultVLClient
	}
	// A reply that stalls (a server stuck, a network that drops packets
	// without a reset) is dropped after Timeout without a byte.
	timeout := v.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithCancelCause(ctx)
	stalled := fmt.Errorf("no reply byte for %v (timeout)", timeout)
	watchdog := time.AfterFunc(timeout, func() { cancel(stalled) })
	req = req.WithContext(ctx)
	resp, err := client.Do(req)
	if err != nil {
		watchdog.Stop()
		cancel(nil)
		if context.Cause(ctx) == stalled {
			return nil, stalled
		}
		return nil, err
	}
	body := &vlBody{body: resp.Body, watchdog: watchdog, timeout: timeout, ctx: ctx, cancel: cancel, stalled: stalled}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(body, 2048))
		body.Close()
		return nil, &statusError{resp.StatusCode, strings.TrimSpace(string(bytes.ToValidUTF8(msg, []byte("?"))))}
	}
	ct := resp.Header.Get("Content-Type")
	if mt, _, _ := mime.ParseMediaType(ct); !strings.Contains(mt, "json") {
		body.Close()
		return nil, &contentError{ct}
	}
	return &vlReader{body: body, sc: newVLScanner(body)}, nil
}

// vlBody is a reply's body: it counts the bytes read, rearms the
// watchdog on each read and says "timeout" when the watchdog cut it.
type vlBody struct {
	body     io.ReadCloser
	n        int64
	watchdog *time.Timer
	timeout  time.Duration
	ctx      context.Context
	cancel   context.CancelCauseFunc
	stalled  error
}

func (b *vlBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	b.n += int64(n)
	if n > 0 {
		b.watchdog.Reset(b.timeout)
	}
	if err != nil && err != io.EOF && context.Cause(b.ctx) == b.stalled {
		err = b.stalled
	}
	return n, err
}

func (b *vlBody) Close() error {
	b.watchdog.Stop()
	err := b.body.Close()
	b.cancel(nil)
	return err
}

var defaultVLClient = NewVictoriaLogsClient(nil)

// NewVictoriaLogsClient is the client VictoriaLogs uses by default, with
// tlsConf (nil: Go's defaults) for https URLs: a private CA, a client
// certificate.
func NewVictoriaLogsClient(tlsConf *tls.Config) *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:           http.ProxyFromEnvironment,
		IdleConnTimeout: 30 * time.Second,
		TLSClientConfig: tlsConf,
		// A custom TLS config turns HTTP/2 off unless asked for.
		ForceAttemptHTTP2: true,
	}}
}

// vlCoverageQuery counts rows per host and program in every naming.
const vlCoverageQuery = "* | stats by (hostname, _HOSTNAME, host, app_name, SYSLOG_IDENTIFIER, program) count() as rows, min(_time) as first, max(_time) as last"

// Coverage implements Store with one stats query over the range,
// retried as a window is.
func (v *VictoriaLogs) Coverage(ctx context.Context, q StoreQuery) ([]StreamCoverage, error) {
	if q.Since.IsZero() || q.Until.IsZero() {
		return nil, errors.New("victorialogs: a time range is required")
	}
	var out []StreamCoverage
	err := v.retry(ctx, &StoreStats{}, func() error {
		var err error
		out, err = v.coverage(ctx, q)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	return out, nil
}

func (v *VictoriaLogs) coverage(ctx context.Context, q StoreQuery) ([]StreamCoverage, error) {
	r, err := v.open(ctx, vlHostFilter(q.Hosts)+vlCoverageQuery, q.Since, q.Until.Add(time.Nanosecond))
	if err != nil {
		return nil, err
	}
	defer r.close()
	byKey := map[[2]string]*StreamCoverage{}
	for {
		row, err := r.nextRow()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		host := firstOf(row, "hostname", "_HOSTNAME", "host")
		prog := firstOf(row, "app_name", "SYSLOG_IDENTIFIER", "program")
		n, err := strconv.ParseInt(row.value("rows"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad count %q", row.value("rows"))
		}
		first, err1 := time.Parse(time.RFC3339Nano, row.value("first"))
		last, err2 := time.Parse(time.RFC3339Nano, row.value("last"))
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad times %q, %q", row.value("first"), row.value("last"))
		}
		k := [2]string{host, prog}
		c := byKey[k]
		if c == nil {
			c = &StreamCoverage{Host: host, Program: prog, First: first, Last: last}
			byKey[k] = c
		}
		c.Rows += n
		if first.Before(c.First) {
			c.First = first
		}
		if last.After(c.Last) {
			c.Last = last
		}
	}
	out := make([]StreamCoverage, 0, len(byKey))
	for _, c := range byKey {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Host != out[j].Host {
			return out[i].Host < out[j].Host
		}
		return out[i].Program < out[j].Program
	})
	return out, nil
}

// Counts implements Store: conds as the filter of one stats query that
// counts each with count() if, so the server reads the range once and
// its word index still skips the blocks no condition can match. Several
// queries only when the conditions outgrow the query limit.
func (v *VictoriaLogs) Counts(ctx context.Context, q StoreQuery, conds []WindowedFilter) ([]int64, error) {
	if q.Since.IsZero() || q.Until.IsZero() {
		return nil, errors.New("victorialogs: a time range is required")
	}
	queries, err := vlCountQueries(q.Hosts, conds, v.MaxQueryLen)
	if err != nil {
		return nil, err
	}
	counts := make([]int64, len(conds))
	for _, cq := range queries {
		err := v.retry(ctx, &StoreStats{}, func() error {
			r, err := v.open(ctx, cq.query, q.Since, q.Until.Add(time.Nanosecond))
			if err != nil {
				return err
			}
			defer r.close()
			row, err := r.nextRow()
			if err == io.EOF {
				return nil // no row matched: every count is 0
			} else if err != nil {
				return err
			}
			for k := cq.first; k < cq.first+cq.n; k++ {
				name := "c" + strconv.Itoa(k)
				n, err := strconv.ParseInt(row.value(name), 10, 64)
				if err != nil {
					return fmt.Errorf("bad count %s=%q", name, row.value(name))
				}
				counts[k] = n
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("count: %w", err)
		}
	}
	return counts, nil
}

// vlCountQuery counts conds[first:first+n] as c<index>.
type vlCountQuery struct {
	query    string
	first, n int
}

// vlCountQueries builds the stats queries that count each of conds:
// "HOSTS (t0 OR t1 ...) | stats count() if (t0) as c0, count() if (t1)
// as c1, ...", as few as the query limit allows.
func vlCountQueries(hosts []string, conds []WindowedFilter, maxLen int) ([]vlCountQuery, error) {
	if maxLen <= 0 {
		maxLen = 16 << 10
	}
	prefix := vlHostFilter(hosts)
	fixed := len(prefix) + len("() | stats ")
	var out []vlCountQuery
	var filter, stats []string
	size, first := fixed, 0
	flush := func(next int) {
		if len(filter) > 0 {
			out = append(out, vlCountQuery{query: prefix + "(" + strings.Join(filter, " OR ") + ") | stats " + strings.Join(stats, ", "),
				first: first, n: len(filter)})
		}
		filter, stats, size, first = nil, nil, fixed, next
	}
	for k, c := range conds {
		t := vlWindowTerm(c)
		st := "count() if (" + t + ") as c" + strconv.Itoa(k)
		cost := len(t) + len(" OR ") + len(st) + len(", ")
		if fixed+cost > maxLen {
			return nil, fmt.Errorf("victorialogs: one condition is %d bytes, over the server's query limit of %d: %.60s...", len(t), maxLen, t)
		}
		if size+cost > maxLen {
			flush(k)
		}
		filter, stats = append(filter, t), append(stats, st)
		size += cost
	}
	flush(len(conds))
	return out, nil
}

// vlWindowTerm is w as one filter: its condition, on its host and in
// its range where it sets them.
func vlWindowTerm(w WindowedFilter) string {
	t := vlCond(&w.Cond)
	if !w.Since.IsZero() || !w.Until.IsZero() {
		t = vlTimeRange(w.Since, w.Until) + " " + t
	}
	if w.Host != "" {
		t = vlHostFilter([]string{w.Host}) + t
	}
	if t != vlCond(&w.Cond) {
		t = "(" + t + ")"
	}
	return t
}

// vlTimeRange is the filter of [since, until], both inclusive.
func vlTimeRange(since, until time.Time) string {
	return "_time:[" + since.UTC().Format(time.RFC3339Nano) + ", " + until.UTC().Format(time.RFC3339Nano) + "]"
}

// RefetchLogsQL is the LogsQL query that returns the stored row of
// host's program stamped t, to the nanosecond, whose message is msg (or
// begins with msg, when prefix: the report kept only the line's start):
// the row an evidence line cites, and any row identical to it. Host and
// program are matched exactly in every field an ingestion path stores
// them in, as rowEvent reads them; an empty one is not filtered on.
func RefetchLogsQL(host, program, msg string, prefix bool, t time.Time) string {
	ts := t.UTC().Format(time.RFC3339Nano)
	q := "_time:[" + ts + ", " + ts + "]"
	if host != "" {
		h := strconv.Quote(host)
		q += " (hostname:=" + h + " OR _HOSTNAME:=" + h + " OR host:=" + h + ")"
	}
	if program != "" {
		p := strconv.Quote(program)
		q += " (app_name:=" + p + " OR program:=" + p + " OR SYSLOG_IDENTIFIER:=" + p +
			` OR (SYSLOG_IDENTIFIER:="" AND _COMM:=` + p + "))"
	}
	// A long message's start is enough to tell rows of one second
	// apart, and keeps the query far under the server's length limit.
	if len(msg) > refetchMsgMax {
		msg, prefix = strings.ToValidUTF8(msg[:refetchMsgMax], ""), true
	}
	q += " _msg:=" + strconv.Quote(msg)
	if prefix {
		q += "*"
	}
	return q
}

const refetchMsgMax = 1 << 10

// RefetchCommand is a curl command that prints ev's stored row (ev came
// from this store; cut says its message was cut): RefetchLogsQL sent to the server's query endpoint
// with the tenant. Credentials are not printed: a bearer token is read
// from $LOGSLEUTH_VICTORIALOGS_TOKEN as logsleuth reads it, a basic-auth
// user is named and curl asks for the password.
func (v *VictoriaLogs) RefetchCommand(ev *event.Event, cut bool) string {
	base, err := url.Parse(strings.TrimRight(v.URL, "/"))
	if err != nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("curl -sS")
	if base.User != nil {
		b.WriteString(" -u " + shellQuote(base.User.Username()))
		base.User = nil
	}
	if v.BearerToken != "" {
		b.WriteString(` -H "Authorization: Bearer $LOGSLEUTH_VICTORIALOGS_TOKEN"`)
	}
	if v.AccountID != "" {
		b.WriteString(" -H " + shellQuote("AccountID: "+v.AccountID))
	}
	if v.ProjectID != "" {
		b.WriteString(" -H " + shellQuote("ProjectID: "+v.ProjectID))
	}
	b.WriteString(" " + shellQuote(base.String()+"/select/logsql/query"))
	b.WriteString(" --data-urlencode " + shellQuote("query="+RefetchLogsQL(ev.Host, ev.Program, ev.Message, cut, ev.Time)))
	return b.String()
}
