//! Rendering: a pure function of the app state onto a frame. One header line, the screen, one
//! footer line of keys (from the key table), the help overlay on top when asked for.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::{App, Screen};
use super::keys::{self, Scope};
use super::theme::Theme;
use super::{drill_view, exam_view, history, home};

pub fn view(app: &App, theme: &Theme, f: &mut Frame) {
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(f.area());
    f.render_widget(Paragraph::new(header_line(app, theme)), header);
    match app.screen {
        Screen::Home => home::render(app, theme, f, body),
        Screen::Drill => drill_view::render(app, theme, f, body),
        Screen::History => history::render(app, theme, f, body),
        Screen::Exam => exam_view::render(app, theme, f, body),
    }
    if let Some(s) = &app.status {
        let style = if s.starts_with("error") {
            theme.bad
        } else {
            theme.dim
        };
        f.render_widget(Paragraph::new(Span::styled(s.clone(), style)), status);
    }
    let scope = match app.screen {
        Screen::Drill => Scope::Drill,
        Screen::Exam => Scope::Exam,
        Screen::Home | Screen::History => Scope::Home,
    };
    let spans: Vec<Span> = keys::footer(scope)
        .into_iter()
        .flat_map(|(k, h)| {
            [
                Span::styled(format!(" {k} "), theme.selected),
                Span::raw(format!(" {h} ")),
            ]
        })
        .collect();
    f.render_widget(Paragraph::new(Line::from(spans)), footer);
    if app.help {
        help(theme, f, f.area(), scope);
    }
}

fn header_line(app: &App, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(" kubedrill ", theme.selected)];
    match (&app.screen, &app.drill) {
        (Screen::Drill, Some(d)) => {
            spans.push(Span::styled(
                format!(" {} ", d.started.info.scenario),
                theme.accent,
            ));
            spans.push(Span::raw(format!(
                " context {}  seed {}  ",
                d.started.info.context, d.started.info.seed
            )));
            spans.push(Span::styled(
                format!("⏱ {}", super::app::clock(app.elapsed())),
                theme.warn,
            ));
        }
        (Screen::History, _) => spans.push(Span::raw(" history")),
        (Screen::Exam, _) => {
            if let Some(e) = &app.exam {
                spans.push(Span::styled(" EXAM ", theme.accent));
                if let Some(q) = e.questions.get(e.current) {
                    spans.push(Span::raw(format!(
                        " question {}/{}  context {}  ",
                        e.current + 1,
                        e.questions.len(),
                        q.started.info.context
                    )));
                }
                let left = e.remaining(app.now);
                let style = if left <= 5 * 60 {
                    theme.bad
                } else {
                    theme.warn
                };
                spans.push(Span::styled(
                    format!("⏱ {} left", super::app::clock(left)),
                    style,
                ));
            }
        }
        _ => spans.push(Span::raw(format!(
            " {} scenarios — CKA Services & Networking",
            app.scenarios.len()
        ))),
    }
    Line::from(spans)
}

/// The key table, centred over the screen: the current screen's keys and the ones that work everywhere: at 80×24 it all fits.
fn help(theme: &Theme, f: &mut Frame, area: Rect, scope: Scope) {
    let mut lines = Vec::new();
    let title = match scope {
        Scope::Home => "Scenarios",
        Scope::Drill => "Drill",
        Scope::Exam => "Exam",
        Scope::Everywhere => "Everywhere",
    };
    for (scope, title) in [(scope, title), (Scope::Everywhere, "Everywhere")] {
        lines.push(Line::from(Span::styled(title, theme.accent)));
        for b in keys::TABLE.iter().filter(|b| b.scope == scope) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<10}", b.keys), theme.code),
                Span::raw(b.help),
            ]));
        }
    }
    let w = area.width.min(72);
    let h = area.height.min(lines.len() as u16 + 2);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" keys — any key closes "),
        ),
        r,
    );
}
