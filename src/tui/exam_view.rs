//! The exam screen: the question list (weight, flag, time spent) and the current question's
//! task with its context; after grading, the report — total against the pass mark, per
//! question, per domain, and why each failed check failed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::app::{App, clock};
use super::exam::{Exam, PASS_MARK};
use super::markdown;
use super::theme::Theme;

pub fn render(app: &App, theme: &Theme, f: &mut Frame, area: Rect) {
    let Some(e) = &app.exam else {
        f.render_widget(Paragraph::new("seeding the exam's clusters…"), area);
        return;
    };
    let [list, body] =
        Layout::horizontal([Constraint::Length(30), Constraint::Min(20)]).areas(area);
    f.render_widget(
        Paragraph::new(questions(e, theme))
            .block(Block::default().borders(Borders::ALL).title(" questions ")),
        list,
    );
    let lines = match &e.graded {
        Some(_) => report(e, theme),
        None => question(e, theme),
    };
    let title = if e.graded.is_some() {
        " report "
    } else {
        " question "
    };
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(title)),
        body,
    );
}

fn questions(e: &Exam, theme: &Theme) -> Vec<Line<'static>> {
    e.questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let mark = match e.graded.as_ref().map(|g| &g.reports[i]) {
                Some(Ok(r)) if r.passed() => Span::styled(" ✔", theme.ok),
                Some(Ok(r)) => Span::styled(format!(" {}%", r.score()), theme.bad),
                Some(Err(_)) => Span::styled(" ✘", theme.bad),
                None if q.flagged => Span::styled(" ⚑", theme.warn),
                None => Span::raw(""),
            };
            let style = if i == e.current {
                theme.selected
            } else {
                ratatui::style::Style::default()
            };
            Line::from(vec![
                Span::styled(
                    format!("{:>2}. {:>2}%  {:>5} ", i + 1, q.weight, clock(q.seconds)),
                    style,
                ),
                mark,
            ])
        })
        .collect()
}

fn question(e: &Exam, theme: &Theme) -> Vec<Line<'static>> {
    let Some(q) = e.questions.get(e.current) else {
        return Vec::new();
    };
    let s = &q.started;
    let mut out = vec![
        Line::from(vec![
            Span::styled("Context: ", theme.accent),
            Span::styled(
                format!("kubectl config use-context {}", s.info.context),
                theme.code,
            ),
        ]),
        Line::default(),
    ];
    out.extend(markdown::render(s.info.task.trim_end(), theme.code));
    out.push(Line::default());
    out.push(Line::from(Span::styled(
        format!(
            "Weight {}%. Graded when you submit (X) or when time is up.",
            q.weight
        ),
        theme.dim,
    )));
    out
}

fn report(e: &Exam, theme: &Theme) -> Vec<Line<'static>> {
    let Some(g) = &e.graded else {
        return Vec::new();
    };
    let verdict = if g.passed() {
        ("PASS", theme.ok)
    } else {
        ("FAIL", theme.bad)
    };
    let mut out = vec![
        Line::from(vec![
            Span::styled(format!("{}% — ", g.total), theme.accent),
            Span::styled(verdict.0, verdict.1),
            Span::raw(format!(
                "  (pass mark {PASS_MARK}%, {} minute{})",
                e.minutes,
                if e.minutes == 1 { "" } else { "s" }
            )),
        ]),
        Line::default(),
        Line::from(Span::styled("By domain:", theme.accent)),
    ];
    for (d, (got, of)) in g.by_domain(&e.questions) {
        out.push(Line::from(format!(
            "  {d:<26} {:>3}%",
            got * 100 / of.max(1)
        )));
    }
    out.push(Line::default());
    for (i, (q, r)) in e.questions.iter().zip(&g.reports).enumerate() {
        let head = match r {
            Ok(r) => format!(
                "{}. {} — {}% in {}",
                i + 1,
                q.started.info.scenario,
                r.score(),
                clock(q.seconds)
            ),
            Err(err) => format!("{}. {} — not graded: {err}", i + 1, q.started.info.scenario),
        };
        out.push(Line::from(Span::styled(head, theme.accent)));
        if let Ok(r) = r {
            for c in r.checks.iter().filter(|c| !c.passed) {
                out.push(Line::from(vec![
                    Span::styled("   FAIL ", theme.bad),
                    Span::raw(c.title.clone()),
                ]));
                if let Some(first) = c.explanation.lines().next() {
                    out.push(Line::from(Span::styled(
                        format!("        {first}"),
                        theme.dim,
                    )));
                }
            }
        }
    }
    out
}
