//go:build linux && cgo && sdjournal

// The native reader is opt-in (-tags sdjournal, as make build sets):
// go-systemd's cgo preamble includes <systemd/sd-journal.h>, so a
// default build with cgo on would fail on a machine without
// libsystemd-dev (`go install`). Without the tag, journal_nocgo.go's
// openNative sends every file to journalctl (journal_exec.go).

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
// reader asks for a fixed list of fields by name (the want* lists), and
// for the fields only some writers set only when the entry can have
// them: each miss costs go-systemd an fmt.Errorf. The lists cover what
// the model uses; Options.JournalFields adds more (the cmd layer passes
// every fields.NAME a signature matches on, and --journal-field).
// GetBootID is never used: it returns the running machine's boot id,
// not the entry's.
type sdReader struct {
	j     *sdjournal.Journal
	extra []journalWant // Options.JournalFields: read for every entry
	fs    []parse.JournalField
	rt    []byte // __REALTIME_TIMESTAMP digits
	until uint64 // stop after this realtime; 0: no bound
}

// JournalReaderInfo says how this build reads journal files, for
// `logsleuth --version`.
const JournalReaderInfo = "libsystemd through sdjournal (journalctl -o export where libsystemd.so.0 cannot be loaded)"

// Field names, as the keys handed to parse.FromJournalFields.
var (
	keyRealtime = []byte("__REALTIME_TIMESTAMP")
	keyCursor   = []byte("__CURSOR")
	keyBootID   = []byte("_BOOT_ID")
)

// cursorBoot returns the boot id of a cursor
// ("s=...;i=7;b=5e2b1c0a...;m=...;t=...;x=..."), the entry's _BOOT_ID.
func cursorBoot(c []byte) []byte {
	for len(c) > 0 {
		part := c
		if i := bytes.IndexByte(c, ';'); i >= 0 {
			part, c = c[:i], c[i+1:]
		} else {
			c = nil
		}
		if len(part) == 34 && part[0] == 'b' && part[1] == '=' {
			return part[2:]
		}
	}
	return nil
}

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
	// Every entry: the model's columns. _BOOT_ID is taken from the
	// cursor (its b= part), which the reader fetches anyway.
	wantAlways = wants("MESSAGE", "_HOSTNAME", "PRIORITY", "SYSLOG_IDENTIFIER", "_PID")
	// Entries of processes.
	wantProcess = wants("_SYSTEMD_UNIT")
	// Entries with no pid: the kernel, journald's own.
	wantNoPID = wants("_TRANSPORT")
	// systemd and its helpers (systemd-logind, ...): the unit a message
	// is about and the catalog id that gives the lifecycle.
	wantSystemd = wants("_TRANSPORT", "UNIT", "USER_UNIT", "MESSAGE_ID", "JOB_RESULT")
	// Docker's journald log driver.
	wantContainer = wants("CONTAINER_NAME", "CONTAINER_ID")
	// Kernel entries.
	wantKernel = wants("_KERNEL_SUBSYSTEM", "_KERNEL_DEVICE")
	// Without SYSLOG_IDENTIFIER the program is _COMM.
	wantComm = wants("_COMM")
)

// openNative opens one journal file for reading from since (zero: the
// head).
func openNative(path string, since, until time.Time, extra []string) (journalReader, error) {
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
	r := &sdReader{j: j, extra: wants(extra...)}
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
		cur := []byte(c)
		r.fs = append(r.fs, parse.JournalField{Key: keyCursor, Value: cur})
		if b := cursorBoot(cur); b != nil {
			r.fs = append(r.fs, parse.JournalField{Key: keyBootID, Value: b})
		}
	}
	// Each GetDataBytes is a linear search of the entry in libsystemd
	// plus three cgo calls: ask only for what this kind of entry has.
	r.get(wantAlways)
	ident := r.value("SYSLOG_IDENTIFIER")
	if ident == nil {
		r.get(wantComm)
	}
	switch {
	case r.value("_PID") == nil:
		r.get(wantNoPID)
		if string(r.value("_TRANSPORT")) == "kernel" {
			r.get(wantKernel)
		}
	case bytes.HasPrefix(ident, []byte("systemd")):
		r.get(wantProcess)
		r.get(wantSystemd)
	default:
		r.get(wantProcess)
		if string(r.value("_SYSTEMD_UNIT")) == "docker.service" && string(ident) != "dockerd" {
			r.get(wantContainer)
		}
	}
	for _, w := range r.extra {
		if r.value(w.name) == nil {
			r.get([]journalWant{w})
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
