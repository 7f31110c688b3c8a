//! The kubeconfig `kubedrill serve` writes: one cluster, user and context per served cluster,
//! the per-run CA inline, token auth; written with mode 0600 at
//! `$XDG_DATA_HOME/kubedrill/kubeconfig` (or `~/.local/share/kubedrill/kubeconfig`) and never
//! over the user's `~/.kube/config`.

use base64::Engine;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One context of the kubeconfig.
#[derive(Debug, Clone)]
pub struct Context {
    pub name: String,
    pub server: String,
    pub ca_pem: String,
    pub token: String,
}

/// The default path, from the environment.
pub fn default_path() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".local/share"),
    };
    Some(base.join("kubedrill").join("kubeconfig"))
}

/// The kubeconfig text; the first context is the current one.
pub fn render(contexts: &[Context]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut s = String::from("apiVersion: v1\nkind: Config\nclusters:\n");
    for c in contexts {
        s.push_str(&format!(
            "- name: {n}\n  cluster:\n    server: {srv}\n    certificate-authority-data: {ca}\n",
            n = c.name,
            srv = c.server,
            ca = b64.encode(c.ca_pem.as_bytes())
        ));
    }
    s.push_str("users:\n");
    for c in contexts {
        s.push_str(&format!(
            "- name: {n}\n  user:\n    token: {t}\n",
            n = c.name,
            t = c.token
        ));
    }
    s.push_str("contexts:\n");
    for c in contexts {
        s.push_str(&format!(
            "- name: {n}\n  context:\n    cluster: {n}\n    user: {n}\n    namespace: default\n",
            n = c.name
        ));
    }
    if let Some(first) = contexts.first() {
        s.push_str(&format!("current-context: {}\n", first.name));
    }
    s.push_str("preferences: {}\n");
    s
}

/// Why the kubeconfig was not written.
#[derive(Debug, thiserror::Error)]
pub enum KubeconfigError {
    #[error("refusing to write {0}: kubedrill never touches your own kubeconfig")]
    UserConfig(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Write `text` to `path` with mode 0600, creating the directory.
pub fn write(path: &Path, text: &str) -> Result<(), KubeconfigError> {
    if let Some(home) = std::env::var_os("HOME")
        && path == Path::new(&home).join(".kube/config")
    {
        return Err(KubeconfigError::UserConfig(path.to_path_buf()));
    }
    let io = |source| KubeconfigError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(io)?;
    // An existing file keeps its mode on open: tighten it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io)?;
    }
    f.write_all(text.as_bytes()).map_err(io)
}
