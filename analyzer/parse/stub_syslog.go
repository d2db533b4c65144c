package parse

import "github.com/logsleuth/logsleuth/analyzer/event"

// parseSyslogFamily parses the syslog and journalctl text family: RFC3164,
// RSYSLOG_FileFormat, RFC5424, every journalctl short mode, markers and
// catalog lines, localized months, kernel stamps. It reports ok=false when
// the line has none of these headers. (Stub: replaced by the real parser.)
func parseSyslogFamily(line []byte, o *Options, ev *event.Event) (Kind, bool) {
	return KindEntry, false
}
