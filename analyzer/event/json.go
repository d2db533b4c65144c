package event

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends e to dst as one JSON object, without a newline, and
// returns the extended buffer. It allocates nothing beyond growing dst.
//
// The object (contract, DESIGN §3) has the keys, in this order: time
// (RFC 3339 with nanoseconds, UTC), time_quality, kind (only when not
// "log"), host, boot_id, program,
// pid, unit, lifecycle, priority (0-7), message, fields (an object, keys in
// event order) and source {path, line, format, cursor}. Empty values are
// left out, except time_quality, message and source (and source.path).
// Strings are escaped by hand; invalid UTF-8 becomes U+FFFD and HTML
// characters are not escaped.
func AppendJSON(dst []byte, e *Event) []byte {
	dst = append(dst, '{')
	if !e.Time.IsZero() {
		dst = append(dst, `"time":"`...)
		dst = e.Time.UTC().AppendFormat(dst, time.RFC3339Nano)
		dst = append(dst, `",`...)
	}
	dst = append(dst, `"time_quality":"`...)
	dst = append(dst, e.TimeQuality.String()...)
	dst = append(dst, '"')
	if e.Kind != KindLog {
		dst = appendStringField(dst, "kind", e.Kind.String())
	}
	dst = appendStringField(dst, "host", e.Host)
	dst = appendStringField(dst, "boot_id", e.BootID)
	dst = appendStringField(dst, "program", e.Program)
	if e.PID != 0 {
		dst = append(dst, `,"pid":`...)
		dst = strconv.AppendInt(dst, int64(e.PID), 10)
	}
	dst = appendStringField(dst, "unit", e.Unit)
	if e.Lifecycle != LifecycleNone {
		dst = appendStringField(dst, "lifecycle", e.Lifecycle.String())
	}
	if e.Priority >= 0 && e.Priority <= 7 {
		dst = append(dst, `,"priority":`...)
		dst = append(dst, '0'+byte(e.Priority))
	}
	dst = append(dst, `,"message":`...)
	dst = AppendJSONString(dst, e.Message)
	if len(e.Fields) > 0 {
		dst = append(dst, `,"fields":{`...)
		for i, f := range e.Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSONString(dst, f.Key)
			dst = append(dst, ':')
			dst = AppendJSONString(dst, f.Value)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"source":{"path":`...)
	dst = AppendJSONString(dst, e.Source.Path)
	if e.Source.Line > 0 {
		dst = append(dst, `,"line":`...)
		dst = strconv.AppendInt(dst, e.Source.Line, 10)
	}
	dst = appendStringField(dst, "format", e.Source.Format)
	dst = appendStringField(dst, "cursor", e.Source.Cursor)
	return append(dst, "}}"...)
}

// appendStringField appends `,"key":"value"` unless value is empty.
func appendStringField(dst []byte, key, value string) []byte {
	if value == "" {
		return dst
	}
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	dst = append(dst, '"', ':')
	return AppendJSONString(dst, value)
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a quoted JSON string. Control characters
// are escaped, invalid UTF-8 bytes become U+FFFD, and U+2028/U+2029 are
// escaped so the output is also valid JavaScript.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0 // s[start:i] is pending, needs no escaping
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
