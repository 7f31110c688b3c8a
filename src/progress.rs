//! The learner's progress on disk: every attempt (scenario, seed, time taken, score, hints
//! used, given up or not), as JSON with a schema version under the platform's data directory.
//! Written atomically (temporary file, fsync, rename); a file that cannot be read is moved
//! aside with a warning, never dropped and never a crash.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const SCHEMA_VERSION: u32 = 1;
const FILE: &str = "progress.json";

/// One drill attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub scenario: String,
    pub seed: u64,
    pub domain: String,
    /// RFC 3339.
    pub started_at: String,
    /// Seconds from the start to the first all-passing check (or to giving up / leaving).
    pub seconds: u64,
    pub passed: bool,
    /// Best score seen, percent.
    pub score: u32,
    pub hints: u32,
    pub gave_up: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub version: u32,
    pub attempts: Vec<Attempt>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            version: SCHEMA_VERSION,
            attempts: Vec::new(),
        }
    }
}

/// Where a scenario stands for the learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    New,
    Attempted,
    Solved,
}

impl Progress {
    pub fn status(&self, scenario: &str) -> Status {
        let mut seen = false;
        for a in self.attempts.iter().filter(|a| a.scenario == scenario) {
            if a.passed && !a.gave_up {
                return Status::Solved;
            }
            seen = true;
        }
        if seen { Status::Attempted } else { Status::New }
    }

    /// Fastest solve, in seconds.
    pub fn best_seconds(&self, scenario: &str) -> Option<u64> {
        self.attempts
            .iter()
            .filter(|a| a.scenario == scenario && a.passed && !a.gave_up)
            .map(|a| a.seconds)
            .min()
    }

    /// Per CKA domain: (solved, attempted).
    pub fn by_domain(&self) -> BTreeMap<String, (u32, u32)> {
        let mut m: BTreeMap<String, (u32, u32)> = BTreeMap::new();
        for a in &self.attempts {
            let e = m.entry(a.domain.clone()).or_default();
            e.1 += 1;
            if a.passed && !a.gave_up {
                e.0 += 1;
            }
        }
        m
    }
}

/// The default data directory (`~/.local/share/kubedrill` on Linux).
pub fn default_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "kubedrill", "kubedrill")
        .map(|d| d.data_dir().to_path_buf())
}

/// Read the progress in `dir`. A missing file is a fresh start; an unreadable one is renamed
/// `progress.json.corrupt-<n>` and reported in the warning, and a fresh start returned.
pub fn load(dir: &Path) -> (Progress, Option<String>) {
    let path = dir.join(FILE);
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Progress::default(), None),
        Err(e) => {
            return (
                Progress::default(),
                Some(format!(
                    "cannot read {}: {e}; progress is not saved this session",
                    path.display()
                )),
            );
        }
    };
    let parsed: Result<Progress, String> = serde_json::from_slice(&text)
        .map_err(|e| e.to_string())
        .and_then(|p: Progress| {
            if p.version == SCHEMA_VERSION {
                Ok(p)
            } else {
                Err(format!(
                    "schema version {} (this kubedrill reads {SCHEMA_VERSION})",
                    p.version
                ))
            }
        });
    match parsed {
        Ok(p) => (p, None),
        Err(why) => {
            let aside = (1..)
                .map(|n| dir.join(format!("{FILE}.corrupt-{n}")))
                .find(|p| !p.exists())
                .unwrap_or_else(|| dir.join(format!("{FILE}.corrupt")));
            let moved = std::fs::rename(&path, &aside);
            let warning = match moved {
                Ok(()) => format!(
                    "{} could not be read ({why}); it was moved to {} and a new one started",
                    path.display(),
                    aside.display()
                ),
                Err(e) => format!(
                    "{} could not be read ({why}) nor moved aside ({e})",
                    path.display()
                ),
            };
            (Progress::default(), Some(warning))
        }
    }
}

/// Write the progress into `dir` atomically.
pub fn save(dir: &Path, p: &Progress) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(FILE);
    let tmp = dir.join(format!("{FILE}.tmp"));
    let text = serde_json::to_vec_pretty(p).map_err(|e| e.to_string())?;
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&text)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        // The rename is durable once the directory is synced too.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    };
    write().map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(scenario: &str, passed: bool, seconds: u64) -> Attempt {
        Attempt {
            scenario: scenario.into(),
            seed: 1,
            domain: "Troubleshooting".into(),
            started_at: "2026-11-25T08:00:00Z".into(),
            seconds,
            passed,
            score: if passed { 100 } else { 40 },
            hints: 0,
            gave_up: false,
        }
    }

    #[test]
    fn progress_round_trips_and_knows_each_scenarios_status() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut p = Progress::default();
        p.attempts.push(attempt("a", false, 300));
        p.attempts.push(attempt("a", true, 200));
        p.attempts.push(attempt("a", true, 150));
        p.attempts.push(attempt("b", false, 90));
        save(dir.path(), &p).expect("save");
        let (back, warning) = load(dir.path());
        assert_eq!(warning, None);
        assert_eq!(back, p);
        assert_eq!(back.status("a"), Status::Solved);
        assert_eq!(back.status("b"), Status::Attempted);
        assert_eq!(back.status("c"), Status::New);
        assert_eq!(back.best_seconds("a"), Some(150));
        assert_eq!(back.by_domain()["Troubleshooting"], (2, 4));
        assert!(!dir.path().join("progress.json.tmp").exists());
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_never_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(FILE), "{\"version\": 1, \"attempts\": [tru")
            .expect("write");
        let (p, warning) = load(dir.path());
        assert_eq!(p, Progress::default());
        let w = warning.expect("a warning");
        assert!(w.contains("progress.json.corrupt-1"), "{w}");
        let kept =
            std::fs::read_to_string(dir.path().join("progress.json.corrupt-1")).expect("kept");
        assert!(
            kept.contains("attempts"),
            "the learner's data is kept as it was"
        );
        // A second corrupt file does not overwrite the first.
        std::fs::write(dir.path().join(FILE), "nope").expect("write");
        let (_, w) = load(dir.path());
        assert!(w.expect("warning").contains("corrupt-2"));
    }

    #[test]
    fn a_file_from_a_newer_kubedrill_is_moved_aside_too() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(FILE), "{\"version\": 99, \"attempts\": []}")
            .expect("write");
        let (_, w) = load(dir.path());
        assert!(w.expect("warning").contains("schema version 99"));
    }
}
