//! `kubedrill serve`: a simulated cluster for the real kubectl over HTTPS on 127.0.0.1, empty
//! or seeded with one scenario's drill, until Ctrl-C or SIGTERM.

use kubedrill::catalog::Catalog;
use kubedrill::drill;
use kubedrill::state::{self, DrillState, STATE_VERSION};
use kubedrill_apiserver::{OffsetClock, Server};
use kubedrill_cluster::Backend;
use kubedrill_sim::{ClusterConfig, Sim};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use super::Outcome;

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub kubeconfig: Option<PathBuf>,
    pub port: u16,
    pub manifests: Vec<String>,
    pub scenario: Option<String>,
    pub seed: Option<u64>,
    /// Listen on each node's NodePorts at its loopback address (docs/nodeports.md).
    pub node_ports: bool,
}

/// The context name of a served cluster.
pub const CONTEXT: &str = "kubedrill";

pub fn run(catalog: &Catalog, o: Options) -> Outcome {
    let path = o
        .kubeconfig
        .clone()
        .or_else(kubedrill_apiserver::kubeconfig::default_path)
        .ok_or("no $XDG_DATA_HOME or $HOME for the kubeconfig; pass --kubeconfig")?;
    let drill = match &o.scenario {
        Some(id) => {
            let (pack, src) = catalog.find(id)?;
            let seed = o.seed.unwrap_or_else(drill::fresh_seed);
            let inst = src.instantiate(seed).map_err(|e| e.to_string())?;
            Some((pack.meta.id.clone(), inst))
        }
        None => None,
    };
    let config = ClusterConfig {
        ingress_nginx: drill
            .as_ref()
            .is_some_and(|(_, i)| drill::needs_ingress_controller(i)),
        ..ClusterConfig::default()
    };
    let clock = Arc::new(OffsetClock::new());
    let mut sim = Sim::new(config, clock.clone()).map_err(|e| e.to_string())?;
    for f in &o.manifests {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
        sim.apply_yaml(&text).map_err(|e| format!("{f}: {e}"))?;
    }
    let state_path = state::path_for(&path);
    super::runtime()?.block_on(async move {
        let mut server = Server::new().map_err(|e| e.to_string())?;
        server.serve_node_ports(o.node_ports);
        let served = server
            .add(CONTEXT, sim, o.port)
            .await
            .map_err(|e| e.to_string())?;
        let cluster = served.cluster.clone();
        let text = kubedrill_apiserver::kubeconfig::render(&server.contexts());
        kubedrill_apiserver::kubeconfig::write(&path, &text).map_err(|e| e.to_string())?;
        match &drill {
            Some((pack, inst)) => {
                let backend = Backend::in_process(cluster, clock);
                let seeded = drill::seed(&backend, inst)
                    .await
                    .map_err(|e| format!("seeding {}: {e}", inst.scenario.id))?;
                DrillState {
                    version: STATE_VERSION,
                    scenario: inst.scenario.id.clone(),
                    pack: pack.clone(),
                    seed: inst.seed,
                    context: CONTEXT.to_string(),
                    seeded,
                    whole_cluster: true,
                }
                .save(&state_path)?;
                println!("export KUBECONFIG={}", path.display());
                println!();
                println!(
                    "# {} (seed {}): {}",
                    inst.scenario.id, inst.seed, inst.scenario.title
                );
                println!();
                println!("{}", inst.scenario.task.trim_end());
                println!();
                println!(
                    "Check your fix with: kubedrill grade --scenario {} --seed {}",
                    inst.scenario.id, inst.seed
                );
            }
            None => {
                // An empty cluster has no drill: a stale drill file must not be graded.
                if state_path.exists() {
                    let _ = std::fs::remove_file(&state_path);
                }
                // The listener is bound and accepting before this line is printed.
                println!("export KUBECONFIG={}", path.display());
            }
        }
        super::shutdown_signal().await;
        Ok::<_, String>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
