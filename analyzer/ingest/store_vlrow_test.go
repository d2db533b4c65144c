package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// rowString writes a row's fields as key=value, in order.
func rowString(r *vlRow) string {
	var parts []string
	for _, f := range r.fields {
		parts = append(parts, fmt.Sprintf("%s=%q", f.key, f.value))
	}
	return strings.Join(parts, " ")
}

// TestVLScanner: reply rows decode as encoding/json decodes them into
// map[string]string (escapes, unicode, invalid UTF-8), values that are
// not strings keep their text, and a reply cut inside a row is
// errReplyCut, never an end; a row that is not a JSON object is an
// error that says so.
func TestVLScanner(t *testing.T) {
	tests := []struct {
		name, reply string
		rows        []string // rowString of each row
		err         string   // the error after them; "" for a complete reply
	}{
		{"rows", `{"_time":"2024-03-03T10:00:00Z","_msg":"Started Session 4 of user root.","hostname":"web-1"}` + "\n" +
			`{"_time":"2024-03-03T10:00:01Z","_msg":"second"}` + "\n",
			[]string{`_time="2024-03-03T10:00:00Z" _msg="Started Session 4 of user root." hostname="web-1"`, `_time="2024-03-03T10:00:01Z" _msg="second"`}, ""},
		{"escapes", `{"_msg":"a \"quoted\" \\ path\/x\ttab\nnew\rret\bb\ff"}` + "\n",
			[]string{`_msg="a \"quoted\" \\ path/x\ttab\nnew\rret\bb\ff"`}, ""},
		{"unicode", `{"_msg":"디스크 가득 참 \u00e9\u4e2d \ud83d\ude00 ok","k":"😀"}` + "\n",
			[]string{`_msg="디스크 가득 참 é中 😀 ok" k="😀"`}, ""},
		{"lone surrogate and invalid UTF-8", "{\"_msg\":\"a\\ud800b \xff\xfe c\"}\n",
			[]string{"_msg=\"a\ufffdb \ufffd\ufffd c\""}, ""},
		{"not strings", `{"rows":12,"ratio":-1.5e3,"ok":true,"no":false,"gone":null,"obj":{"a":"}","b":[1,2]},"arr":["x",{"y":"]"}]}` + "\n",
			[]string{`rows="12" ratio="-1.5e3" ok="true" no="false" gone="" obj="{\"a\":\"}\",\"b\":[1,2]}" arr="[\"x\",{\"y\":\"]\"}]"`}, ""},
		{"spaces, empty object, blank lines", " { \"a\" : \"1\" , \"b\":\"\" } \r\n\n{}\n  \n",
			[]string{`a="1" b=""`, ``}, ""},
		{"duplicate key: the last", `{"a":"1","a":"2"}` + "\n", []string{`a="1" a="2"`}, ""},
		{"last row without a newline", `{"a":"1"}`, []string{`a="1"`}, ""},
		{"cut inside a string", `{"a":"1"}` + "\n" + `{"_time":"2024-03-03T10:0`, []string{`a="1"`}, errReplyCut.Error()},
		{"cut after a key", `{"a":"1","b"`, nil, errReplyCut.Error()},
		{"cut inside an escape", `{"a":"x\u00`, nil, errReplyCut.Error()},
		{"cut between surrogates", `{"a":"\ud83d\u`, nil, errReplyCut.Error()},
		{"cut inside a character", "{\"a\":\"\xec\x8a", nil, errReplyCut.Error()},
		{"cut inside a literal", `{"a":tr`, nil, errReplyCut.Error()},
		{"cut inside an object value", `{"a":{"b":"c"`, nil, errReplyCut.Error()},
		{"not an object", `["a","b"]` + "\n", nil, "a row is not a JSON object"},
		{"a line that ends inside the object", `{"a":"1",` + "\n" + `"b":"2"}` + "\n", nil, "unexpected end of row"},
		{"bad escape", `{"a":"\q"}` + "\n", nil, `invalid escape \q`},
		{"control character", "{\"a\":\"x\x01y\"}\n", nil, "invalid character"},
		{"garbage after the object", `{"a":"1"} x` + "\n", nil, "after a row"},
		{"missing colon", `{"a" "1"}` + "\n", nil, "after a field name"},
		{"bare word", `{"a":nope}` + "\n", nil, "looking for a value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One byte at a time too: rows across every read boundary.
			for _, r := range []io.Reader{strings.NewReader(tt.reply), iotest.OneByteReader(strings.NewReader(tt.reply))} {
				sc := newVLScanner(r)
				var got []string
				var err error
				for {
					var row vlRow
					if err = sc.next(&row); err != nil {
						break
					}
					got = append(got, rowString(&row))
				}
				if strings.Join(got, "\n") != strings.Join(tt.rows, "\n") {
					t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.rows, "\n"))
				}
				switch {
				case tt.err == "" && err != io.EOF:
					t.Errorf("error %v, want the end", err)
				case tt.err != "" && (err == io.EOF || !strings.Contains(err.Error(), tt.err)):
					t.Errorf("error %v, want %q", err, tt.err)
				case tt.err == errReplyCut.Error() && !errors.Is(err, errReplyCut):
					t.Errorf("error %v is not errReplyCut", err)
				}
			}
		})
	}
}

// TestVLScannerMatchesJSON: for the rows a shipper may store (every
// escape encoding/json writes, long lines past the reader's buffer),
// the scanner's fields are encoding/json's.
func TestVLScannerMatchesJSON(t *testing.T) {
	rows := []map[string]string{
		{"_msg": "<script>&amp; \u2028\u2029 \x00\x1f \x7f", "hostname": "web-1"},
		{"_msg": strings.Repeat("long line, past the 64 KiB buffer ", 5000), "seq": "1"},
		{"_msg": "invalid \xff utf-8 \xc3", "k\"ey": "v\\al"},
	}
	var reply bytes.Buffer
	for _, r := range rows {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		reply.Write(append(b, '\n'))
	}
	dec := json.NewDecoder(bytes.NewReader(reply.Bytes()))
	sc := newVLScanner(bytes.NewReader(reply.Bytes()))
	for i := range rows {
		var want map[string]string
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		var row vlRow
		if err := sc.next(&row); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		got := map[string]string{}
		for _, f := range row.fields {
			got[f.key] = f.value
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("row %d:\n got %q\nwant %q", i, got, want)
		}
	}
	if err := sc.next(&vlRow{}); err != io.EOF {
		t.Errorf("after the rows: %v", err)
	}
}
