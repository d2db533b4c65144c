package timeline

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// TestHTMLZoomInBrowser drives the report's overview in headless Chromium
// (over the DevTools protocol) as a person would: a drag across the
// incident zooms the overview to it, a double-click zooms out, a click on
// the incident span zooms to the finding, "whole range" zooms out, and a
// click on an evidence point of the incident's lane highlights its row.
func TestHTMLZoomInBrowser(t *testing.T) {
	bin := chromium(t)
	path, _ := weekOfSyslog(t)
	r := analyzeCase(t, []string{path}, CollectorOptions{})
	page := writeReport(t, r, RenderOptions{Location: time.FixedZone("KST", 9*3600)})

	ctx := openTab(t, bin, page)
	eval := func(js string, out any) {
		t.Helper()
		evalJS(ctx, t, js, out)
	}
	// spread is how far apart the overview's evidence marks are, in
	// axis units of 1000.
	spread := func() float64 {
		var v float64
		eval(`(function () {
			var xs = Array.from(document.querySelectorAll("svg.track rect.mark.evidence")).map(function (r) { return Number(r.getAttribute("x")); });
			return Math.max.apply(null, xs) - Math.min.apply(null, xs);
		})()`, &v)
		return v
	}
	// box is where the element of selector is on the screen.
	type box struct{ Left, Right, Top, Bottom float64 }
	boxOf := func(selector string) box {
		var b box
		eval(`(function () {
			var r = document.querySelector(`+"`"+selector+"`"+`).getBoundingClientRect();
			return {Left: r.left, Right: r.right, Top: r.top, Bottom: r.bottom};
		})()`, &b)
		return b
	}
	act := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	resetHidden := func() bool {
		var hidden bool
		eval(`document.getElementById("zoom-reset").hidden`, &hidden)
		return hidden
	}

	if got := spread(); got > 5 || !resetHidden() {
		t.Fatalf("before any zoom the incident is a sliver on the overview: marks %.1f apart, reset hidden %v", got, resetHidden())
	}
	var axisFrom string
	eval(`document.getElementById("axis-from").textContent`, &axisFrom)

	// A drag from just before the incident's span to just after it.
	span := boxOf(`svg.track rect.span.sev-high`)
	y := (span.Top + span.Bottom) / 2
	act("drag", chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, span.Left-3, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, span.Left+2, y),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, span.Right+3, y),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, span.Right+3, y, chromedp.ButtonLeft))
	var from string
	eval(`document.getElementById("axis-from").textContent`, &from)
	if got := spread(); got < 150 || resetHidden() || from == axisFrom || !strings.HasPrefix(from, "2025-11-10T0") {
		t.Errorf("after a drag across the incident: marks %.1f apart (want at least 150), reset hidden %v, axis from %q (was %q)",
			got, resetHidden(), from, axisFrom)
	}
	var selections int
	eval(`document.querySelectorAll("svg rect.sel").length`, &selections)
	if selections != 0 {
		t.Errorf("%d drag selections left on the lanes", selections)
	}

	// A double-click zooms out.
	track := boxOf(`svg.track`)
	x := track.Left + 5
	act("double-click", chromedp.MouseClickXY(x, y), chromedp.MouseClickXY(x, y, chromedp.ClickCount(2)))
	if got := spread(); got > 5 || !resetHidden() {
		t.Errorf("after a double-click: marks %.1f apart, reset hidden %v; want the whole range", got, resetHidden())
	}

	// A click on the incident span (above the marks drawn over it)
	// zooms to its finding.
	span = boxOf(`svg.track rect.span.sev-high`)
	act("click the span", chromedp.MouseClickXY((span.Left+span.Right)/2, span.Top+2))
	if got := spread(); got < 250 {
		t.Errorf("after a click on the incident span: marks %.1f apart, want at least 250", got)
	}
	act("whole range", chromedp.Click(chromedp.CSS("#zoom-reset")))
	if got := spread(); got > 5 || !resetHidden() {
		t.Errorf("after whole range: marks %.1f apart, reset hidden %v", got, resetHidden())
	}
	// The script labels the axis as the report did.
	eval(`document.getElementById("axis-from").textContent`, &from)
	if from != axisFrom {
		t.Errorf("zoomed out, the axis starts at %q, the report said %q", from, axisFrom)
	}

	// A click on the incident lane's point of step down.
	act("scroll to the lane", chromedp.ScrollIntoView(chromedp.CSS("svg.incident-lane")))
	point := boxOf(`svg.incident-lane circle.point[data-target="f1-e1"]`)
	act("click the point", chromedp.MouseClickXY((point.Left+point.Right)/2, (point.Top+point.Bottom)/2))
	var lit []string
	eval(`Array.from(document.querySelectorAll(".hl")).map(function (e) { return e.id; })`, &lit)
	if !slices.Equal(lit, []string{"f1-e1"}) {
		t.Errorf("after a click on the down point, highlighted: %q, want its row f1-e1 only", lit)
	}
}

// openTab loads page in headless Chromium, driven over the DevTools
// protocol in a 1200x1000 window, and returns the tab; it closes when
// the test ends.
func openTab(t *testing.T, bin, page string) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")), chromedp.WindowSize(1200, 1000))
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page)); err != nil {
		t.Fatalf("load the report: %v", err)
	}
	return ctx
}

// evalJS runs js in the tab and decodes its value into out.
func evalJS(ctx context.Context, t *testing.T, js string, out any) {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](js))
	if err == nil {
		err = json.Unmarshal(raw, out)
	}
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
}
