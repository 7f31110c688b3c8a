//! `kubedrill`: the command-line entry point. Without a command it opens the TUI on the
//! simulated cluster; `kubedrill serve` runs the simulated cluster behind the embedded API
//! server for the real kubectl (empty, or seeded with a scenario's drill); `list`,
//! `pack validate`, `grade`, `solve`, `start` and `clean` work with scenario packs and
//! clusters; `-f MANIFEST` boots the cluster with manifests and prints what is in it.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kubedrill::catalog::Catalog;
use kubedrill_sim::{Kind, ListOptions, Sim, meta};
use std::path::PathBuf;

mod commands;

/// A trainer for the CKA's Services and networking tasks.
#[derive(Debug, Parser)]
#[command(name = "kubedrill", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Without a command: boot a simulated cluster, apply these manifests, print its state.
    #[arg(short = 'f', long = "filename", value_name = "MANIFEST")]
    files: Vec<String>,
    /// A scenario pack folder to use besides the built-in pack (repeatable).
    #[arg(long = "pack", value_name = "DIR", global = true)]
    packs: Vec<PathBuf>,
    /// Where progress and the TUI's kubeconfig live (default: the platform's data directory,
    /// ~/.local/share/kubedrill on Linux).
    #[arg(long, value_name = "DIR", global = true)]
    data_dir: Option<PathBuf>,
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
        /// Seed the cluster with this scenario's drill (see `kubedrill list`).
        #[arg(long, value_name = "ID")]
        scenario: Option<String>,
        /// Which attempt of the scenario (default: a new one each time).
        #[arg(long, value_name = "N", requires = "scenario")]
        seed: Option<u64>,
        /// Do not listen on the nodes' NodePorts at 127.0.1.x (each node's ExternalIP in
        /// `kubectl get nodes -o wide`).
        #[arg(long)]
        no_node_ports: bool,
    },
    /// List every scenario.
    List {
        /// As JSON: id, title, pack, difficulty, domain, tags, minutes, weight, requires.
        #[arg(long)]
        json: bool,
    },
    /// Work with scenario packs.
    Pack {
        #[command(subcommand)]
        command: PackCommand,
    },
    /// Grade a running drill: exit 0 when every check passes, 1 otherwise.
    Grade {
        #[command(flatten)]
        target: TargetArgs,
        /// Per-check results with explanations, as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Apply a scenario's reference solution to a running drill (for instructors and tests).
    Solve {
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Seed a drill on your own cluster (a kubeconfig context: kind, minikube, k3d, …), then
    /// fix it with kubectl and `kubedrill grade --context C`.
    Start {
        #[command(flatten)]
        target: TargetArgs,
    },
    /// A timed exam: questions drawn with a seed, each on its own cluster and context, graded
    /// at submit or time-out against the 66% pass mark.
    Exam {
        /// Draw only from this pack (by id, `kubedrill list` shows it).
        #[arg(long = "from-pack", value_name = "ID")]
        from_pack: Option<String>,
        /// How many questions.
        #[arg(long, default_value_t = 6)]
        count: usize,
        /// The exam's length (default: the questions' own time budgets, added up).
        #[arg(long, value_name = "M")]
        minutes: Option<u64>,
        /// Which draw (default: a new one each time).
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
    },
    /// Delete everything kubedrill created on a cluster (its namespaces and labelled objects).
    Clean {
        /// The kubeconfig (default: $KUBECONFIG or ~/.kube/config).
        #[arg(long, value_name = "PATH")]
        kubeconfig: Option<PathBuf>,
        /// The context (default: the current one).
        #[arg(long, value_name = "NAME")]
        context: Option<String>,
        /// Allow a context that does not look like a cluster on this machine.
        #[arg(long)]
        i_own_this_cluster: bool,
    },
}

#[derive(Debug, Subcommand)]
enum PackCommand {
    /// Check packs: they load, and every scenario is broken when seeded and fixed by its
    /// reference solution, for several seeds. Exit 1 on any failure.
    Validate {
        /// Pack folders (each with a pack.yaml).
        #[arg(value_name = "DIR", required = true)]
        dirs: Vec<PathBuf>,
        /// How many seeds to try per scenario.
        #[arg(long, default_value_t = 3)]
        seeds: u64,
    },
}

#[derive(Debug, clap::Args)]
struct TargetArgs {
    /// The scenario (default: the one `kubedrill serve --scenario` is running).
    #[arg(long, value_name = "ID")]
    scenario: Option<String>,
    /// The attempt (default: the one `serve` started).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// The cluster's kubeconfig (default: the one `kubedrill serve` writes; with only
    /// --context, $KUBECONFIG or ~/.kube/config).
    #[arg(long, value_name = "PATH")]
    kubeconfig: Option<PathBuf>,
    /// The kubeconfig context (default: the drill's, else the current one).
    #[arg(long, value_name = "NAME")]
    context: Option<String>,
    /// Allow a context that does not look like a cluster on this machine (kubedrill creates
    /// and deletes objects there, only ones it labelled).
    #[arg(long)]
    i_own_this_cluster: bool,
}

impl From<TargetArgs> for commands::grade::Target {
    fn from(a: TargetArgs) -> Self {
        commands::grade::Target {
            scenario: a.scenario,
            seed: a.seed,
            kubeconfig: a.kubeconfig,
            context: a.context,
            i_own_this_cluster: a.i_own_this_cluster,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let catalog = || Catalog::load(&cli.packs);
    let result = match cli.command {
        None if !cli.files.is_empty() => run(&cli.files).map(|()| ExitCode::SUCCESS),
        None => catalog().and_then(|c| {
            let dir = cli
                .data_dir
                .clone()
                .or_else(kubedrill::progress::default_dir)
                .ok_or("no home directory for progress; pass --data-dir")?;
            let kubeconfig = dir.join("tui.kubeconfig");
            kubedrill::tui::run(c, dir, kubeconfig, kubedrill::tui::Mode::Study)
                .map(|()| ExitCode::SUCCESS)
        }),
        Some(Command::Serve {
            kubeconfig,
            port,
            manifests,
            scenario,
            seed,
            no_node_ports,
        }) => catalog().and_then(|c| {
            commands::serve::run(
                &c,
                commands::serve::Options {
                    kubeconfig,
                    port,
                    manifests,
                    scenario,
                    seed,
                    node_ports: !no_node_ports,
                },
            )
        }),
        Some(Command::List { json }) => catalog().and_then(|c| commands::list::run(&c, json)),
        Some(Command::Pack {
            command: PackCommand::Validate { dirs, seeds },
        }) => commands::pack::validate(&dirs, seeds),
        Some(Command::Grade { target, json }) => {
            catalog().and_then(|c| commands::grade::grade(&c, &target.into(), json))
        }
        Some(Command::Solve { target }) => {
            catalog().and_then(|c| commands::grade::solve(&c, &target.into()))
        }
        Some(Command::Exam {
            from_pack,
            count,
            minutes,
            seed,
        }) => catalog().and_then(|c| {
            let dir = cli
                .data_dir
                .clone()
                .or_else(kubedrill::progress::default_dir)
                .ok_or("no home directory for progress; pass --data-dir")?;
            let kubeconfig = dir.join("tui.kubeconfig");
            let mode = kubedrill::tui::Mode::Exam {
                count,
                minutes: minutes.unwrap_or(0),
                seed: seed.unwrap_or_else(kubedrill::drill::fresh_seed),
                pack: from_pack,
            };
            kubedrill::tui::run(c, dir, kubeconfig, mode).map(|()| ExitCode::SUCCESS)
        }),
        Some(Command::Start { target }) => {
            catalog().and_then(|c| commands::grade::start(&c, &target.into()))
        }
        Some(Command::Clean {
            kubeconfig,
            context,
            i_own_this_cluster,
        }) => commands::grade::clean(&commands::grade::Target {
            kubeconfig,
            context,
            i_own_this_cluster,
            ..Default::default()
        }),
    };
    match result {
        Ok(code) => code,
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
