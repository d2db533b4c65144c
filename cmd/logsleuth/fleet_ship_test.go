package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
	"github.com/logsleuth/logsleuth/internal/testenv"
)

// fleetShipper stores events in a VictoriaLogs server the way a fleet
// ships them: lines of syslog files by syslog over TCP (rsyslog's omfwd),
// journal entries by systemd-journal-upload to /insert/journald, and the
// rest (dpkg, apt and application logs) as JSON lines.
type fleetShipper struct {
	t        testing.TB
	srv      *testenv.VictoriaLogsServer
	upload   string // systemd-journal-upload
	byPath   map[string]int
	messages []string // the syslog messages sent, for a failure's report
}

// ship implements caseShipper. Each path's rows land in the default
// tenant: syslog and journald take no tenant per request, which is why
// each case gets a server of its own.
func (s *fleetShipper) ship(ctx context.Context, evs []*event.Event) (string, string, error) {
	liveStamps(evs)
	var syslog, journal, rest []*event.Event
	for _, ev := range evs {
		switch parse.Family(ev.Source.Format) {
		case "syslog":
			if ev.Host != "" && ev.Program != "" {
				syslog = append(syslog, ev)
				continue
			}
		case "journal":
			journal = append(journal, ev)
			continue
		}
		rest = append(rest, ev)
	}
	s.byPath = map[string]int{"syslog": len(syslog), "journald": len(journal), "jsonline": len(rest)}
	if err := s.shipSyslog(syslog); err != nil {
		return "", "", fmt.Errorf("syslog: %w", err)
	}
	if err := s.shipJournal(ctx, journal); err != nil {
		return "", "", fmt.Errorf("journald: %w", err)
	}
	if len(rest) > 0 {
		if _, _, err := jsonLinesShipper(s.srv.URL, "0")(ctx, rest); err != nil {
			return "", "", fmt.Errorf("jsonline: %w", err)
		}
	}
	// Syslog rows are ingested after the connection closes: wait until
	// every row is searchable.
	if err := waitRows(ctx, s.srv.URL, "0", len(evs)); err != nil {
		return "", "", err
	}
	return s.srv.URL, "0", nil
}

// liveStamps gives the lines of a run with one time stamp (a file's
// whole seconds) stamps a microsecond apart, in file order, as rsyslog
// and journald stamp lines as they come. The store keeps no order of its
// own among equal times, and these paths carry no sequence number.
func liveStamps(evs []*event.Event) {
	var run time.Time
	k := 0
	for _, ev := range evs {
		if ev.Time.Equal(run) {
			k++
			ev.Time = run.Add(time.Duration(k) * time.Microsecond)
			continue
		}
		run, k = ev.Time, 0
	}
}

// syslogMessage is ev as rsyslog forwards it (RSYSLOG_ForwardFormat:
// PRI, RFC3339 time, host, tag, message), the PRI left out when the file
// did not say the priority (the server then stores none, as the file
// gave none).
func syslogMessage(ev *event.Event) string {
	var b strings.Builder
	if ev.Priority != event.NoPriority {
		fmt.Fprintf(&b, "<%d>", 8+int(ev.Priority)) // facility user
	}
	b.WriteString(ev.Time.UTC().Format(time.RFC3339Nano))
	b.WriteString(" " + ev.Host + " " + ev.Program)
	if ev.PID != 0 {
		b.WriteString("[" + strconv.Itoa(ev.PID) + "]")
	}
	b.WriteString(": " + ev.Message)
	return b.String()
}

// shipSyslog sends evs over one TCP connection, each message framed by
// its length (RFC 6587 octet counting: a message may hold newlines).
func (s *fleetShipper) shipSyslog(evs []*event.Event) error {
	if len(evs) == 0 {
		return nil
	}
	c, err := net.DialTimeout("tcp", s.srv.SyslogTCP, 5*time.Second)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, ev := range evs {
		m := syslogMessage(ev)
		s.messages = append(s.messages, m)
		fmt.Fprintf(&buf, "%d %s", len(m), m)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(buf.Bytes()); err != nil {
		c.Close()
		return err
	}
	return c.Close()
}

// journalExport writes ev as one entry of the journal export format
// (what `journalctl -o export` prints and systemd-journal-upload sends),
// with the fields journald would have given the line.
func journalExport(buf *bytes.Buffer, ev *event.Event) {
	field := func(k, v string) {
		if strings.IndexByte(v, '\n') < 0 {
			buf.WriteString(k + "=" + v + "\n")
			return
		}
		// A value with a newline is written as its length and bytes.
		buf.WriteString(k + "\n")
		binary.Write(buf, binary.LittleEndian, uint64(len(v)))
		buf.WriteString(v + "\n")
	}
	field("__REALTIME_TIMESTAMP", strconv.FormatInt(ev.Time.UnixMicro(), 10))
	if ev.Host != "" {
		field("_HOSTNAME", ev.Host)
	}
	if ev.BootID != "" {
		field("_BOOT_ID", ev.BootID)
	}
	switch ev.Program {
	case "":
	case "kernel":
		field("_TRANSPORT", "kernel")
		field("SYSLOG_IDENTIFIER", "kernel")
	default:
		field("_TRANSPORT", "syslog")
		field("SYSLOG_IDENTIFIER", ev.Program)
	}
	if ev.PID != 0 {
		field("_PID", strconv.Itoa(ev.PID))
	}
	if ev.Priority != event.NoPriority {
		field("PRIORITY", strconv.Itoa(int(ev.Priority)))
	}
	// systemd names the unit its own messages are about in UNIT.
	if ev.Unit != "" && (ev.Program == "systemd" || ev.Program == "init") {
		field("UNIT", ev.Unit)
	}
	field("MESSAGE", ev.Message)
	buf.WriteByte('\n')
}

// shipJournal writes evs in export format to a file and has
// systemd-journal-upload send it to the server's /insert/journald (the
// uploader adds /upload). A file, not a pipe: systemd 252's uploader
// sends nothing of an export read from a pipe, and exits 0.
func (s *fleetShipper) shipJournal(ctx context.Context, evs []*event.Event) error {
	if len(evs) == 0 {
		return nil
	}
	var buf bytes.Buffer
	for _, ev := range evs {
		journalExport(&buf, ev)
	}
	export := filepath.Join(s.t.TempDir(), "export")
	if err := os.WriteFile(export, buf.Bytes(), 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, s.upload, "--url="+s.srv.URL+"/insert/journald", export)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w: %s", s.upload, err, out)
	}
	return nil
}

// waitRows waits until tenant accountID of the server at base holds n
// rows, asking the servers at flush (base when none) to make what they
// ingested searchable.
func waitRows(ctx context.Context, base, accountID string, n int, flush ...string) error {
	if len(flush) == 0 {
		flush = []string{base}
	}
	got := -1
	for range 200 {
		for _, f := range flush {
			if resp, err := http.Get(f + "/internal/force_flush"); err == nil {
				resp.Body.Close()
			}
		}
		var err error
		if got, err = countRows(ctx, base, accountID); err != nil || got >= n {
			break
		}
		select {
		case <-time.After(25 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if got != n {
		return fmt.Errorf("the server holds %d rows, %d were shipped", got, n)
	}
	return nil
}

// countRows counts the rows of a tenant.
func countRows(ctx context.Context, base, accountID string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/select/logsql/query",
		strings.NewReader(url.Values{"query": {"* | count() rows"}}.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("AccountID", accountID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var row struct{ Rows string }
	if err := json.NewDecoder(resp.Body).Decode(&row); err != nil {
		return 0, fmt.Errorf("counting rows: %s: %w", resp.Status, err)
	}
	return strconv.Atoi(row.Rows)
}

// TestFleetFixturesShipped: every fixture case, shipped as a fleet ships
// its logs (syslog lines by syslog TCP, journal lines by
// systemd-journal-upload, the rest as JSON lines) into a server of its
// own, gives the findings it gives from its files. The server stores no
// file order: lines of equal time come back in its tie order, and the
// findings must not depend on it.
func TestFleetFixturesShipped(t *testing.T) {
	if raceEnabled {
		// 150 servers and three shippers: nothing here shares memory
		// between goroutines that TestFleetFixturesThroughStore does
		// not already run under -race.
		t.Skip("make unit runs it; -race adds nothing but time")
	}
	testenv.VictoriaLogsBin(t)
	upload := testenv.JournalUploadBin(t)
	sigs, cases := builtinCases(t)
	same := 0
	byPath := map[string]int{} // cases that shipped rows by each path
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			local, _, err := runCase(context.Background(), c, sigs, engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			s := &fleetShipper{t: t, upload: upload}
			ship := func(ctx context.Context, evs []*event.Event) (string, string, error) {
				s.srv = testenv.StartVictoriaLogsServer(t, testenv.VictoriaLogsOptions{SyslogTCP: true})
				return s.ship(ctx, evs)
			}
			got, _, err := runCaseStore(context.Background(), c, sigs, ship)
			var unstorable *errUnstorable
			if errors.As(err, &unstorable) {
				t.Log(err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != local {
				t.Errorf("shipped %v:\n%s\nfrom files:\n%s\nsyslog messages:\n%s", s.byPath, got, local, strings.Join(s.messages, "\n"))
			}
			for p, n := range s.byPath {
				if n > 0 {
					byPath[p]++
				}
			}
			same++
		})
	}
	t.Logf("%d of %d cases through the store; cases with rows by path: %v", same, len(cases), byPath)
	if byPath["syslog"] < 40 || byPath["journald"] < 20 {
		t.Errorf("cases with rows by path: %v: the fixtures should cover syslog and journald", byPath)
	}
}
