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

/// Whether `path` is the user's own `~/.kube/config`.
pub fn is_user_config(path: &Path) -> bool {
    std::env::var_os("HOME").is_some_and(|home| path == Path::new(&home).join(".kube/config"))
}

/// Write `text` to `path` with mode 0600, creating the directory.
pub fn write(path: &Path, text: &str) -> Result<(), KubeconfigError> {
    if is_user_config(path) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(name: &str) -> Context {
        Context {
            name: name.into(),
            server: "https://127.0.0.1:6443".into(),
            ca_pem: "PEM".into(),
            token: "t0k".into(),
        }
    }

    #[test]
    fn kubeconfig_has_one_context_per_cluster_and_the_first_is_current() {
        let text = render(&[ctx("exam-1"), ctx("exam-2")]);
        assert!(text.contains("current-context: exam-1\n"));
        assert!(
            text.contains("- name: exam-2\n  context:\n    cluster: exam-2\n    user: exam-2\n")
        );
        assert!(text.contains("    certificate-authority-data: UEVN\n"));
        assert!(text.contains("    token: t0k\n"));
        assert!(text.contains("    server: https://127.0.0.1:6443\n"));
    }

    #[cfg(unix)]
    #[test]
    fn kubeconfig_is_written_owner_only_even_over_a_wider_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("kubedrill-kc-{}", std::process::id()));
        let path = dir.join("sub/kubeconfig");
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(&path, "old").expect("seed");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        write(&path, "new").expect("write");
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_users_own_kubeconfig_is_never_written() {
        let Some(home) = std::env::var_os("HOME") else {
            return;
        };
        let path = Path::new(&home).join(".kube/config");
        assert!(matches!(
            write(&path, "x"),
            Err(KubeconfigError::UserConfig(_))
        ));
    }
}
