//go:build !(amd64 || arm64)

package engine

// gram4 returns gramAt(s, i), gramAt(s, i+st), gramAt(s, i+2*st) and
// gramAt(s, i+3*st) (see gram4_fast.go).
func gram4(s string, i, st int) (a, b, c, d uint32) {
	return gramAt(s, i), gramAt(s, i+st), gramAt(s, i+2*st), gramAt(s, i+3*st)
}
