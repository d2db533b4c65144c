//go:build linux && cgo

package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/coreos/go-systemd/v22/sdjournal"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// sdReader reads one journal file through libsystemd (sdjournal, which
// dlopens libsystemd.so.0). Not safe for concurrent use.
//
// It never calls GetEntry, which reads every field into a map (about a
// third of the speed, research §4.5) and keeps one value of a repeated
// field. go-systemd does not expose sd_journal_enumerate_data, so the
// reader asks for a fixed list of fields by name, and the fields that
// only some writers set only when the entry can have them: each miss
// costs go-systemd an fmt.Errorf. The list (journalWant) covers what
// the model and the signatures use; other journal fields are not read.
// GetBootID is never used: it returns the running machine's boot id,
// not the entry's.
type sdReader struct {
	j     *sdjournal.Journal
	fs    []parse.JournalField
	rt    []byte // __REALTIME_TIMESTAMP digits
	until uint64 // stop after this realtime; 0: no bound
}

// Field names, as the keys handed to parse.FromJournalFields.
var (
	keyRealtime = []byte("__REALTIME_TIMESTAMP")
	keyCursor   = []byte("__CURSOR")
)

// journalWant is a field the reader asks for, with its key as bytes.
type journalWant struct {
	name string
	key  []byte
}

func wants(names ...string) []journalWant {
	w := make([]journalWant, len(names))
	for i, n := range names {
		w[i] = journalWant{n, []byte(n)}
	}
	return w
}

var (
	// Every entry: the model's columns and the fields nearly every
	// writer has.
	wantAlways = wants("MESSAGE", "_HOSTNAME", "_BOOT_ID", "PRIORITY", "SYSLOG_IDENTIFIER", "_TRANSPORT")
	// Entries of processes (not the kernel).
	wantProcess = wants("_PID", "_COMM", "_SYSTEMD_UNIT")
	// systemd and its helpers (systemd-logind, ...): the unit a message
	// is about and the catalog id that gives the lifecycle.
	wantSystemd = wants("UNIT", "USER_UNIT", "MESSAGE_ID", "JOB_RESULT", "EXIT_CODE", "EXIT_STATUS")
	// Docker's journald log driver.
	wantContainer = wants("CONTAINER_NAME", "CONTAINER_ID")
	// Kernel entries.
	wantKernel = wants("_KERNEL_SUBSYSTEM", "_KERNEL_DEVICE")
)

// openNative opens one journal file for reading from since (zero: the
// head).
func openNative(path string, since, until time.Time) (journalReader, error) {
	j, err := sdjournal.NewJournalFromFiles(path)
	if err != nil {
		if strings.Contains(err.Error(), "unable to open a handle to the library") {
			return nil, fmt.Errorf("%w: %v", errNoNative, err)
		}
		if errors.Is(err, syscall.ENODATA) {
			return nil, fmt.Errorf("%w (libsystemd refuses the file: truncated or from a newer systemd?)", err)
		}
		return nil, err
	}
	// Fields larger than this are cut, so that a corrupt size cannot
	// make libsystemd decompress gigabytes.
	if err := j.SetDataThreshold(parse.MaxExportField); err != nil {
		j.Close()
		return nil, err
	}
	if !since.IsZero() {
		if err := j.SeekRealtimeUsec(uint64(max(since.UnixMicro(), 0))); err != nil {
			j.Close()
			return nil, err
		}
	}
	r := &sdReader{j: j}
	if !until.IsZero() {
		r.until = uint64(max(until.Add(untilSlack).UnixMicro(), 0))
	}
	return r, nil
}

// Next reads the next entry into ev.
func (r *sdReader) Next(ev *event.Event) error {
	n, err := r.j.Next()
	if err != nil {
		// EBADMSG and friends: libsystemd skips a corrupt region on the
		// next call (research §4.4).
		return &corruptEntry{err}
	}
	if n == 0 {
		return io.EOF
	}
	rt, err := r.j.GetRealtimeUsec()
	if err != nil {
		return &corruptEntry{err}
	}
	if r.until != 0 && rt > r.until {
		return io.EOF
	}
	r.fs = r.fs[:0]
	r.rt = strconv.AppendUint(r.rt[:0], rt, 10)
	r.fs = append(r.fs, parse.JournalField{Key: keyRealtime, Value: r.rt})
	if c, err := r.j.GetCursor(); err == nil {
		r.fs = append(r.fs, parse.JournalField{Key: keyCursor, Value: []byte(c)})
	}
	r.get(wantAlways)
	ident := r.value("SYSLOG_IDENTIFIER")
	if string(r.value("_TRANSPORT")) == "kernel" {
		r.get(wantKernel)
	} else {
		r.get(wantProcess)
		switch {
		case bytes.HasPrefix(ident, []byte("systemd")):
			r.get(wantSystemd)
		case string(r.value("_SYSTEMD_UNIT")) == "docker.service" && string(ident) != "dockerd":
			r.get(wantContainer)
		}
	}
	parse.FromJournalFields(r.fs, ev)
	return nil
}

// get appends the fields of ws that the entry has.
func (r *sdReader) get(ws []journalWant) {
	for _, w := range ws {
		d, err := r.j.GetDataBytes(w.name)
		if err != nil || len(d) <= len(w.name) {
			continue // ENOENT: the entry has no such field
		}
		r.fs = append(r.fs, parse.JournalField{Key: w.key, Value: d[len(w.name)+1:]})
	}
}

// value returns the value of a field already read; nil if absent.
func (r *sdReader) value(name string) []byte {
	for _, f := range r.fs {
		if string(f.Key) == name {
			return f.Value
		}
	}
	return nil
}

// Close releases the file.
func (r *sdReader) Close() error {
	if r.j == nil {
		return nil
	}
	err := r.j.Close()
	r.j = nil
	return err
}
