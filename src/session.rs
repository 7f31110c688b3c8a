//! A study or exam session on simulated clusters: one API server for the learner's kubectl
//! (one kubeconfig, a context per cluster), and on each context at most one drill — seeded,
//! checked, reset, given up — with what the TUI shows of it: the live cluster, the learner's
//! own requests, the diagnosis steps done, the diff from the seeded state.
//!
//! Synchronous on purpose: the TUI calls it from its effect runner; the async runtime that
//! serves kubectl lives inside.

use kubedrill_apiserver::{AuditEntry, Cluster, OffsetClock, Server};
use kubedrill_cluster::Backend;
use kubedrill_scenario::{Instance, Report};
use kubedrill_sim::{ClusterConfig, Kind, ListOptions, Sim, meta};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::drill;

/// Namespaces a drill's cluster pane leaves out: the platform's own.
const SYSTEM_NAMESPACES: [&str; 4] = [
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "ingress-nginx",
];

/// One running drill.
struct Active {
    inst: Instance,
    pack: String,
    cluster: Arc<Cluster>,
    backend: Backend,
    seeded: Vec<Value>,
    /// The learner's history starts here (audit sequence number at seeding).
    since: u64,
}

/// What the learner needs to know about a started drill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillInfo {
    pub context: String,
    pub scenario: String,
    pub pack: String,
    pub seed: u64,
    pub title: String,
    pub task: String,
    pub kubeconfig: PathBuf,
}

/// A Service row of the cluster pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRow {
    pub namespace: String,
    pub name: String,
    pub kind: String,
    /// `80:30080/TCP,443/TCP`, as `kubectl get svc` prints PORT(S).
    pub ports: String,
    /// Ready endpoints over all of the Service's EndpointSlices.
    pub ready_endpoints: usize,
}

/// A Pod row of the cluster pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRow {
    pub namespace: String,
    pub name: String,
    /// `app=web,tier=front`.
    pub labels: String,
    /// `1/1`.
    pub ready: String,
    pub phase: String,
    pub ip: String,
    pub node: String,
}

/// The cluster as the drill pane shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterView {
    pub services: Vec<ServiceRow>,
    pub pods: Vec<PodRow>,
}

/// One of the learner's own API requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// `kubectl get` as kubectl's `Kubectl-Command` header names it, else the user agent.
    pub command: String,
    pub verb: String,
    /// `services shop/web`.
    pub target: String,
    pub code: u16,
}

/// The session: a server and its drills.
pub struct Session {
    rt: tokio::runtime::Runtime,
    server: Server,
    kubeconfig: PathBuf,
    catalog: Catalog,
    drills: BTreeMap<String, Active>,
}

impl Session {
    /// A server with one empty simulated cluster per context, the kubeconfig written to
    /// `kubeconfig` (0600; the first context is the current one).
    pub fn new(catalog: Catalog, kubeconfig: &Path, contexts: &[&str]) -> Result<Session, String> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        let server = rt.block_on(async {
            let mut server = Server::new().map_err(|e| e.to_string())?;
            for name in contexts {
                let sim = Sim::new(ClusterConfig::default(), Arc::new(OffsetClock::new()))
                    .map_err(|e| e.to_string())?;
                server.add(name, sim, 0).await.map_err(|e| e.to_string())?;
            }
            Ok::<_, String>(server)
        })?;
        let text = kubedrill_apiserver::kubeconfig::render(&server.contexts());
        kubedrill_apiserver::kubeconfig::write(kubeconfig, &text).map_err(|e| e.to_string())?;
        Ok(Session {
            rt,
            server,
            kubeconfig: kubeconfig.to_path_buf(),
            catalog,
            drills: BTreeMap::new(),
        })
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// The line a learner pastes into their own terminal to use the drill's clusters.
    pub fn export_line(&self) -> String {
        format!("export KUBECONFIG={}", self.kubeconfig.display())
    }

    fn cluster(&self, context: &str) -> Result<Arc<Cluster>, String> {
        self.server
            .clusters()
            .iter()
            .find(|s| s.cluster.name() == context)
            .map(|s| s.cluster.clone())
            .ok_or_else(|| format!("no cluster for context {context:?}"))
    }

    fn active(&self, context: &str) -> Result<&Active, String> {
        self.drills
            .get(context)
            .ok_or_else(|| format!("no drill is running in context {context:?}"))
    }

    /// Seed scenario `id` (attempt `seed`) on `context`'s cluster, replacing whatever ran there.
    pub fn start(&mut self, context: &str, id: &str, seed: u64) -> Result<DrillInfo, String> {
        let (pack, src) = self.catalog.find(id)?;
        let pack = pack.meta.id.clone();
        let inst = src.instantiate(seed).map_err(|e| e.to_string())?;
        let cluster = self.cluster(context)?;
        let clock = Arc::new(OffsetClock::new());
        let config = ClusterConfig {
            ingress_nginx: drill::needs_ingress_controller(&inst),
            ..ClusterConfig::default()
        };
        let sim = Sim::new(config, clock.clone()).map_err(|e| e.to_string())?;
        cluster.replace(sim);
        // kube's client spawns its buffer task on the ambient runtime.
        let backend = {
            let _rt = self.rt.enter();
            Backend::in_process(cluster.clone(), clock)
        };
        let seeded = self
            .rt
            .block_on(drill::seed(&backend, &inst))
            .map_err(|e| e.to_string())?;
        let info = DrillInfo {
            context: context.to_string(),
            scenario: inst.scenario.id.clone(),
            pack: pack.clone(),
            seed,
            title: inst.scenario.title.clone(),
            task: inst.scenario.task.clone(),
            kubeconfig: self.kubeconfig.clone(),
        };
        // The drill file `kubedrill grade` and `solve` read, so they work from the learner's
        // own terminal too (on the session's first context, the one the kubeconfig selects).
        if self
            .server
            .clusters()
            .first()
            .is_some_and(|c| c.cluster.name() == context)
        {
            crate::state::DrillState {
                version: crate::state::STATE_VERSION,
                scenario: inst.scenario.id.clone(),
                pack: pack.clone(),
                seed,
                context: context.to_string(),
                seeded: seeded.clone(),
                whole_cluster: true,
            }
            .save(&crate::state::path_for(&self.kubeconfig))?;
        }
        let since = cluster.audit_next_seq();
        self.drills.insert(
            context.to_string(),
            Active {
                inst,
                pack,
                cluster,
                backend,
                seeded,
                since,
            },
        );
        Ok(info)
    }

    /// The same drill from its seed again, on a fresh cluster.
    pub fn reset(&mut self, context: &str) -> Result<DrillInfo, String> {
        let (id, seed) = {
            let a = self.active(context)?;
            (a.inst.scenario.id.clone(), a.inst.seed)
        };
        self.start(context, &id, seed)
    }

    /// Grade the drill as the cluster is now.
    pub fn check(&self, context: &str) -> Result<Report, String> {
        let a = self.active(context)?;
        self.rt
            .block_on(drill::grade_now(&a.backend, &a.inst, &a.seeded))
            .map_err(|e| e.to_string())
    }

    /// Apply the reference solution (instructors, tests).
    pub fn solve(&self, context: &str) -> Result<(), String> {
        let a = self.active(context)?;
        self.rt
            .block_on(drill::solve(&a.backend, &a.inst))
            .map_err(|e| e.to_string())
    }

    /// The drill's instance (task, hints, solution, explanation).
    pub fn instance(&self, context: &str) -> Result<&Instance, String> {
        Ok(&self.active(context)?.inst)
    }

    /// Which diagnosis steps the learner's requests have done.
    pub fn diagnosis(&self, context: &str) -> Result<Vec<bool>, String> {
        let a = self.active(context)?;
        Ok(drill::diagnosis_progress(
            &a.inst,
            &a.cluster.audit_since(a.since),
        ))
    }

    /// The learner's requests since the drill started, oldest first.
    pub fn activity(&self, context: &str) -> Result<Vec<Activity>, String> {
        let a = self.active(context)?;
        Ok(a.cluster
            .audit_since(a.since)
            .iter()
            // Discovery and other non-resource requests are kubectl's, not the learner's steps.
            .filter(|e| e.user_agent != kubedrill_cluster::USER_AGENT && e.kind.is_some())
            .map(activity)
            .collect())
    }

    /// Services and pods outside the system namespaces, read from the cluster directly (no
    /// API request, so nothing crowds the learner's history).
    pub fn cluster_view(&self, context: &str) -> Result<ClusterView, String> {
        let cluster = self.cluster(context)?;
        Ok(cluster.read(view))
    }

    /// What the learner changed: a unified diff, per object, of the seeded state against the
    /// current one (status and server-managed metadata left out).
    pub fn diff(&self, context: &str) -> Result<String, String> {
        let a = self.active(context)?;
        let current = self
            .rt
            .block_on(a.backend.objects())
            .map_err(|e| e.to_string())?;
        Ok(crate::diff::objects(&a.seeded, &current))
    }

    /// One command line in a node's shell (the exam's `ssh node01`): crictl, iptables-save,
    /// journalctl, curl and the rest of what the simulated node has.
    pub fn node_shell(
        &self,
        context: &str,
        node: &str,
        line: &str,
    ) -> Result<(String, i32), String> {
        let cluster = self.cluster(context)?;
        // A plain command runs as typed at the login shell (its not-found reads `-bash: x`);
        // pipes, lists and quotes go through `bash -c`.
        let plain = !line.contains(['|', '&', ';', '<', '>', '$', '`', '\'', '"', '(']);
        let argv: Vec<String> = if plain {
            line.split_whitespace().map(str::to_string).collect()
        } else {
            vec!["bash".to_string(), "-c".to_string(), line.to_string()]
        };
        let run = cluster
            .write(|sim| {
                kubedrill_sim::net::clients::node_shell(sim, node, &argv, &Default::default())
            })
            .map_err(|e| e.to_string())?;
        Ok((run.combined(), run.exit_code))
    }

    /// The nodes of `context`'s cluster, by name.
    pub fn nodes(&self, context: &str) -> Result<Vec<String>, String> {
        let cluster = self.cluster(context)?;
        Ok(cluster.read(|sim| {
            sim.list(Kind::Node, None, &ListOptions::default())
                .map(|l| l.items.iter().map(|n| meta::name(n).to_string()).collect())
                .unwrap_or_default()
        }))
    }

    /// The pack of the running drill.
    pub fn pack(&self, context: &str) -> Result<&str, String> {
        Ok(&self.active(context)?.pack)
    }
}

fn activity(e: &AuditEntry) -> Activity {
    let command = e.kubectl_command.clone().unwrap_or_else(|| {
        e.user_agent
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string()
    });
    let what = e
        .kind
        .map(|k| k.plural().to_string())
        .unwrap_or_else(|| e.path.clone());
    let mut target = what;
    match (&e.namespace, &e.name) {
        (Some(ns), Some(n)) => target.push_str(&format!(" {ns}/{n}")),
        (Some(ns), None) => target.push_str(&format!(" -n {ns}")),
        (None, Some(n)) => target.push_str(&format!(" {n}")),
        (None, None) => {}
    }
    if let Some(s) = &e.subresource {
        target.push_str(&format!(" ({s})"));
    }
    Activity {
        command,
        verb: e.verb.clone(),
        target,
        code: e.code,
    }
}

fn view(sim: &Sim) -> ClusterView {
    let all = ListOptions::default();
    let user = |o: &Value| !SYSTEM_NAMESPACES.contains(&meta::namespace(o));
    let list = |k: Kind| sim.list(k, None, &all).map(|l| l.items).unwrap_or_default();
    let slices = list(Kind::EndpointSlice);
    let services = list(Kind::Service)
        .into_iter()
        .filter(|s| user(s))
        .map(|s| {
            let ns = meta::namespace(&s).to_string();
            let name = meta::name(&s).to_string();
            let ready_endpoints = slices
                .iter()
                .filter(|sl| {
                    meta::namespace(sl) == ns
                        && sl["metadata"]["labels"]["kubernetes.io/service-name"] == name.as_str()
                })
                .flat_map(|sl| sl["endpoints"].as_array().cloned().unwrap_or_default())
                .filter(|e| e["conditions"]["ready"] != false)
                .count();
            let ports: Vec<String> = s["spec"]["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    let proto = p["protocol"].as_str().unwrap_or("TCP");
                    match p["nodePort"].as_u64() {
                        Some(np) => format!("{}:{np}/{proto}", p["port"]),
                        None => format!("{}/{proto}", p["port"]),
                    }
                })
                .collect();
            ServiceRow {
                namespace: ns,
                name,
                kind: s["spec"]["type"]
                    .as_str()
                    .unwrap_or("ClusterIP")
                    .to_string(),
                ports: ports.join(","),
                ready_endpoints,
            }
        })
        .collect();
    let pods = list(Kind::Pod)
        .into_iter()
        .filter(|p| user(p))
        .map(|p| {
            let statuses = p["status"]["containerStatuses"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let total = p["spec"]["containers"].as_array().map_or(0, Vec::len);
            let ready = statuses.iter().filter(|c| c["ready"] == true).count();
            let labels = meta::labels(&p)
                .map(|l| {
                    l.iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            PodRow {
                namespace: meta::namespace(&p).to_string(),
                name: meta::name(&p).to_string(),
                labels,
                ready: format!("{ready}/{total}"),
                phase: meta::str_at(&p, &["status", "phase"]).to_string(),
                ip: meta::str_at(&p, &["status", "podIP"]).to_string(),
                node: meta::str_at(&p, &["spec", "nodeName"]).to_string(),
            }
        })
        .collect();
    ClusterView { services, pods }
}
