//! The home screen: every scenario with its difficulty, domain, status and best time; the
//! filter line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

use super::app::{App, clock};
use super::theme::Theme;
use crate::progress::Status;

pub fn render(app: &App, theme: &Theme, f: &mut Frame, area: Rect) {
    let [filter, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let mut spans = vec![Span::raw(" filter: ")];
    let shown = if app.filter.is_empty() && !app.editing_filter {
        Span::styled("(press / to type)", theme.dim)
    } else {
        Span::styled(
            format!(
                "{}{}",
                app.filter,
                if app.editing_filter { "▏" } else { "" }
            ),
            theme.code,
        )
    };
    spans.push(shown);
    if let Some(d) = app.difficulty {
        spans.push(Span::raw(format!(
            "   difficulty {} ",
            "★".repeat(usize::from(d))
        )));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), filter);

    let visible = app.visible();
    let wide = area.width >= 100;
    let rows: Vec<Row> = visible
        .iter()
        .map(|s| {
            let (status, style) = match app.progress.status(&s.id) {
                Status::New => ("new", theme.dim),
                Status::Attempted => ("tried", theme.warn),
                Status::Solved => ("solved", theme.ok),
            };
            let best = app
                .progress
                .best_seconds(&s.id)
                .map(clock)
                .unwrap_or_default();
            let mut cells = vec![
                Cell::from(s.id.clone()),
                Cell::from("★".repeat(usize::from(s.difficulty))),
                Cell::from(Span::styled(status, style)),
                Cell::from(best),
            ];
            if wide {
                cells.push(Cell::from(s.domain.clone()));
                cells.push(Cell::from(s.title.clone()));
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(38),
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Length(6),
    ];
    let mut header = vec!["SCENARIO", "LEVEL", "STATUS", "BEST"];
    if wide {
        widths.push(Constraint::Length(22));
        widths.push(Constraint::Min(20));
        header.extend(["DOMAIN", "TITLE"]);
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.accent))
        .row_highlight_style(theme.selected)
        .block(Block::default().borders(Borders::TOP).title(format!(
            " {} of {} ",
            visible.len(),
            app.scenarios.len()
        )));
    let mut state = TableState::default().with_selected(Some(app.selected));
    f.render_stateful_widget(table, list, &mut state);
}
