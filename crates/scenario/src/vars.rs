//! Seeded variables and `{{ name }}` templating: the same scenario and seed always give the same
//! names, ports and nonce, and different seeds give different attempts.
//!
//! Templating is textual over the whole scenario file, then the result is parsed again: a
//! value cannot change the line numbers of what follows it (values are single-line), so load
//! errors of an instance still point at the instructor's file.

use std::collections::BTreeMap;

use crate::model::{Head, Scenario, VarSpec};

/// Built-in variables every template may use: the three of the attempt, then the facts of the
/// cluster it runs on (`ClusterFacts`).
pub const BUILTINS: [&str; 5] = ["scenario", "seed", "nonce", "node_name", "node_ip"];

/// What a scenario may know of the cluster before seeding it: one worker node (the first that
/// is not a control plane), for "external" servers that run on a node's host network and the
/// hand-written Endpoints that point at them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterFacts {
    pub node_name: String,
    pub node_ip: String,
}

impl Default for ClusterFacts {
    /// The simulated cluster's first worker (`ClusterConfig::default()` in kubedrill-sim): what
    /// menus and `pack validate` render with.
    fn default() -> Self {
        ClusterFacts {
            node_name: "node01".to_string(),
            node_ip: "172.30.1.3".to_string(),
        }
    }
}

/// A scenario made concrete for one seed: every template rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub scenario: Scenario,
    pub seed: u64,
    pub vars: BTreeMap<String, String>,
}

impl Instance {
    /// The per-attempt nonce backends answer with.
    pub fn nonce(&self) -> &str {
        self.vars
            .get("nonce")
            .map(String::as_str)
            .unwrap_or_default()
    }
}

/// A template problem, with the 1-based line and column of the `{{`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct TemplateError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// SplitMix64, seeded per variable so adding a variable never reshuffles the others.
struct Rng(u64);

impl Rng {
    fn for_var(seed: u64, name: &str) -> Rng {
        // FNV-1a of the name, mixed with the seed.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in name.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Values of every variable (built-ins included) for `seed` on a cluster with `facts`.
pub fn values(
    scenario: &Head,
    seed: u64,
    facts: &ClusterFacts,
) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    out.insert("scenario".to_string(), scenario.id.clone());
    out.insert("seed".to_string(), seed.to_string());
    out.insert(
        "nonce".to_string(),
        format!("{:08x}", Rng::for_var(seed, &scenario.id).next() as u32),
    );
    out.insert("node_name".to_string(), facts.node_name.clone());
    out.insert("node_ip".to_string(), facts.node_ip.clone());
    for (name, spec) in &scenario.vars {
        if BUILTINS.contains(&name.as_str()) {
            return Err(format!("variable {name:?} shadows a built-in"));
        }
        let mut rng = Rng::for_var(seed, name);
        let v = match spec {
            VarSpec::Pick(options) if options.is_empty() => {
                return Err(format!("variable {name:?}: pick needs at least one value"));
            }
            VarSpec::Pick(options) => options[(rng.next() % options.len() as u64) as usize].clone(),
            VarSpec::Int([min, max]) if min > max => {
                return Err(format!(
                    "variable {name:?}: int range [{min}, {max}] is empty"
                ));
            }
            VarSpec::Int([min, max]) => {
                let span = (max - min) as u64 + 1;
                (min + (rng.next() % span) as i64).to_string()
            }
            VarSpec::Value(v) => v.clone(),
            VarSpec::Template(_) => continue,
        };
        if v.contains('\n') {
            return Err(format!("variable {name:?}: values must be one line"));
        }
        if v.contains("{{") {
            return Err(format!(
                "variable {name:?}: {v:?} is not rendered; build values from other variables with `template:`"
            ));
        }
        out.insert(name.clone(), v);
    }
    // Templates may use other templates; resolve in rounds, as many as there are templates.
    let templates: Vec<(&String, &String)> = scenario
        .vars
        .iter()
        .filter_map(|(n, s)| match s {
            VarSpec::Template(t) => Some((n, t)),
            _ => None,
        })
        .collect();
    let mut pending = templates.clone();
    for _ in 0..=templates.len() {
        let mut still = Vec::new();
        for (name, t) in pending {
            match render(t, &out) {
                Ok(v) => {
                    out.insert(name.clone(), v);
                }
                Err(_) => still.push((name, t)),
            }
        }
        pending = still;
        if pending.is_empty() {
            break;
        }
    }
    if let Some((name, t)) = pending.first() {
        let e = render(t, &out).err().map(|e| e.message).unwrap_or_default();
        return Err(format!(
            "variable {name:?}: {e} (or a cycle between templates)"
        ));
    }
    Ok(out)
}

/// Replace every `{{ name }}` in `text`.
pub fn render(text: &str, vars: &BTreeMap<String, String>) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut consumed = 0;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(error_at(
                text,
                consumed + start,
                "`{{` without a closing `}}`",
            ));
        };
        let name = after[..end].trim();
        match vars.get(name) {
            Some(v) => out.push_str(v),
            None => {
                let known: Vec<&str> = vars.keys().map(String::as_str).collect();
                return Err(error_at(
                    text,
                    consumed + start,
                    &format!("unknown variable `{name}` (known: {})", known.join(", ")),
                ));
            }
        }
        let skip = start + 2 + end + 2;
        consumed += skip;
        rest = &rest[skip..];
    }
    out.push_str(rest);
    Ok(out)
}

fn error_at(text: &str, offset: usize, message: &str) -> TemplateError {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    TemplateError {
        line,
        column,
        message: message.to_string(),
    }
}

/// Render the scenario's source text for `seed` (on the simulated cluster's facts) and parse
/// the result: the instance.
pub fn instantiate(
    source: &str,
    head: &Head,
    seed: u64,
) -> Result<Instance, crate::load::LoadError> {
    instantiate_on(source, head, seed, &ClusterFacts::default())
}

/// `instantiate` for a cluster with these facts.
pub fn instantiate_on(
    source: &str,
    head: &Head,
    seed: u64,
    facts: &ClusterFacts,
) -> Result<Instance, crate::load::LoadError> {
    let vars = values(head, seed, facts).map_err(|m| crate::load::LoadError::new("", None, m))?;
    let text = render(source, &vars)
        .map_err(|e| crate::load::LoadError::new("", Some((e.line, e.column)), e.message))?;
    let scenario = crate::load::parse_scenario(&text, "")?;
    Ok(Instance {
        scenario,
        seed,
        vars,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn render_substitutes_with_and_without_spaces() {
        let v = vars(&[("app", "web"), ("port", "8080")]);
        assert_eq!(render("{{app}}:{{ port }}", &v).unwrap(), "web:8080");
    }

    #[test]
    fn unknown_variable_is_an_error_with_its_position() {
        let e = render("a: 1\nb: x{{nope}}\n", &vars(&[("app", "web")])).unwrap_err();
        assert_eq!((e.line, e.column), (2, 5));
        assert!(
            e.message.contains("unknown variable `nope`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn unclosed_braces_are_an_error() {
        let e = render("x {{app", &vars(&[("app", "web")])).unwrap_err();
        assert!(e.message.contains("without a closing"));
    }
}
