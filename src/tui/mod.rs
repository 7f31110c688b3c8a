//! The terminal UI: study drills on the simulated cluster, with the live cluster, checks that
//! explain themselves, hints, guided mode, reset and give-up, and progress that lasts.
//!
//! `app` owns the state and the update function (messages in, effects out); `view` and its
//! screens (`home`, `drill_view`, `history`) render it; `keys` is the one key table; `run` is
//! the runtime: the terminal, the event loop, and the effects carried out on a `Session`.

pub mod app;
mod drill_view;
pub mod exam;
mod exam_view;
mod history;
mod home;
pub mod keys;
mod markdown;
pub mod run;
pub mod theme;
pub mod view;

pub use run::{Mode, run};
