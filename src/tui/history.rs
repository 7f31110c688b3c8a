//! The history screen: per-domain accuracy, the time-to-solve trend, the last attempts, and
//! the weakest domain to drill next.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline};

use super::app::{App, clock};
use super::theme::Theme;

pub fn render(app: &App, theme: &Theme, f: &mut Frame, area: Rect) {
    let p = &app.progress;
    if p.attempts.is_empty() {
        f.render_widget(
            Paragraph::new(
                "No attempts yet: pick a scenario on the home screen (Esc) and press Enter.",
            )
            .block(Block::default().borders(Borders::ALL).title(" history ")),
            area,
        );
        return;
    }
    let [domains, trend, last] = Layout::vertical([
        Constraint::Length(p.by_domain().len() as u16 + 3),
        Constraint::Length(5),
        Constraint::Min(3),
    ])
    .areas(area);
    let by = p.by_domain();
    let mut lines: Vec<Line> = by
        .iter()
        .map(|(d, (ok, n))| {
            let pct = ok * 100 / (*n).max(1);
            Line::from(vec![
                Span::raw(format!(" {d:<26} ")),
                Span::styled(
                    format!("{pct:>3}%"),
                    if pct >= 66 { theme.ok } else { theme.bad },
                ),
                Span::raw(format!("  {ok} of {n} solved")),
            ])
        })
        .collect();
    if let Some((weak, _)) = by.iter().min_by_key(|(_, (ok, n))| ok * 100 / (*n).max(1)) {
        lines.push(Line::from(Span::styled(
            format!(" weakest: {weak} — filter the list with / and drill it"),
            theme.warn,
        )));
    }
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" accuracy by domain "),
        ),
        domains,
    );
    let solved: Vec<u64> = p
        .attempts
        .iter()
        .filter(|a| a.passed && !a.gave_up)
        .map(|a| a.seconds)
        .collect();
    f.render_widget(
        Sparkline::default()
            .data(&solved)
            .style(theme.accent)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" time to solve, oldest → newest "),
            ),
        trend,
    );
    let rows: Vec<Line> = p
        .attempts
        .iter()
        .rev()
        .map(|a| {
            let how = if a.passed && !a.gave_up {
                Span::styled("solved", theme.ok)
            } else if a.gave_up {
                Span::styled("gave up", theme.bad)
            } else {
                Span::styled(format!("{}%", a.score), theme.warn)
            };
            Line::from(vec![
                Span::raw(format!(" {:<36} {:>8}  ", a.scenario, clock(a.seconds))),
                how,
                Span::styled(format!("  {} hint(s)", a.hints), theme.dim),
            ])
        })
        .collect();
    f.render_widget(
        Paragraph::new(rows).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" attempts, newest first "),
        ),
        last,
    );
}
