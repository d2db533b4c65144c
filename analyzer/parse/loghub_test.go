package parse

import (
	"bufio"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/internal/testenv"
)

// loghubDir is the Loghub sample data, read in place.
func loghubDir(t *testing.T) string { return testenv.SharedDir(t, "data/loghub") }

// loghubRecord is what one CSV row says about its line.
type loghubRecord struct {
	stamp, host, component, pid, content string
}

// TestLoghub parses two real syslog files and compares each line with the
// Loghub collection's ground truth (its *_structured.csv).
func TestLoghub(t *testing.T) {
	dir := loghubDir(t)
	files := []struct {
		log string
		// row maps a CSV record to what the parser should have read.
		row func(rec []string) loghubRecord
		// got renders the event the same way.
		got func(ev *event.Event) loghubRecord
	}{
		{
			// LineId,Month,Date,Time,Level,Component,PID,Content,... (the
			// Level column holds the host name).
			log: "Linux_2k.log",
			row: func(r []string) loghubRecord {
				return loghubRecord{r[1] + " " + r[2] + " " + r[3], r[4], r[5], r[6], r[7]}
			},
			got: func(ev *event.Event) loghubRecord {
				// The CSV names the tag as written: "sshd(pam_unix)",
				// "syslogd 1.4.1".
				comp := ev.Program
				if sub, ok := ev.Field("subsystem"); ok {
					comp += "(" + sub + ")"
				}
				if v, ok := ev.Field("version"); ok {
					comp += " " + v
				}
				return loghubRecord{ev.Time.Format("Jan 2 15:04:05"), ev.Host, comp, pidString(ev), ev.Message}
			},
		},
		{
			// LineId,Date,Day,Time,Component,Pid,Content,... (Component is
			// the host name; every line is sshd's).
			log: "OpenSSH_2k.log",
			row: func(r []string) loghubRecord {
				return loghubRecord{r[1] + " " + r[2] + " " + r[3], r[4], "sshd", r[5], r[6]}
			},
			got: func(ev *event.Event) loghubRecord {
				return loghubRecord{ev.Time.Format("Jan 2 15:04:05"), ev.Host, ev.Program, pidString(ev), ev.Message}
			},
		},
	}
	for _, file := range files {
		t.Run(file.log, func(t *testing.T) {
			lines := readLines(t, filepath.Join(dir, file.log))
			rows := readCSV(t, filepath.Join(dir, file.log+"_structured.csv"))
			o := &Options{Location: time.UTC, Year: 2005}
			agree, total := 0, 0
			for _, rec := range rows {
				id, err := strconv.Atoi(rec[0])
				if err != nil || id < 1 || id > len(lines) {
					t.Fatalf("CSV row %v: bad LineId", rec)
				}
				total++
				want := file.row(rec)
				want.content = strings.TrimSpace(want.content)
				var ev event.Event
				ev.Reset()
				k, ok := parseSyslogFamily([]byte(lines[id-1]), o, &ev)
				got := file.got(&ev)
				got.content = strings.TrimSpace(got.content)
				if ok && k == KindEntry && got == want {
					agree++
					continue
				}
				t.Logf("line %d %q:\n  got  %+v (ok=%v)\n  want %+v", id, lines[id-1], got, ok, want)
			}
			if total != len(lines) {
				t.Errorf("CSV has %d rows for %d lines", total, len(lines))
			}
			rate := float64(agree) / float64(total)
			t.Logf("%s: %d/%d lines agree (%.2f%%)", file.log, agree, total, 100*rate)
			if rate < 0.99 {
				t.Errorf("%s: agreement %.2f%% < 99%%", file.log, 100*rate)
			}
		})
	}
}

func pidString(ev *event.Event) string {
	if ev.PID == 0 {
		return ""
	}
	return strconv.Itoa(ev.PID)
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var lines []string
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 2 {
		t.Fatalf("%s: no rows", path)
	}
	return recs[1:] // the header
}
