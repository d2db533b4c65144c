package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/fixture"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
	"github.com/logsleuth/logsleuth/analyzer/signature"
	"github.com/logsleuth/logsleuth/analyzer/timeline"
	"github.com/logsleuth/logsleuth/internal/testenv"
)

// caseEvents reads a fixture case as `logsleuth test` does and returns
// copies of its log events in stream order.
func caseEvents(t *testing.T, c *fixture.Case) []*event.Event {
	t.Helper()
	sigs, err := loadSignatureSet(nil)
	if err != nil {
		t.Fatal(err)
	}
	in, err := caseInputFlags(c)
	if err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ := Test()
	var logs []*event.Event
	_, err = analyze(context.Background(), ios, in, sigs, &event.Warnings{}, engine.Options{}, func(ev *event.Event) {
		if ev.Kind == event.KindLog {
			logs = append(logs, ev.Clone())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return logs
}

// querySeqs runs one LogsQL query and returns the seq of each row.
func querySeqs(t *testing.T, base, query string) []int {
	t.Helper()
	resp, err := http.PostForm(base+"/select/logsql/query", url.Values{"query": {query + " | fields seq"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("query %.200s: %s: %s", query, resp.Status, msg)
	}
	var seqs []int
	dec := json.NewDecoder(resp.Body)
	for {
		var row map[string]string
		if err := dec.Decode(&row); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.Atoi(row["seq"])
		if err != nil {
			t.Fatalf("row without seq: %v", row)
		}
		seqs = append(seqs, n)
	}
	return seqs
}

// TestFleetPushdownEqualsPrefilter: for every fixture case, the rows the
// pushed-down LogsQL returns are exactly the events the engine's
// pushdown (literals as substrings, programs, units) passes, evaluated
// here; and every event a matcher of a built-in signature accepts is
// among them: a row the store dropped would be a finding lost silently.
// The only rows allowed beyond are systemd's lines that name a unit in
// their text (a syslog row carries no parsed unit).
func TestFleetPushdownEqualsPrefilter(t *testing.T) {
	base := testenv.StartVictoriaLogs(t)
	sigs, err := loadSignatureSet(nil)
	if err != nil {
		t.Fatal(err)
	}
	addUnitDescriptions(sigs)
	eng := engine.New(sigs, engine.Options{})
	pd := eng.StorePushdown()
	if pd.All {
		t.Fatal("the built-in set asks for every event: nothing to push down")
	}
	if len(pd.Literals) == 0 || len(pd.Programs) == 0 || len(pd.Units) == 0 {
		t.Fatalf("pushdown lacks a kind of requirement: %+v", pd)
	}
	if len(pd.Terms) == 0 {
		t.Fatalf("no definition narrowed by a conjunction: %+v", pd)
	}
	if len(pd.Windowed) == 0 {
		t.Fatalf("no later sequence step fetched in windows: %+v", pd)
	}
	// A windowed term over the whole range: what may be fetched at
	// most (TestFleetWindowedStep checks the windows).
	pd.Terms = append(pd.Terms, windowedConds(pd)...)
	filter := ingest.StoreFilter{Literals: pd.Literals, Programs: pd.Programs, Units: pd.Units, Terms: pd.Terms}

	cases, err := fixture.Find("../../fixtures")
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	var all []*event.Event
	caseOf := map[int]string{}
	untimed := 0
	for _, c := range cases {
		for _, ev := range caseEvents(t, c) {
			if ev.Time.IsZero() {
				untimed++ // a store keeps no event without a time
				continue
			}
			caseOf[len(all)] = c.Name
			rows = append(rows, storeRow(ev, len(all)))
			all = append(all, ev)
		}
	}
	if len(all) < 500 {
		t.Fatalf("only %d timed events in %d cases", len(all), len(cases))
	}
	if err := shipRows(context.Background(), base, "0", rows); err != nil {
		t.Fatal(err)
	}

	var want []int
	for i, ev := range all {
		if pushdownPasses(pd, ev) {
			want = append(want, i)
		} else if def := acceptedBy(sigs, ev); def != "" {
			t.Errorf("%s: %s accepts an event the pushdown drops: %s %s unit=%q: %q", caseOf[i], def, ev.Host, ev.Program, ev.Unit, ev.Message)
		}
	}
	// Split finely as well as whole: the union must not change.
	for _, maxLen := range []int{0, 600} {
		t.Run(fmt.Sprintf("maxLen=%d", maxLen), func(t *testing.T) {
			qs, err := ingest.LogsQL(ingest.StoreQuery{Filter: filter}, maxLen)
			if err != nil {
				t.Fatal(err)
			}
			if maxLen > 0 && len(qs) < 5 {
				t.Fatalf("%d queries for a %d-byte limit", len(qs), maxLen)
			}
			var got []int
			for _, q := range qs {
				if maxLen > 0 && len(q) > maxLen {
					t.Errorf("query of %d bytes over the limit %d", len(q), maxLen)
				}
				got = append(got, querySeqs(t, base, q)...)
			}
			slices.Sort(got)
			got = slices.Compact(got)
			for _, i := range want {
				if _, ok := slices.BinarySearch(got, i); !ok {
					ev := all[i]
					t.Errorf("lost by the store: %s: %s %s[%d] unit=%q: %q", caseOf[i], ev.Host, ev.Program, ev.PID, ev.Unit, ev.Message)
				}
			}
			extra := 0
			for _, i := range got {
				if _, ok := slices.BinarySearch(want, i); !ok {
					ev := all[i]
					if ev.Program != "systemd" && ev.Program != "init" {
						t.Errorf("returned but not a candidate: %s: %s %s unit=%q: %q", caseOf[i], ev.Host, ev.Program, ev.Unit, ev.Message)
					}
					extra++
				}
			}
			t.Logf("%d events stored (%d untimed left out), %d candidates, %d returned (%d systemd lines beyond), %d queries",
				len(all), untimed, len(want), len(got), extra, len(qs))
		})
	}
	// Each signature's own conditions (what the margins fetch, narrowed
	// by program): every event one of its definitions accepts passes
	// them, here and in the store.
	windowedDef := map[string]bool{}
	for _, w := range pd.Windowed {
		windowedDef[w.Name] = true
	}
	first, last := all[0].Time, all[0].Time
	for _, ev := range all {
		first, last = event.MinTime(first, ev.Time), event.MaxTime(last, ev.Time)
	}
	for _, st := range pd.Signatures {
		if st.All || len(st.Conds) == 0 {
			continue
		}
		var ws []ingest.WindowedFilter
		for _, c := range st.Conds {
			ws = append(ws, ingest.WindowedFilter{Cond: c, Since: first, Until: last})
		}
		qs, err := ingest.LogsQL(ingest.StoreQuery{Filter: ingest.StoreFilter{Windowed: ws}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, q := range qs {
			got = append(got, querySeqs(t, base, q)...)
		}
		slices.Sort(got)
		for i, ev := range all {
			for _, d := range st.Sig.Events {
				if windowedDef[st.Sig.ID+"/"+d.Name] || !d.Matcher.Match(ev, nil) {
					continue
				}
				if !slices.ContainsFunc(st.Conds, func(c event.Filter) bool { return c.Passes(ev) }) {
					t.Errorf("%s: %s/%s accepts an event its margin conditions drop: %s %s: %q", caseOf[i], st.Sig.ID, d.Name, ev.Host, ev.Program, ev.Message)
				} else if _, ok := slices.BinarySearch(got, i); !ok {
					t.Errorf("%s: %s/%s: the store's margin query lost %s %s: %q", caseOf[i], st.Sig.ID, d.Name, ev.Host, ev.Program, ev.Message)
				}
			}
		}
	}
}

// pushdownPasses evaluates the pushdown locally, with logsleuth's
// semantics: what the store's query must reproduce.
func pushdownPasses(pd engine.Pushdown, ev *event.Event) bool {
	if slices.Contains(pd.Programs, ev.Program) || slices.Contains(pd.Units, ev.Unit) {
		return true
	}
	for _, l := range pd.Literals {
		if strings.Contains(ev.Message, l) {
			return true
		}
	}
	for i := range pd.Terms {
		if pd.Terms[i].Passes(ev) {
			return true
		}
	}
	return false
}

// windowedConds are the conditions of pd's windowed terms.
func windowedConds(pd engine.Pushdown) []event.Filter {
	var cs []event.Filter
	for _, w := range pd.Windowed {
		cs = append(cs, w.Cond)
	}
	return cs
}

// acceptedBy names a definition whose matcher accepts ev, or "".
func acceptedBy(sigs []*signature.Signature, ev *event.Event) string {
	for _, s := range sigs {
		for _, d := range s.Events {
			if d.Matcher.Match(ev, nil) {
				return s.ID + "/" + d.Name
			}
		}
	}
	return ""
}

// TestFleetFixturesThroughStore: every fixture case, stored in
// VictoriaLogs (JSON lines in syslog's field names, one tenant per case)
// and analyzed with --victorialogs, gives the findings it gives from its
// files (`logsleuth test --victorialogs`), except cases whose findings
// need state snapshots or untimed lines, which a store does not hold.
func TestFleetFixturesThroughStore(t *testing.T) {
	base := testenv.StartVictoriaLogs(t)
	sigs, cases := builtinCases(t)
	same := 0
	for n, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			local, _, err := runCase(context.Background(), c, sigs, engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := runCaseStore(context.Background(), c, sigs, jsonLinesShipper(base, strconv.Itoa(n+1)))
			var unstorable *errUnstorable
			if errors.As(err, &unstorable) {
				t.Log(err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != local {
				t.Errorf("through the store:\n%s\nfrom files:\n%s", got, local)
			}
			same++
		})
	}
	if same < len(cases)*3/4 {
		t.Errorf("only %d of %d cases ran through the store", same, len(cases))
	}

	// The command: one signature's cases, all through the store.
	ios, _, out, _ := Test()
	if code := run(context.Background(), ios, []string{"test", "--victorialogs", base, "../../fixtures/containerd-restart"}); code != 0 {
		t.Errorf("logsleuth test --victorialogs: exit %d:\n%s", code, out)
	}
	if !strings.Contains(out.String(), " passed, 0 failed") || strings.HasPrefix(out.String(), "0 passed") {
		t.Errorf("logsleuth test --victorialogs:\n%s", out)
	}
}

// TestFleetEvents: `events --victorialogs` prints the rows of the range
// in time order, in each --format, and --stats one source per host and
// program.
func TestFleetEvents(t *testing.T) {
	base := testenv.StartVictoriaLogs(t)
	rows := []map[string]string{
		{"_time": "2021-10-07T06:20:22Z", "_msg": "Out of memory: Killed process 9121 (java)", "hostname": "web-3", "app_name": "kernel", "seq": "1"},
		{"_time": "2021-10-07T06:20:21Z", "_msg": "Stopping containerd container runtime...", "hostname": "web-3", "app_name": "systemd", "proc_id": "1", "seq": "0"},
		{"_time": "2021-10-07T08:00:00Z", "_msg": "outside the range", "hostname": "web-3", "app_name": "cron", "seq": "2"},
	}
	if err := shipRows(context.Background(), base, "0", rows); err != nil {
		t.Fatal(err)
	}
	events := func(args ...string) string {
		t.Helper()
		ios, _, out, stderr := Test()
		argv := append([]string{"events", "--victorialogs", base, "--tz", "UTC", "--since", "2021-10-07 06:00", "--until", "2021-10-07 07:00"}, args...)
		if code := run(context.Background(), ios, argv); code != exitOK {
			t.Fatalf("%q: exit %d:\n%s", argv, code, stderr)
		}
		// What travelled: both rows of the range, in one query.
		if !regexp.MustCompile(`fetched 2 of 2 rows \(100\.0%\): 2 candidates \(100\.00%\), 0 error-level rows; [1-9][0-9]* bytes in 1 queries \(0 retried\)`).MatchString(stderr.String()) {
			t.Errorf("%q: no word of what was fetched:\n%s", argv, stderr)
		}
		return out.String()
	}
	const wantText = "2021-10-07T06:20:21Z web-3 systemd[1]: Stopping containerd container runtime...\n" +
		"2021-10-07T06:20:22Z web-3 kernel: Out of memory: Killed process 9121 (java)\n"
	if got := events("--format", "text"); got != wantText {
		t.Errorf("--format text:\n%s\nwant:\n%s", got, wantText)
	}
	lines := strings.Split(strings.TrimSuffix(events(), "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"message":"Stopping containerd container runtime..."`) ||
		!strings.Contains(lines[1], `"message":"Out of memory: Killed process 9121 (java)"`) {
		t.Errorf("jsonl:\n%s", strings.Join(lines, "\n"))
	}
	stats := events("--stats")
	var got []string // each row's columns, single-spaced
	for _, l := range strings.Split(stats, "\n") {
		got = append(got, strings.Join(strings.Fields(l), " "))
	}
	name := (&FleetFlags{VictoriaLogs: base}).store().Name()
	for _, want := range []string{
		name + ":web-3/kernel victorialogs 1 2021-10-07T06:20:22Z 2021-10-07T06:20:22Z exact",
		name + ":web-3/systemd victorialogs 1 2021-10-07T06:20:21Z 2021-10-07T06:20:21Z exact",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("--stats lacks the row %q:\n%s", want, stats)
		}
	}
	if !strings.Contains(stats, "total: 2 sources, 2 events") {
		t.Errorf("--stats total:\n%s", stats)
	}
	// A range without rows: nothing printed, a warning says so.
	ios, _, out, stderr := Test()
	if code := run(context.Background(), ios, []string{"events", "--victorialogs", base, "--tz", "UTC", "--since", "2021-10-08", "--until", "2021-10-09"}); code != exitOK {
		t.Fatalf("empty range: exit %d:\n%s", code, stderr)
	}
	if out.Len() != 0 || !strings.Contains(stderr.String(), "no rows in 2021-10-08") {
		t.Errorf("empty range: stdout %q, stderr %q", out, stderr)
	}
}

// TestFleetBadServer: a store that fails (a 4xx, a reply that is not
// VictoriaLogs', a reply cut off after 200 OK on every try) ends the run
// with exit 2 and an error that says what happened; no report is
// printed, so nothing passes for complete.
func TestFleetBadServer(t *testing.T) {
	defer func(b time.Duration) { storeBackoff = b }(storeBackoff)
	storeBackoff = time.Millisecond
	coverageRow := `{"hostname":"web-3","app_name":"systemd","rows":"2","first":"2021-10-07T06:20:21Z","last":"2021-10-07T06:20:22Z"}` + "\n"
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"400", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "cannot parse `query` arg: unexpected token", http.StatusBadRequest)
		}, "HTTP 400: cannot parse `query` arg: unexpected token"},
		{"login page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<html><body>Sign in</body></html>")
		}, `reply is "text/html; charset=utf-8", not JSON lines`},
		{"cut after 200", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/stream+json")
			if q := r.FormValue("query"); strings.Contains(q, "| stats count() if ") {
				return // no row: every count is 0
			} else if strings.Contains(q, "| stats ") {
				fmt.Fprint(w, coverageRow)
				return
			}
			fmt.Fprint(w, `{"_time":"2021-10-07T06:20:21Z","hostname":"web-3","app_name":"systemd","_msg":"Stopping containerd container runtime..."}`+"\n"+`{"_time":"2021-10-07T06:2`)
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}, "reply cut off before its end (server timeout or dropped connection) (after 3 retries)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			for _, cmd := range []string{"timeline", "events"} {
				ios, _, out, stderr := Test()
				code := run(context.Background(), ios, []string{cmd, "--victorialogs", srv.URL, "--tz", "UTC", "--since", "2021-10-07 06:00", "--until", "2021-10-07 07:00"})
				if code != exitError {
					t.Errorf("%s: exit %d, want %d", cmd, code, exitError)
				}
				if !strings.Contains(stderr.String(), tc.want) {
					t.Errorf("%s: stderr %q, want it to say %q", cmd, stderr, tc.want)
				}
				if cmd == "timeline" && out.Len() > 0 {
					t.Errorf("%s: a report was printed:\n%s", cmd, out)
				}
			}
		})
	}
}

// TestFleetSelections: journalctl's selections on a store. --host names
// are fetched alone (the other host's rows never come back, so its
// coverage row is gone too); a glob is applied here over every row; -t,
// -p and -u select among the rows as on files; -b has no boots to count.
func TestFleetSelections(t *testing.T) {
	base := testenv.StartVictoriaLogs(t)
	rows := []map[string]string{
		{"_time": "2024-03-03T06:02:40Z", "_msg": "Stopping Docker Application Container Engine...", "hostname": "node-7", "app_name": "systemd", "proc_id": "1", "seq": "0"},
		{"_time": "2024-03-03T06:02:41Z", "_msg": `time="2024-03-03T06:02:41.390112874Z" level=info msg="Daemon shutdown complete"`, "hostname": "node-7", "app_name": "dockerd", "proc_id": "1184", "seq": "1"},
		{"_time": "2024-03-03T06:30:00Z", "_msg": "Out of memory: Killed process 30122 (java)", "hostname": "web-4", "app_name": "kernel", "seq": "2"},
		{"_time": "2024-03-03T06:31:02Z", "_msg": "error: kex_exchange_identification: Connection closed by remote host", "hostname": "web-5", "app_name": "sshd", "proc_id": "877", "seq": "3"},
	}
	if err := shipRows(context.Background(), base, "0", rows); err != nil {
		t.Fatal(err)
	}
	run1 := func(args ...string) (int, string, string) {
		t.Helper()
		ios, _, out, stderr := Test()
		argv := append([]string{"events", "--victorialogs", base, "--tz", "UTC", "--since", "2024-03-03 06:00", "--until", "2024-03-03 07:00", "-o", "cat"}, args...)
		code := run(context.Background(), ios, argv)
		return code, out.String(), stderr.String()
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--host", "web-4", "--host", "web-5"}, "Out of memory: Killed process 30122 (java)\nerror: kex_exchange_identification: Connection closed by remote host\n"},
		// (The kernel's OOM kill reads as an error: no PRI, err by the judgement.)
		{[]string{"--host", "web-*", "-p", "err"}, "Out of memory: Killed process 30122 (java)\nerror: kex_exchange_identification: Connection closed by remote host\n"},
		{[]string{"--host", "node-*", "-p", "err"}, ""},
		{[]string{"-u", "docker"}, "Stopping Docker Application Container Engine...\n" + `time="2024-03-03T06:02:41.390112874Z" level=info msg="Daemon shutdown complete"` + "\n"},
		{[]string{"-t", "kernel", "-g", "killed process"}, "Out of memory: Killed process 30122 (java)\n"},
	}
	for _, tt := range tests {
		code, out, stderr := run1(tt.args...)
		if code != exitOK || out != tt.want {
			t.Errorf("%q: exit %d, stdout:\n%s\nwant:\n%s\nstderr: %s", tt.args, code, out, tt.want, stderr)
		}
	}
	// Pushed down: the store is asked for web-4 only.
	if code, out, _ := run1("--host", "web-4", "--stats"); code != exitOK || strings.Contains(out, "node-7") || !strings.Contains(out, ":web-4/kernel") {
		t.Errorf("--host web-4 --stats: exit %d:\n%s", code, out)
	}
	if code, _, stderr := run1("-b", "-1"); code != exitError || !strings.Contains(stderr, "--boot: a store's rows carry no boots") {
		t.Errorf("-b on a store: exit %d, stderr %q", code, stderr)
	}
}

// TestFleetErrorLevelPushdown: every fixture event the timeline judges
// an error line (timeline.JudgeError: priorities, levels, error texts,
// kernel failures, systemd failures) is among the rows the store's
// error-level filter returns: the unexplained section from a store
// lacks none of them.
func TestFleetErrorLevelPushdown(t *testing.T) {
	if raceEnabled {
		t.Skip("make unit runs it; -race adds nothing but time (see TestFleetFixturesShipped)")
	}
	base := testenv.StartVictoriaLogs(t)
	cases, err := fixture.Find("../../fixtures")
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	var all []*event.Event
	caseOf := map[int]string{}
	for _, c := range cases {
		for _, ev := range caseEvents(t, c) {
			if ev.Time.IsZero() {
				continue
			}
			caseOf[len(all)] = c.Name
			rows = append(rows, storeRow(ev, len(all)))
			all = append(all, ev)
		}
	}
	if err := shipRows(context.Background(), base, "0", rows); err != nil {
		t.Fatal(err)
	}
	qs, err := ingest.LogsQL(ingest.StoreQuery{Filter: ingest.StoreFilter{ErrorLevel: true}}, 0)
	if err != nil || len(qs) != 1 {
		t.Fatalf("%d queries, %v", len(qs), err)
	}
	got := querySeqs(t, base, qs[0])
	slices.Sort(got)
	judged := 0
	for i, ev := range all {
		if !timeline.JudgeError(ev) {
			continue
		}
		judged++
		if _, ok := slices.BinarySearch(got, i); !ok {
			t.Errorf("an error line the store does not return: %s: %s %s[%d] prio=%v: %q", caseOf[i], ev.Host, ev.Program, ev.PID, ev.Priority, ev.Message)
		}
	}
	if judged < 100 {
		t.Errorf("only %d error lines in the fixtures", judged)
	}
	t.Logf("%d events stored, %d judged error lines, %d returned by the error-level filter", len(all), judged, len(got))
}

// TestFleetRefetch: every evidence line of a timeline read from the
// store carries a command (text and JSON) that, run by a shell, prints
// that row from the store again.
func TestFleetRefetch(t *testing.T) {
	base := testenv.StartVictoriaLogs(t)
	if _, err := exec.LookPath("curl"); err != nil {
		testenv.Missing(t, "curl: %v", err)
	}
	c, err := fixture.Load("../../fixtures/unattended-upgrade/seed-001-syslog")
	if err != nil {
		t.Fatal(err)
	}
	evs := caseEvents(t, c)
	if _, _, err := jsonLinesShipper(base, "0")(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	timelineOf := func(format string) string {
		ios, _, out, stderr := Test()
		argv := []string{"timeline", "--victorialogs", base, "--format", format, "--tz", "UTC",
			"--since", evs[0].Time.Format(time.RFC3339Nano), "--until", evs[len(evs)-1].Time.Format(time.RFC3339Nano)}
		if code := run(context.Background(), ios, argv); code != exitOK {
			t.Fatalf("%q: exit %d: %s", argv, code, stderr)
		}
		return out.String()
	}
	var rep struct {
		Findings []struct {
			Evidence []struct{ Message, Refetch string }
		}
	}
	if err := json.Unmarshal([]byte(timelineOf("json")), &rep); err != nil {
		t.Fatal(err)
	}
	text, md := timelineOf("text"), timelineOf("md")
	n := 0
	for _, f := range rep.Findings {
		for _, e := range f.Evidence {
			n++
			if e.Refetch == "" || !strings.Contains(text, "re-fetch: "+e.Refetch+"\n") || !strings.Contains(md, "- `"+e.Refetch+"`\n") {
				t.Errorf("evidence %q: refetch %q, not in the text and markdown reports", e.Message, e.Refetch)
				continue
			}
			out, err := exec.Command("sh", "-c", e.Refetch).Output()
			if err != nil {
				t.Fatalf("%s: %v", e.Refetch, err)
			}
			var msgs []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				var row map[string]string
				if err := json.Unmarshal([]byte(l), &row); err != nil {
					t.Fatalf("%s: %q: %v", e.Refetch, l, err)
				}
				msgs = append(msgs, row["_msg"])
			}
			if len(msgs) != 1 || msgs[0] != e.Message {
				t.Errorf("%s\nreturned %q, want [%q]", e.Refetch, msgs, e.Message)
			}
		}
	}
	if len(rep.Findings) < 2 || n < 4 {
		t.Errorf("%d findings, %d evidence lines: want the case's two findings", len(rep.Findings), n)
	}
}

// refetchProbe is a signature of the fleet re-fetch test: a job that
// begins and does not end within 10 minutes on its host; its end within
// them is a near miss.
const refetchProbe = `schema: logsleuth/v1
id: refetch-probe
title: A job began and did not end
severity: low
events:
  begin: {message|contains: 'job begin'}
  end: {message|contains: 'job end'}
match:
  sequence:
    by: [host]
    steps:
      - {event: begin, as: begin}
      - {absent: end, as: ended, for: 10m}
explain: 'the job did not end'
`

// TestFleetRefetchNearMissesAndExplain: the evidence lines of near misses
// (timeline --near-misses, every format) and of explain, read from the
// store, carry the command that prints them again; run by a shell each
// returns exactly its row, whatever quotes, $(...), backticks, markup,
// newlines and terminal escapes its host, program and message hold, and
// nothing of that text runs. Rows at the same nanosecond on a host or
// program that extends the cited one's name are neighbours no command
// may return.
func TestFleetRefetchNearMissesAndExplain(t *testing.T) {
	base := testenv.StartVictoriaLogs(t)
	if _, err := exec.LookPath("curl"); err != nil {
		testenv.Missing(t, "curl: %v", err)
	}
	dir := t.TempDir()
	mark := dir + "/pwned"
	rules := dir + "/rules"
	if err := os.Mkdir(rules, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rules+"/probe.yaml", []byte(refetchProbe), 0o644); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 11, 10, 21, 25, 40, 386103512, time.UTC)
	hostA := `web"3 $(touch ` + mark + `)`
	progA := "job'runner</script>"
	msgA := "job begin \x1b[31m<b>bold</b>\x1b[0m `touch " + mark + "` 'q' \"dq\" \\\n  second line </script><script>alert(1)</script>"
	hostB := "db-2\n\x1b]0;owned\x07\u202eevil"
	rows := []struct {
		host, prog, msg string
		at              time.Time
	}{
		{hostA, progA, msgA, t0},
		{hostA, progA, "job end | cell | [x](http://evil) \x1b]8;;http://evil\x07click\x1b]8;;\x07", t0.Add(2 * time.Minute)},
		{hostB, "job", "job begin on " + hostB, t0.Add(time.Minute)},
		// Neighbours: the same time and message on a host or program
		// whose name begins with the cited one's.
		{hostA + "x", progA, msgA, t0},
		{hostA, progA + "x", msgA, t0},
		{hostB, "job", "job begin on " + hostB, t0.Add(time.Minute + time.Nanosecond)},
	}
	var stored []map[string]string
	for i, r := range rows {
		stored = append(stored, map[string]string{"_time": r.at.Format(time.RFC3339Nano), "_msg": r.msg,
			"hostname": r.host, "app_name": r.prog, "seq": strconv.Itoa(i)})
	}
	if err := shipRows(context.Background(), base, "0", stored); err != nil {
		t.Fatal(err)
	}
	rangeArgs := []string{"--victorialogs", base, "--patterns", rules, "--tz", "UTC",
		"--since", t0.Add(-time.Minute).Format(time.RFC3339Nano), "--until", t0.Add(5 * time.Minute).Format(time.RFC3339Nano)}
	runCLI := func(argv ...string) string {
		t.Helper()
		ios, _, out, stderr := Test()
		argv = append(argv, rangeArgs...)
		if code := run(context.Background(), ios, argv); code != exitOK {
			t.Fatalf("%q: exit %d: %s", argv, code, stderr)
		}
		return out.String()
	}
	timelineOf := func(format string) string { return runCLI("timeline", "--near-misses", "--format", format) }

	type evidence struct {
		Time, Host, Program, Message, Refetch string
	}
	var rep struct {
		Findings []struct {
			Signature string
			Evidence  []evidence
		}
		NearMisses []struct {
			Signature string
			Evidence  []evidence
		} `json:"near_misses"`
	}
	if err := json.Unmarshal([]byte(timelineOf("json")), &rep); err != nil {
		t.Fatal(err)
	}
	var all, nearMiss []evidence
	for _, f := range rep.Findings {
		all = append(all, f.Evidence...)
	}
	for _, n := range rep.NearMisses {
		if n.Signature == "refetch-probe" {
			nearMiss = append(nearMiss, n.Evidence...)
		}
		all = append(all, n.Evidence...)
	}
	if len(rep.Findings) == 0 || len(nearMiss) == 0 {
		t.Fatalf("want findings and a near miss of refetch-probe: %d findings, %d near-miss evidence lines", len(rep.Findings), len(nearMiss))
	}
	hostile := false
	for _, e := range nearMiss {
		hostile = hostile || e.Host == hostA
	}
	if !hostile {
		t.Errorf("no near-miss evidence line of host %q: %+v", hostA, nearMiss)
	}

	// Each command returns exactly its row.
	for _, e := range all {
		if e.Refetch == "" {
			t.Errorf("evidence %q of %q: no re-fetch command", e.Message, e.Host)
			continue
		}
		out, err := exec.Command("sh", "-c", e.Refetch).Output()
		if err != nil {
			t.Fatalf("%s: %v", e.Refetch, err)
		}
		var got []map[string]string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var row map[string]string
			if err := json.Unmarshal([]byte(l), &row); err != nil {
				t.Fatalf("%s: %q: %v", e.Refetch, l, err)
			}
			got = append(got, row)
		}
		at, err := time.Parse(time.RFC3339Nano, e.Time)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0]["_msg"] != e.Message || got[0]["hostname"] != e.Host || got[0]["app_name"] != e.Program ||
			got[0]["_time"] != at.Format(time.RFC3339Nano) {
			t.Errorf("%s\nreturned %q, want the row of %+v", e.Refetch, got, e)
		}
	}
	if _, err := os.Stat(mark); !os.IsNotExist(err) {
		t.Errorf("log text ran as a command: %s exists (%v)", mark, err)
	}

	// The text, table, markdown and HTML reports carry the same
	// commands, each escaped for its format.
	text, table, md, page := timelineOf("text"), timelineOf("table"), timelineOf("md"), timelineOf("html")
	for _, e := range all {
		if !strings.Contains(text, "re-fetch: "+e.Refetch+"\n") {
			t.Errorf("text: no re-fetch line %q", e.Refetch)
		}
		if !strings.Contains(table, "\n    - "+e.Refetch+"\n") {
			t.Errorf("table: no re-fetch item %q", e.Refetch)
		}
		if !strings.Contains(md, "\n- "+timeline.CodeSpanMarkdown(e.Refetch, false)+"\n") {
			t.Errorf("md: no re-fetch item %q", e.Refetch)
		}
	}
	var codes []string
	for _, m := range htmlCode.FindAllStringSubmatch(page, -1) {
		codes = append(codes, html.UnescapeString(m[1]))
	}
	var want []string
	for _, e := range all {
		want = append(want, e.Refetch)
	}
	slices.Sort(codes)
	slices.Sort(want)
	if !slices.Equal(codes, want) {
		t.Errorf("html: the re-fetch commands\n%q\nwant\n%q", codes, want)
	}

	// explain prints the commands of its signature's finding and near
	// miss lines, the same as the timeline's.
	var explained []string
	for _, l := range strings.Split(runCLI("explain", "refetch-probe"), "\n") {
		if _, cmd, ok := strings.Cut(l, "re-fetch: "); ok {
			explained = append(explained, cmd)
		}
	}
	want = want[:0]
	for _, f := range rep.Findings {
		for _, e := range f.Evidence {
			if f.Signature == "refetch-probe" {
				want = append(want, e.Refetch)
			}
		}
	}
	for _, e := range nearMiss {
		want = append(want, e.Refetch)
	}
	slices.Sort(explained)
	slices.Sort(want)
	if !slices.Equal(explained, want) {
		t.Errorf("explain: the re-fetch commands\n%q\nwant\n%q", explained, want)
	}
}

// htmlCode finds the re-fetch commands of an HTML report.
var htmlCode = regexp.MustCompile(`<details class="refetch"><summary>[^<]*</summary><code>([^<]*)</code></details>`)

// TestFleetWindowedStep: containerd's "shim disconnected" is only
// unattended-upgrade-restart's interrupted step, wanted within 2 minutes
// of a runtime stop on the same host: the store sends the line 30 s
// after the stop, not the one 10 minutes after it nor other hosts', and
// the finding is the one the file gives.
func TestFleetWindowedStep(t *testing.T) {
	base := testenv.StartVictoriaLogs(t)
	sigs, err := loadSignatureSet(nil)
	if err != nil {
		t.Fatal(err)
	}
	shim := func(at, id string) string {
		return `level=info msg="shim disconnected" id=` + strings.Repeat(id, 16) + ` namespace=moby time="2025-03-10T06:` + at + `Z"`
	}
	log := strings.Join([]string{
		"2025-03-10T06:00:05Z ci-7 systemd[1]: Starting Daily apt upgrade and clean activities...",
		"2025-03-10T06:01:10Z ci-7 systemd[1]: Stopping containerd container runtime...",
		"2025-03-10T06:01:40Z ci-7 containerd[811]: " + shim("01:40.118", "4be1"),
		"2025-03-10T06:01:40Z web-3 containerd[902]: " + shim("01:40.201", "77ac"),
		"2025-03-10T06:01:41Z ci-7 systemd[1]: Stopped containerd container runtime.",
		"2025-03-10T06:01:42Z ci-7 systemd[1]: Starting containerd container runtime...",
		"2025-03-10T06:01:43Z ci-7 systemd[1]: Started containerd container runtime.",
		"2025-03-10T06:11:10Z ci-7 containerd[4410]: " + shim("11:10.552", "9d03"),
		"2025-03-10T06:15:00Z ci-7 systemd[1]: apt-daily-upgrade.service: Deactivated successfully.",
		// More shims than runtime lines, as on a busy node: worth
		// fetching in windows (fewer would be fetched everywhere).
		"2025-03-10T06:18:20Z web-3 containerd[902]: " + shim("18:20.004", "a1b2"),
		"2025-03-10T06:18:20Z web-3 containerd[902]: " + shim("18:20.019", "c3d4"),
		"2025-03-10T06:18:21Z web-3 containerd[902]: " + shim("18:21.240", "e5f6"),
	}, "\n") + "\n"
	path := t.TempDir() + "/syslog"
	if err := os.WriteFile(path, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ := Test()
	findings := func(in *InputFlags, observe func(*event.Event)) string {
		t.Helper()
		return analyzedFindings(t, in, sigs, observe, func(f *engine.Finding) string {
			return fmt.Sprintf("%s %s %s %s..%s %v", f.Signature.ID, f.Outcome, f.Host, f.Start.UTC().Format(time.RFC3339), f.End.UTC().Format(time.RFC3339), f.Captures)
		})
	}
	in := &InputFlags{}
	if err := in.validate("timeline", []string{path}, ios, timeNow()); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	local := findings(in, func(ev *event.Event) { rows = append(rows, storeRow(ev.Clone(), len(rows))) })
	if !strings.Contains(local, "unattended-upgrade-restart confirmed ci-7") {
		t.Fatalf("from the file:\n%s", local)
	}
	if err := shipRows(context.Background(), base, "0", rows); err != nil {
		t.Fatal(err)
	}
	in = &InputFlags{}
	if err := in.validate("timeline", nil, ios, timeNow()); err != nil {
		t.Fatal(err)
	}
	in.Fleet.VictoriaLogs = base
	in.SinceT, in.UntilT = time.Date(2025, 3, 10, 6, 0, 0, 0, time.UTC), time.Date(2025, 3, 10, 6, 20, 0, 0, time.UTC)
	var fetched []string
	got := findings(in, func(ev *event.Event) {
		if strings.Contains(ev.Message, "shim disconnected") {
			fetched = append(fetched, ev.Host+" "+ev.Time.UTC().Format("15:04:05"))
		}
	})
	if strings.Join(fetched, ", ") != "ci-7 06:01:40" {
		t.Errorf("shim lines fetched: %q, want only ci-7's 30 s after the stop", fetched)
	}
	if got != local {
		t.Errorf("through the store:\n%s\nfrom the file:\n%s", got, local)
	}
}

// analyzedFindings runs analyze over in and returns its findings, one
// line each as line writes them, in the engine's order.
func analyzedFindings(t *testing.T, in *InputFlags, sigs []*signature.Signature, observe func(*event.Event), line func(*engine.Finding) string) string {
	t.Helper()
	ios, _, _, _ := Test()
	a, err := analyze(context.Background(), ios, in, sigs, &event.Warnings{}, engine.Options{}, observe)
	if err != nil {
		t.Fatal(err)
	}
	var fs []string
	for _, f := range a.Findings {
		fs = append(fs, line(f))
	}
	return strings.Join(fs, "\n")
}
