//! The one key table: what each key does on each screen. The help overlay and the footer are
//! generated from it, so they never disagree with the handlers. Plain letters only where no
//! text is typed; nothing borrows a shell's own keys (the shell runs full-screen, `s`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Start,
    Filter,
    Difficulty(u8),
    ClearFilter,
    History,
    Check,
    Hint,
    Guided,
    Reset,
    GiveUp,
    Shell,
    NodeShell,
    Export,
    NextPane,
    Prev,
    Next,
    Flag,
    Submit,
    Back,
    Help,
    Quit,
}

/// Where a key applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Home,
    Drill,
    Exam,
}

pub struct Binding {
    pub scope: Scope,
    pub keys: &'static str,
    pub action: Action,
    pub help: &'static str,
}

pub const TABLE: &[Binding] = &[
    Binding {
        scope: Scope::Home,
        keys: "↑/↓ j/k",
        action: Action::Down,
        help: "move",
    },
    Binding {
        scope: Scope::Home,
        keys: "Enter",
        action: Action::Start,
        help: "start the drill",
    },
    Binding {
        scope: Scope::Home,
        keys: "/",
        action: Action::Filter,
        help: "filter by id, title, tag or domain",
    },
    Binding {
        scope: Scope::Home,
        keys: "1 2 3",
        action: Action::Difficulty(1),
        help: "only that difficulty",
    },
    Binding {
        scope: Scope::Home,
        keys: "0",
        action: Action::ClearFilter,
        help: "clear the filters",
    },
    Binding {
        scope: Scope::Home,
        keys: "h",
        action: Action::History,
        help: "history",
    },
    Binding {
        scope: Scope::Drill,
        keys: "c",
        action: Action::Check,
        help: "check your fix",
    },
    Binding {
        scope: Scope::Drill,
        keys: "n",
        action: Action::Hint,
        help: "next hint",
    },
    Binding {
        scope: Scope::Drill,
        keys: "g",
        action: Action::Guided,
        help: "guided mode: the diagnosis checklist",
    },
    Binding {
        scope: Scope::Drill,
        keys: "s",
        action: Action::Shell,
        help: "open a shell with KUBECONFIG set",
    },
    Binding {
        scope: Scope::Drill,
        keys: "N",
        action: Action::NodeShell,
        help: "ssh to a node: crictl, iptables-save, journalctl",
    },
    Binding {
        scope: Scope::Drill,
        keys: "e",
        action: Action::Export,
        help: "show the export KUBECONFIG line",
    },
    Binding {
        scope: Scope::Drill,
        keys: "Tab",
        action: Action::NextPane,
        help: "task / check / what you did",
    },
    Binding {
        scope: Scope::Drill,
        keys: "r",
        action: Action::Reset,
        help: "reset the drill to its start",
    },
    Binding {
        scope: Scope::Drill,
        keys: "u",
        action: Action::GiveUp,
        help: "give up: solution and your diff",
    },
    Binding {
        scope: Scope::Exam,
        keys: "←/→",
        action: Action::Next,
        help: "previous / next question",
    },
    Binding {
        scope: Scope::Exam,
        keys: "f",
        action: Action::Flag,
        help: "flag the question to come back to",
    },
    Binding {
        scope: Scope::Exam,
        keys: "s",
        action: Action::Shell,
        help: "open a shell with KUBECONFIG set",
    },
    Binding {
        scope: Scope::Exam,
        keys: "e",
        action: Action::Export,
        help: "show the export KUBECONFIG line",
    },
    Binding {
        scope: Scope::Exam,
        keys: "X",
        action: Action::Submit,
        help: "submit: grade every question now",
    },
    Binding {
        scope: Scope::Everywhere,
        keys: "Esc",
        action: Action::Back,
        help: "back",
    },
    Binding {
        scope: Scope::Everywhere,
        keys: "?",
        action: Action::Help,
        help: "this help",
    },
    Binding {
        scope: Scope::Everywhere,
        keys: "q Ctrl-C",
        action: Action::Quit,
        help: "quit",
    },
];

/// The action of `key` in `scope`, if any.
pub fn action(scope: Scope, key: &KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, KeyCode::Char('c')).then_some(Action::Quit);
    }
    let everywhere = match key.code {
        KeyCode::Esc => Some(Action::Back),
        KeyCode::Char('?') => Some(Action::Help),
        KeyCode::Char('q') => Some(Action::Quit),
        _ => None,
    };
    let scoped = match (scope, key.code) {
        (Scope::Home, KeyCode::Up | KeyCode::Char('k')) => Some(Action::Up),
        (Scope::Home, KeyCode::Down | KeyCode::Char('j')) => Some(Action::Down),
        (Scope::Home, KeyCode::Enter) => Some(Action::Start),
        (Scope::Home, KeyCode::Char('/')) => Some(Action::Filter),
        (Scope::Home, KeyCode::Char(c @ '1'..='3')) => Some(Action::Difficulty(c as u8 - b'0')),
        (Scope::Home, KeyCode::Char('0')) => Some(Action::ClearFilter),
        (Scope::Home, KeyCode::Char('h')) => Some(Action::History),
        (Scope::Drill, KeyCode::Char('c')) => Some(Action::Check),
        (Scope::Drill, KeyCode::Char('n')) => Some(Action::Hint),
        (Scope::Drill, KeyCode::Char('g')) => Some(Action::Guided),
        (Scope::Drill, KeyCode::Char('r')) => Some(Action::Reset),
        (Scope::Drill, KeyCode::Char('u')) => Some(Action::GiveUp),
        (Scope::Drill, KeyCode::Char('s')) => Some(Action::Shell),
        (Scope::Drill, KeyCode::Char('e')) => Some(Action::Export),
        (Scope::Drill, KeyCode::Char('N')) => Some(Action::NodeShell),
        (Scope::Drill, KeyCode::Tab) => Some(Action::NextPane),
        (Scope::Exam, KeyCode::Left | KeyCode::Char('[')) => Some(Action::Prev),
        (Scope::Exam, KeyCode::Right | KeyCode::Char(']')) => Some(Action::Next),
        (Scope::Exam, KeyCode::Char('f')) => Some(Action::Flag),
        (Scope::Exam, KeyCode::Char('s')) => Some(Action::Shell),
        (Scope::Exam, KeyCode::Char('e')) => Some(Action::Export),
        (Scope::Exam, KeyCode::Char('X')) => Some(Action::Submit),
        _ => None,
    };
    scoped.or(everywhere)
}

/// The footer: the keys of `scope`, shortest first, as `key action` pairs.
pub fn footer(scope: Scope) -> Vec<(&'static str, &'static str)> {
    // Help first: on a narrow terminal the rest may not fit, `?` lists it all.
    let help = TABLE.iter().filter(|b| b.action == Action::Help);
    let scoped = TABLE.iter().filter(|b| b.scope == scope);
    let rest = TABLE
        .iter()
        .filter(|b| b.scope == Scope::Everywhere && b.action != Action::Help);
    help.chain(scoped)
        .chain(rest)
        .map(|b| (b.keys, short(b.help)))
        .collect()
}

fn short(help: &'static str) -> &'static str {
    help.split([':', ',']).next().unwrap_or(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn every_binding_in_the_table_is_handled_in_its_scope() {
        let first_key = |keys: &str| -> KeyCode {
            match keys.split_whitespace().next().unwrap_or_default() {
                "Enter" => KeyCode::Enter,
                "Esc" => KeyCode::Esc,
                "Tab" => KeyCode::Tab,
                "↑/↓" => KeyCode::Down,
                "←/→" => KeyCode::Right,
                k => KeyCode::Char(k.chars().next().unwrap_or(' ')),
            }
        };
        for b in TABLE {
            let scope = if b.scope == Scope::Everywhere {
                Scope::Drill
            } else {
                b.scope
            };
            assert_eq!(
                action(scope, &key(first_key(b.keys))),
                Some(b.action),
                "{}",
                b.keys
            );
        }
    }

    #[test]
    fn ctrl_c_quits_and_drill_letters_do_nothing_on_home() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action(Scope::Drill, &ctrl_c), Some(Action::Quit));
        assert_eq!(action(Scope::Home, &key(KeyCode::Char('c'))), None);
    }
}
