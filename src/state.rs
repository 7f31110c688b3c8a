//! What `kubedrill serve --scenario` leaves beside its kubeconfig so a later `grade` or `solve`
//! knows the drill: the scenario, the seed, and every object as seeded (invariant checks
//! compare against it). Written atomically; an unreadable file is an error that names it.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bumped when the layout changes incompatibly.
pub const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillState {
    pub version: u32,
    pub scenario: String,
    pub pack: String,
    pub seed: u64,
    /// The kubeconfig context the drill lives in.
    pub context: String,
    pub seeded: Vec<Value>,
    /// Seeded by `kubedrill serve`: the whole (simulated) cluster is kubedrill's.
    #[serde(default)]
    pub whole_cluster: bool,
}

/// `<kubeconfig>.drill.json`.
pub fn path_for(kubeconfig: &Path) -> PathBuf {
    let mut name = kubeconfig.file_name().unwrap_or_default().to_os_string();
    name.push(".drill.json");
    kubeconfig.with_file_name(name)
}

/// Where the drill on a real cluster's `context` is recorded:
/// `$XDG_DATA_HOME/kubedrill/drills/<context>.json` (never beside the user's kubeconfig).
pub fn path_for_context(context: &str) -> Option<PathBuf> {
    let data = kubedrill_apiserver::kubeconfig::default_path()?;
    let safe: String = context
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Some(data.parent()?.join("drills").join(format!("{safe}.json")))
}

impl DrillState {
    /// Write to `path`: a temporary file in the same directory, synced, then renamed over.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let text = serde_json::to_vec(self).map_err(|e| e.to_string())?;
        let tmp = path.with_extension("json.tmp");
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&text)?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Read `path`; `Ok(None)` when there is none.
    pub fn load(path: &Path) -> Result<Option<DrillState>, String> {
        let text = match std::fs::read(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let state: DrillState = serde_json::from_slice(&text)
            .map_err(|e| format!("{}: not a kubedrill drill file: {e}", path.display()))?;
        if state.version != STATE_VERSION {
            return Err(format!(
                "{}: drill file version {} (this kubedrill reads {STATE_VERSION}); start the drill again",
                path.display(),
                state.version
            ));
        }
        Ok(Some(state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_a_corrupt_file_is_named_in_the_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let kc = dir.path().join("kubeconfig");
        let p = path_for(&kc);
        assert_eq!(
            p.file_name().and_then(|n| n.to_str()),
            Some("kubeconfig.drill.json")
        );
        assert_eq!(DrillState::load(&p), Ok(None));
        let s = DrillState {
            version: STATE_VERSION,
            scenario: "x".into(),
            pack: "core".into(),
            seed: 7,
            context: "kubedrill".into(),
            seeded: vec![serde_json::json!({"kind": "Pod"})],
            whole_cluster: true,
        };
        s.save(&p).expect("save");
        assert_eq!(DrillState::load(&p), Ok(Some(s)));
        std::fs::write(&p, "{not json").expect("write");
        let e = DrillState::load(&p).expect_err("corrupt");
        assert!(
            e.contains("kubeconfig.drill.json: not a kubedrill drill file"),
            "{e}"
        );
    }
}
