//! The `kubedrill` package's library half: what the binary's commands and the TUI share and
//! what end-to-end tests drive directly — the scenario catalog, drills (seed, solve, grade on
//! a backend), and the drill file `serve` leaves for `grade` and `solve`.

#![forbid(unsafe_code)]

pub mod catalog;
pub mod diff;
pub mod drill;
pub mod progress;
pub mod session;
pub mod state;
pub mod tui;
