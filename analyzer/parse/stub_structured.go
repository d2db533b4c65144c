package parse

import "github.com/logsleuth/logsleuth/analyzer/event"

// parseStructured parses the non-syslog formats: journal JSON and
// json-seq, dpkg.log, apt history/term, unattended-upgrades, JSON-line and
// logfmt application logs, docker compose prefixes. ok=false when the line
// is none of them. (Stub: replaced by the real parser.)
func parseStructured(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	return KindEntry, false
}

// parsePayload adds fields and priority from a logfmt or JSON message body.
func parsePayload(ev *event.Event) {}

// deriveSystemd sets Unit and Lifecycle from systemd's own messages.
func deriveSystemd(ev *event.Event) {}
