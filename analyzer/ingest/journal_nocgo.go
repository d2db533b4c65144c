//go:build !(linux && cgo)

package ingest

import "time"

// openNative is not available without cgo: journal files are read
// through journalctl (journal_exec.go).
func openNative(string, time.Time, time.Time, []string) (journalReader, error) {
	return nil, errNoNative
}
