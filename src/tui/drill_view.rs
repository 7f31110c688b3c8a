//! The drill screen: on the left the task (hints, guided checklist, the solution once given
//! up), the check results with their explanations, or what the learner did; on the right the
//! live cluster — Services with their ready endpoints, Pods with labels, readiness and IP.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use super::app::{App, Drill, Pane};
use super::markdown;
use super::theme::Theme;

pub fn render(app: &App, theme: &Theme, f: &mut Frame, area: Rect) {
    let Some(d) = &app.drill else {
        f.render_widget(Paragraph::new("seeding…"), area);
        return;
    };
    let narrow = area.width < 100;
    let [left, right] = if narrow {
        Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area)
    } else {
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area)
    };
    let (title, lines) = match d.pane {
        Pane::Task => (" task  [Tab: check, activity] ", task(d, theme)),
        Pane::Check => (" check  [Tab: activity, task] ", check(d, theme)),
        Pane::Activity => (" what you did  [Tab: task, check] ", activity(d, theme)),
    };
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(title)),
        left,
    );
    cluster(d, theme, f, right);
}

fn task(d: &Drill, theme: &Theme) -> Vec<Line<'static>> {
    let s = &d.started;
    let mut out = vec![
        Line::from(Span::styled(s.info.title.clone(), theme.accent)),
        Line::default(),
    ];
    out.extend(markdown::render(s.info.task.trim_end(), theme.code));
    if d.show_export {
        out.push(Line::default());
        out.push(Line::from(Span::styled(
            "In your own terminal:",
            theme.accent,
        )));
        out.push(Line::from(Span::styled(s.export.clone(), theme.code)));
    }
    if d.guided {
        out.push(Line::default());
        out.push(Line::from(Span::styled(
            "Diagnosis (ticks itself off as you go):",
            theme.accent,
        )));
        let next = d.diagnosis_done.iter().position(|done| !done);
        for (i, step) in s.diagnosis.iter().enumerate() {
            let done = d.diagnosis_done.get(i).copied().unwrap_or(false);
            let (mark, style) = if done {
                ("[x] ", theme.ok)
            } else if Some(i) == next {
                ("[>] ", theme.warn)
            } else {
                ("[ ] ", theme.dim)
            };
            out.push(Line::from(vec![
                Span::styled(mark, style),
                Span::raw(step.clone()),
            ]));
        }
    }
    for (i, h) in s.hints.iter().take(d.hints_shown).enumerate() {
        out.push(Line::default());
        out.push(Line::from(Span::styled(
            format!("Hint {}:", i + 1),
            theme.warn,
        )));
        out.extend(markdown::render(h, theme.code));
    }
    if let Some(diff) = &d.gave_up {
        out.push(Line::default());
        out.push(Line::from(Span::styled(
            "Reference solution:",
            theme.accent,
        )));
        for c in &s.solution {
            out.push(Line::from(Span::styled(format!("  {c}"), theme.code)));
        }
        out.push(Line::default());
        out.push(Line::from(Span::styled(
            "What you changed (seeded → now):",
            theme.accent,
        )));
        if diff.is_empty() {
            out.push(Line::from(Span::styled("  nothing", theme.dim)));
        }
        for l in diff.lines() {
            let style = if l.starts_with('+') {
                theme.ok
            } else if l.starts_with('-') {
                theme.bad
            } else {
                theme.dim
            };
            out.push(Line::from(Span::styled(l.to_string(), style)));
        }
    }
    out
}

fn check(d: &Drill, theme: &Theme) -> Vec<Line<'static>> {
    let Some(r) = &d.report else {
        return vec![Line::from(Span::styled(
            "Not checked yet: press c.",
            theme.dim,
        ))];
    };
    let passed = r.checks.iter().filter(|c| c.passed).count();
    let mut out = vec![
        Line::from(Span::styled(
            format!(
                "{passed} of {} checks pass — score {}%",
                r.checks.len(),
                r.score()
            ),
            if r.passed() { theme.ok } else { theme.bad },
        )),
        Line::default(),
    ];
    for c in &r.checks {
        let (mark, style) = if c.passed {
            ("PASS ", theme.ok)
        } else {
            ("FAIL ", theme.bad)
        };
        out.push(Line::from(vec![
            Span::styled(mark, style),
            Span::raw(c.title.clone()),
        ]));
        if !c.passed {
            // Explanations carry the network model's trace, one hop per line.
            for l in c.explanation.lines() {
                out.push(Line::from(Span::styled(format!("     {l}"), theme.dim)));
            }
        }
    }
    out
}

fn activity(d: &Drill, theme: &Theme) -> Vec<Line<'static>> {
    if d.activity.is_empty() {
        return vec![Line::from(Span::styled(
            "Nothing yet: your kubectl requests to this cluster show here.",
            theme.dim,
        ))];
    }
    d.activity
        .iter()
        .rev()
        .take(200)
        .map(|a| {
            let style = if a.code >= 400 { theme.bad } else { theme.dim };
            Line::from(vec![
                Span::styled(format!("{:<18} ", a.command), theme.code),
                Span::raw(format!("{:<7} {} ", a.verb, a.target)),
                Span::styled(a.code.to_string(), style),
            ])
        })
        .collect()
}

fn cluster(d: &Drill, theme: &Theme, f: &mut Frame, area: Rect) {
    let [svcs, pods] = Layout::vertical([
        Constraint::Length((d.view.services.len() as u16 + 3).min(area.height / 2)),
        Constraint::Min(3),
    ])
    .areas(area);
    let rows: Vec<Row> = d
        .view
        .services
        .iter()
        .map(|s| {
            let ep = Cell::from(Span::styled(
                s.ready_endpoints.to_string(),
                if s.ready_endpoints == 0 {
                    theme.bad
                } else {
                    theme.ok
                },
            ));
            Row::new(vec![
                Cell::from(format!("{}/{}", s.namespace, s.name)),
                Cell::from(s.kind.clone()),
                Cell::from(s.ports.clone()),
                ep,
            ])
        })
        .collect();
    f.render_widget(
        Table::new(
            rows,
            [
                Constraint::Min(16),
                Constraint::Length(10),
                Constraint::Length(16),
                Constraint::Length(3),
            ],
        )
        .header(Row::new(["SERVICE", "TYPE", "PORTS", "EP"]).style(theme.accent))
        .block(Block::default().borders(Borders::ALL).title(" services ")),
        svcs,
    );
    let rows: Vec<Row> = d
        .view
        .pods
        .iter()
        .map(|p| {
            let ready_style = if p.ready.starts_with('0') {
                theme.bad
            } else {
                theme.ok
            };
            Row::new(vec![
                Cell::from(format!("{}/{}", p.namespace, p.name)),
                Cell::from(Span::styled(p.ready.clone(), ready_style)),
                Cell::from(p.ip.clone()),
                Cell::from(Span::styled(p.labels.clone(), theme.dim)),
            ])
        })
        .collect();
    f.render_widget(
        Table::new(
            rows,
            [
                Constraint::Min(20),
                Constraint::Length(5),
                Constraint::Length(13),
                Constraint::Min(10),
            ],
        )
        .header(Row::new(["POD", "READY", "IP", "LABELS"]).style(theme.accent))
        .block(Block::default().borders(Borders::ALL).title(" pods ")),
        pods,
    );
}
