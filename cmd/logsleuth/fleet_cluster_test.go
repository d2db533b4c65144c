package main

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/internal/testenv"
)

// TestFleetCluster: a VictoriaLogs cluster on loopback (two storage
// nodes, a vlinsert and a vlselect: one binary in four roles) gives
// every fixture case the findings its files give. With a storage node
// stopped, a run fails (exit 2) naming the node, unless
// --victorialogs-partial lets it read the other node, when its warnings
// say the report is partial (exit 0).
func TestFleetCluster(t *testing.T) {
	if raceEnabled {
		t.Skip("make unit runs it; -race adds nothing but time (see TestFleetFixturesShipped)")
	}
	s1 := testenv.StartVictoriaLogsServer(t, testenv.VictoriaLogsOptions{})
	s2 := testenv.StartVictoriaLogsServer(t, testenv.VictoriaLogsOptions{})
	nodes := []*testenv.VictoriaLogsServer{s1, s2}
	insert := testenv.StartVictoriaLogsServer(t, testenv.VictoriaLogsOptions{StorageNodes: nodes, Args: []string{"-select.disable"}})
	sel := testenv.StartVictoriaLogsServer(t, testenv.VictoriaLogsOptions{StorageNodes: nodes, Args: []string{"-insert.disable"}})
	// A vlselect whose default is to answer with what it has.
	lax := testenv.StartVictoriaLogsServer(t, testenv.VictoriaLogsOptions{StorageNodes: nodes,
		Args: []string{"-insert.disable", "-search.allowPartialResponse"}})

	sigs, cases := builtinCases(t)
	// Rows go in through vlinsert and come out through vlselect.
	ship := func(accountID string) caseShipper {
		return func(ctx context.Context, evs []*event.Event) (string, string, error) {
			rows := make([]map[string]string, len(evs))
			for i, ev := range evs {
				rows[i] = storeRow(ev, i)
			}
			if err := shipRows(ctx, insert.URL, accountID, rows); err != nil {
				return "", "", err
			}
			return sel.URL, accountID, waitRows(ctx, sel.URL, accountID, len(rows), s1.URL, s2.URL)
		}
	}
	same := 0
	tenantOf := map[string]string{}
	for n, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			local, _, err := runCase(context.Background(), c, sigs, engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			tenant := strconv.Itoa(n + 1)
			got, _, err := runCaseStore(context.Background(), c, sigs, ship(tenant))
			var unstorable *errUnstorable
			if errors.As(err, &unstorable) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != local {
				t.Errorf("through the cluster:\n%s\nfrom files:\n%s", got, local)
			}
			tenantOf[c.Name] = tenant
			same++
		})
	}
	if same < 120 {
		t.Errorf("only %d of %d cases through the cluster", same, len(cases))
	}
	// The case read below has rows on both nodes: vlinsert spreads
	// them by stream (host and program).
	const caseName = "unattended-upgrade/seed-001-syslog"
	tenant := tenantOf[caseName]
	if tenant == "" {
		t.Fatalf("%s did not run through the cluster", caseName)
	}
	for _, n := range nodes {
		if rows, err := countRows(context.Background(), n.URL, tenant); err != nil || rows == 0 {
			t.Errorf("node %s holds %d of the case's rows (%v): want them spread over both nodes", n.Addr, rows, err)
		}
	}
	defer func(b time.Duration) { storeBackoff = b }(storeBackoff)
	storeBackoff = time.Millisecond

	timeline := func(args ...string) (int, string, string) {
		ios, _, out, stderr := Test()
		argv := append([]string{"timeline", "--format", "json", "--victorialogs-tenant", tenant,
			"--since", "2021-10-01", "--until", "2021-10-31"}, args...)
		return run(context.Background(), ios, argv), out.String(), stderr.String()
	}
	code, whole, stderr := timeline("--victorialogs", sel.URL)
	if code != exitOK {
		t.Fatalf("both nodes up: exit %d: %s", code, stderr)
	}
	s2.Stop()
	for _, via := range []*testenv.VictoriaLogsServer{sel, lax} {
		code, out, stderr := timeline("--victorialogs", via.URL)
		if code != exitError || out != "" || !strings.Contains(stderr, "storage node "+s2.Addr+" did not answer") ||
			!strings.Contains(stderr, "--victorialogs-partial") {
			t.Errorf("a node down: exit %d, stdout %d bytes, stderr %q; want exit 2, nothing printed, the node named", code, len(out), stderr)
		}
	}
	code, out, stderr := timeline("--victorialogs", sel.URL, "--victorialogs-partial")
	if code != exitOK {
		t.Fatalf("--victorialogs-partial: exit %d: %s", code, stderr)
	}
	var full, part struct {
		Findings []struct{ Signature string }
		Coverage struct {
			Sources  []struct{ Events int64 }
			Warnings []string
		}
	}
	if err := json.Unmarshal([]byte(whole), &full); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &part); err != nil {
		t.Fatal(err)
	}
	warned := false
	for _, w := range part.Coverage.Warnings {
		warned = warned || strings.Contains(w, "partial: storage node "+s2.Addr+" did not answer")
	}
	if !warned {
		t.Errorf("--victorialogs-partial: no warning names the missing node: %q", part.Coverage.Warnings)
	}
	events := func(srcs []struct{ Events int64 }) (n int64) {
		for _, s := range srcs {
			n += s.Events
		}
		return n
	}
	if e, w := events(part.Coverage.Sources), events(full.Coverage.Sources); e == 0 || e >= w {
		t.Errorf("--victorialogs-partial: coverage counts %d rows, %d with both nodes: want some, not all", e, w)
	}
	t.Logf("%d of %d cases through the cluster; %d findings from both nodes, %d from one", same, len(cases), len(full.Findings), len(part.Findings))
}
