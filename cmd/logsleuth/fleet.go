package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/fixture"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/signature"
	"github.com/logsleuth/logsleuth/analyzer/timeline"
)

// FleetFlags select a log store instead of files (fleet mode, README
// "Fleet mode: VictoriaLogs").
type FleetFlags struct {
	VictoriaLogs string   // base URL; $LOGSLEUTH_VICTORIALOGS when no input is named
	Hosts        []string // fetched alone: --host's names when none is a glob
	Tenant       string   // AccountID[:ProjectID]
	// CA, Cert and Key: the TLS files of an https URL (a CA bundle to
	// trust; a client certificate and its key).
	CA, Cert, Key string
	// Partial: a cluster node that does not answer leaves its rows out
	// (a warning says so) instead of failing the run.
	Partial bool
	client  *http.Client // for the TLS flags; nil: the store's default
	// DefaultRange: neither --since nor --until was given, so the last
	// 24 hours were read (said in the report's warnings).
	DefaultRange bool
}

// fleetRange is the range read when --since/--until do not say.
const fleetRange = 24 * time.Hour

// storeBackoff is the store's first retry delay (0: its own, 500 ms);
// tests shorten it.
var storeBackoff time.Duration

func (f *FleetFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.VictoriaLogs, "victorialogs", "", "read from the VictoriaLogs server at `URL` instead of files (default $LOGSLEUTH_VICTORIALOGS when no input is named)")
	fs.StringVar(&f.Tenant, "victorialogs-tenant", "", "with --victorialogs: the tenant, `AccountID[:ProjectID]`")
	fs.StringVar(&f.CA, "victorialogs-ca", "", "with an https --victorialogs: trust the CA certificates in this PEM `FILE` (besides the system's)")
	fs.StringVar(&f.Cert, "victorialogs-cert", "", "with an https --victorialogs: present this client certificate (PEM `FILE`; needs --victorialogs-key)")
	fs.StringVar(&f.Key, "victorialogs-key", "", "with --victorialogs-cert: its private key (PEM `FILE`)")
	fs.BoolVar(&f.Partial, "victorialogs-partial", false, "with --victorialogs: when a cluster's storage node does not answer, read the others (a warning says the report is partial) instead of failing")
}

// validateFleet completes the fleet flags; true when a store is read.
func (in *InputFlags) validateFleet(cmdPath string, args []string, now time.Time) (bool, error) {
	f := &in.Fleet
	if f.VictoriaLogs == "" && len(args) == 0 && !in.Journal && len(in.JournalDirs) == 0 && len(in.JournalFiles) == 0 {
		f.VictoriaLogs = os.Getenv("LOGSLEUTH_VICTORIALOGS")
	}
	if f.VictoriaLogs == "" {
		if f.Tenant != "" || f.Partial || f.CA != "" || f.Cert != "" || f.Key != "" {
			return false, flagErrorf(cmdPath, "--victorialogs-tenant, -partial, -ca, -cert and -key need --victorialogs")
		}
		return false, nil
	}
	if len(args) > 0 || in.Journal || len(in.JournalDirs) > 0 || len(in.JournalFiles) > 0 {
		return false, flagErrorf(cmdPath, "--victorialogs reads the store: name no files or journals besides it")
	}
	if !strings.HasPrefix(f.VictoriaLogs, "http://") && !strings.HasPrefix(f.VictoriaLogs, "https://") {
		return false, flagErrorf(cmdPath, "invalid --victorialogs %q: want http://host:port or https://...", f.VictoriaLogs)
	}
	if (f.Cert == "") != (f.Key == "") {
		return false, flagErrorf(cmdPath, "--victorialogs-cert and --victorialogs-key go together")
	}
	if f.CA != "" || f.Cert != "" {
		if !strings.HasPrefix(f.VictoriaLogs, "https://") {
			return false, flagErrorf(cmdPath, "--victorialogs-ca, -cert and -key need an https:// --victorialogs")
		}
		conf, err := f.tlsConfig()
		if err != nil {
			return false, flagErrorf(cmdPath, "%v", err)
		}
		f.client = ingest.NewVictoriaLogsClient(conf)
	}
	return true, nil
}

// tlsConfig reads the TLS files the flags name.
func (f *FleetFlags) tlsConfig() (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if f.CA != "" {
		pem, err := os.ReadFile(f.CA)
		if err != nil {
			return nil, fmt.Errorf("--victorialogs-ca: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--victorialogs-ca %s: no PEM certificate in it", f.CA)
		}
		conf.RootCAs = pool
	}
	if f.Cert != "" {
		cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
		if err != nil {
			return nil, fmt.Errorf("--victorialogs-cert/--victorialogs-key: %w", err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
}

// fleetRangeDefaults fills the range a store needs: the last 24 hours
// when neither bound was given, else 24 hours from the bound given.
func (in *InputFlags) fleetRangeDefaults(now time.Time) {
	switch {
	case in.SinceT.IsZero() && in.UntilT.IsZero():
		in.UntilT, in.SinceT = now, now.Add(-fleetRange)
		in.Fleet.DefaultRange = true
	case in.UntilT.IsZero():
		in.UntilT = now
	case in.SinceT.IsZero():
		in.SinceT = in.UntilT.Add(-fleetRange)
	}
}

// store returns the VictoriaLogs store the flags name.
func (f *FleetFlags) store() *ingest.VictoriaLogs {
	v := &ingest.VictoriaLogs{URL: f.VictoriaLogs, BearerToken: os.Getenv("LOGSLEUTH_VICTORIALOGS_TOKEN"), Backoff: storeBackoff,
		AllowPartial: f.Partial, Client: f.client}
	if f.Tenant != "" {
		v.AccountID, v.ProjectID, _ = strings.Cut(f.Tenant, ":")
	}
	return v
}

// storeQuery is the range (with margin) and hosts of the flags.
func (in *InputFlags) storeQuery(filter ingest.StoreFilter, margin time.Duration) ingest.StoreQuery {
	return ingest.StoreQuery{Filter: filter, Since: in.SinceT.Add(-margin), Until: in.UntilT.Add(margin), Hosts: in.Fleet.Hosts}
}

// storePlan is what readStore fetches: the report's range with Range's
// filter, and around it only what can change a finding that overlaps
// the range (README "Fleet mode: VictoriaLogs", the margin).
type storePlan struct {
	Range ingest.StoreFilter
	// Margins are the signatures' conditions, each wanted within its
	// own span before --since and after --until.
	Margins []marginCond
	// Windowed are the later sequence steps fetched only inside the
	// windows their anchors' matches open (storeWindows).
	Windowed []engine.WindowedTerm
	// Reach is the widest margin: how far outside the range coverage
	// counts rows and finds each host's last.
	Reach time.Duration
}

// marginCond is a condition (every row when all) that a signature needs
// within span before --since and after --until.
type marginCond struct {
	cond event.Filter
	all  bool
	span time.Duration
}

// signatureMargin is how far outside the range s's events can change a
// finding of s that overlaps it: its correlation window
// (timeline.Window: maxspan, steps' within and for, a threshold's or
// dedupe's window), capped by --lookback. 0 for a signature that
// matches single events with no window.
func (in *InputFlags) signatureMargin(s *signature.Signature) time.Duration {
	return min(timeline.Window(s), in.Lookback)
}

// storeMargins are, of the signatures that correlate over time, the
// conditions of their events, each within its signature's margin.
func (in *InputFlags) storeMargins(sts []engine.SignatureTerms) []marginCond {
	var out []marginCond
	for _, st := range sts {
		span := in.signatureMargin(st.Sig)
		if span <= 0 {
			continue
		}
		if st.All {
			out = append(out, marginCond{all: true, span: span})
			continue
		}
		for _, c := range st.Conds {
			out = append(out, marginCond{cond: c, span: span})
		}
	}
	return out
}

// readStore streams the store's candidates to f and returns the source
// statistics coverage shows, one per host and program, from an aggregate
// query (every row of the range and its reach, not only the candidates),
// and the last time each host has a row. The windowed terms are fetched
// only inside the windows their anchors open (storeWindows, a first
// query). Then, in time order: the margin before --since, the range,
// the margin after --until.
func readStore(ctx context.Context, in *InputFlags, plan storePlan, ws *event.Warnings,
	f func(*event.Event) error) (_ []ingest.SourceStats, _ map[string]time.Time, err error) {
	st := in.Fleet.store()
	if in.Fleet.DefaultRange {
		ws.Addf(st.Name(), 0, "no --since/--until: read the last %v (%s .. %s)", fleetRange,
			in.SinceT.UTC().Format(time.RFC3339), in.UntilT.UTC().Format(time.RFC3339))
	}
	defer func() {
		switch {
		case errors.Is(err, ingest.ErrStorageNodeDown):
			err = fmt.Errorf("%w (--victorialogs-partial reads what the other nodes hold)", err)
		case err == nil && st.Partial() != "":
			ws.Addf(st.Name(), 0, "partial: %s: findings, coverage and error lines are those of the nodes that answered", st.Partial())
		}
	}()
	cq := in.storeQuery(ingest.StoreFilter{}, plan.Reach)
	cov, err := st.Coverage(ctx, cq)
	if err != nil {
		return nil, nil, err
	}
	if len(cov) == 0 {
		ws.Addf(st.Name(), 0, "no rows in %s .. %s", cq.Since.UTC().Format(time.RFC3339), cq.Until.UTC().Format(time.RFC3339))
		return nil, nil, nil
	}
	var sources []ingest.SourceStats
	last := map[string]time.Time{}
	// Fetch only where the store has rows: a signature's correlation
	// margin can widen the range by weeks of empty windows.
	first, end := cov[0].First, cov[0].Last
	for _, c := range cov {
		sources = append(sources, ingest.SourceStats{Path: st.Name() + ":" + orDash(c.Host) + "/" + orDash(c.Program),
			Format: "victorialogs", Events: c.Rows, First: c.First, Last: c.Last, TimeQuality: "exact"})
		if c.Last.After(last[c.Host]) {
			last[c.Host] = c.Last
		}
		first, end = event.MinTime(first, c.First), event.MaxTime(end, c.Last)
	}
	rng, margins := plan.Range, plan.Margins
	var wins []ingest.WindowedFilter
	var anchors ingest.StoreStats
	windowedSteps := 0
	if len(plan.Windowed) > 0 {
		var global []engine.WindowedTerm
		wins, global, anchors, err = storeWindows(ctx, st, in, cov, first, end, plan.Windowed)
		if err != nil {
			return nil, nil, err
		}
		rng.Terms = slices.Clip(rng.Terms)
		for _, g := range global {
			rng.Terms = append(rng.Terms, g.Cond)
			margins = append(margins, marginCond{cond: g.Cond, span: in.signatureMargin(g.Sig)})
		}
		windowedSteps = len(plan.Windowed) - len(global)
	}
	var stats ingest.StoreStats
	for _, q := range in.storePhases(rng, margins, wins, first, end) {
		q.Rows = ingest.EstimateRows(cov, q.Since, q.Until)
		ps, err := st.Candidates(ctx, q, func(ev *event.Event) error {
			if err := f(ev); err != nil {
				return err
			}
			return ctx.Err()
		})
		stats.Add(ps)
		if err != nil {
			return nil, nil, err
		}
	}
	var stored int64
	for _, c := range cov {
		stored += c.Rows
	}
	rows := stats.Rows + anchors.Rows
	pct := func(n int64) float64 { return 100 * float64(n) / float64(max(stored, 1)) }
	ws.Addf(st.Name(), 0, "fetched %d of %d rows (%.1f%%): %d candidates (%.2f%%), %d error-level rows; %d bytes in %d queries (%d retried)",
		rows, stored, pct(rows), rows-stats.ErrorRows, pct(rows-stats.ErrorRows), stats.ErrorRows,
		stats.Bytes+anchors.Bytes, stats.Queries+anchors.Queries, stats.Retries+anchors.Retries)
	if windowedSteps > 0 {
		ws.Addf(st.Name(), 0, "%d of those rows were read first for the %d time windows that %d later sequence steps are fetched in",
			anchors.Rows, len(wins), windowedSteps)
	}
	return sources, last, nil
}

// storePhases are the queries of the margin before --since (margins,
// each within its span), the range (rng) and the margin after --until,
// in time order and within [first, last], where the store has rows;
// each also asks for the windows of wins that overlap it. A margin
// condition that is every row makes the margin every row, over the
// widest span.
func (in *InputFlags) storePhases(rng ingest.StoreFilter, margins []marginCond, wins []ingest.WindowedFilter, first, last time.Time) []ingest.StoreQuery {
	since, until := in.SinceT, in.UntilT
	var before, after ingest.StoreFilter
	var widest time.Duration
	at := map[string]int{} // a condition's index in before and after
	for _, m := range margins {
		widest = max(widest, m.span)
		if m.all {
			before.All, after.All = true, true
			continue
		}
		k := fmt.Sprint(m.cond)
		if i, ok := at[k]; ok { // two signatures' event: the wider span
			before.Windowed[i].Since = event.MinTime(before.Windowed[i].Since, since.Add(-m.span))
			after.Windowed[i].Until = event.MaxTime(after.Windowed[i].Until, until.Add(m.span))
			continue
		}
		at[k] = len(before.Windowed)
		before.Windowed = append(before.Windowed, ingest.WindowedFilter{Cond: m.cond, Since: since.Add(-m.span), Until: since.Add(-time.Nanosecond)})
		after.Windowed = append(after.Windowed, ingest.WindowedFilter{Cond: m.cond, Since: until.Add(time.Nanosecond), Until: until.Add(m.span)})
	}
	if before.All {
		before.Windowed, after.Windowed = nil, nil
	}
	var qs []ingest.StoreQuery
	phase := func(f ingest.StoreFilter, a, b time.Time) {
		a, b = event.MaxTime(a, first), event.MinTime(b, last)
		if b.Before(a) {
			return
		}
		if !f.All {
			for _, w := range wins {
				if !w.Until.Before(a) && !w.Since.After(b) {
					f.Windowed = append(slices.Clip(f.Windowed), w)
				}
			}
		}
		qs = append(qs, ingest.StoreQuery{Filter: f, Since: a, Until: b, Hosts: in.Fleet.Hosts})
	}
	if widest > 0 {
		phase(before, since.Add(-widest), since.Add(-time.Nanosecond))
	}
	phase(rng, since, until)
	if widest > 0 {
		phase(after, until.Add(time.Nanosecond), until.Add(widest))
	}
	return qs
}

// storeWindows finds where each windowed term can matter: it fetches
// the rows of the terms' anchors (the step before each) within the
// term's signature's margin around the range, runs each anchor's
// matcher on them, and returns from each match a window of the term's
// span (on the match's host when the sequence correlates by host),
// merged. A term whose rows are no more than its anchor's (one
// aggregate query counts them) is returned in global instead: reading
// the anchors again would cost more than it saves. cov is the store's
// coverage, first and last the bounds of its rows.
func storeWindows(ctx context.Context, st ingest.Store, in *InputFlags, cov []ingest.StreamCoverage, first, last time.Time, terms []engine.WindowedTerm) (
	wins []ingest.WindowedFilter, global []engine.WindowedTerm, stats ingest.StoreStats, err error) {
	q, conds := termConds(in, terms)
	q.Since, q.Until = event.MaxTime(q.Since, first), event.MinTime(q.Until, last)
	if q.Until.Before(q.Since) {
		return nil, nil, stats, nil
	}
	// Each term's rows and its anchor's, counted in one query.
	n, err := st.Counts(ctx, q, conds)
	if err != nil {
		return nil, nil, stats, err
	}
	aq := q
	aq.Rows = ingest.EstimateRows(cov, aq.Since, aq.Until)
	seen := map[string]int{}
	var windowed []engine.WindowedTerm
	for i, w := range terms {
		if rows, anchors := n[2*i], n[2*i+1]; rows <= anchors {
			global = append(global, w)
			continue
		}
		windowed = append(windowed, w)
		ac := conds[2*i+1]
		if k, ok := seen[fmt.Sprint(ac.Cond)]; ok { // one anchor of two terms: the wider span
			aq.Filter.Windowed[k].Since = event.MinTime(aq.Filter.Windowed[k].Since, ac.Since)
			aq.Filter.Windowed[k].Until = event.MaxTime(aq.Filter.Windowed[k].Until, ac.Until)
			continue
		}
		seen[fmt.Sprint(ac.Cond)] = len(aq.Filter.Windowed)
		aq.Filter.Windowed = append(aq.Filter.Windowed, ac)
	}
	if len(windowed) == 0 {
		return nil, global, stats, nil
	}
	stats, err = st.Candidates(ctx, aq, func(ev *event.Event) error {
		for i := range windowed {
			w := &windowed[i]
			if !w.Anchor.Match(ev, nil) {
				continue
			}
			host := ""
			if w.ByHost {
				host = ev.Host
			}
			wins = append(wins, ingest.WindowedFilter{Cond: w.Cond, Host: host,
				Since: ev.Time.Add(-w.Tolerance), Until: ev.Time.Add(w.Span + w.Tolerance)})
		}
		if len(wins) >= 4096 {
			wins = ingest.MergeWindows(wins, maxWindowsPerTerm) // anchors in bursts: few windows
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, nil, stats, fmt.Errorf("windows of later sequence steps: %w", err)
	}
	return ingest.MergeWindows(wins, maxWindowsPerTerm), global, stats, nil
}

// termConds are each windowed term's condition and its anchor's,
// each where its signature can use them (its margin around the range),
// and the range they span.
func termConds(in *InputFlags, terms []engine.WindowedTerm) (ingest.StoreQuery, []ingest.WindowedFilter) {
	q := ingest.StoreQuery{Since: in.SinceT, Until: in.UntilT, Hosts: in.Fleet.Hosts}
	conds := make([]ingest.WindowedFilter, 0, 2*len(terms))
	for _, w := range terms {
		span := in.signatureMargin(w.Sig)
		a, b := in.SinceT.Add(-span), in.UntilT.Add(span)
		q.Since, q.Until = event.MinTime(q.Since, a), event.MaxTime(q.Until, b)
		conds = append(conds, ingest.WindowedFilter{Cond: w.Cond, Since: a, Until: b}, ingest.WindowedFilter{Cond: w.AnchorCond, Since: a, Until: b})
	}
	return q, conds
}

// maxWindowsPerTerm: a windowed term with more windows left after
// merging is fetched over one window that spans them.
const maxWindowsPerTerm = 512

// storeActivity asks the store for each host's rows per bucket of the
// report's range and its silences, from aggregate queries: the
// coverage's gaps (a store sends only candidates, whose silences say
// nothing of the host's). It starts them at once, beside the fetch, and
// returns a function that waits for them and returns the store's name
// with them.
func storeActivity(ctx context.Context, in *InputFlags, ws *event.Warnings) func() (string, []ingest.HostActivity, error) {
	st := in.Fleet.store()
	q := in.storeQuery(ingest.StoreFilter{}, 0)
	var acts []ingest.HostActivity
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		acts, err = st.Activity(ctx, q, timeline.ActivityBucket(q.Until.Sub(q.Since)))
	}()
	return func() (string, []ingest.HostActivity, error) {
		<-done
		if err != nil {
			if errors.Is(err, ingest.ErrStorageNodeDown) {
				err = fmt.Errorf("%w (--victorialogs-partial reads what the other nodes hold)", err)
			}
			return "", nil, fmt.Errorf("read %s: %w", st.Name(), err)
		}
		if p := st.Partial(); p != "" {
			ws.Addf(st.Name(), 0, "partial: %s: the gaps are those of the nodes that answered", p)
		}
		return st.Name(), acts, nil
	}
}

// analyzeStore is analyze on a log store: the engine's prefilter runs in
// the store, only its candidates (and error-level rows) come back.
func analyzeStore(ctx context.Context, in *InputFlags, eng *engine.Engine, sigs []*signature.Signature, ws *event.Warnings,
	observe func(*event.Event)) (*analysis, error) {
	pd := eng.StorePushdown()
	// Only candidates and error-level rows travel (a superset of the
	// lines JudgeError takes, TestFleetErrorLevelPushdown): the
	// unexplained section lacks none. Error lines only of the range the
	// report shows them for; the margins hold each signature's own
	// events within its own window, of the signatures that correlate.
	plan := storePlan{Range: ingest.StoreFilter{Literals: pd.Literals, Programs: pd.Programs, Units: pd.Units, Terms: pd.Terms, All: pd.All,
		ErrorLevel: true}, Margins: in.storeMargins(pd.Signatures), Windowed: pd.Windowed}
	if pd.All {
		ws.Addf(in.Fleet.store().Name(), 0, "a signature may match any event: every row of the range is fetched")
		plan.Windowed = nil // every row comes anyway
	}
	for _, m := range plan.Margins {
		plan.Reach = max(plan.Reach, m.span)
	}
	for _, w := range plan.Windowed {
		plan.Reach = max(plan.Reach, in.signatureMargin(w.Sig))
	}
	lookback := in.lookback(sigs)
	lookback.PerSignature = true
	sources, last, err := readStore(ctx, in, plan, ws, func(ev *event.Event) error {
		ev.ErrorLevel = event.VerdictNo
		if timeline.JudgeError(ev) {
			ev.ErrorLevel = event.VerdictYes
		}
		eng.Process(ev)
		if observe != nil {
			observe(ev)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", in.Fleet.store().Name(), err)
	}
	// The events that close absence windows locally were not fetched:
	// each host's last row does it.
	hosts := make([]string, 0, len(last))
	for h := range last {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	for _, h := range hosts {
		eng.Advance(h, last[h])
	}
	findings, err := eng.Finish()
	if err != nil {
		return nil, err
	}
	a := &analysis{NearMisses: eng.NearMisses(), Sources: sources, Lookback: lookback}
	for _, f := range findings {
		if inRange(f.Start, f.End, in.SinceT, in.UntilT) {
			a.Findings = append(a.Findings, f)
		}
	}
	return a, nil
}

// runEventsStore is `events` on a log store: every row of the range (and
// hosts), in time order.
func runEventsStore(ctx context.Context, opts *EventsOptions, start time.Time) error {
	ios := opts.IO
	out := bufio.NewWriterSize(ios.Out, 64<<10)
	sources, _, err := readStore(ctx, &opts.In, storePlan{Range: ingest.StoreFilter{All: true}}, warningsTo(ios), eventPrinter(out, opts))
	if err != nil {
		out.Flush()
		return fmt.Errorf("read %s: %w", opts.In.Fleet.store().Name(), err)
	}
	if opts.Stats {
		writeStats(out, sources, opts.In.display(), opts.Now().Sub(start))
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write events: %w", err)
	}
	return nil
}

// storeRow is ev as a JSON-lines row in syslog's field names (what
// rowEvent reads back), with seq keeping the order of equal times.
func storeRow(ev *event.Event, seq int) map[string]string {
	r := map[string]string{
		"_time": ev.Time.UTC().Format(time.RFC3339Nano), "_msg": ev.Message,
		"hostname": ev.Host, "app_name": ev.Program, "unit": ev.Unit, "seq": strconv.Itoa(seq),
	}
	if ev.PID != 0 {
		r["proc_id"] = strconv.Itoa(ev.PID)
	}
	for _, f := range ev.Fields {
		if _, taken := r[f.Key]; !taken {
			r[f.Key] = f.Value
		}
	}
	return r
}

// shipRows stores rows in a VictoriaLogs tenant through /insert/jsonline
// and makes them searchable at once.
func shipRows(ctx context.Context, base, accountID string, rows []map[string]string) error {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		strings.TrimSuffix(base, "/")+"/insert/jsonline?_time_field=_time&_msg_field=_msg&_stream_fields=hostname,app_name", &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/stream+json")
	req.Header.Set("AccountID", accountID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("insert: %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	resp, err = http.Get(strings.TrimSuffix(base, "/") + "/internal/force_flush")
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// errUnstorable: the case's findings need events a store cannot hold
// (`test --victorialogs` skips it).
type errUnstorable struct {
	state, command, untimed int
	nothing                 bool // not one timed log event
}

func (e *errUnstorable) Error() string {
	var parts []string
	for _, p := range []struct {
		n         int
		one, many string
	}{{e.state, "state snapshot", "state snapshots"}, {e.command, "shell prompt line", "shell prompt lines"}, {e.untimed, "untimed line", "untimed lines"}} {
		switch {
		case p.n == 1:
			parts = append(parts, "1 "+p.one)
		case p.n > 1:
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.many))
		}
	}
	if e.nothing {
		return "nothing to store, only " + strings.Join(parts, ", ") + ": a store holds timed log events only"
	}
	return "its findings need its " + strings.Join(parts, ", ") + ": a store holds timed log events only"
}

// caseShipper stores a case's log events (timed, in stream order) in a
// VictoriaLogs server and returns its URL and the tenant that holds them.
// It may restamp an event (the range read back is that of evs after it).
type caseShipper func(ctx context.Context, evs []*event.Event) (base, accountID string, err error)

// jsonLinesShipper ships through /insert/jsonline into tenant accountID
// of base (`logsleuth test --victorialogs`).
func jsonLinesShipper(base, accountID string) caseShipper {
	return func(ctx context.Context, evs []*event.Event) (string, string, error) {
		rows := make([]map[string]string, len(evs))
		for i, ev := range evs {
			rows[i] = storeRow(ev, i)
		}
		return base, accountID, shipRows(ctx, base, accountID, rows)
	}
}

// runCaseStore is runCase through a VictoriaLogs server: the case's log
// events are stored by ship, then analyzed with --victorialogs over
// their range. A case whose findings differ and that holds events no
// store keeps returns *errUnstorable.
func runCaseStore(ctx context.Context, c *fixture.Case, sigs []*signature.Signature, ship caseShipper) (string, []event.Warning, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	local, _, err := analyzeCase(ctx, c, sigs, engine.Options{})
	if err != nil {
		return "", nil, err
	}
	in, err := caseInputFlags(c)
	if err != nil {
		return "", nil, err
	}
	ios, _, _, _ := Test()
	var evs []*event.Event
	var unstorable errUnstorable
	if _, err := analyze(ctx, ios, in, sigs, &event.Warnings{}, engine.Options{}, func(ev *event.Event) {
		switch {
		case ev.Kind == event.KindState:
			unstorable.state++
			return
		case ev.Kind == event.KindCommand:
			unstorable.command++
			return
		case ev.Time.IsZero():
			unstorable.untimed++
			return
		}
		evs = append(evs, ev.Clone())
	}); err != nil {
		return "", nil, err
	}
	if len(evs) == 0 {
		unstorable.nothing = true
		return "", nil, &unstorable
	}
	base, accountID, err := ship(ctx, evs)
	if err != nil {
		return "", nil, err
	}
	first, last := evs[0].Time, evs[0].Time
	for _, ev := range evs {
		if ev.Time.Before(first) {
			first = ev.Time
		}
		if ev.Time.After(last) {
			last = ev.Time
		}
	}
	in, _ = caseInputFlags(c)
	in.Paths = nil
	in.Fleet.VictoriaLogs, in.Fleet.Tenant = base, accountID
	in.SinceT, in.UntilT = first, last
	ws := &event.Warnings{}
	got, err := analyze(ctx, ios, in, sigs, ws, engine.Options{}, nil)
	if err != nil {
		return "", ws.List(), err
	}
	diff := c.Compare(got.Findings)
	if diff != c.Compare(local.Findings) && unstorable != (errUnstorable{}) {
		return "", ws.List(), &unstorable
	}
	return diff, ws.List(), nil
}

// caseInputFlags are a case's args as validated input flags.
func caseInputFlags(c *fixture.Case) (*InputFlags, error) {
	var in InputFlags
	fs := pflag.NewFlagSet("args", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	in.register(fs)
	if err := fs.Parse(c.Args); err != nil {
		return nil, fmt.Errorf("%s: args: %w", filepath.Join(c.Dir, fixture.ExpectFile), err)
	}
	ios, _, _, _ := Test()
	if err := in.validate("args", c.Inputs, ios, timeNow()); err != nil {
		return nil, err
	}
	return &in, nil
}

// addRefetch gives each evidence line of rep, of its findings and near
// misses, the command that prints it again from the store it was read
// from.
func addRefetch(rep *timeline.Report, vl *ingest.VictoriaLogs) {
	add := func(ev []timeline.Evidence) {
		for i := range ev {
			ev[i].Refetch = vl.RefetchCommand(ev[i].Event, ev[i].Cut > 0)
		}
	}
	for _, f := range rep.Findings {
		add(f.Evidence)
	}
	for _, n := range rep.NearMisses {
		add(n.Evidence)
	}
}
