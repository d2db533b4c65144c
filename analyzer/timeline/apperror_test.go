package timeline

import (
	"testing"
	"time"

	"github.com/logsleuth/logsleuth/analyzer/event"
	"github.com/logsleuth/logsleuth/analyzer/parse"
)

// TestIsErrorAppShapes: application errors that carry no syslog
// priority are error-level, from the line as the parser leaves it, and
// their near misses are not.
func TestIsErrorAppShapes(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       bool
	}{
		{"nginx [error]", `2024/01/15 10:00:00 [error] 1234#1234: *5 upstream timed out (110: Connection timed out) while connecting to upstream, client: 198.51.100.7, server: shop.example.com, request: "GET / HTTP/1.1"`, true},
		{"nginx [crit]", `2024/01/15 10:00:00 [crit] 1234#1234: *9 SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking`, true},
		{"nginx [emerg]", `2024/01/15 09:59:58 [emerg] 811#811: bind() to 0.0.0.0:80 failed (98: Address already in use)`, true},
		{"nginx [warn]", `2024/01/15 10:00:00 [warn] 1234#1234: *7 an upstream response is buffered to a temporary file`, false},
		{"apache [core:error]", `[Wed Oct 11 14:32:52.123456 2023] [core:error] [pid 35708] AH00037: Symbolic link not allowed or link target not accessible: /var/www/html/x`, true},
		{"apache [ssl:warn]", `[Wed Oct 11 14:32:52.123456 2023] [ssl:warn] [pid 35708] AH01909: server certificate does NOT include an ID which matches the server name`, false},
		{"python traceback head", `Traceback (most recent call last):`, true},
		{"python exception line", `ValueError: invalid literal for int() with base 10: 'abc'`, true},
		{"python dotted exception", `requests.exceptions.ConnectionError: HTTPConnectionPool(host='db', port=5432): Max retries exceeded`, true},
		{"java exception in thread", `Exception in thread "main" java.lang.IllegalStateException: Failed to load ApplicationContext`, true},
		{"java exception line", `java.lang.OutOfMemoryError: Java heap space`, true},
		{"java exception no message", `java.util.ConcurrentModificationException`, true},
		{"near miss: Error word inside", `ErrorDocument 404 configured`, false},
		{"near miss: word ending in Error only", `Error`, false},
		{"go panic", `panic: runtime error: index out of range [5] with length 3`, true},
		{"go fatal error", `fatal error: all goroutines are asleep - deadlock!`, true},
		{"near miss: panic word", `panicked users were calmed`, false},
		{"kernel BUG cut", `BUG: unable to handle page fault for address: ffffffffc0a1b2c3`, true},
		{"kernel Oops cut", `Oops: 0000 [#1] SMP NOPTI`, true},
		{"logfmt fatal", `time="2021-07-28T06:20:24.57Z" level=fatal msg="failed to start daemon"`, true},
		{"logrus FATA", `FATA[0003] failed to start daemon: pid file found`, true},
		{"logrus WARN", `WARN[0003] running in insecure mode`, false},
		{"zerolog ERR", `2025-11-10T23:03:43Z ERR Provider error, retrying in 1s providerName=docker`, true},
		{"zerolog INF", `2025-11-10T23:03:43Z INF Starting provider *docker.Provider`, false},
		{"klog E", `E1202 06:20:21.433183    2741 pod_workers.go:1298] "Error syncing pod, skipping"`, true},
		{"klog W", `W1202 06:20:21.433183    2741 reflector.go:424] watch ended`, false},
		{"ERROR prefix", `ERROR failed to connect to database`, true},
		{"[ERROR] bracket", `[ERROR] worker 3 died`, true},
		{"[info] bracket", `[info] worker 3 started`, false},
		{"kubectl Warning is not an error", `2m10s       Warning   FailedScheduling   pod/web-7d4b9c6f5d-x2x9k   0/3 nodes are available`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ev event.Event
			ev.Reset()
			parse.ParseLine([]byte(tc.line), &parse.Options{Location: time.UTC, Year: 2024}, &ev)
			if got := IsError(&ev); got != tc.want {
				t.Errorf("IsError = %v, want %v (format %s, priority %v, message %q)", got, tc.want, ev.Source.Format, ev.Priority, ev.Message)
			}
		})
	}
}

// TestUnexplainedGroupsAppErrors: the unexplained-errors section groups
// application errors by what they are: tracebacks by their exception,
// nginx errors without the request that hit them, panics by message
// with numbers masked.
func TestUnexplainedGroupsAppErrors(t *testing.T) {
	t0 := time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)
	msgs := []struct{ prog, msg string }{
		{"app", "Traceback (most recent call last):\n  File \"/srv/app.py\", line 12, in <module>\n    main()\nValueError: invalid literal for int() with base 10: 'abc'"},
		{"app", "Traceback (most recent call last):\n  File \"/srv/app.py\", line 40, in handler\n    int(x)\nValueError: invalid literal for int() with base 10: 'xyz'"},
		{"app", "Traceback (most recent call last):\n  File \"/srv/app.py\", line 7, in <module>\n    open(p)\nFileNotFoundError: [Errno 2] No such file or directory: '/srv/conf.yaml'"},
		{"nginx", `*5 upstream timed out (110: Connection timed out) while connecting to upstream, client: 198.51.100.7, server: a.example.com, request: "GET /x HTTP/1.1"`},
		{"nginx", `*91 upstream timed out (110: Connection timed out) while connecting to upstream, client: 203.0.113.4, server: b.example.com, request: "POST /cart HTTP/1.1"`},
		{"api", "panic: runtime error: index out of range [5] with length 3\n\ngoroutine 1 [running]:"},
		{"api", "panic: runtime error: index out of range [7] with length 2"},
	}
	c := NewCollector(CollectorOptions{MaxTemplates: 100})
	for i, m := range msgs {
		ev := &event.Event{Time: t0.Add(time.Duration(i) * time.Second), Host: "h", Program: m.prog, Priority: 3, Message: m.msg,
			Source: event.SourceRef{Path: "x.log", Line: int64(i + 1)}}
		c.Observe(ev)
	}
	groups, overflow := c.unexplained(nil, nil)
	if overflow != 0 {
		t.Fatalf("overflow %d", overflow)
	}
	got := map[string]int{}
	for _, g := range groups {
		got[g.Program+" | "+g.Template] = g.Count
	}
	want := map[string]int{
		"app | ValueError: invalid literal for int() with base <n>: 'abc'":                         1,
		"app | ValueError: invalid literal for int() with base <n>: 'xyz'":                         1,
		"app | FileNotFoundError: [Errno <n>] No such file or directory: '<path>'":                 1,
		"nginx | *<n> upstream timed out (<n>: Connection timed out) while connecting to upstream": 2,
		"api | panic: runtime error: index out of range [<n>] with length <n>":                     2,
	}
	if len(got) != len(want) {
		t.Errorf("groups %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("group %q: count %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
}

func TestErrorText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Traceback (most recent call last):\n  File \"a.py\", line 1\nKeyError: 'x'", "KeyError: 'x'"},
		{"Traceback (most recent call last):\n  File \"a.py\", line 1", "Traceback (most recent call last):\n  File \"a.py\", line 1"},
		{"Traceback (most recent call last):", "Traceback (most recent call last):"},
		{"connect() failed, client: 1.2.3.4, server: x", "connect() failed"},
		{"java.lang.IllegalStateException: boom\n\tat a.b(C.java:1)", "java.lang.IllegalStateException: boom"},
		{"plain", "plain"},
	} {
		if got := ErrorText(tc.in); got != tc.want {
			t.Errorf("ErrorText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
