//! The end-to-end harness: a served cluster on an ephemeral loopback port with its own
//! kubeconfig and `HOME` (so kubectl's discovery cache starts cold), and the kubectl binaries
//! to run against it — `$KUBEDRILL_TEST_KUBECTL` (the pinned one CI installs) and the `kubectl`
//! on `PATH` (on this machine the gcloud dispatcher, which runs its built-in v1.32 client for a
//! v1.35 server).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use kubedrill_apiserver::{Server, WallClock};
use kubedrill_sim::{ClusterConfig, Sim};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

/// Every distinct kubectl to test with; empty (with a notice) when there is none.
pub fn kubectls() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("KUBEDRILL_TEST_KUBECTL").filter(|p| !p.is_empty()) {
        out.push(PathBuf::from(p));
    }
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("kubectl"))
            .find(|p| p.is_file())
    });
    if let Some(k) = on_path {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        if !out.iter().any(|o| canon(o) == canon(&k)) {
            out.push(k);
        }
    }
    if out.is_empty() {
        eprintln!(
            "notice: no kubectl (set KUBEDRILL_TEST_KUBECTL or put kubectl on PATH): skipped"
        );
    }
    out
}

/// What a kubectl run printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// A served cluster and one kubectl pointed at it.
pub struct Harness {
    pub server: Server,
    pub kubectl: PathBuf,
    pub dir: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
}

impl Harness {
    pub fn start(kubectl: &Path) -> Harness {
        Self::start_with(kubectl, vec![("kubedrill", ClusterConfig::default())])
    }

    /// Serve one cluster per `(context name, config)`; the first is the current context.
    pub fn start_with(kubectl: &Path, clusters: Vec<(&str, ClusterConfig)>) -> Harness {
        Self::start_serving(kubectl, clusters, false)
    }

    /// As `start_with`; `node_ports` also listens on each node's NodePorts at its loopback
    /// address (`Server::serve_node_ports`).
    pub fn start_serving(
        kubectl: &Path,
        clusters: Vec<(&str, ClusterConfig)>,
        node_ports: bool,
    ) -> Harness {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(async {
            let mut s = Server::new().unwrap();
            s.serve_node_ports(node_ports);
            for (name, config) in clusters {
                let sim = Sim::new(config, Arc::new(WallClock)).unwrap();
                s.add(name, sim, 0).await.unwrap();
            }
            s
        });
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        let text = kubedrill_apiserver::kubeconfig::render(&server.contexts());
        kubedrill_apiserver::kubeconfig::write(&dir.path().join("kubeconfig"), &text).unwrap();
        Harness {
            server,
            kubectl: kubectl.to_path_buf(),
            dir,
            rt,
        }
    }

    pub fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.kubectl);
        cmd.args(args)
            .env("KUBECONFIG", self.kubeconfig())
            .env("HOME", self.dir.path().join("home"))
            .env_remove("KUBECTL_EXTERNAL_DIFF");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.command(args).output().unwrap().into()
    }

    /// Run with `stdin`.
    pub fn run_with(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap().into()
    }

    /// Run and insist on success; the stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "kubectl {args:?} failed: {}{}",
            r.stdout, r.stderr
        );
        r.stdout
    }

    /// The client's minor version (`kubectl version --client`).
    pub fn client_minor(&self) -> u32 {
        let out = self.ok(&["version", "--client", "-o", "json"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["clientVersion"]["minor"]
            .as_str()
            .unwrap()
            .trim_end_matches('+')
            .parse()
            .unwrap()
    }

    /// kubectl 1.35+ says where a namespaced object was deleted from: `pod "x" deleted from
    /// default namespace`; older clients end at `deleted`.
    pub fn deleted_suffix(&self, ns: &str) -> String {
        if self.client_minor() >= 35 {
            format!(" from {ns} namespace")
        } else {
            String::new()
        }
    }

    /// Write a file in the test directory.
    pub fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        // Listener tasks are aborted with the served clusters, before the runtime goes.
        let _guard = self.rt.enter();
        self.server.clear();
    }
}

/// Run `test` once per kubectl found, each against a fresh cluster.
pub fn each(test: impl Fn(&Harness)) {
    for k in kubectls() {
        let h = Harness::start(&k);
        test(&h);
    }
}

/// Three nginx replicas labelled `app=web`.
pub const WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx
        ports:
        - containerPort: 80
";

impl Harness {
    /// Apply a manifest (written to `name`), insisting on success.
    pub fn apply(&self, name: &str, manifest: &str) -> String {
        let f = self.file(name, manifest);
        self.ok(&["apply", "-f", &f])
    }

    /// The `web` Deployment, and a `web` Service in front of it.
    pub fn web(&self) {
        self.apply("web.yaml", WEB);
        self.ok(&["expose", "deployment", "web", "--port=80"]);
    }

    /// Run, insisting on failure; the stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_ne!(r.code, 0, "kubectl {args:?} succeeded: {}", r.stdout);
        r.stderr
    }
}

/// A kubectl table as rows of cells (the header first), cut at the header's column starts:
/// kubectl's tabwriter starts every cell of a column where its header starts, so empty cells
/// and cells with spaces (`LAST SEEN`, messages) stay in their column.
pub fn table(out: &str) -> Vec<Vec<String>> {
    let mut lines = out.lines().filter(|l| !l.trim().is_empty());
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let bytes = header.as_bytes();
    let mut starts = vec![0];
    for i in 1..bytes.len() {
        if bytes[i] != b' ' && i >= 2 && bytes[i - 1] == b' ' && bytes[i - 2] == b' ' {
            starts.push(i);
        }
    }
    let cut = |l: &str| -> Vec<String> {
        starts
            .iter()
            .enumerate()
            .map(|(n, &s)| {
                let end = starts.get(n + 1).copied().unwrap_or(l.len()).min(l.len());
                l.get(s.min(l.len())..end).unwrap_or("").trim().to_string()
            })
            .collect()
    };
    std::iter::once(cut(header)).chain(lines.map(cut)).collect()
}

/// The row of `rows` whose column `col` is `value`.
pub fn row<'a>(rows: &'a [Vec<String>], col: usize, value: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r.get(col).map(String::as_str) == Some(value))
        .unwrap_or_else(|| panic!("no row with {value:?} in column {col}: {rows:#?}"))
}

/// `duration.HumanDuration` text of a young object (`0s`, `12s`, `2m3s`).
pub fn is_age(s: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    match s.strip_suffix('s') {
        Some(rest) => match rest.split_once('m') {
            Some((m, sec)) => digits(m) && digits(sec),
            None => digits(rest),
        },
        None => s.strip_suffix('m').is_some_and(digits),
    }
}
