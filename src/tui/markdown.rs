//! Just enough Markdown for task texts: paragraphs and line breaks, `# headings`, `- lists`,
//! `` `code` `` and `**bold**` spans. What a task text uses, nothing more.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// `text` as styled lines; `code` is how inline code is shown.
pub fn render(text: &str, code: Style) -> Vec<Line<'static>> {
    paragraphs(text)
        .iter()
        .map(|raw| {
            let raw = raw.as_str();
            let (prefix, body, heading) = if let Some(h) = raw.strip_prefix("# ") {
                ("", h, true)
            } else if let Some(h) = raw.strip_prefix("## ") {
                ("", h, true)
            } else if let Some(item) = raw.strip_prefix("- ") {
                ("• ", item, false)
            } else {
                ("", raw, false)
            };
            let mut spans = vec![Span::raw(prefix.to_string())];
            spans.extend(inline(body, code));
            if heading {
                for s in &mut spans {
                    s.style = s.style.add_modifier(Modifier::BOLD);
                }
            }
            Line::from(spans)
        })
        .collect()
}

/// Lines of a paragraph joined with spaces, as Markdown reads a single line break; blank
/// lines, headings and list items keep their own lines.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for line in text.lines() {
        let t = line.trim_end();
        let block =
            t.is_empty() || t.starts_with('#') || t.starts_with("- ") || t.starts_with("    ");
        match out.last_mut() {
            Some(last) if open && !block => {
                last.push(' ');
                last.push_str(t.trim_start());
            }
            _ => out.push(t.to_string()),
        }
        open = !t.is_empty() && !t.starts_with('#');
    }
    out
}

fn inline(text: &str, code: Style) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let next_code = rest.find('`');
        let next_bold = rest.find("**");
        match (next_code, next_bold) {
            (Some(c), b) if b.is_none_or(|b| c < b) => {
                out.push(Span::raw(rest[..c].to_string()));
                let after = &rest[c + 1..];
                match after.find('`') {
                    Some(end) => {
                        out.push(Span::styled(after[..end].to_string(), code));
                        rest = &after[end + 1..];
                    }
                    None => {
                        out.push(Span::raw(rest[c..].to_string()));
                        rest = "";
                    }
                }
            }
            (_, Some(b)) => {
                out.push(Span::raw(rest[..b].to_string()));
                let after = &rest[b + 2..];
                match after.find("**") {
                    Some(end) => {
                        out.push(Span::styled(
                            after[..end].to_string(),
                            Style::default().add_modifier(Modifier::BOLD),
                        ));
                        rest = &after[end + 2..];
                    }
                    None => {
                        out.push(Span::raw(rest[b..].to_string()));
                        rest = "";
                    }
                }
            }
            _ => {
                out.push(Span::raw(rest.to_string()));
                rest = "";
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(l: &Line<'_>) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn code_and_bold_spans_lose_their_marks_and_keep_their_text() {
        let code = Style::default().add_modifier(Modifier::REVERSED);
        let lines = render("Service `web` in **shop**\n- one `a`\n# Title", code);
        let joined = render(
            "In namespace `shop` the\nService is broken.\n\nFix it.",
            code,
        );
        assert_eq!(joined.len(), 3, "a single line break joins the paragraph");
        assert_eq!(text(&joined[0]), "In namespace shop the Service is broken.");
        assert_eq!(text(&lines[0]), "Service web in shop");
        assert_eq!(lines[0].spans[2].style, code);
        assert_eq!(text(&lines[1]), "• one a");
        assert_eq!(text(&lines[2]), "Title");
        // An unclosed mark is left as typed.
        assert_eq!(text(&render("a `b", code)[0]), "a `b");
    }
}
