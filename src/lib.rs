//! The `kubedrill` package's library half: what the binary's commands and the TUI share and
//! what end-to-end tests drive directly — drills (seed, solve, grade on a backend).

#![forbid(unsafe_code)]

pub mod drill;
