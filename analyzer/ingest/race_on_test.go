//go:build race

package ingest

// raceEnabled: this test binary runs under the race detector, whose
// shadow memory makes bounds on memory meaningless (make unit checks
// them without it).
const raceEnabled = true
