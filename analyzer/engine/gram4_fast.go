//go:build amd64 || arm64

package engine

import "unsafe"

// gram4 returns gramAt(s, i), gramAt(s, i+st), gramAt(s, i+2*st) and
// gramAt(s, i+3*st), for a caller that has made sure that
// i+3*st+gramLen <= len(s): loads without bounds checks. Their four
// checks were a fifth of the gram finder's instructions, which the loop's
// own test makes needless (cachegrind, dense bench corpus: 1.9% of a
// timeline's). These architectures load unaligned little-endian words
// natively, which is what gramAt computes.
func gram4(s string, i, st int) (a, b, c, d uint32) {
	p := unsafe.Add(unsafe.Pointer(unsafe.StringData(s)), i)
	return *(*uint32)(p), *(*uint32)(unsafe.Add(p, st)), *(*uint32)(unsafe.Add(p, 2*st)), *(*uint32)(unsafe.Add(p, 3*st))
}
