package engine

import (
	"maps"
	"slices"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
)

// LiveState is what a live run keeps of the engine across a restart
// (`watch --state`): the partial matches of its sequences, open absence
// windows included, so that a window opened before the restart still
// closes after it. Thresholds and dedupe windows start afresh: what they
// lose is a count, not an alert already due.
type LiveState struct {
	Sequences []SavedMatch `json:"sequences"`
}

// SavedMatch is one partial match of a sequence.
type SavedMatch struct {
	Signature string `json:"signature"`
	// Steps are the signature's step names when it was saved: a match
	// of a signature whose steps changed since is not restored.
	Steps    []string       `json:"steps"`
	Group    string         `json:"group"`
	Next     int            `json:"next"`
	First    time.Time      `json:"first"`
	Host     string         `json:"host,omitempty"`
	Boot     string         `json:"boot,omitempty"`
	Path     string         `json:"path,omitempty"`
	WinStart time.Time      `json:"window_start,omitzero"`
	WinEnd   time.Time      `json:"window_end,omitzero"`
	Bound    []SavedBinding `json:"bound"`
}

// SavedBinding is the event bound to one step, if any.
type SavedBinding struct {
	Event    *event.Event       `json:"event,omitempty"`
	Captures signature.Captures `json:"captures,omitempty"`
}

// SaveLive returns the engine's partial matches, in a deterministic order.
func (e *Engine) SaveLive() *LiveState {
	st := &LiveState{Sequences: []SavedMatch{}}
	for _, s := range e.observers {
		names := s.stepNames()
		for _, key := range s.sortedGroups() {
			for _, in := range s.groups[key] {
				m := SavedMatch{Signature: s.sig.ID, Steps: names, Group: in.group, Next: in.next, First: in.first,
					Host: in.host, Boot: in.boot, Path: in.path, WinStart: in.winStart, WinEnd: in.winEnd,
					Bound: make([]SavedBinding, len(in.bound))}
				for i, b := range in.bound {
					m.Bound[i] = SavedBinding{Event: b.ev, Captures: b.caps}
				}
				st.Sequences = append(st.Sequences, m)
			}
		}
	}
	return st
}

// RestoreLive takes back the partial matches SaveLive returned, into an
// engine that has processed nothing yet. A match whose signature is gone
// or whose steps changed is dropped, with a warning.
func (e *Engine) RestoreLive(st *LiveState) {
	if st == nil {
		return
	}
	bySig := map[string]*sequence{}
	for _, s := range e.observers {
		bySig[s.sig.ID] = s
		s.quiet.valid = false
	}
	dropped := map[string]int{}
	for _, m := range st.Sequences {
		s := bySig[m.Signature]
		if s == nil || !slices.Equal(m.Steps, s.stepNames()) || len(m.Bound) != len(s.steps) || m.Next < 1 || m.Next >= len(s.steps) {
			dropped[m.Signature]++
			continue
		}
		in := &instance{group: m.Group, next: m.Next, first: m.First, host: m.Host, boot: m.Boot, path: m.Path,
			winStart: m.WinStart, winEnd: m.WinEnd, bound: make([]binding, len(m.Bound))}
		for i, b := range m.Bound {
			if b.Event != nil {
				b.Event.Screen = nil
			}
			in.bound[i] = binding{ev: b.Event, caps: b.Captures}
		}
		if len(s.groups[in.group]) >= e.opts.MaxPending {
			e.warnCap(s.sig, in.group)
			continue
		}
		if !in.winEnd.IsZero() {
			s.adjustOpen(e, 1)
		}
		s.groups[in.group] = append(s.groups[in.group], in)
	}
	if e.opts.Warnings == nil {
		return
	}
	for _, id := range slices.Sorted(maps.Keys(dropped)) {
		e.opts.Warnings.Addf("", 0, "saved state: %d partial matches of signature %s dropped (the signature is gone or its steps changed)", dropped[id], id)
	}
}

func (s *sequence) stepNames() []string {
	names := make([]string, len(s.steps))
	for i, st := range s.steps {
		names[i] = st.As
		if names[i] == "" && st.Event != nil {
			names[i] = st.Event.Name
		}
	}
	return names
}
