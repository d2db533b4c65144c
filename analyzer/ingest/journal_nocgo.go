//go:build !(linux && cgo && sdjournal)

package ingest

import "time"

// JournalReaderInfo says how this build reads journal files, for
// `logsleuth --version`.
const JournalReaderInfo = "journalctl -o export (built without the native reader: it needs -tags sdjournal, cgo and Linux)"

// openNative is not available in this build (the default one, or one
// without cgo): journal files are read through journalctl
// (journal_exec.go).
func openNative(string, time.Time, time.Time, []string) (journalReader, error) {
	return nil, errNoNative
}
