//! The pack format as instructors write it: `pack.yaml` and one file per scenario. Every
//! struct denies unknown fields, so a typo in a pack is an error with its line, not a silently
//! ignored key. `docs/packs.md` documents these fields; keep the two in step.

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::check::Check;

/// `pack.yaml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PackMeta {
    pub id: String,
    pub title: String,
    pub version: String,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub description: String,
    /// The oldest kubedrill that understands this pack (`0.1.0`).
    #[serde(default)]
    pub min_kubedrill: Option<String>,
}

/// 1 (one fault, one command) to 3 (several faults or a construction task).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "u8")]
pub struct Difficulty(u8);

impl Difficulty {
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Difficulty {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, String> {
        if (1..=3).contains(&v) {
            Ok(Difficulty(v))
        } else {
            Err(format!("difficulty must be 1, 2 or 3, got {v}"))
        }
    }
}

/// What is read of a scenario file before templating: its id and variables (the rest may
/// only be valid YAML once `{{ }}` are rendered, e.g. `port: {{port}}`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Head {
    pub id: String,
    #[serde(default)]
    pub vars: BTreeMap<String, VarSpec>,
}

/// One scenario file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub difficulty: Difficulty,
    /// CKA curriculum domain: `Services & Networking`, `Troubleshooting`, …
    pub domain: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Time budget in an exam, minutes.
    #[serde(default = "default_minutes")]
    pub minutes: u32,
    /// Weight of the question in an exam (the CKA's are 4–13 %).
    #[serde(default = "default_weight")]
    pub weight: u32,
    /// What the cluster must offer (`ingress-controller`, `netpol-cni`, `multi-node`, …);
    /// kubedrill marks scenarios a real cluster cannot run instead of failing them.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Exam-style Markdown, templated.
    pub task: String,
    /// Seeded variables, by name (see `vars.rs` for the generators).
    #[serde(default)]
    pub vars: BTreeMap<String, VarSpec>,
    /// Multi-document YAML of the objects to seed, templated.
    pub objects: String,
    /// Steps applied after `objects` to break what the cluster already has (scale CoreDNS to
    /// zero, patch a system object); same forms as the solution's steps.
    #[serde(default)]
    pub setup: Vec<Step>,
    /// Progressive hints: the first nudges, the last nearly answers.
    #[serde(default)]
    pub hints: Vec<String>,
    /// What a good troubleshooter looks at, in order, each recognisable from API requests.
    #[serde(default)]
    pub diagnosis: Vec<DiagnosisStep>,
    pub checks: Vec<Check>,
    pub solution: Solution,
    pub explanation: Explanation,
}

fn default_minutes() -> u32 {
    8
}

fn default_weight() -> u32 {
    4
}

/// How one variable gets its value. Exactly one key.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum VarSpec {
    /// One of these strings.
    Pick(Vec<String>),
    /// An integer in `[min, max]`.
    Int([i64; 2]),
    /// A string built from other variables: `"{{app}}-svc"`.
    Template(String),
    /// A fixed value (useful to name a constant once).
    Value(String),
}

/// A diagnosis step: shown as a checklist in guided mode, ticked when the learner's own
/// request matches.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisStep {
    pub text: String,
    /// The command a learner would type (shown when they ask for it).
    #[serde(default)]
    pub command: Option<String>,
    #[serde(rename = "match")]
    pub matches: RequestMatch,
}

/// A pattern over one audited API request.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RequestMatch {
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`; absent = any.
    #[serde(default)]
    pub verb: Option<String>,
    /// Plural resource: `services`, `endpointslices`, `pods`, …
    pub resource: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub subresource: Option<String>,
}

/// The reference solution.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Solution {
    /// What the learner is shown: kubectl commands, templated.
    pub commands: Vec<String>,
    /// What `kubedrill solve` applies.
    pub steps: Vec<Step>,
}

/// One machine-applicable solution step. Exactly one key.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Step {
    /// Create or replace these objects (multi-document YAML, templated).
    Apply(String),
    /// Patch one object.
    Patch(PatchStep),
    /// Delete one object.
    Delete(ObjectRef),
    /// Set replicas of a Deployment / ReplicaSet / StatefulSet.
    Scale(ScaleStep),
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PatchStep {
    #[serde(flatten)]
    pub target: ObjectRef,
    /// `merge` (default), `strategic` or `json`.
    #[serde(default = "default_patch_type", rename = "type")]
    pub patch_type: String,
    /// The patch body, as YAML (templated strings inside).
    pub patch: serde_json::Value,
}

fn default_patch_type() -> String {
    "merge".to_string()
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScaleStep {
    #[serde(flatten)]
    pub target: ObjectRef,
    pub replicas: u32,
}

/// An object by kind, namespace and name (all templated).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(deny_unknown_fields)]
pub struct ObjectRef {
    /// `Service`, `Deployment`, … (the `kind` field of the object).
    pub kind: String,
    #[serde(default)]
    pub namespace: Option<String>,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// Shown after a check or when the learner gives up.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// What was wrong, templated.
    pub what: String,
    /// The lesson to keep.
    pub lesson: String,
    /// A kubernetes.io page.
    pub docs: String,
}
