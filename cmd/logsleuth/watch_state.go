package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/ingest"
)

// watchStateSchema names the --state file's version.
const watchStateSchema = "logsleuth/watch-state/v1"

// watchState is the --state file: where each source was read up to, the
// open matches at that moment, and the alerts sent (also after it).
type watchState struct {
	Schema   string            `json:"schema"`
	Saved    time.Time         `json:"saved"`
	Position *ingest.Position  `json:"position"`
	Engine   *engine.LiveState `json:"engine"`
	Alerts   *alertLog         `json:"alerts"`
}

// loadWatchState reads the --state file; an empty state when there is
// none yet. A file that is not a state file is warned about and
// replaced: a service must not fail to start for it. One that cannot be
// read is an error.
func loadWatchState(path string, ws *event.Warnings) (*watchState, error) {
	if path == "" {
		return &watchState{}, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &watchState{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("--state %s: %w", path, unwrapPathErr(err))
	}
	var st watchState
	if err := json.Unmarshal(b, &st); err != nil || st.Schema != watchStateSchema {
		ws.Addf(path, 0, "not a logsleuth watch state file (%s); starting afresh, it will be replaced", stateProblem(err, st.Schema))
		return &watchState{}, nil
	}
	return &st, nil
}

func stateProblem(err error, schema string) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("schema %q", schema)
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// save writes the state (the last consistent snapshot, and the alert
// log) to --state when something in it changed: atomically, through a
// temporary file renamed over it, mode 0600 (it holds log lines).
func (al *alerter) save(snap *watchState) error {
	path := al.opts.State
	if path == "" || !al.dirty {
		return nil
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		// writeFileAtomic keeps the mode of the file it replaces.
		if f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
			f.Close()
		}
	}
	out := watchState{Schema: watchStateSchema, Saved: time.Now().UTC(), Position: snap.Position, Engine: snap.Engine, Alerts: al.log}
	err := writeFileAtomic(path, "--state", func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	})
	if err != nil {
		return err
	}
	al.dirty = false
	return nil
}
