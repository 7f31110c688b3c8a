//! The image catalog (`assets/images.yaml`): which image references can be pulled, and what a
//! container started from each really does — the sockets it listens on (as its command line and
//! environment configure them), what its HTTP server answers per path, whether its command ends,
//! and whether it exits promptly on SIGTERM.
//!
//! Rule for unknown images (also stated in the YAML): a reference pulls only when its normalised
//! repository is listed and its tag matches one of the entry's tag patterns; an unlisted
//! repository fails as "repository does not exist", an unknown tag as "not found".
//!
//! Pure data lookups: parsed once (YAML → `serde_json::Value` → typed), never any I/O.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const CATALOG_YAML: &str = include_str!("../../../assets/images.yaml");

/// One image repository of the catalog.
#[derive(Debug, Clone, Deserialize)]
pub struct ImageEntry {
    pub repository: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub preloaded: bool,
    #[serde(default)]
    pub runs: Vec<Run>,
    /// Commands the image has for clients to run (`sh`, `wget`, `curl`, …): `net::clients`
    /// answers `sh: curl: not found` for the others.
    #[serde(default)]
    pub tools: Vec<String>,
    /// The server version an untagged or moving tag (`latest`, `alpine`) runs.
    #[serde(default)]
    pub version: Option<String>,
    /// Tag (`1.27`, `stable`) → the version it runs, for the `Server` header.
    #[serde(default)]
    pub versions: BTreeMap<String, String>,
}

/// What a container does when its command line matches `when`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Run {
    #[serde(default)]
    pub when: Option<String>,
    #[serde(default)]
    pub listen: Vec<ListenSpec>,
    #[serde(default)]
    pub exits: bool,
    #[serde(default)]
    pub exit_code: i64,
    #[serde(default)]
    pub sigterm: Option<String>,
}

/// A socket as the catalog describes it, before the command line picks the port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ListenSpec {
    #[serde(default)]
    pub port: u16,
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub port_flags: Vec<String>,
    #[serde(default)]
    pub port_after: Option<String>,
    #[serde(default)]
    pub port_env: Option<String>,
    #[serde(default)]
    pub http: Option<BTreeMap<String, u16>>,
    /// `Server` header template (`nginx/{version}`); absent when the server sends none.
    #[serde(default)]
    pub server: Option<String>,
    /// Response body templates by path, by status code (`"404"`), or `*`.
    #[serde(default)]
    pub bodies: BTreeMap<String, String>,
    /// The line the server logs per request (template), if it logs requests.
    #[serde(default)]
    pub access_log: Option<String>,
    /// The directory a static server serves files from: a ConfigMap volume mounted there
    /// replaces the image's files with the ConfigMap's keys.
    #[serde(default)]
    pub docroot: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CatalogFile {
    images: Vec<ImageEntry>,
}

/// A socket a running container really listens on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub port: u16,
    /// `TCP` or `UDP`.
    pub protocol: String,
    /// Path → status; `None` when the socket does not speak HTTP.
    pub http: Option<&'static BTreeMap<String, u16>>,
    /// The catalog's description (response bodies, `Server` header, access log).
    pub spec: &'static ListenSpec,
}

impl Listener {
    /// The status the HTTP server answers for `path` (query string ignored).
    pub fn http_status(&self, path: &str) -> Option<u16> {
        let http = self.http?;
        let path = path.split('?').next().unwrap_or("/");
        let path = if path.is_empty() { "/" } else { path };
        http.get(path)
            .or_else(|| http.get("*"))
            .copied()
            .or(Some(404))
    }
}

/// What a container started from an image with a given command line does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behaviour {
    pub listeners: Vec<Listener>,
    /// `Some(code)` when the main process ends by itself.
    pub exits: Option<i64>,
    /// Whether the process exits as soon as it gets SIGTERM (else the full grace period).
    pub prompt_sigterm: bool,
}

/// An image reference split the way containerd normalises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// `docker.io/library/nginx`.
    pub repository: String,
    /// `latest` when none was given; empty for a digest reference.
    pub tag: String,
    pub digest: Option<String>,
}

impl ImageRef {
    pub fn parse(image: &str) -> ImageRef {
        let (name, digest) = match image.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (image, None),
        };
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (repo, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (
                &name[..last_slash + i],
                name[last_slash + i + 1..].to_string(),
            ),
            None => (name, String::new()),
        };
        let first = repo.split('/').next().unwrap_or("");
        let has_registry = repo.contains('/')
            && (first.contains('.') || first.contains(':') || first == "localhost");
        let repository = if has_registry {
            repo.to_string()
        } else if repo.contains('/') {
            format!("docker.io/{repo}")
        } else {
            format!("docker.io/library/{repo}")
        };
        let tag = if tag.is_empty() && digest.is_none() {
            "latest".to_string()
        } else {
            tag
        };
        ImageRef {
            repository,
            tag,
            digest,
        }
    }

    /// The fully qualified reference containerd reports (`docker.io/library/nginx:latest`).
    pub fn full(&self) -> String {
        match (&self.digest, self.tag.is_empty()) {
            (Some(d), true) => format!("{}@{d}", self.repository),
            (Some(d), false) => format!("{}:{}@{d}", self.repository, self.tag),
            (None, _) => format!("{}:{}", self.repository, self.tag),
        }
    }
}

/// Why an image cannot be pulled, worded as containerd answers the kubelet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullError {
    RepositoryNotFound(String),
    TagNotFound(String),
}

impl PullError {
    /// The error text after `Failed to pull image "…": `.
    pub fn message(&self) -> String {
        match self {
            PullError::RepositoryNotFound(full) => format!(
                "rpc error: code = Unknown desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
            ),
            PullError::TagNotFound(full) => format!(
                "rpc error: code = NotFound desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {full}: not found"
            ),
        }
    }
}

fn catalog() -> &'static [ImageEntry] {
    static CATALOG: OnceLock<Vec<ImageEntry>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        // A broken catalog is a build defect the unit test below catches; at run time it
        // degrades to "no image exists" instead of panicking.
        serde_saphyr::from_str::<Value>(CATALOG_YAML)
            .ok()
            .and_then(|v| serde_json::from_value::<CatalogFile>(v).ok())
            .map(|c| c.images)
            .unwrap_or_default()
    })
}

/// A tag pattern: `#` is exactly one digit, a trailing `*` any rest, anything else itself.
fn tag_matches(pattern: &str, tag: &str) -> bool {
    let (pattern, rest_any) = match pattern.strip_suffix('*') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), tag.chars().collect());
    if t.len() < p.len() || (!rest_any && t.len() != p.len()) {
        return false;
    }
    p.iter().zip(&t).all(|(pc, tc)| {
        if *pc == '#' {
            tc.is_ascii_digit()
        } else {
            pc == tc
        }
    })
}

/// The catalog entry an image reference pulls, or why it cannot be pulled.
pub fn lookup(image: &str) -> Result<&'static ImageEntry, PullError> {
    let r = ImageRef::parse(image);
    let Some(entry) = catalog().iter().find(|e| e.repository == r.repository) else {
        return Err(PullError::RepositoryNotFound(r.full()));
    };
    if r.digest.is_some() && r.tag.is_empty() {
        return Ok(entry);
    }
    if entry.tags.iter().any(|p| tag_matches(p, &r.tag)) {
        Ok(entry)
    } else {
        Err(PullError::TagNotFound(r.full()))
    }
}

/// The words of a command line: `sh -c "python -m http.server 9000"` gives every word.
fn words(argv: &[String]) -> Vec<String> {
    argv.iter()
        .flat_map(|a| {
            a.split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|')
                .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn parse_port(v: &str) -> Option<u16> {
    let v = v.rsplit(':').next().unwrap_or(v);
    v.parse().ok()
}

/// Expand `$(VAR)` references in a container's command and args, as the kubelet does.
fn expand(s: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = s.to_string();
    for (k, v) in env {
        out = out.replace(&format!("$({k})"), v);
    }
    out
}

/// What the container `c` (a pod spec container, as JSON) does once its image is pulled.
pub fn behaviour(entry: &'static ImageEntry, c: &Value) -> Behaviour {
    let env: BTreeMap<String, String> = c["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e["name"].as_str()?.to_string(),
                e["value"].as_str()?.to_string(),
            ))
        })
        .collect();
    let argv: Vec<String> = ["command", "args"]
        .iter()
        .flat_map(|f| c[*f].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .map(|s| expand(s, &env))
        .collect();
    let words = words(&argv);
    static NOTHING: Run = Run {
        when: None,
        listen: Vec::new(),
        exits: false,
        exit_code: 0,
        sigterm: None,
    };
    let run: &'static Run = entry
        .runs
        .iter()
        .find(|r| match &r.when {
            None => true,
            Some(w) => words
                .iter()
                .any(|x| x == w || x.rsplit('/').next() == Some(w.as_str())),
        })
        .unwrap_or(&NOTHING);
    let listeners = run
        .listen
        .iter()
        .filter_map(|l| {
            let mut port = l.port;
            if let Some(var) = &l.port_env
                && let Some(p) = env.get(var).and_then(|v| parse_port(v))
            {
                port = p;
            }
            for flag in &l.port_flags {
                for (i, w) in words.iter().enumerate() {
                    if let Some(v) = w.strip_prefix(&format!("{flag}="))
                        && let Some(p) = parse_port(v)
                    {
                        port = p;
                    } else if w == flag
                        && let Some(p) = words.get(i + 1).and_then(|v| parse_port(v))
                    {
                        port = p;
                    }
                }
            }
            if let Some(after) = &l.port_after
                && let Some(i) = words.iter().position(|w| w == after)
                && let Some(p) = words.get(i + 1).and_then(|v| v.parse().ok())
            {
                port = p;
            }
            (port != 0).then(|| Listener {
                port,
                protocol: l.protocol.clone().unwrap_or_else(|| "TCP".into()),
                http: l.http.as_ref(),
                spec: l,
            })
        })
        .collect();
    Behaviour {
        listeners,
        exits: run.exits.then_some(run.exit_code),
        prompt_sigterm: run.sigterm.as_deref() != Some("wait"),
    }
}

/// A stable digest for an image reference (the `imageID` the runtime reports).
pub fn digest_of(repository: &str, tag: &str) -> String {
    format!("sha256:{}", hex64(&format!("{repository}:{tag}")))
}

/// 64 hex characters derived from `seed` (FNV-1a, chained): stable ids such as container IDs.
pub fn hex64(seed: &str) -> String {
    let mut out = String::with_capacity(64);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for round in 0u8..4 {
        for b in seed.bytes().chain([round]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_catalog_parses_and_lists_the_images_drills_use() {
        assert!(catalog().len() >= 10);
        assert!(lookup("nginx").is_ok());
        assert!(lookup("nginx:1.27").is_ok());
        assert!(lookup("docker.io/library/nginx:alpine").is_ok());
        assert!(lookup("registry.k8s.io/coredns/coredns:v1.12.1").is_ok());
        assert!(matches!(
            lookup("nginx:1.277x"),
            Err(PullError::TagNotFound(_))
        ));
        assert!(matches!(
            lookup("ngnix"),
            Err(PullError::RepositoryNotFound(_))
        ));
    }

    #[test]
    fn references_normalise_as_containerd_does() {
        assert_eq!(
            ImageRef::parse("nginx").full(),
            "docker.io/library/nginx:latest"
        );
        assert_eq!(
            ImageRef::parse("hashicorp/http-echo:1.0").full(),
            "docker.io/hashicorp/http-echo:1.0"
        );
        assert_eq!(
            ImageRef::parse("localhost:5000/app").full(),
            "localhost:5000/app:latest"
        );
    }

    #[test]
    fn command_lines_change_the_ports_a_container_listens_on() {
        let echo = lookup("hashicorp/http-echo").unwrap_or_else(|e| panic!("{e:?}"));
        let b = behaviour(echo, &json!({"args": ["-listen=:8080", "-text=hi"]}));
        assert_eq!(b.listeners[0].port, 8080);
        let agn = lookup("registry.k8s.io/e2e-test-images/agnhost:2.53")
            .unwrap_or_else(|e| panic!("{e:?}"));
        let b = behaviour(agn, &json!({"args": ["netexec", "--http-port", "9000"]}));
        assert_eq!(b.listeners[0].port, 9000);
        assert_eq!(b.listeners[0].http_status("/hostname"), Some(200));
        let bb = lookup("busybox").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(behaviour(bb, &json!({})).exits, Some(0));
        let sleep = behaviour(bb, &json!({"command": ["sleep", "3600"]}));
        assert_eq!(sleep.exits, None);
        assert!(!sleep.prompt_sigterm);
        let py = lookup("python:3.12").unwrap_or_else(|e| panic!("{e:?}"));
        let b = behaviour(
            py,
            &json!({"command": ["sh", "-c", "python -m http.server 9090"]}),
        );
        assert_eq!(b.listeners[0].port, 9090);
        let ks = lookup("kicbase/echo-server:1.0").unwrap_or_else(|e| panic!("{e:?}"));
        let b = behaviour(ks, &json!({"env": [{"name": "PORT", "value": "9999"}]}));
        assert_eq!(b.listeners[0].port, 9999);
    }
}
