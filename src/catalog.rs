//! Where scenarios come from: the built-in pack compiled into the binary, plus any pack folders
//! the user names. Looks a scenario up by id, with a suggestion when the id is mistyped.

use kubedrill_scenario::load::ScenarioSource;
use kubedrill_scenario::{Pack, load_pack};
use serde::Serialize;
use std::path::PathBuf;

/// Every pack in use, the built-in one first.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub packs: Vec<Pack>,
}

/// One line of `kubedrill list`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ScenarioInfo {
    pub id: String,
    pub title: String,
    pub pack: String,
    pub difficulty: u8,
    pub domain: String,
    pub tags: Vec<String>,
    pub minutes: u32,
    pub weight: u32,
    pub requires: Vec<String>,
}

impl Catalog {
    /// The built-in pack and the packs in `dirs`; every load error, with file:line:column.
    pub fn load(dirs: &[PathBuf]) -> Result<Catalog, String> {
        let mut packs = vec![crate::drill::builtin_pack()?];
        for d in dirs {
            let p = load_pack(d).map_err(|errs| {
                let lines: Vec<String> = errs.iter().map(ToString::to_string).collect();
                lines.join("\n")
            })?;
            packs.push(p);
        }
        Ok(Catalog { packs })
    }

    /// The scenario `id` and the id of its pack. A later pack's scenario of the same id
    /// shadows the built-in one, so an instructor can override it.
    pub fn find(&self, id: &str) -> Result<(&Pack, &ScenarioSource), String> {
        if let Some(found) = self
            .packs
            .iter()
            .rev()
            .find_map(|p| p.scenario(id).map(|s| (p, s)))
        {
            return Ok(found);
        }
        let mut msg = format!("unknown scenario {id:?}");
        if let Some(near) = self.nearest(id) {
            msg.push_str(&format!("; did you mean {near:?}?"));
        }
        msg.push_str(" (`kubedrill list` shows every scenario)");
        Err(msg)
    }

    fn nearest(&self, id: &str) -> Option<String> {
        self.packs
            .iter()
            .flat_map(|p| &p.scenarios)
            .map(|s| s.scenario.id.clone())
            .map(|cand| (edit_distance(id, &cand), cand))
            .filter(|(d, cand)| *d <= cand.len() / 3 + 1)
            .min()
            .map(|(_, c)| c)
    }

    /// Every scenario, in pack order.
    pub fn infos(&self) -> Vec<ScenarioInfo> {
        self.packs
            .iter()
            .flat_map(|p| {
                p.scenarios.iter().map(move |s| {
                    let sc = &s.scenario;
                    ScenarioInfo {
                        id: sc.id.clone(),
                        title: sc.title.clone(),
                        pack: p.meta.id.clone(),
                        difficulty: sc.difficulty.get(),
                        domain: sc.domain.clone(),
                        tags: sc.tags.clone(),
                        minutes: sc.minutes,
                        weight: sc.weight,
                        requires: sc.requires.clone(),
                    }
                })
            })
            .collect()
    }
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistyped_id_is_refused_with_the_nearest_one() {
        let c = Catalog::load(&[]).expect("built-in pack");
        let e = c.find("sel-service-selector-typ").expect_err("unknown");
        assert!(
            e.contains("did you mean \"sel-service-selector-typo\""),
            "{e}"
        );
        assert!(
            c.find("zzzzzzzzzzzzzzzzzzzz")
                .expect_err("unknown")
                .starts_with("unknown scenario")
        );
    }

    #[test]
    fn infos_list_the_builtin_pack() {
        let c = Catalog::load(&[]).expect("built-in pack");
        let infos = c.infos();
        assert!(infos.len() >= 30);
        assert!(
            infos
                .iter()
                .all(|i| (1..=3).contains(&i.difficulty) && !i.domain.is_empty())
        );
    }
}
