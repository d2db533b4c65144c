package event

import (
	"fmt"
	"sort"
	"sync"
)

// Warning is a problem with the input that did not stop reading: a bad
// line, an unreadable file, a clock going backwards. Path and Line say
// where; Line is 0 when the warning concerns the whole source.
type Warning struct {
	Path string
	Line int64
	Msg  string
}

func (w Warning) String() string {
	switch {
	case w.Path == "":
		return w.Msg
	case w.Line > 0:
		return fmt.Sprintf("%s:%d: %s", w.Path, w.Line, w.Msg)
	default:
		return fmt.Sprintf("%s: %s", w.Path, w.Msg)
	}
}

// Warnings collects warnings from concurrent stages. It keeps at most Cap
// warnings per source path and counts the rest,
// so a file of junk cannot exhaust memory. Safe for concurrent use.
type Warnings struct {
	mu      sync.Mutex
	list    []Warning
	perPath map[string]int
	dropped map[string]int
	// Cap is the number of warnings kept per path; 0 means 100.
	Cap int
	// OnWarn, when set, is called (under the lock) for each kept warning,
	// e.g. to stream warnings to stderr as they happen.
	OnWarn func(Warning)
}

// Add records w.
func (ws *Warnings) Add(w Warning) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	limit := ws.Cap
	if limit == 0 {
		limit = 100
	}
	if ws.perPath == nil {
		ws.perPath = map[string]int{}
		ws.dropped = map[string]int{}
	}
	if ws.perPath[w.Path] >= limit {
		ws.dropped[w.Path]++
		return
	}
	ws.perPath[w.Path]++
	ws.list = append(ws.list, w)
	if ws.OnWarn != nil {
		ws.OnWarn(w)
	}
}

// Addf records a formatted warning.
func (ws *Warnings) Addf(path string, line int64, format string, args ...any) {
	ws.Add(Warning{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// List returns the kept warnings followed by one summary warning per path
// whose warnings were capped.
func (ws *Warnings) List() []Warning {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	out := append([]Warning(nil), ws.list...)
	paths := make([]string, 0, len(ws.dropped))
	for p := range ws.dropped {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		out = append(out, Warning{Path: p, Msg: fmt.Sprintf("%d more warnings not shown", ws.dropped[p])})
	}
	return out
}
