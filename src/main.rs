//! `kubedrill`: the command-line entry point. Until the API server and the TUI land, it boots
//! the simulated cluster (optionally with manifests) and prints what is in it, `kubectl get`-style.

use std::process::ExitCode;

use kubedrill_sim::{Kind, ListOptions, Sim, meta};

const USAGE: &str = "kubedrill — a trainer for the CKA's Services and networking tasks

Usage:
  kubedrill [-f MANIFEST.yaml]...   boot a simulated cluster, apply the manifests, print its state
  kubedrill --help                  this text
  kubedrill --version               the version";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "-V" | "--version" => {
                println!("kubedrill {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            "-f" | "--filename" => match it.next() {
                Some(f) => files.push(f.clone()),
                None => {
                    eprintln!("error: flag needs an argument: '-f'\n\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            other => {
                eprintln!("error: unknown argument {other:?}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    match run(&files) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(files: &[String]) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let (mut sim, _clock) = Sim::default_with_clock().map_err(|e| e.to_string())?;
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
        sim.apply_yaml(&text).map_err(|e| format!("{f}: {e}"))?;
    }
    let all = ListOptions::default();
    for kind in [Kind::Node, Kind::Service, Kind::Pod, Kind::EndpointSlice] {
        let list = sim.list(kind, None, &all).map_err(|e| e.to_string())?;
        // A closed pipe (`| head`) ends the listing quietly instead of panicking.
        if writeln!(out, "{} ({})", kind.plural(), list.items.len()).is_err() {
            return Ok(());
        }
        for o in &list.items {
            let ns = meta::namespace(o);
            let detail = match kind {
                Kind::Service => format!(
                    "{} {}",
                    meta::str_at(o, &["spec", "type"]),
                    meta::str_at(o, &["spec", "clusterIP"])
                ),
                Kind::Pod => format!(
                    "{} {} {}",
                    meta::str_at(o, &["status", "phase"]),
                    meta::str_at(o, &["status", "podIP"]),
                    meta::str_at(o, &["spec", "nodeName"])
                ),
                Kind::EndpointSlice => {
                    let eps = o["endpoints"].as_array().cloned().unwrap_or_default();
                    let ready = eps
                        .iter()
                        .filter(|e| e["conditions"]["ready"] == true)
                        .count();
                    let ports: Vec<String> = o["ports"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|p| p["port"].to_string())
                        .collect();
                    format!(
                        "ports [{}] endpoints {} ({ready} ready)",
                        ports.join(","),
                        eps.len()
                    )
                }
                _ => String::new(),
            };
            let name = if ns.is_empty() {
                meta::name(o).to_string()
            } else {
                format!("{ns}/{}", meta::name(o))
            };
            if writeln!(out, "  {name:<50} {detail}").is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}
