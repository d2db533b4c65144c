package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/engine"
	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/signature"
	"github.com/logsleuth/logsleuth/analyzer/timeline"
)

// alerter turns the findings of `watch` into alerts: once each, linked
// into incidents, printed and handed to --exec.
type alerter struct {
	opts *WatchOptions
	ws   *event.Warnings
	loc  *time.Location
	sigs map[string]*signature.Signature
	log  *alertLog
	// dirty: something --state keeps changed since it was written.
	dirty bool
}

// alertLog is what --state keeps of the alerts sent: their number, and
// the latest of them, to link later findings to and to recognize a
// finding sent before a restart.
type alertLog struct {
	Next int         `json:"next"`
	Sent []sentAlert `json:"sent"`
}

// sentAlert is one alert sent.
type sentAlert struct {
	ID        string    `json:"id"`
	Key       string    `json:"key"`
	Signature string    `json:"signature"`
	Host      string    `json:"host"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	// Incident is the id of the alert at the root of its incident (its
	// own when it is the root).
	Incident string `json:"incident"`
}

// maxSentAlerts bounds the alerts remembered: linking and repeats
// concern recent ones.
const maxSentAlerts = 1024

func newAlerter(opts *WatchOptions, sigs []*signature.Signature, loc *time.Location, log *alertLog, ws *event.Warnings) *alerter {
	if log == nil {
		log = &alertLog{Next: 1}
	}
	al := &alerter{opts: opts, ws: ws, loc: loc, sigs: map[string]*signature.Signature{}, log: log}
	for _, s := range sigs {
		al.sigs[s.ID] = s
	}
	return al
}

// alertKey identifies a finding across a restart: the events after the
// saved position are read again, and make the same findings, from the
// same lines (file:line or journal cursor), which tell apart two hits
// of one signature in the same second.
func alertKey(f *engine.Finding) string {
	var b strings.Builder
	b.WriteString(f.Signature.ID + "\x00" + f.Host + "\x00" + f.Start.UTC().Format(time.RFC3339Nano))
	for _, c := range f.Captures {
		b.WriteString("\x00" + c.Name + "=" + c.Value)
	}
	if len(f.Evidence) > 0 {
		b.WriteString("\x00" + f.Evidence[0].Event.Source.String())
	}
	return b.String()
}

// finding is what linking needs of a sent alert; nil when its
// signature is no longer loaded.
func (al *alerter) finding(a *sentAlert) *engine.Finding {
	s := al.sigs[a.Signature]
	if s == nil {
		return nil
	}
	return &engine.Finding{Signature: s, Host: a.Host, Start: a.Start, End: a.End}
}

// send alerts on each of fs not sent before.
func (al *alerter) send(ctx context.Context, fs []*engine.Finding) error {
	for _, f := range fs {
		key := alertKey(f)
		if slices.ContainsFunc(al.log.Sent, func(a sentAlert) bool { return a.Key == key }) {
			continue // sent before a restart
		}
		id := "a" + strconv.Itoa(al.log.Next)
		al.log.Next++
		al.dirty = true
		// A symptom of an incident already alerted is an update of it;
		// a cause of alerts sent before it becomes their incident's root.
		updateOf := ""
		for i := range al.log.Sent {
			if a := al.finding(&al.log.Sent[i]); a != nil && timeline.Explains(a, f) {
				updateOf = al.log.Sent[i].Incident
				break
			}
		}
		var explains []string
		if updateOf == "" {
			for i := range al.log.Sent {
				b := &al.log.Sent[i]
				if b.Incident != b.ID {
					continue
				}
				if bf := al.finding(b); bf != nil && timeline.Explains(f, bf) {
					explains = append(explains, b.ID)
				}
			}
			for i := range al.log.Sent {
				if slices.Contains(explains, al.log.Sent[i].Incident) {
					al.log.Sent[i].Incident = id
				}
			}
		}
		incident := id
		if updateOf != "" {
			incident = updateOf
		}
		al.log.Sent = append(al.log.Sent, sentAlert{ID: id, Key: key, Signature: f.Signature.ID, Host: f.Host,
			Start: f.Start, End: f.End, Incident: incident})
		if len(al.log.Sent) > maxSentAlerts {
			al.log.Sent = slices.Delete(al.log.Sent, 0, len(al.log.Sent)-maxSentAlerts)
		}
		js, err := timeline.MarshalAlert(f, id, updateOf, explains)
		if err != nil {
			return fmt.Errorf("alert %s: %w", id, err)
		}
		var line []byte
		if al.opts.Format == watchJSONL {
			line = append(js, '\n')
		} else {
			line = al.textLine(f, id, updateOf, explains)
		}
		if _, err := al.opts.IO.Out.Write(line); err != nil {
			return fmt.Errorf("write alert: %w", err)
		}
		if len(al.opts.ExecArgv) > 0 {
			al.exec(ctx, f, id, updateOf, js)
		}
	}
	return nil
}

// textLine is an alert as one line of text: start, severity, outcome,
// host, signature, id and links, summary; log text escaped.
func (al *alerter) textLine(f *engine.Finding, id, updateOf string, explains []string) []byte {
	tag := id
	if updateOf != "" {
		tag += ", update of " + updateOf
	}
	if len(explains) > 0 {
		tag += ", explains " + strings.Join(explains, " ")
	}
	host := f.Host
	if host == "" {
		host = "-"
	}
	start := "-"
	if !f.Start.IsZero() {
		start = f.Start.In(al.loc).Format("2006-01-02 15:04:05 -0700")
	}
	outcome := f.Outcome
	if f.Reason != "" {
		outcome += " (" + f.Reason + ")"
	}
	s := fmt.Sprintf("%s %s %s %s %s [%s]: %s\n", start, strings.ToUpper(f.Signature.Severity.String()), outcome,
		timeline.Safe(host), f.Signature.ID, tag, timeline.Safe(f.Summary))
	return []byte(s)
}

// exec runs --exec for one alert: no shell, the alert's JSON on stdin,
// its facts in LOGSLEUTH_* variables, killed after --exec-timeout. Its
// output goes to stderr (stdout carries the alerts); a failure is a
// warning.
func (al *alerter) exec(ctx context.Context, f *engine.Finding, id, updateOf string, js []byte) {
	ctx, cancel := context.WithTimeout(ctx, al.opts.ExecTimeout)
	defer cancel()
	argv := al.opts.ExecArgv
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = bytes.NewReader(append(js, '\n'))
	cmd.Stdout, cmd.Stderr = al.opts.IO.ErrOut, al.opts.IO.ErrOut
	cmd.WaitDelay = time.Second
	cmd.Env = append(os.Environ(),
		"LOGSLEUTH_ID="+id,
		"LOGSLEUTH_SIGNATURE="+f.Signature.ID,
		"LOGSLEUTH_SEVERITY="+f.Signature.Severity.String(),
		"LOGSLEUTH_OUTCOME="+f.Outcome,
		"LOGSLEUTH_HOST="+envValue(f.Host),
		"LOGSLEUTH_SUMMARY="+envValue(f.Summary),
		"LOGSLEUTH_UPDATE_OF="+updateOf,
	)
	err := cmd.Run()
	switch {
	case err == nil:
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		warnf(al.ws, "--exec for alert %s: killed after %s", id, al.opts.ExecTimeout)
	default:
		warnf(al.ws, "--exec for alert %s: %v", id, err)
	}
}

// envValue is log-derived text as an environment value: control
// characters escaped (a hook may echo it to a terminal), no NUL.
func envValue(s string) string { return timeline.Safe(s) }
