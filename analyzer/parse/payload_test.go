package parse

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// Messages as the syslog family leaves them (header already parsed).
var payloadCases = []struct {
	name     string
	program  string
	prio     event.Priority
	fields   []event.Field // already on the event
	msg      string
	wantPrio event.Priority
	want     []event.Field // the fields after parsePayload
}{
	{"dockerd seed 001", "dockerd", noPrio, nil,
		`time="2021-10-07T06:20:21.521938060+09:00" level=error msg="Failed to get event" error="rpc error: code = Unavailable desc = transport is closing" module=libcontainerd namespace=plugins.moby`,
		3, kvs("time", "2021-10-07T06:20:21.521938060+09:00", "level", "error", "msg", "Failed to get event",
			"error", "rpc error: code = Unavailable desc = transport is closing", "module", "libcontainerd", "namespace", "plugins.moby")},
	{"dockerd escaped quotes", "dockerd", noPrio, nil,
		`time="2021-10-07T06:20:22.522262740+09:00" level=warning msg="grpc: addrConn.createTransport failed to connect to {unix:///run/containerd/containerd.sock  <nil> 0 <nil>}. Err :connection error: desc = \"transport: Error while dialing dial unix:///run/containerd/containerd.sock: timeout\". Reconnecting..." module=grpc`,
		4, kvs("time", "2021-10-07T06:20:22.522262740+09:00", "level", "warning",
			"msg", `grpc: addrConn.createTransport failed to connect to {unix:///run/containerd/containerd.sock  <nil> 0 <nil>}. Err :connection error: desc = "transport: Error while dialing dial unix:///run/containerd/containerd.sock: timeout". Reconnecting...`,
			"module", "grpc")},
	{"containerd trimmed nanos", "containerd", noPrio, nil,
		`time="2021-10-07T06:20:21.4331831Z" level=info msg="Stop CRI service"`,
		6, kvs("time", "2021-10-07T06:20:21.4331831Z", "level", "info", "msg", "Stop CRI service")},
	{"envelope priority kept", "dockerd", 5, nil,
		`time="2020-12-02T06:56:02.357507251+09:00" level=info msg="Processing signal 'terminated'"`,
		5, kvs("time", "2020-12-02T06:56:02.357507251+09:00", "level", "info", "msg", "Processing signal 'terminated'")},
	{"journal stream default priority replaced", "dockerd", 6, kvs("_TRANSPORT", "stdout"),
		`level=error msg="failed to get event"`,
		3, kvs("_TRANSPORT", "stdout", "level", "error", "msg", "failed to get event")},
	{"go-kit ts first", "prometheus", noPrio, nil,
		`ts=2021-10-07T06:20:21.433Z caller=main.go:1129 level=error msg="Error loading config"`,
		3, kvs("ts", "2021-10-07T06:20:21.433Z", "caller", "main.go:1129", "level", "error", "msg", "Error loading config")},
	{"json message", "myapp", noPrio, nil,
		`{"level":"error","msg":"upstream timed out","upstream":"10.0.0.7:8080","attempt":3,"ctx":{"id":"a"}}`,
		3, kvs("level", "error", "msg", "upstream timed out", "upstream", "10.0.0.7:8080", "attempt", "3")},
	{"json message with escapes", "myapp", noPrio, nil,
		`{"severity":"WARNING","message":"disk \"sda\" 91% full"}`,
		4, kvs("severity", "WARNING", "message", `disk "sda" 91% full`)},
	{"klog structured", "kubelet", noPrio, nil,
		`I1007 06:20:21.433183    1234 kubelet.go:2000] "SyncLoop ADD" source="api" pods=[kube-system/coredns-74ff55c5b-7xk2p]`,
		6, kvs("source", "kubelet.go:2000", "msg", "SyncLoop ADD", "pods", "[kube-system/coredns-74ff55c5b-7xk2p]")},
	{"klog error", "kubelet", noPrio, nil,
		`E1202 06:56:10.123456   16400 kubelet.go:2183] "Container runtime not ready" runtimeReady="RuntimeReady=false reason:DockerDaemonNotReady message:docker: failed to get docker version: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"`,
		3, kvs("source", "kubelet.go:2183", "msg", "Container runtime not ready",
			"runtimeReady", "RuntimeReady=false reason:DockerDaemonNotReady message:docker: failed to get docker version: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")},
	{"klog unstructured", "kubelet", noPrio, nil,
		`W1202 06:56:10.123456   16400 reflector.go:424] k8s.io/client-go/informers/factory.go:134: watch of *v1.Node ended with: very short watch`,
		4, kvs("source", "reflector.go:424")},

	// near misses: nothing may change
	{"level= in a sentence", "myapp", noPrio, nil, "Connection failed level=3 retry later", noPrio, nil},
	{"key=value then prose", "myapp", noPrio, nil, "retry=3 after failure of the disk", noPrio, nil},
	{"logfmt without known keys", "myapp", noPrio, nil, "user=alice action=login", noPrio, nil},
	{"unterminated quote", "dockerd", noPrio, nil, `time="2021-10-07T06:20:21Z level=error msg="x"`, noPrio, nil},
	{"json not an object", "myapp", noPrio, nil, `["level","error"]`, noPrio, nil},
	{"broken json", "myapp", noPrio, nil, `{"level":"error",}`, noPrio, nil},
	{"klog lookalike", "myapp", noPrio, nil, "I1007 is not a klog header at all, really", noPrio, nil},
	{"systemd prose", "systemd", noPrio, nil, "Started Session 5 of User ubuntu.", noPrio, nil},
}

func TestParsePayload(t *testing.T) {
	for _, tc := range payloadCases {
		t.Run(tc.name, func(t *testing.T) {
			ev := freshEvent()
			ev.Program, ev.Priority, ev.Message = tc.program, tc.prio, tc.msg
			ev.Source.Format = FormatRFC3164
			ev.Fields = append(ev.Fields, tc.fields...)
			parsePayload(ev)
			if ev.Priority != tc.wantPrio {
				t.Errorf("priority = %v, want %v", ev.Priority, tc.wantPrio)
			}
			if ev.Message != tc.msg {
				t.Errorf("message changed to %q", ev.Message)
			}
			if !slices.Equal(ev.Fields, tc.want) {
				t.Errorf("fields\n got %q\nwant %q", ev.Fields, tc.want)
			}
		})
	}
}

// An application JSON or logfmt line already has its fields; the payload
// pass must not add them a second time.
func TestParsePayloadSkipsParsedLines(t *testing.T) {
	for _, line := range []string{
		`{"level":"error","msg":"x","time":"2025-11-11T02:13:45Z"}`,
		`time="2025-11-11T02:13:45Z" level=error msg="x"`,
	} {
		ev := freshEvent()
		ParseLine([]byte(line), &Options{Location: kstZone}, ev)
		if len(ev.Fields) != 3 {
			t.Errorf("%s: fields %q, want 3", line, ev.Fields)
		}
	}
}

func TestLogfmtDecoder(t *testing.T) {
	var d logfmtDecoder
	d.Reset([]byte(`a=1 b="two words" c= d e="x\"y"`))
	type kv struct {
		k, v   string
		q, req bool
	}
	var got []kv
	for d.Next() {
		got = append(got, kv{string(d.Key()), string(d.Value()), d.Quoted(), d.HasEq()})
	}
	want := []kv{{"a", "1", false, true}, {"b", "two words", true, true}, {"c", "", false, true}, {"d", "", false, false}, {"e", `x\"y`, true, true}}
	if d.Err() || len(got) != len(want) {
		t.Fatalf("got %v err=%v", got, d.Err())
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pair %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{`a="open`, `="x"`, `a="x"y`, `a"b=1`} {
		d.Reset([]byte(bad))
		for d.Next() {
		}
		if !d.Err() {
			t.Errorf("%q: no error", bad)
		}
	}
	long := strings.Repeat("é", 200) // (decoded beyond the stack's room)
	for in, want := range map[string]string{
		`tab\there \u00e9 \x41 \q`:  "tab\there é A \\q",
		`a NUL \x00 here`:           "a NUL \uFFFD here",
		`say \"hi\" ` + long + `\n`: "say \"hi\" " + long + "\n",
		`no escape`:                 "no escape",
	} {
		if got := unquoteLogfmt([]byte(in)); got != want {
			t.Errorf("unquoteLogfmt(%q) = %q, want %q", in, got, want)
		}
	}
	in := []byte(`failed to \"StartContainer\" for \"app\"`)
	if n := testing.AllocsPerRun(100, func() { unquoteLogfmt(in) }); n != 1 {
		t.Errorf("unquoteLogfmt: %v allocations, want 1", n)
	}
}

func TestLevelPriority(t *testing.T) {
	for in, want := range map[string]event.Priority{
		"error": 3, "ERROR": 3, "Warning": 4, "warn": 4, "fatal": 2, "panic": 0, "info": 6, "DEBUG": 7, "trace": 7, "notice": 5, "3": 3,
	} {
		if got, ok := levelPriority([]byte(in)); !ok || got != want {
			t.Errorf("levelPriority(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "verbose", "8", "informationalextra"} {
		if _, ok := levelPriority([]byte(bad)); ok {
			t.Errorf("levelPriority(%q) ok", bad)
		}
	}
}

// logfmtPayloadTwoPass is what addLogfmtPayload replaced: check the shape,
// then decode again to add the fields. It is the reference the one-pass
// version must agree with.
func logfmtPayloadTwoPass(ev *event.Event, m string) {
	var d logfmtDecoder
	if !logfmtShape(&d, bytesOf(m)) {
		return
	}
	addLogfmtFields(&d, m, nil, ev, false, weakPriority(ev))
}

// checkLogfmtPayload fails t unless addLogfmtPayload and the two-pass
// reference leave the same priority and fields, starting from an event
// with no priority, with one, and with a journal stdout stream's.
func checkLogfmtPayload(t *testing.T, m string) {
	t.Helper()
	for _, start := range []struct {
		prio   event.Priority
		fields []event.Field
	}{
		{event.NoPriority, nil},
		{4, kvs("a", "b")},
		{6, kvs("_TRANSPORT", "stdout")},
	} {
		var got, want event.Event
		for _, ev := range []*event.Event{&got, &want} {
			ev.Reset()
			ev.Priority, ev.Message = start.prio, m
			ev.Fields = append(ev.Fields, start.fields...)
		}
		addLogfmtPayload(&got, m)
		logfmtPayloadTwoPass(&want, m)
		if got.Priority != want.Priority || !slices.Equal(got.Fields, want.Fields) {
			t.Fatalf("%q from priority %v: one pass gave %v %q, two passes %v %q",
				m, start.prio, got.Priority, got.Fields, want.Priority, want.Fields)
		}
	}
}

func TestLogfmtPayloadOnePass(t *testing.T) {
	for _, m := range []string{
		`time="2021-10-07T06:20:21Z" level=error msg="Failed" module=grpc`,
		`level=warning msg="x \"quoted\" \\ y" id=1`,
		`level=info msg=x trailing`,          // a bare key last: no shape
		`level=info bare msg=x`,              // a bare key inside
		`level=info msg="open`,               // unterminated quote
		`level=info msg="x"y`,                // junk after a quote
		`retry=3 after=failure`,              // no known key
		`severity=error id=7`,                // severity alone is no known key
		`severity=error level=debug t=1`,     // two levels: first one wins unless overridden
		`lvl=WARN level=error msg=x`,         // idem
		"level=info msg=\"tab\there\" k=v\t", // tabs as separators and inside quotes
		`a"b=1 level=info`,                   // quote in a key
		`t=1 =x`,                             // empty key
		`msg=`,                               // empty value
	} {
		checkLogfmtPayload(t, m)
	}
	for _, tc := range payloadCases {
		checkLogfmtPayload(t, tc.msg)
	}
}

// logfmtPair is one pair as logfmtRef reads it.
type logfmtPair struct {
	key, val               string
	quoted, escaped, hasEq bool
}

// logfmtRef is the byte-at-a-time reading of logfmt that the decoder's
// table-driven scanning must agree with: the pairs and whether it ended
// at a syntax error.
func logfmtRef(b []byte) (pairs []logfmtPair, bad bool) {
	i := 0
	for {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
		if i >= len(b) {
			return pairs, false
		}
		start := i
		for i < len(b) && b[i] != '=' && b[i] != ' ' && b[i] != '\t' {
			if b[i] == '"' || b[i] < 0x20 {
				return pairs, true
			}
			i++
		}
		if i == start {
			return pairs, true
		}
		p := logfmtPair{key: string(b[start:i])}
		if i >= len(b) || b[i] != '=' {
			pairs = append(pairs, p)
			continue
		}
		p.hasEq = true
		i++
		vs := i
		if i < len(b) && b[i] == '"' {
			i++
			vs = i
			for i < len(b) && b[i] != '"' {
				if b[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(b) {
				return pairs, true
			}
			p.val, p.quoted = string(b[vs:i]), true
			p.escaped = bytes.IndexByte(b[vs:i], '\\') >= 0
			i++
			if i < len(b) && b[i] != ' ' && b[i] != '\t' {
				return pairs, true
			}
		} else {
			for i < len(b) && b[i] != ' ' && b[i] != '\t' {
				i++
			}
			p.val = string(b[vs:i])
		}
		pairs = append(pairs, p)
	}
}

// checkLogfmtDecoder fails t unless the decoder reads line as logfmtRef
// does.
func checkLogfmtDecoder(t *testing.T, line string) {
	t.Helper()
	want, wantErr := logfmtRef([]byte(line))
	var got []logfmtPair
	var d logfmtDecoder
	for d.Reset([]byte(line)); d.Next(); {
		got = append(got, logfmtPair{string(d.Key()), string(d.Value()), d.Quoted(), d.escaped, d.HasEq()})
	}
	if d.Err() != wantErr || !slices.Equal(got, want) {
		t.Fatalf("%q: decoder %+v err=%v, reference %+v err=%v", line, got, d.Err(), want, wantErr)
	}
}

func TestLogfmtDecoderReference(t *testing.T) {
	for _, line := range []string{
		`a=1 b="two words" c= d e="x\"y"`,
		`a="open`, `="x"`, `a="x"y`, `a"b=1`, `a="x\`, `a="\\" b=1`, "k\x01=v", "k=\x01v", "a=1\tb=\"\t\"",
		`time="2021-10-07T06:20:21Z" level=error msg="Failed" module=grpc`,
	} {
		checkLogfmtDecoder(t, line)
	}
	for _, tc := range payloadCases {
		checkLogfmtDecoder(t, tc.msg)
	}
}

// TestLogfmtStart holds logfmtStart's table to the rule it stands for: up
// to 64 bytes of letters, digits, '_', '.' and '-', then '='.
func TestLogfmtStart(t *testing.T) {
	keyByte := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
	}
	reference := func(s string) bool {
		for i := 0; i < len(s) && i < 64; i++ {
			if c := s[i]; c == '=' {
				return i > 0
			} else if !keyByte(c) {
				return false
			}
		}
		return false
	}
	cases := []struct {
		in   string
		want bool
	}{
		{`time="2024-03-03T06:02:40Z" level=info`, true},
		{`level=error msg="x"`, true},
		{`io.containerd.runtime-v2.task=1`, true},
		{`Started Docker Application Container Engine.`, false},
		{`=x`, false},
		{`key`, false},
		{``, false},
		{`k v=1`, false},
		{`ключ=1`, false},
		{strings.Repeat("k", 63) + "=1", true},
		{strings.Repeat("k", 64) + "=1", false},
	}
	for _, c := range cases {
		if got := logfmtStart(c.in); got != c.want {
			t.Errorf("logfmtStart(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	// Every byte, before '=' and alone.
	for b := range 256 {
		for _, s := range []string{string([]byte{byte(b)}) + "=v", "k" + string([]byte{byte(b)}) + "=v", string([]byte{byte(b)})} {
			if got, want := logfmtStart(s), reference(s); got != want {
				t.Errorf("logfmtStart(%q) = %v, the rule says %v", s, got, want)
			}
		}
	}
}
