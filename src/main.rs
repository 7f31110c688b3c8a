//! `kubedrill`: the command-line entry point. `kubedrill serve` runs the simulated cluster
//! behind the embedded API server for the real kubectl; without a command it boots the cluster
//! (optionally with manifests) and prints what is in it, `kubectl get`-style.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kubedrill_apiserver::{Server, WallClock};
use kubedrill_sim::{ClusterConfig, Kind, ListOptions, Sim, meta};
use std::path::PathBuf;
use std::sync::Arc;

/// A trainer for the CKA's Services and networking tasks.
#[derive(Debug, Parser)]
#[command(name = "kubedrill", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Without a command: boot a simulated cluster, apply these manifests, print its state.
    #[arg(short = 'f', long = "filename", value_name = "MANIFEST")]
    files: Vec<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve a simulated cluster to kubectl over HTTPS on 127.0.0.1 until Ctrl-C or SIGTERM.
    Serve {
        /// Where to write the kubeconfig (default: $XDG_DATA_HOME/kubedrill/kubeconfig).
        #[arg(long, value_name = "PATH")]
        kubeconfig: Option<PathBuf>,
        /// The port to listen on (default: a free one).
        #[arg(long, value_name = "N", default_value_t = 0)]
        port: u16,
        /// Manifests to apply before serving.
        #[arg(short = 'f', long = "manifest", value_name = "MANIFEST")]
        manifests: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => run(&cli.files),
        Some(Command::Serve {
            kubeconfig,
            port,
            manifests,
        }) => serve(kubeconfig, port, &manifests),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(kubeconfig: Option<PathBuf>, port: u16, manifests: &[String]) -> Result<(), String> {
    let path = kubeconfig
        .or_else(kubedrill_apiserver::kubeconfig::default_path)
        .ok_or("no $XDG_DATA_HOME or $HOME for the kubeconfig; pass --kubeconfig")?;
    let mut sim =
        Sim::new(ClusterConfig::default(), Arc::new(WallClock)).map_err(|e| e.to_string())?;
    for f in manifests {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
        sim.apply_yaml(&text).map_err(|e| format!("{f}: {e}"))?;
    }
    let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let mut server = Server::new().map_err(|e| e.to_string())?;
        server
            .add("kubedrill", sim, port)
            .await
            .map_err(|e| e.to_string())?;
        let text = kubedrill_apiserver::kubeconfig::render(&server.contexts());
        kubedrill_apiserver::kubeconfig::write(&path, &text).map_err(|e| e.to_string())?;
        // The listener is bound and accepting before this line is printed.
        println!("export KUBECONFIG={}", path.display());
        shutdown_signal().await;
        Ok(())
    })
}

async fn shutdown_signal() {
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
