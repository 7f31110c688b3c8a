//! Colours, or none: `NO_COLOR` (no-color.org) leaves only bold and reverse video.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub accent: Style,
    pub ok: Style,
    pub bad: Style,
    pub dim: Style,
    pub selected: Style,
    pub code: Style,
    pub warn: Style,
}

impl Theme {
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if no_color {
            Theme::plain()
        } else {
            Theme::colour()
        }
    }

    pub fn plain() -> Theme {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        Theme {
            accent: bold,
            ok: Style::default(),
            bad: bold,
            dim: Style::default(),
            selected: Style::default().add_modifier(Modifier::REVERSED),
            code: bold,
            warn: bold,
        }
    }

    pub fn colour() -> Theme {
        Theme {
            accent: Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            ok: Style::default().fg(Color::Green),
            bad: Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            dim: Style::default().fg(Color::DarkGray),
            selected: Style::default().add_modifier(Modifier::REVERSED),
            code: Style::default().fg(Color::Yellow),
            warn: Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        }
    }
}
