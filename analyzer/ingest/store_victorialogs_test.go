package ingest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/internal/testenv"
)

func TestVLLiteral(t *testing.T) {
	for _, tc := range []struct{ lit, want string }{
		// word start: substring, after the longest word it holds whole
		{"Out of memory: Kill", `("memory" *"Out of memory: Kill"*)`},
		{": Kill", `": Kill"*`}, // word end only: phrase prefix
		{"): Corruption", `"): Corruption"*`},
		{" is too old. ", `" is too old. "`}, // non-word at both ends: phrase
		{"containerd: ", `*"containerd: "*`}, // no whole word
		{"NodeNotReady", `*"NodeNotReady"*`},
		{`connection to server at "`, `("server" *"connection to server at \""*)`},
		{"Failed keyboard-interactive/pam for ", `("interactive" *"Failed keyboard-interactive/pam for "*)`},
		{"étape ", `*"étape "*`}, // a letter outside ASCII is a word character
		{"a étape b", `("étape" *"a étape b"*)`},
		{"x_y z", `*"x_y z"*`}, // _ is a word character
		{"[12.5]", `"[12.5]"`},
	} {
		if got := vlLiteral(tc.lit); got != tc.want {
			t.Errorf("vlLiteral(%q) = %s, want %s", tc.lit, got, tc.want)
		}
	}
}

func TestCaseVariants(t *testing.T) {
	got := caseVariants("err")
	want := []string{"err", "erR", "eRr", "eRR", "Err", "ErR", "ERr", "ERR"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("caseVariants(err) = %q, want %q", got, want)
	}
	if n := len(caseVariants("critical")); n != 256 {
		t.Errorf("%d spellings of critical, want 256", n)
	}
	if got := caseVariants("e0"); strings.Join(got, " ") != "e0 E0" {
		t.Errorf("caseVariants(e0) = %q", got)
	}
}

func TestLogsQLSplit(t *testing.T) {
	var lits []string
	for i := range 500 {
		lits = append(lits, fmt.Sprintf("literal number %d is here", i))
	}
	q := StoreQuery{Filter: StoreFilter{Literals: lits}, Hosts: []string{"web-1"}}
	qs, err := LogsQL(q, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) < 2 {
		t.Fatalf("%d queries for 500 literals, want a split", len(qs))
	}
	seen := 0
	for _, s := range qs {
		if len(s) > 16<<10 {
			t.Errorf("query of %d bytes", len(s))
		}
		if !strings.HasPrefix(s, `(hostname:in("web-1")`) || !strings.HasSuffix(s, vlSortBy) {
			t.Errorf("query lacks the host filter or the sort: %.80s ... %s", s, s[len(s)-40:])
		}
		seen += strings.Count(s, `*"literal number `)
	}
	if seen != len(lits) {
		t.Errorf("%d literals over the queries, want %d", seen, len(lits))
	}
	if _, err := LogsQL(StoreQuery{Filter: StoreFilter{Literals: []string{strings.Repeat("x", 200)}}}, 100); err == nil {
		t.Error("a term longer than the limit gave no error")
	}
	// Error-level terms never share a query with candidates: a row is
	// known to be one or the other.
	vqs, err := vlQueries(StoreQuery{Filter: StoreFilter{Literals: []string{"Killed process "}, ErrorLevel: true}}, 0)
	if err != nil || len(vqs) != 2 || vqs[0].errorLevel || !vqs[1].errorLevel ||
		strings.Contains(vqs[0].text, vlErrorTerms[0]) || strings.Contains(vqs[1].text, "Killed process") {
		t.Errorf("a candidate and the error level in %d queries: %+v, %v", len(vqs), vqs, err)
	}
	qs, _ = LogsQL(StoreQuery{Filter: StoreFilter{All: true}}, 0)
	if len(qs) != 1 || qs[0] != "*"+vlSortBy {
		t.Errorf("All: %q", qs)
	}
}

// TestVictoriaLogsBadServer: a server that misbehaves fails the run with
// a clear error; a reply cut short is never taken for the end.
func TestVictoriaLogsBadServer(t *testing.T) {
	// A good first row: a row of the window, or of coverage's counts.
	row := func(r *http.Request) string {
		if strings.Contains(r.FormValue("query"), "| stats ") {
			return `{"hostname":"h","app_name":"a","rows":"1","first":"2024-01-01T00:00:01Z","last":"2024-01-01T00:00:01Z"}` + "\n"
		}
		return `{"_time":"2024-01-01T00:00:01Z","hostname":"h","app_name":"a","_msg":"x"}` + "\n"
	}
	var calls atomic.Int32
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
		calls   int32 // requests made, retries included
	}{
		{"400", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "cannot parse `query` arg", http.StatusBadRequest)
		}, "HTTP 400: cannot parse `query` arg", 1},
		{"503 retried", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "too many requests", http.StatusServiceUnavailable)
		}, "HTTP 503", 3},
		{"html", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html>login</html>")
		}, "not JSON lines", 1},
		{"cut off", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/stream+json")
			fmt.Fprint(w, row(r)+`{"_time":"2024-01-01T00:00:02Z","_m`)
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // drop the connection mid-reply
		}, "reply cut off", 3},
		{"cut off between rows", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/stream+json")
			fmt.Fprint(w, row(r))
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}, "reply cut off", 3},
		{"garbage", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/stream+json")
			fmt.Fprint(w, row(r)+"not json\n")
		}, "reading reply", 3},
		{"stalled mid-reply", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/stream+json")
			fmt.Fprint(w, row(r))
			w.(http.Flusher).Flush()
			io.Copy(io.Discard, r.Body) // the server sees the client leave only after the body
			<-r.Context().Done()        // sends nothing more until the client gives up
		}, "no reply byte for 100ms (timeout) (after 2 retries)", 3},
		{"no reply at all", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		}, "no reply byte for 100ms (timeout) (after 2 retries)", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls.Store(0)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				tc.handler(w, r)
			}))
			defer srv.Close()
			v := &VictoriaLogs{URL: srv.URL, Retries: 2, Backoff: time.Millisecond, Timeout: 100 * time.Millisecond}
			q := StoreQuery{Filter: StoreFilter{All: true}, Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2024, 1, 1, 1, 0, 0, 0, time.UTC)}
			rows := 0
			_, err := v.Candidates(context.Background(), q, func(*event.Event) error { rows++; return nil })
			if err == nil {
				t.Fatalf("no error (%d rows)", rows)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to say %q", err, tc.want)
			}
			if calls.Load() != tc.calls {
				t.Errorf("%d requests, want %d", calls.Load(), tc.calls)
			}
			if rows > 1 {
				t.Errorf("%d rows yielded: a retry repeated rows already given", rows)
			}
			// Coverage's aggregate query fails the same way.
			calls.Store(0)
			if _, err := v.Coverage(context.Background(), q); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("coverage: error %v, want it to say %q", err, tc.want)
			}
			if calls.Load() != tc.calls {
				t.Errorf("coverage: %d requests, want %d", calls.Load(), tc.calls)
			}
		})
	}
}

// TestVictoriaLogsOrderAndTenant: a real server returns a window's rows
// in time order, equal times in seq order, across windows, only the
// tenant's, and rejects a query over its length limit with a clear error.
func TestVictoriaLogsOrderAndTenant(t *testing.T) {
	base := testenv.StartVictoriaLogs(t, "-search.maxQueryLen=2000")
	var body strings.Builder
	t0 := time.Date(2024, 3, 3, 10, 0, 0, 0, time.UTC)
	for i := range 300 {
		// 3 rows per second, 2 hours: equal times and several windows.
		ts := t0.Add(time.Duration(i/3) * 25 * time.Second)
		fmt.Fprintf(&body, `{"_time":%q,"hostname":"h%d","app_name":"app","_msg":"line %d of the test","seq":"%d"}`+"\n",
			ts.Format(time.RFC3339Nano), i%2, i, i)
	}
	for _, acct := range []string{"7", "8"} {
		req, _ := http.NewRequest(http.MethodPost, base+"/insert/jsonline?_stream_fields=hostname", strings.NewReader(body.String()))
		req.Header.Set("Content-Type", "application/stream+json")
		req.Header.Set("AccountID", acct)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if acct == "7" {
			body.Reset() // tenant 8 gets nothing
		}
	}
	resp, err := http.Get(base + "/internal/force_flush")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	v := &VictoriaLogs{URL: base, AccountID: "7", Window: 30 * time.Minute}
	q := StoreQuery{Filter: StoreFilter{Literals: []string{"of the test"}}, Since: t0, Until: t0.Add(3 * time.Hour)}
	var got []string
	st, err := v.Candidates(context.Background(), q, func(ev *event.Event) error {
		got = append(got, ev.Message)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 300 {
		t.Fatalf("%d rows, want 300", len(got))
	}
	for i, m := range got {
		if want := fmt.Sprintf("line %d of the test", i); m != want {
			t.Fatalf("row %d is %q, want %q", i, m, want)
		}
	}
	if st.Queries < 4 {
		t.Errorf("%d queries for 2 h in 30 min windows", st.Queries)
	}
	cov, err := v.Coverage(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(cov) != 2 || cov[0].Host != "h0" || cov[0].Rows != 150 || cov[1].Rows != 150 || !cov[0].First.Equal(t0) {
		t.Errorf("coverage %+v", cov)
	}

	v.AccountID = "8"
	n := 0
	if _, err := v.Candidates(context.Background(), q, func(*event.Event) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("tenant 8: %d rows, %v", n, err)
	}

	// The server's limit is 2000 bytes; told 16 KiB, the client sends
	// one long query and must fail, not return nothing. Told the limit,
	// it splits the filter; a row several parts match comes once.
	var lits []string
	for i := range 100 {
		lits = append(lits, fmt.Sprintf("some literal %d", i))
	}
	lits = append(lits, "of the test")
	for i := range 10 {
		lits = append(lits, fmt.Sprintf("line %d of", i)) // rows 0-9 match twice
	}
	v.AccountID, v.Retries = "7", -1
	long := StoreQuery{Filter: StoreFilter{Literals: lits}, Since: t0, Until: t0.Add(time.Hour)}
	_, err = v.Candidates(context.Background(), long, func(*event.Event) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "maxQueryLen") {
		t.Errorf("over-long query: %v", err)
	}
	v.MaxQueryLen = 2000
	got = nil
	st, err = v.Candidates(context.Background(), long, func(ev *event.Event) error {
		got = append(got, ev.Message)
		return nil
	})
	if err != nil {
		t.Fatalf("split query: %v", err)
	}
	if len(got) != 300 || st.Queries < 4 {
		t.Errorf("split query: %d rows in %d requests, want 300 in at least 2 windows × 2 parts", len(got), st.Queries)
	}
	for i, m := range got {
		if want := fmt.Sprintf("line %d of the test", i); m != want {
			t.Fatalf("split query: row %d is %q, want %q", i, m, want)
		}
	}
}

// cuttingProxy forwards to a real server and cuts the first cut replies
// of /select/logsql/query after limit bytes, as a connection dropped
// mid-reply does (after the 200 OK).
type cuttingProxy struct {
	upstream string
	limit    int
	cut      atomic.Int32 // replies still to cut
	queries  atomic.Int32
}

func (p *cuttingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.URL.RequestURI(), r.Body)
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		if k != "Content-Length" {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(resp.StatusCode)
	if r.URL.Path != "/select/logsql/query" || p.queries.Add(1) > 0 && p.cut.Add(-1) < 0 {
		io.Copy(w, resp.Body)
		return
	}
	io.CopyN(w, resp.Body, int64(p.limit))
	w.(http.Flusher).Flush()
	panic(http.ErrAbortHandler)
}

// TestVictoriaLogsCutReply: a real server's reply cut mid-stream is
// fetched again and the window's rows come exactly once, in order; cut
// on every try, the run fails and says so.
func TestVictoriaLogsCutReply(t *testing.T) {
	base := testenv.StartVictoriaLogs(t)
	t0 := time.Date(2024, 3, 3, 10, 0, 0, 0, time.UTC)
	var body strings.Builder
	for i := range 400 {
		fmt.Fprintf(&body, `{"_time":%q,"hostname":"db-%d","app_name":"postgres","_msg":"checkpoint %d complete: wrote 1204 buffers (7.3%%)","seq":"%d"}`+"\n",
			t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339), i%3, i, i)
	}
	resp, err := http.Post(base+"/insert/jsonline?_stream_fields=hostname", "application/stream+json", strings.NewReader(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp, err = http.Get(base + "/internal/force_flush"); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	proxy := &cuttingProxy{upstream: base, limit: 2000} // (gzip) some rows, and mid-row
	srv := httptest.NewServer(proxy)
	defer srv.Close()
	v := &VictoriaLogs{URL: srv.URL, Backoff: time.Millisecond}
	q := StoreQuery{Filter: StoreFilter{Literals: []string{" complete: "}}, Since: t0, Until: t0.Add(time.Hour)}
	fetch := func() ([]string, StoreStats, error) {
		var got []string
		st, err := v.Candidates(context.Background(), q, func(ev *event.Event) error {
			got = append(got, ev.Message)
			return nil
		})
		return got, st, err
	}

	proxy.cut.Store(2)
	got, st, err := fetch()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 400 || st.Retries != 2 || st.Rows <= 400 {
		t.Fatalf("%d rows, %d retries, %d received; want 400 rows after 2 retries, and more received", len(got), st.Retries, st.Rows)
	}
	for i, m := range got {
		if want := fmt.Sprintf("checkpoint %d complete: wrote 1204 buffers (7.3%%)", i); m != want {
			t.Fatalf("row %d is %q, want %q", i, m, want)
		}
	}

	proxy.cut.Store(1 << 20)
	v.Retries = 1
	got, _, err = fetch()
	if err == nil || !strings.Contains(err.Error(), "reply cut off before its end") || !strings.Contains(err.Error(), "after 1 retries") {
		t.Errorf("cut on every try: %v", err)
	}
	if len(got) == 0 || len(got) >= 400 {
		t.Errorf("cut on every try: %d rows given before the error, want the part before the cut", len(got))
	}
}

// TestVictoriaLogsRequest: what each request carries: the tenant, basic
// auth from the URL's user info (not in the URL sent), a bearer token,
// the range (end exclusive, so Until is read) and the demand for a
// complete answer.
func TestVictoriaLogsRequest(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pw, _ := r.BasicAuth()
		got = append(got, fmt.Sprintf("%s %s acct=%s proj=%s basic=%s:%s auth=%q start=%s end=%s partial=%s",
			r.Method, r.URL.Path, r.Header.Get("AccountID"), r.Header.Get("ProjectID"), user, pw,
			strings.TrimPrefix(r.Header.Get("Authorization"), "Basic "+base64Of(user+":"+pw)),
			r.FormValue("start"), r.FormValue("end"), r.FormValue("allow_partial_response")))
		w.Header().Set("Content-Type", "application/stream+json")
	}))
	defer srv.Close()
	since := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	q := StoreQuery{Filter: StoreFilter{Literals: []string{"x"}}, Since: since, Until: since.Add(time.Hour)}
	for _, tc := range []struct {
		name string
		v    *VictoriaLogs
		want string
	}{
		{"basic", &VictoriaLogs{URL: strings.Replace(srv.URL, "http://", "http://ops:pw@", 1), AccountID: "12", ProjectID: "3"},
			`POST /select/logsql/query acct=12 proj=3 basic=ops:pw auth="" start=2024-01-01T00:00:00Z end=2024-01-01T01:00:00.000000001Z partial=false`},
		{"bearer", &VictoriaLogs{URL: srv.URL, BearerToken: "tok"},
			`POST /select/logsql/query acct= proj= basic=: auth="Bearer tok" start=2024-01-01T00:00:00Z end=2024-01-01T01:00:00.000000001Z partial=false`},
	} {
		got = nil
		if _, err := tc.v.Candidates(context.Background(), q, func(*event.Event) error { return nil }); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s: requests\n%q\nwant\n%q", tc.name, got, tc.want)
		}
	}
}

func base64Of(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestRefetchLogsQL(t *testing.T) {
	tm := time.Date(2024, 3, 3, 6, 2, 40, 123456789, time.FixedZone("KST", 9*3600))
	const at = `_time:[2024-03-02T21:02:40.123456789Z, 2024-03-02T21:02:40.123456789Z]`
	long := strings.Repeat("x", 1023) + "é and on"
	tests := []struct {
		host, prog, msg string
		prefix          bool
		want            string
	}{
		{"web-3", "dockerd", "Daemon shutdown complete", false, at + ` (hostname:="web-3" OR _HOSTNAME:="web-3" OR host:="web-3") (app_name:="dockerd" OR program:="dockerd" OR SYSLOG_IDENTIFIER:="dockerd" OR (SYSLOG_IDENTIFIER:="" AND _COMM:="dockerd")) _msg:="Daemon shutdown complete"`},
		// A quote or backslash cannot end the string and add a filter.
		{`a") OR *`, `p\"`, `x" OR *`, true, at + ` (hostname:="a\") OR *" OR _HOSTNAME:="a\") OR *" OR host:="a\") OR *") (app_name:="p\\\"" OR program:="p\\\"" OR SYSLOG_IDENTIFIER:="p\\\"" OR (SYSLOG_IDENTIFIER:="" AND _COMM:="p\\\"")) _msg:="x\" OR *"*`},
		{"", "", "", false, at + ` _msg:=""`},
		// A long message: its first KiB (whole runes), as a prefix.
		{"", "", long, false, at + ` _msg:="` + strings.Repeat("x", 1023) + `"*`},
	}
	for _, tt := range tests {
		if got := RefetchLogsQL(tt.host, tt.prog, tt.msg, tt.prefix, tm); got != tt.want {
			t.Errorf("RefetchLogsQL(%q, %q, %.40q):\n got %s\nwant %s", tt.host, tt.prog, tt.msg, got, tt.want)
		}
	}
}

// TestRefetchCommand runs the printed curl command against a real
// server: it returns the cited row and no neighbour (the same time on
// another host or program, the next nanosecond), hostile names included.
func TestRefetchCommand(t *testing.T) {
	base := testenv.StartVictoriaLogs(t)
	if _, err := exec.LookPath("curl"); err != nil {
		testenv.Missing(t, "curl: %v", err)
	}
	t0 := time.Date(2024, 3, 3, 6, 2, 40, 123456789, time.UTC)
	type row struct {
		host, prog, msg string
		t               time.Time
		journal         bool
	}
	rows := []row{
		{"web-3", "dockerd", "Daemon shutdown complete", t0, false},
		{"web-3", "dockerd", "Daemon shutdown complete", t0.Add(time.Nanosecond), false},
		{"web-3", "dockerd", "Daemon shutdown complete, again", t0, false},
		{"web-3", "containerd", "Daemon shutdown complete", t0, false},
		{"web-4", "dockerd", "Daemon shutdown complete", t0, false},
		{`it's "web") OR *`, "dockerd", "Daemon shutdown complete", t0, false},
		{"it's", "dockerd", "Daemon shutdown complete", t0, false},
		{"db 1", `k\"ern`, `a "quoted" \ message`, t0, false},
		{"db-2", "systemd", "Started Session 4 of user root.", t0, true},
	}
	var body strings.Builder
	for i, r := range rows {
		m := map[string]string{"_time": r.t.Format(time.RFC3339Nano), "_msg": r.msg, "seq": strconv.Itoa(i)}
		if r.journal {
			m["_HOSTNAME"], m["SYSLOG_IDENTIFIER"], m["PRIORITY"] = r.host, r.prog, "6"
		} else {
			m["hostname"], m["app_name"] = r.host, r.prog
		}
		b, _ := json.Marshal(m)
		body.Write(append(b, '\n'))
	}
	resp, err := http.Post(base+"/insert/jsonline?_stream_fields=hostname,app_name,_HOSTNAME", "application/stream+json", strings.NewReader(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp, err = http.Get(base + "/internal/force_flush"); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	v := &VictoriaLogs{URL: base, BearerToken: "not printed"}
	fetch := func(ev *event.Event, cut bool) []string {
		cmd := v.RefetchCommand(ev, cut)
		if strings.Contains(cmd, "not printed") {
			t.Fatalf("the token is in the command: %s", cmd)
		}
		out, err := exec.Command("sh", "-c", cmd).Output()
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		var seqs []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var m map[string]string
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("%s: %q: %v", cmd, l, err)
			}
			seqs = append(seqs, m["seq"])
		}
		t.Log(cmd)
		return seqs
	}
	for i, r := range rows {
		got := fetch(&event.Event{Host: r.host, Program: r.prog, Message: r.msg, Time: r.t}, false)
		if want := strconv.Itoa(i); len(got) != 1 || got[0] != want {
			t.Errorf("row %d: the command returned rows %q", i, got)
		}
	}
	// A cut line: its start finds it.
	if got := fetch(&event.Event{Host: "web-3", Program: "dockerd", Message: "Daemon shutdown complete, ag", Time: t0}, true); len(got) != 1 || got[0] != "2" {
		t.Errorf("a cut line: the command returned rows %q, want [2]", got)
	}
}

// storeRows ships JSON-lines rows into base's default tenant and makes
// them searchable.
func storeRows(t *testing.T, base string, rows ...string) {
	t.Helper()
	resp, err := http.Post(base+"/insert/jsonline?_stream_fields=hostname,app_name", "application/stream+json",
		strings.NewReader(strings.Join(rows, "\n")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("insert: %s", resp.Status)
	}
	if resp, err = http.Get(base + "/internal/force_flush"); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// TestVictoriaLogsErrorRange: with ErrorSince/ErrorUntil, error-level
// rows come only from that range, candidates from the whole query's;
// the stats count the rows only the error-level filter sent apart (a
// candidate that is an error line too is a candidate).
func TestVictoriaLogsErrorRange(t *testing.T) {
	base := testenv.StartVictoriaLogs(t)
	storeRows(t, base,
		`{"_time":"2024-05-01T08:00:00Z","hostname":"db-2","app_name":"postgres","_msg":"ERROR:  could not serialize access due to concurrent update","seq":"0"}`,
		`{"_time":"2024-05-01T08:10:00Z","hostname":"db-2","app_name":"kernel","_msg":"Out of memory: Killed process 4411 (postgres)","seq":"1"}`,
		`{"_time":"2024-05-01T11:59:59.5Z","hostname":"db-2","app_name":"sshd","_msg":"error: kex_exchange_identification: read: Connection reset by peer","seq":"2"}`,
		`{"_time":"2024-05-01T12:00:00Z","hostname":"db-2","app_name":"postgres","_msg":"FATAL:  the database system is in recovery mode","seq":"3"}`,
		`{"_time":"2024-05-01T13:00:00Z","hostname":"db-2","app_name":"app","_msg":"level=error msg=\"upstream timed out\"","seq":"4"}`,
		`{"_time":"2024-05-01T13:00:01Z","hostname":"db-2","app_name":"app","_msg":"level=info msg=\"retrying\"","seq":"5"}`,
		`{"_time":"2024-05-01T13:00:02Z","hostname":"db-2","app_name":"app","_msg":"level=error msg=\"after the range\"","seq":"6"}`,
	)
	v := &VictoriaLogs{URL: base}
	since, until := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), time.Date(2024, 5, 1, 13, 0, 1, 0, time.UTC)
	var st StoreStats
	fetch := func(f StoreFilter) []string {
		t.Helper()
		var got []string
		q := StoreQuery{Filter: f, Since: since.Add(-6 * time.Hour), Until: until.Add(time.Hour)}
		var err error
		if st, err = v.Candidates(context.Background(), q, func(ev *event.Event) error {
			got = append(got, ev.Message)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	all := fetch(StoreFilter{Literals: []string{"Killed process "}, ErrorLevel: true})
	if len(all) != 6 {
		t.Errorf("without an error range: %d rows, want the 5 error lines and the candidate:\n%s", len(all), strings.Join(all, "\n"))
	}
	// The oom line is both a candidate and an error line: a candidate.
	if st.Rows != 6 || st.ErrorRows != 5 {
		t.Errorf("without an error range: %d rows, %d of them error-level only; want 6, 5", st.Rows, st.ErrorRows)
	}
	got := fetch(StoreFilter{Literals: []string{"Killed process "}, ErrorLevel: true, ErrorSince: since, ErrorUntil: until})
	if st.Rows != 3 || st.ErrorRows != 2 {
		t.Errorf("with the error range: %d rows, %d of them error-level only; want 3, 2", st.Rows, st.ErrorRows)
	}
	want := []string{
		"Out of memory: Killed process 4411 (postgres)", // a candidate before the range still comes
		"FATAL:  the database system is in recovery mode",
		`level=error msg="upstream timed out"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("with the error range:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestVictoriaLogsActivity: a host that logs every 5 minutes but for 4
// and a half hours has one silence, its bounds the exact times of the
// rows either side (stored under two host fields: syslog's before it,
// the journal's after); a host that never stops has none. Counts add up
// to the rows of each host; --host keeps the others out.
func TestVictoriaLogsActivity(t *testing.T) {
	base := testenv.StartVictoriaLogs(t)
	t0 := time.Date(2024, 6, 2, 0, 0, 0, 0, time.UTC)
	var rows []string
	napFrom, napTo := t0.Add(3*time.Hour+12*time.Minute+7*time.Second), t0.Add(7*time.Hour+47*time.Minute+31*time.Second)
	add := func(field, host string, ts time.Time, i int) {
		rows = append(rows, fmt.Sprintf(`{"_time":%q,%q:%q,"app_name":"cron","_msg":"(root) CMD (run-parts /etc/cron.hourly) %d"}`,
			ts.Format(time.RFC3339Nano), field, host, i))
	}
	steady, napper := 0, 0
	for i := 0; ; i++ {
		ts := t0.Add(time.Duration(i)*5*time.Minute + 1234*time.Millisecond)
		if ts.After(t0.Add(12 * time.Hour)) {
			break
		}
		add("hostname", "steady", ts, i)
		steady++
		switch {
		case ts.Before(napFrom):
			add("hostname", "napper", ts, i)
			napper++
		case ts.After(napTo):
			add("_HOSTNAME", "napper", ts, i)
			napper++
		}
	}
	add("hostname", "napper", napFrom, -1)
	add("_HOSTNAME", "napper", napTo, -2)
	napper += 2
	storeRows(t, base, rows...)

	v := &VictoriaLogs{URL: base}
	q := StoreQuery{Since: t0, Until: t0.Add(12 * time.Hour)}
	acts, err := v.Activity(context.Background(), q, 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(acts) != 2 || acts[0].Host != "napper" || acts[1].Host != "steady" {
		t.Fatalf("activity of %d hosts: %+v", len(acts), acts)
	}
	sum := func(a HostActivity) (n int64) {
		for _, c := range a.Counts {
			n += c
		}
		return n
	}
	if got := sum(acts[0]); got != int64(napper) {
		t.Errorf("napper: %d rows counted, want %d", got, napper)
	}
	if got := sum(acts[1]); got != int64(steady) {
		t.Errorf("steady: %d rows counted, want %d", got, steady)
	}
	if len(acts[1].Silences) != 0 {
		t.Errorf("steady: silences %v", acts[1].Silences)
	}
	if want := []Silence{{napFrom, napTo}}; len(acts[0].Silences) != 1 || !acts[0].Silences[0].From.Equal(napFrom) || !acts[0].Silences[0].To.Equal(napTo) {
		t.Errorf("napper: silences %v, want %v", acts[0].Silences, want)
	}
	if !acts[0].Start.Equal(t0) || acts[0].Bucket != 30*time.Minute || len(acts[0].Counts) != 25 {
		t.Errorf("buckets from %v of %v: %d", acts[0].Start, acts[0].Bucket, len(acts[0].Counts))
	}

	q.Hosts = []string{"steady"}
	acts, err = v.Activity(context.Background(), q, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(acts) != 1 || acts[0].Host != "steady" || sum(acts[0]) != int64(steady) {
		t.Errorf("--host steady: %+v", acts)
	}
}

// TestVLCondExact: each condition's LogsQL returns from a real server
// exactly the rows its Passes accepts: a prefix is anchored at the
// message's start, a not: removes only what its part holds, a whole
// message is the whole message.
func TestVLCondExact(t *testing.T) {
	base := testenv.StartVictoriaLogs(t)
	msgs := []string{
		"Failed password for root from 198.51.100.7 port 4022 ssh2",
		"Failed password for invalid user oracle from 198.51.100.7 port 4022 ssh2",
		"message repeated 2 times: [ Failed password for invalid user oracle from 198.51.100.7 port 4022 ssh2]",
		"Invalid user oracle from 198.51.100.7 port 4022",
		"Failed password for invalid user",
		"xFailed password for root",
		`time="2024-05-01T10:00:00Z" level=error msg="Provider connection error dial unix /var/run/docker.sock: connect: connection refused" providerName=docker`,
		`Get "http://10.244.1.7:8080/healthz": dial tcp 10.244.1.7:8080: connect: connection refused`,
		"No space left on device",
		"inotify_add_watch(7, /etc) failed: No space left on device",
		// stored with app_name sshd(pam_unix): program sshd
		"authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9",
	}
	var rows []string
	for i, m := range msgs {
		b, _ := json.Marshal(m)
		app := "sshd"
		if strings.HasPrefix(m, "authentication failure;") {
			app = "sshd(pam_unix)"
		}
		rows = append(rows, fmt.Sprintf(`{"_time":"2024-05-01T10:00:%02dZ","hostname":"h","app_name":%q,"_msg":%s,"seq":"%d"}`, i, app, b, i))
	}
	storeRows(t, base, rows...)
	contains := func(v ...string) event.Filter { return event.Filter{Op: event.FilterContains, Values: v} }
	prefix := func(v ...string) event.Filter { return event.Filter{Op: event.FilterStartsWith, Values: v} }
	not := func(c event.Filter) event.Filter { return event.Filter{Op: event.FilterNot, Sub: []event.Filter{c}} }
	and := func(cs ...event.Filter) event.Filter { return event.Filter{Op: event.FilterAnd, Sub: cs} }
	for _, c := range []event.Filter{
		prefix("Failed password for "),
		and(contains("Failed password for "), not(prefix("Failed password for invalid user "))),
		{Op: event.FilterEquals, Values: []string{"Failed password for invalid user", "No space left on device"}},
		and(contains(": connect: connection refused"), contains("providerName=docker")),
		and(contains("No space left on device"), not(contains("inotify", "directory watch"))),
		{Op: event.FilterOr, Sub: []event.Filter{contains("Invalid user "), and(prefix("Failed "), not(contains("invalid")))}},
		and(event.Filter{Op: event.FilterProgram, Values: []string{"sshd"}}, not(contains("password"))),
	} {
		var want []string
		for _, m := range msgs {
			if c.Passes(&event.Event{Program: "sshd", Message: m}) {
				want = append(want, m)
			}
		}
		var got []string
		v := &VictoriaLogs{URL: base}
		q := StoreQuery{Filter: StoreFilter{Terms: []event.Filter{c}}, Since: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), Until: time.Date(2024, 5, 1, 10, 1, 0, 0, time.UTC)}
		if _, err := v.Candidates(context.Background(), q, func(ev *event.Event) error {
			got = append(got, ev.Message)
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", vlCond(&c), err)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s returned:\n%s\nwant:\n%s", vlCond(&c), strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if len(want) == 0 || len(want) == len(msgs) {
			t.Errorf("%s: %d of %d rows pass: the case tells nothing", vlCond(&c), len(want), len(msgs))
		}
	}
}

// TestVictoriaLogsCounts: each condition is counted in its own range and
// on its own host, in one query while they fit the limit and in several
// (the same counts) when they do not; a condition nothing matches
// counts 0, also when no row matches any.
func TestVictoriaLogsCounts(t *testing.T) {
	base := testenv.StartVictoriaLogs(t, "-search.maxQueryLen=700")
	storeRows(t, base,
		`{"_time":"2024-07-01T09:00:00Z","hostname":"ci-3","app_name":"systemd","_msg":"Stopping containerd container runtime...","seq":"0"}`,
		`{"_time":"2024-07-01T09:00:30Z","hostname":"ci-3","app_name":"containerd","_msg":"level=info msg=\"shim disconnected\" id=4be1","seq":"1"}`,
		`{"_time":"2024-07-01T09:40:00Z","hostname":"ci-3","app_name":"containerd","_msg":"level=info msg=\"shim disconnected\" id=9d03","seq":"2"}`,
		`{"_time":"2024-07-01T09:41:00Z","hostname":"web-1","app_name":"containerd","_msg":"level=info msg=\"shim disconnected\" id=77ac","seq":"3"}`,
		`{"_time":"2024-07-01T11:00:00Z","hostname":"web-1","app_name":"systemd","_msg":"Stopping containerd container runtime...","seq":"4"}`,
	)
	t0 := time.Date(2024, 7, 1, 9, 0, 0, 0, time.UTC)
	shim := event.Filter{Op: event.FilterContains, Values: []string{"shim disconnected"}}
	stop := event.Filter{Op: event.FilterStartsWith, Values: []string{"Stopping containerd"}}
	never := event.Filter{Op: event.FilterContains, Values: []string{"no row holds this"}}
	conds := []WindowedFilter{
		{Cond: shim},
		{Cond: stop},
		{Cond: shim, Host: "ci-3"},
		{Cond: shim, Since: t0, Until: t0.Add(time.Minute)},
		{Cond: stop, Since: t0.Add(2 * time.Hour), Until: t0.Add(2 * time.Hour)}, // both bounds inclusive
		{Cond: never},
	}
	want := []int64{3, 2, 2, 1, 1, 0}
	q := StoreQuery{Since: t0, Until: t0.Add(3 * time.Hour)}
	if qs, _ := vlCountQueries(nil, conds, 0); len(qs) != 1 {
		t.Errorf("%d queries under a 16 KiB limit, want 1", len(qs))
	}
	// Told 16 KiB, the client sends one query the server's 700 bytes
	// refuse; told the limit, it splits them.
	v := &VictoriaLogs{URL: base, Retries: -1}
	if _, err := v.Counts(context.Background(), q, conds); err == nil || !strings.Contains(err.Error(), "maxQueryLen") {
		t.Errorf("one query over the server's limit: %v", err)
	}
	v.MaxQueryLen = 700
	if qs, _ := vlCountQueries(nil, conds, v.MaxQueryLen); len(qs) < 2 {
		t.Errorf("%d queries under a 700-byte limit, want a split", len(qs))
	}
	got, err := v.Counts(context.Background(), q, conds)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts %v, want %v", got, want)
	}
	got, err = v.Counts(context.Background(), StoreQuery{Since: t0, Until: t0.Add(3 * time.Hour), Hosts: []string{"db-9"}}, conds[:2])
	if err != nil || fmt.Sprint(got) != "[0 0]" {
		t.Errorf("no row of the host: %v, %v", got, err)
	}
	if _, err := vlCountQueries(nil, []WindowedFilter{{Cond: event.Filter{Op: event.FilterContains, Values: []string{strings.Repeat("x", 300)}}}}, 200); err == nil {
		t.Error("a condition over the limit gave no error")
	}
}
