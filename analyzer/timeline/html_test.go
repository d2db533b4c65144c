package timeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// The page's Content-Security-Policy names the hash of the script the
// page carries: html/template rewrites a script (it drops comments), and
// a hash of the template's text would then block it.
func TestHTMLScriptHash(t *testing.T) {
	r := analyzeCase(t, []string{"testdata/cases/k8s-node/syslog"}, CollectorOptions{})
	var buf bytes.Buffer
	if err := RenderHTML(&buf, r, RenderOptions{Location: time.UTC}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	_, rest, _ := strings.Cut(page, "<script>")
	script, _, ok := strings.Cut(rest, "</script>")
	if !ok {
		t.Fatal("no script")
	}
	sum := sha256.Sum256([]byte(script))
	if want := "script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(page, want) {
		t.Errorf("the CSP lacks %q: the browser would block the script", want)
	}
}
