package ingest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/internal/testenv"
)

func TestVLLiteral(t *testing.T) {
	for _, tc := range []struct{ lit, want string }{
		{"Out of memory: Kill", `*"Out of memory: Kill"*`}, // word start: substring
		{": Kill", `": Kill"*`},                            // word end only: phrase prefix
		{"): Corruption", `"): Corruption"*`},
		{" is too old. ", `" is too old. "`}, // non-word at both ends: phrase
		{"containerd: ", `*"containerd: "*`},
		{`connection to server at "`, `*"connection to server at \""*`},
		{"étape ", `*"étape "*`}, // a letter outside ASCII is a word character
		{"[12.5]", `"[12.5]"`},
	} {
		if got := vlLiteral(tc.lit); got != tc.want {
			t.Errorf("vlLiteral(%q) = %s, want %s", tc.lit, got, tc.want)
		}
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
	qs, _ = LogsQL(StoreQuery{Filter: StoreFilter{All: true}}, 0)
	if len(qs) != 1 || qs[0] != "*"+vlSortBy {
		t.Errorf("All: %q", qs)
	}
}

// TestVictoriaLogsBadServer: a server that misbehaves fails the run with
// a clear error; a reply cut short is never taken for the end.
func TestVictoriaLogsBadServer(t *testing.T) {
	row := `{"_time":"2024-01-01T00:00:01Z","hostname":"h","app_name":"a","_msg":"x"}` + "\n"
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
			fmt.Fprint(w, row+`{"_time":"2024-01-01T00:00:02Z","_m`)
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // drop the connection mid-reply
		}, "reply cut off", 3},
		{"cut off between rows", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/stream+json")
			fmt.Fprint(w, row)
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}, "reply cut off", 3},
		{"garbage", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/stream+json")
			fmt.Fprint(w, row+"not json\n")
		}, "reading reply", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls.Store(0)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				tc.handler(w, r)
			}))
			defer srv.Close()
			v := &VictoriaLogs{URL: srv.URL, Retries: 2, Backoff: time.Millisecond}
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
	// one long query and must fail, not return nothing.
	var lits []string
	for i := range 100 {
		lits = append(lits, fmt.Sprintf("some literal %d", i))
	}
	v.AccountID, v.Retries = "7", -1
	long := StoreQuery{Filter: StoreFilter{Literals: lits}, Since: t0, Until: t0.Add(time.Hour)}
	_, err = v.Candidates(context.Background(), long, func(*event.Event) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "maxQueryLen") {
		t.Errorf("over-long query: %v", err)
	}
	v.MaxQueryLen = 2000
	if _, err := v.Candidates(context.Background(), long, func(*event.Event) error { return nil }); err != nil {
		t.Errorf("split query: %v", err)
	}
}
