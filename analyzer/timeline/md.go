package timeline

import "io"

// RenderMarkdown is a placeholder until the Markdown renderer lands.
func RenderMarkdown(w io.Writer, r *Report, o RenderOptions) error { return RenderText(w, r, o) }

// RenderHTML is a placeholder until the HTML renderer lands.
func RenderHTML(w io.Writer, r *Report, o RenderOptions) error { return RenderText(w, r, o) }
