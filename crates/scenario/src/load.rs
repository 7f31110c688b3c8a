//! Loading a pack folder: `pack.yaml` plus one YAML file per scenario, each parsed strictly
//! (unknown fields, bad values and template mistakes are errors with file:line:column) and
//! within limits (file size, YAML alias budget), so a hostile pack cannot hang or exhaust
//! kubedrill. Loading runs nothing.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::check::CheckKind;
use crate::model::{Head, PackMeta, Scenario};
use crate::vars::{self, ClusterFacts, Instance};

/// Largest file a pack may contain; a scenario is a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A problem in a pack, located when possible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    pub file: String,
    /// 1-based line and column.
    pub at: Option<(usize, usize)>,
    pub message: String,
}

impl LoadError {
    pub fn new(file: &str, at: Option<(usize, usize)>, message: impl Into<String>) -> Self {
        LoadError {
            file: file.to_string(),
            at,
            message: message.into(),
        }
    }

    pub(crate) fn in_file(mut self, file: &str) -> Self {
        if self.file.is_empty() {
            self.file = file.to_string();
        }
        self
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some((l, c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// A loaded scenario with the text it came from (instances are rendered from the text).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioSource {
    pub path: PathBuf,
    pub text: String,
    pub head: Head,
    /// The scenario rendered with seed 0: what lists and menus show.
    pub scenario: Scenario,
}

impl ScenarioSource {
    /// The scenario made concrete for `seed`, on the simulated cluster.
    pub fn instantiate(&self, seed: u64) -> Result<Instance, LoadError> {
        self.instantiate_on(seed, &ClusterFacts::default())
    }

    /// The scenario made concrete for `seed` on a cluster with these facts.
    pub fn instantiate_on(&self, seed: u64, facts: &ClusterFacts) -> Result<Instance, LoadError> {
        vars::instantiate_on(&self.text, &self.head, seed, facts)
            .map_err(|e| e.in_file(&self.path.display().to_string()))
    }
}

/// A loaded pack.
#[derive(Debug, Clone, PartialEq)]
pub struct Pack {
    pub dir: PathBuf,
    pub meta: PackMeta,
    pub scenarios: Vec<ScenarioSource>,
}

impl Pack {
    pub fn scenario(&self, id: &str) -> Option<&ScenarioSource> {
        self.scenarios.iter().find(|s| s.scenario.id == id)
    }
}

fn options() -> serde_saphyr::Options {
    let mut o = serde_saphyr::Options::default();
    o.with_snippet = false;
    o
}

fn located(file: &str, e: &serde_saphyr::Error) -> LoadError {
    let at = e
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| (l.line() as usize, l.column() as usize));
    // The message without the location prefix the library may add, so we print it once.
    let message = e.to_string();
    let message = match message.split_once(": ") {
        Some((head, tail)) if head.contains("line") => tail.to_string(),
        _ => message,
    };
    LoadError::new(file, at, message)
}

/// Read a scenario file: its head, then its seed-0 rendering, strictly.
pub fn read_scenario(path: &Path, text: String) -> Result<ScenarioSource, LoadError> {
    let name = path.display().to_string();
    let head: Head =
        serde_saphyr::from_str_with_options(&text, options()).map_err(|e| located(&name, &e))?;
    let scenario = vars::instantiate(&text, &head, 0)
        .map_err(|e| e.in_file(&name))?
        .scenario;
    Ok(ScenarioSource {
        path: path.to_path_buf(),
        text,
        head,
        scenario,
    })
}

/// Parse one rendered scenario (strict). `file` names it in errors.
pub fn parse_scenario(text: &str, file: &str) -> Result<Scenario, LoadError> {
    let scenario: Scenario =
        serde_saphyr::from_str_with_options(text, options()).map_err(|e| located(file, &e))?;
    validate(&scenario).map_err(|m| LoadError::new(file, None, m))?;
    Ok(scenario)
}

/// What serde cannot say: one kind per check, unique check ids, an expectation set.
fn validate(s: &Scenario) -> Result<(), String> {
    if s.id.is_empty()
        || !s
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(format!(
            "scenario id {:?} must be lowercase letters, digits and '-'",
            s.id
        ));
    }
    if s.checks.is_empty() {
        return Err(format!("scenario {}: at least one check is required", s.id));
    }
    let mut ids = BTreeSet::new();
    for c in &s.checks {
        if let CheckKind::Field(f) = c.kind()? {
            f.expectation()
                .map_err(|e| format!("scenario {}: check {:?}: {e}", s.id, c.id))?;
        }
        if !ids.insert(c.id.as_str()) {
            return Err(format!(
                "scenario {}: check id {:?} is used twice",
                s.id, c.id
            ));
        }
    }
    Ok(())
}

fn read_limited(path: &Path) -> Result<String, LoadError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| LoadError::new(&name, None, e.to_string()))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(LoadError::new(
            &name,
            None,
            format!(
                "file is {} bytes; pack files may be at most {MAX_FILE_BYTES}",
                meta.len()
            ),
        ));
    }
    std::fs::read_to_string(path).map_err(|e| LoadError::new(&name, None, e.to_string()))
}

/// Load every scenario of a pack folder. All files are read; every error found is returned
/// (sorted by file), so an instructor fixes them in one pass.
pub fn load_pack(dir: &Path) -> Result<Pack, Vec<LoadError>> {
    let meta_path = dir.join("pack.yaml");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().is_some_and(|n| n != "pack.yaml")
                    && p.extension().is_some_and(|x| x == "yaml" || x == "yml")
            })
            .collect(),
        Err(e) => {
            return Err(vec![LoadError::new(
                &dir.display().to_string(),
                None,
                e.to_string(),
            )]);
        }
    };
    files.sort();
    let meta = read_limited(&meta_path);
    let texts = files.into_iter().map(|p| {
        let t = read_limited(&p);
        (p, t)
    });
    assemble(dir, (meta_path.clone(), meta), texts)
}

/// A pack from texts already in memory (the built-in pack compiled into the binary): the same
/// checks as [`load_pack`], with `dir` naming the files in errors.
pub fn load_pack_from_texts(
    dir: &Path,
    pack_yaml: &str,
    scenarios: &[(&str, &str)],
) -> Result<Pack, Vec<LoadError>> {
    let mut sorted: Vec<&(&str, &str)> = scenarios.iter().collect();
    sorted.sort_by_key(|(name, _)| *name);
    let texts = sorted
        .into_iter()
        .map(|(name, text)| (dir.join(name), Ok((*text).to_string())));
    assemble(
        dir,
        (dir.join("pack.yaml"), Ok(pack_yaml.to_string())),
        texts,
    )
}

fn assemble(
    dir: &Path,
    (meta_path, meta_text): (PathBuf, Result<String, LoadError>),
    files: impl Iterator<Item = (PathBuf, Result<String, LoadError>)>,
) -> Result<Pack, Vec<LoadError>> {
    let meta_name = meta_path.display().to_string();
    let mut errors = Vec::new();
    let meta = meta_text.and_then(|text| {
        serde_saphyr::from_str_with_options::<PackMeta>(&text, options())
            .map_err(|e| located(&meta_name, &e))
    });
    let meta = match meta {
        Ok(m) => Some(m),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let mut scenarios = Vec::new();
    let mut seen = BTreeSet::new();
    for (path, text) in files {
        let name = path.display().to_string();
        let loaded = text.and_then(|text| read_scenario(&path, text));
        match loaded {
            Ok(s) => {
                if !seen.insert(s.scenario.id.clone()) {
                    errors.push(LoadError::new(
                        &name,
                        None,
                        format!(
                            "scenario id {:?} is already used in this pack",
                            s.scenario.id
                        ),
                    ));
                    continue;
                }
                scenarios.push(s);
            }
            Err(e) => errors.push(e),
        }
    }
    match meta {
        Some(meta) if errors.is_empty() => Ok(Pack {
            dir: dir.to_path_buf(),
            meta,
            scenarios,
        }),
        _ => Err(errors),
    }
}
