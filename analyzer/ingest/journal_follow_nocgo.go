//go:build !(linux && cgo && sdjournal)

package ingest

// openNativeFollower is not available in this build: journals are
// followed through journalctl -f (journal_follow_exec.go).
func openNativeFollower(*journalSpec, journalStart, []string) (journalFollower, error) {
	return nil, errNoNative
}
