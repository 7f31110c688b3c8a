//! The subcommands besides the TUI: `serve`, `list`, `pack validate`, `grade`, `solve`. Each
//! returns `Err(message)` for the user (printed as `error: …`) or the exit code it wants.

pub mod grade;
pub mod list;
pub mod pack;
pub mod serve;

use std::process::ExitCode;

/// A command's result: an exit code, or an error for the user.
pub type Outcome = Result<ExitCode, String>;

/// A tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// Wait for Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
