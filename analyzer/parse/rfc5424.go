package parse

import (
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// utf8BOM may precede an RFC5424 MSG (RFC 5424 §6.4).
const utf8BOM = "\xEF\xBB\xBF"

// parse5424 reads an RFC5424 message from its TIMESTAMP on (the caller has
// read "<PRI>1 "):
//
//	TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]
//
// "-" is the nil value of every header field. A numeric PROCID becomes the
// PID (field "procid" otherwise), MSGID the field "msgid", each SD-PARAM a
// field "sd.<SD-ID>.<PARAM-NAME>". A BOM before MSG is dropped, and so is
// one leading space: rsyslog's templates put the message after the tag
// with its separating space, which then follows the SP of the format
// ("- -  Stopping ..."). h is only written when it reports true.
func parse5424(b []byte, h *header) bool {
	if len(b) == 0 {
		return false
	}
	var t time.Time
	p := 1
	if b[0] != '-' {
		st, q, ok := readISO(b, 0)
		if !ok {
			return false
		}
		t, p = st.t, q
	}
	var f [4][]byte // HOSTNAME, APP-NAME, PROCID, MSGID
	for i := range f {
		if p >= len(b) || b[p] != ' ' {
			return false
		}
		p++
		s := p
		for p < len(b) && b[p] > ' ' && b[p] != 0x7f && p-s <= 255 {
			p++
		}
		if p == s || p-s > 255 {
			return false
		}
		if p-s > 1 || b[s] != '-' {
			f[i] = b[s:p]
		}
	}
	// The header is valid up to here; what follows is kept whatever its
	// shape. Structured data that breaks the grammar (rsyslog's own test
	// sends RFC 5424's example with `eventSource= "Application"`) becomes
	// the field "sd" as written, when its brackets and quotes close, or
	// else part of the message: the header is not thrown away for it.
	var sd, badSD, msg []byte
	if p < len(b) {
		if b[p] != ' ' || p+1 >= len(b) {
			return false
		}
		p++
		switch b[p] {
		case '-':
			p++
		case '[':
			if e, ok := scanSD(b, p); ok {
				sd, p = b[p:e], e
			} else if e, ok := skipSD(b, p); ok {
				badSD, p = b[p:e], e
			} else {
				p-- // the whole rest is the message
			}
		default:
			p-- // no SD at all: the rest is the message
		}
	}
	if p < len(b) {
		if b[p] != ' ' {
			return false
		}
		msg = b[p+1:]
		if hasPrefix(msg, utf8BOM) {
			msg = msg[len(utf8BOM):]
		}
		if len(msg) > 0 && msg[0] == ' ' {
			msg = msg[1:]
		}
	}
	h.t, h.q = t, event.TimeExact
	h.format = FormatRFC5424
	h.host, h.prog = f[0], f[1]
	h.pid, h.procid = 0, nil
	if pid, ok := atoiPID(f[2]); ok {
		h.pid = pid
	} else {
		h.procid = f[2]
	}
	h.msgid, h.sd, h.msg = f[3], sd, msg
	if badSD != nil {
		h.key, h.val = "sd", badSD
	}
	h.tagged = true
	return true
}

// skipSD finds the end of structured data that scanSD rejected, the way
// rsyslog reads it: bracketed elements whose quoted strings may hold ']'
// (with backslash escapes), followed by a space or the end of b.
func skipSD(b []byte, p int) (int, bool) {
	for p < len(b) && b[p] == '[' {
		p++
		for {
			if p >= len(b) {
				return p, false
			}
			c := b[p]
			p++
			if c == ']' {
				break
			}
			if c != '"' {
				continue
			}
			for p < len(b) && b[p] != '"' {
				if b[p] == '\\' {
					p++
				}
				p++
			}
			if p >= len(b) {
				return p, false
			}
			p++ // the closing quote
		}
	}
	return p, p == len(b) || b[p] == ' '
}

// atoiPID reads a decimal PID of at most 10 digits.
func atoiPID(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func sdNameByte(c byte) bool {
	return c > ' ' && c < 0x7f && c != '=' && c != ']' && c != '"'
}

// scanSD checks the SD-ELEMENTs starting at b[p] == '[' and returns the
// index after the last one.
func scanSD(b []byte, p int) (int, bool) {
	for p < len(b) && b[p] == '[' {
		p++
		s := p
		for p < len(b) && sdNameByte(b[p]) {
			p++
		}
		if p == s || p-s > 32 {
			return p, false
		}
		for {
			if p >= len(b) {
				return p, false
			}
			if b[p] == ']' {
				p++
				break
			}
			if b[p] != ' ' {
				return p, false
			}
			p++
			s = p
			for p < len(b) && sdNameByte(b[p]) {
				p++
			}
			if p == s || p-s > 32 || p+1 >= len(b) || b[p] != '=' || b[p+1] != '"' {
				return p, false
			}
			p += 2
			for p < len(b) && b[p] != '"' {
				if b[p] == '\\' {
					p++
				}
				p++
			}
			if p >= len(b) {
				return p, false
			}
			p++ // the closing quote
		}
	}
	return p, true
}

// appendSD appends one field per SD-PARAM of sd, which scanSD accepted.
func appendSD(fields []event.Field, sd []byte) []event.Field {
	p := 0
	for p < len(sd) && sd[p] == '[' {
		p++
		s := p
		for sdNameByte(sd[p]) {
			p++
		}
		id := sd[s:p]
		for sd[p] != ']' {
			p++ // the space
			s = p
			for sd[p] != '=' {
				p++
			}
			name := sd[s:p]
			p += 2
			s = p
			escaped := false
			for sd[p] != '"' {
				if sd[p] == '\\' {
					escaped = true
					p++
				}
				p++
			}
			val := sd[s:p]
			p++
			key := "sd." + string(id) + "." + string(name)
			fields = append(fields, event.Field{Key: key, Value: sdValue(val, escaped)})
		}
		p++
	}
	return fields
}

// sdValue undoes the escapes RFC 5424 defines inside PARAM-VALUE: \" \\ \].
// A backslash before any other byte is kept.
func sdValue(v []byte, escaped bool) string {
	if !escaped {
		return toValidString(v)
	}
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && (v[i+1] == '"' || v[i+1] == '\\' || v[i+1] == ']') {
			i++
		}
		out = append(out, v[i])
	}
	return toValidString(out)
}
