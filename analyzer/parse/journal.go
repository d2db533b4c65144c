package parse

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// JournalField is one field of a journal entry as a reader found it.
// Repeated fields appear once per value, in entry order.
type JournalField struct {
	Key, Value []byte
}

// journalField is the name the in-package readers use.
type journalField = JournalField

// FromJournalFields resets ev and fills it from the fields of one native
// journal entry (Format "journal"), as the export and JSON readers do:
// see fromJournalFields for the mapping. A native reader passes the
// address fields it read separately as __REALTIME_TIMESTAMP and
// __CURSOR. Payload fields (logfmt inside dockerd lines) and the systemd
// lifecycle are derived as for every parsed entry; the lifecycle comes
// from MESSAGE_ID when systemd's catalog knows it, else from the text.
// fs is not retained; strings in ev are copies. Safe for concurrent use
// with distinct ev.
func FromJournalFields(fs []JournalField, ev *event.Event) {
	ev.Reset()
	fromJournalFields(fs, ev)
	ev.Source.Format = FormatJournal
	finishEntry(ev)
}

// fromJournalFields maps one journal entry onto ev (DESIGN §3); shared by
// the -o json parser, the export reader and native journal readers.
//
// The fields the model has a column for are consumed: __REALTIME_TIMESTAMP
// (Time, TimeExact), _HOSTNAME, _BOOT_ID, SYSLOG_IDENTIFIER (else _COMM)
// as Program, _PID, PRIORITY, MESSAGE and __CURSOR. Every other field,
// including UNIT, _SYSTEMD_UNIT, _COMM and MESSAGE_ID, lands in Fields,
// sorted by key (repeated fields keep their order). Unit is UNIT or
// USER_UNIT, else _SYSTEMD_UNIT. An entry with no SYSLOG_IDENTIFIER and
// no _COMM but _TRANSPORT=kernel has the program "kernel". Lifecycle comes from systemd's catalog
// MESSAGE_ID when it has one. Format is left to the caller.
func fromJournalFields(fs []journalField, ev *event.Event) {
	var ident, comm, unit, userUnit, sysUnit, msgID, transport []byte
	var haveMsg, havePID, havePrio bool
	for _, f := range fs {
		k, v := f.Key, f.Value
		switch string(k) {
		case "__REALTIME_TIMESTAMP":
			if us, ok := atoiN(v); ok && len(v) <= 18 {
				ev.Time = time.UnixMicro(int64(us)).UTC()
				ev.TimeQuality = event.TimeExact
				continue
			}
		case "_HOSTNAME":
			if ev.Host == "" {
				ev.Host = toValidString(v)
				continue
			}
		case "_BOOT_ID":
			if ev.BootID == "" {
				ev.BootID = toValidString(v)
				continue
			}
		case "SYSLOG_IDENTIFIER":
			if ident == nil {
				ident = v
				continue
			}
		case "_PID":
			if n, ok := atoiN(v); ok && !havePID && len(v) <= 9 {
				ev.PID, havePID = n, true
				continue
			}
		case "PRIORITY":
			if len(v) == 1 && v[0] >= '0' && v[0] <= '7' && !havePrio {
				ev.Priority, havePrio = event.Priority(v[0]-'0'), true
				continue
			}
		case "MESSAGE":
			if !haveMsg {
				ev.Message, haveMsg = toValidString(v), true
				continue
			}
		case "__CURSOR":
			if ev.Source.Cursor == "" {
				ev.Source.Cursor = toValidString(v)
				continue
			}
		case "_COMM":
			if comm == nil {
				comm = v
			}
		case "UNIT":
			if unit == nil {
				unit = v
			}
		case "USER_UNIT":
			if userUnit == nil {
				userUnit = v
			}
		case "_SYSTEMD_UNIT":
			if sysUnit == nil {
				sysUnit = v
			}
		case "MESSAGE_ID":
			msgID = v
		case "_TRANSPORT":
			transport = v
		}
		ev.Fields = append(ev.Fields, event.Field{Key: journalKey(k), Value: toValidString(v)})
	}
	slices.SortStableFunc(ev.Fields, func(a, b event.Field) int { return strings.Compare(a.Key, b.Key) })
	switch {
	case ident != nil:
		ev.Program = internProgram(ident)
	case comm != nil:
		ev.Program = internProgram(comm)
	case string(transport) == "kernel":
		// Kernel entries carry no _COMM; journald normally adds
		// SYSLOG_IDENTIFIER=kernel, but not every writer does.
		ev.Program = "kernel"
	}
	switch {
	case unit != nil:
		ev.Unit = fieldValue(ev, "UNIT")
	case userUnit != nil:
		ev.Unit = fieldValue(ev, "USER_UNIT")
	case sysUnit != nil:
		ev.Unit = fieldValue(ev, "_SYSTEMD_UNIT")
	}
	if msgID != nil {
		ev.Lifecycle = catalogLifecycle(string(msgID), ev.Message)
	}
}

// fieldValue returns the first value of key in ev.Fields, reusing the
// string already made for the field.
func fieldValue(ev *event.Event, key string) string {
	v, _ := ev.Field(key)
	return v
}

// catalogLifecycle maps systemd's unit MESSAGE_IDs (sd-messages.h) to a
// lifecycle. The "start job done" id covers both "Started X." and, for
// oneshot units on systemd >= 240, "Finished X.": the text tells them
// apart. Process-exit (98e32220...) says nothing about success, so it is
// left to the text.
func catalogLifecycle(id, msg string) event.Lifecycle {
	switch id {
	case "7d4958e842da4a758f6c1cdc7b36dcc5": // UNIT_STARTING
		return event.Starting
	case "39f53479d3a045ac8e11786248231fbf": // UNIT_STARTED
		if strings.HasPrefix(msg, "Finished ") {
			return event.Finished
		}
		return event.Started
	case "be02cf6855d2428ba40df7e9d022f03d": // UNIT_FAILED (start job failed)
		return event.Failed
	case "de5b426a63be47a7b6ac3eaac82e2f6f": // UNIT_STOPPING
		return event.Stopping
	case "9d1aaa27d60140bd96365438aad20286": // UNIT_STOPPED
		return event.Stopped
	case "7ad2d189f7e94e70a38c781354912448": // UNIT_SUCCESS "Deactivated successfully."
		return event.Stopped
	case "d9b373ed55a64feb8242e02dbe79a49c": // UNIT_FAILURE_RESULT "Failed with result ..."
		return event.Failed
	case "5eb03494b6584870a536b337290809b3": // UNIT_RESTART_SCHEDULED
		return event.Restarting
	case "d34d037fff1847e6ae669a370e694725": // UNIT_RELOADING
		return event.Reloading
	case "7b05ebc668384222baa8881179cfda54": // UNIT_RELOADED
		return event.Reloaded
	}
	return event.LifecycleNone
}

// journalKeys holds the field names journald writes on nearly every
// entry, so that naming a field costs no allocation.
var journalKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{
		"MESSAGE", "MESSAGE_ID", "PRIORITY", "SYSLOG_FACILITY", "SYSLOG_IDENTIFIER", "SYSLOG_PID",
		"SYSLOG_TIMESTAMP", "SYSLOG_RAW", "UNIT", "USER_UNIT", "INVOCATION_ID", "JOB_ID", "JOB_TYPE",
		"JOB_RESULT", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "ERRNO", "TID", "EXIT_CODE", "EXIT_STATUS",
		"CONTAINER_ID", "CONTAINER_ID_FULL", "CONTAINER_NAME", "CONTAINER_TAG", "IMAGE_NAME",
		"_PID", "_UID", "_GID", "_COMM", "_EXE", "_CMDLINE", "_CAP_EFFECTIVE", "_AUDIT_SESSION",
		"_AUDIT_LOGINUID", "_SYSTEMD_CGROUP", "_SYSTEMD_SLICE", "_SYSTEMD_UNIT", "_SYSTEMD_USER_UNIT",
		"_SYSTEMD_USER_SLICE", "_SYSTEMD_SESSION", "_SYSTEMD_OWNER_UID", "_SYSTEMD_INVOCATION_ID",
		"_SELINUX_CONTEXT", "_SOURCE_REALTIME_TIMESTAMP", "_SOURCE_MONOTONIC_TIMESTAMP", "_BOOT_ID",
		"_MACHINE_ID", "_HOSTNAME", "_TRANSPORT", "_STREAM_ID", "_LINE_BREAK", "_NAMESPACE",
		"_RUNTIME_SCOPE", "_KERNEL_DEVICE", "_KERNEL_SUBSYSTEM", "_UDEV_SYSNAME", "_UDEV_DEVNODE",
		"__CURSOR", "__REALTIME_TIMESTAMP", "__MONOTONIC_TIMESTAMP", "__SEQNUM", "__SEQNUM_ID",
	} {
		m[k] = k
	}
	return m
}()

func journalKey(k []byte) string {
	if s, ok := journalKeys[string(k)]; ok {
		return s
	}
	return toValidString(k)
}

// journalScratch holds the decoded fields of one JSON entry; pooled so
// that parsing on several cores reuses buffers.
type journalScratch struct {
	buf    []byte
	spans  []jspan
	fields []journalField
}

type jspan struct{ k0, k1, v0, v1 int }

var journalScratchPool = sync.Pool{New: func() any { return new(journalScratch) }}

// parseJournalJSON maps a journalctl -o json entry. Values are a string,
// an array of byte numbers (binary or invalid UTF-8), an array of strings
// (a repeated field) or null (over 4096 bytes, printed without --all);
// the names of null fields are listed in the field "omitted_fields".
func parseJournalJSON(line []byte, ev *event.Event) {
	s := journalScratchPool.Get().(*journalScratch)
	s.buf, s.spans, s.fields = s.buf[:0], s.spans[:0], s.fields[:0]
	var omitted []byte
	var obj jsonObject
	obj.reset(line)
	for obj.next() {
		if len(obj.key) == 0 {
			continue
		}
		k0 := len(s.buf)
		s.buf = appendUnescaped(s.buf, obj.key)
		k1 := len(s.buf)
		v := obj.val
		switch v[0] {
		case '"':
			s.buf = appendUnescaped(s.buf, v[1:len(v)-1])
			s.spans = append(s.spans, jspan{k0, k1, k1, len(s.buf)})
		case '[':
			s.appendArray(v, k0, k1)
		case 'n':
			if len(omitted) > 0 {
				omitted = append(omitted, ',')
			}
			omitted = append(omitted, s.buf[k0:k1]...)
			s.buf = s.buf[:k0]
		default:
			s.buf = append(s.buf, v...)
			s.spans = append(s.spans, jspan{k0, k1, k1, len(s.buf)})
		}
	}
	for _, sp := range s.spans {
		s.fields = append(s.fields, journalField{Key: s.buf[sp.k0:sp.k1], Value: s.buf[sp.v0:sp.v1]})
	}
	if omitted != nil {
		s.fields = append(s.fields, journalField{Key: []byte("omitted_fields"), Value: omitted})
	}
	fromJournalFields(s.fields, ev)
	ev.Source.Format = FormatJournalJSON
	if cap(s.buf) <= 1<<20 { // don't keep a huge entry's buffer alive
		journalScratchPool.Put(s)
	}
}

// appendArray decodes a JSON array value: numbers are the bytes of one
// binary value, strings are one value each of a repeated field.
func (s *journalScratch) appendArray(v []byte, k0, k1 int) {
	i := skipWS(v, 1)
	binary := i < len(v) && v[i] >= '0' && v[i] <= '9'
	v0 := len(s.buf)
	for i < len(v) && v[i] != ']' {
		end, ok := skipValue(v, i)
		if !ok {
			break
		}
		el := v[i:end]
		if binary {
			if n, ok := atoiN(el); ok && n < 256 {
				s.buf = append(s.buf, byte(n))
			}
		} else if el[0] == '"' {
			v0 := len(s.buf)
			s.buf = appendUnescaped(s.buf, el[1:len(el)-1])
			s.spans = append(s.spans, jspan{k0, k1, v0, len(s.buf)})
		}
		i = skipWS(v, end)
		if i < len(v) && v[i] == ',' {
			i = skipWS(v, i+1)
		}
	}
	if binary {
		s.spans = append(s.spans, jspan{k0, k1, v0, len(s.buf)})
	}
}
