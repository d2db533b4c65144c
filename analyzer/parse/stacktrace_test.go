package parse

import (
	"strings"
	"testing"
)

// TestStackTracesAttach: a stack trace stays with the line that printed
// it: indented frames join any event, and the unindented "Caused by:"
// and exception lines join a trace in progress even when it has no log
// header (an uncaught exception in `docker logs`), but not prose.
func TestStackTracesAttach(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"java uncaught, caused by", "Exception in thread \"main\" java.lang.IllegalStateException: Failed to write snapshot\n" +
			"\tat com.example.store.Snapshot.write(Snapshot.java:88)\n" +
			"Caused by: java.io.IOException: No space left on device\n" +
			"\tat java.base/java.io.FileOutputStream.writeBytes(Native Method)\n" +
			"\t... 2 more\n" +
			"next line of prose",
			[]string{"1:Exception in thread \"main\" java.lang.IllegalStateException: Failed to write snapshot\n\tat com.example.store.Snapshot.write(Snapshot.java:88)\nCaused by: java.io.IOException: No space left on device\n\tat java.base/java.io.FileOutputStream.writeBytes(Native Method)\n\t... 2 more",
				"6:next line of prose"}},
		{"java frames indented by spaces", "java.lang.NullPointerException: Cannot invoke \"String.length()\"\n" +
			"    at com.example.Api.handle(Api.java:12)\n" +
			"Caused by: java.lang.RuntimeException: boom",
			[]string{"1:java.lang.NullPointerException: Cannot invoke \"String.length()\"\nat com.example.Api.handle(Api.java:12)\nCaused by: java.lang.RuntimeException: boom"}},
		{"python traceback", "Traceback (most recent call last):\n" +
			"  File \"/srv/app/worker.py\", line 37, in main\n" +
			"    n = int(raw)\n" +
			"ValueError: invalid literal for int() with base 10: 'abc'",
			[]string{"1:Traceback (most recent call last):\nFile \"/srv/app/worker.py\", line 37, in main\nn = int(raw)\nValueError: invalid literal for int() with base 10: 'abc'"}},
		{"near miss: exception line after prose", "the job stopped\nValueError: not part of a trace",
			[]string{"1:the job stopped", "2:ValueError: not part of a trace"}},
		{"near miss: after a blank line", "Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n\nKeyError: 'x'",
			[]string{"1:Traceback (most recent call last):\nFile \"a.py\", line 1, in <module>", "4:KeyError: 'x'"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := messages(assemble(t, tc.text, ""))
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("events\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
