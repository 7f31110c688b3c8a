//! `kubedrill list [--json]`: every scenario of every pack in use.

use std::io::Write;
use std::process::ExitCode;

use super::Outcome;
use kubedrill::catalog::Catalog;

pub fn run(catalog: &Catalog, json: bool) -> Outcome {
    let infos = catalog.infos();
    let mut out = std::io::stdout().lock();
    let text = if json {
        let mut s = serde_json::to_string_pretty(&infos).map_err(|e| e.to_string())?;
        s.push('\n');
        s
    } else {
        let mut s = format!(
            "{:<40} {:<6} {:<10} {:<24} {}\n",
            "ID", "LEVEL", "PACK", "DOMAIN", "TITLE"
        );
        for i in &infos {
            s.push_str(&format!(
                "{:<40} {:<6} {:<10} {:<24} {}\n",
                i.id,
                "*".repeat(usize::from(i.difficulty)),
                i.pack,
                i.domain,
                i.title
            ));
        }
        s
    };
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = out.write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}
