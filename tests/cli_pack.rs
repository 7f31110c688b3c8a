//! `kubedrill pack validate` and `kubedrill list`, run as the binary: the built-in pack is
//! valid for three seeds (every scenario broken when seeded, fixed by its reference solution,
//! through the API server and real probe pods), and a broken pack is refused with its reasons.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn kubedrill(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_kubedrill"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn the_builtin_pack_validates_for_three_seeds() {
    // `scenarios/` holds the packs (`core/`): the folder stands for the packs in it.
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let (code, out, err) = kubedrill(&["pack", "validate", &scenarios.display().to_string()]);
    let last = out.lines().last().unwrap_or_default();
    assert_eq!(code, 0, "{out}{err}");
    let n: usize = last
        .strip_suffix(" scenarios valid")
        .unwrap_or_else(|| panic!("last line: {last}"))
        .parse()
        .unwrap();
    assert!(n >= 30, "{last}");
    assert_eq!(out.lines().filter(|l| l.starts_with("ok    ")).count(), n);
}

/// A copy of one built-in scenario in a pack of its own, edited by `edit`.
fn pack_with(id: &str, edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/core");
    std::fs::copy(src.join("pack.yaml"), dir.path().join("pack.yaml")).unwrap();
    let text = std::fs::read_to_string(src.join(format!("{id}.yaml"))).unwrap();
    std::fs::write(dir.path().join(format!("{id}.yaml")), edit(text)).unwrap();
    dir
}

#[test]
fn a_scenario_whose_solution_fixes_nothing_fails_validation() {
    let dir = pack_with("sel-service-selector-typo", |t| {
        let (head, rest) = t.split_once("  steps:").unwrap();
        let tail = rest.split_once("\nexplanation:").unwrap().1;
        format!("{head}  steps: []\nexplanation:{tail}")
    });
    let (code, out, _) = kubedrill(&[
        "pack",
        "validate",
        "--seeds",
        "1",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAIL  sel-service-selector-typo seed 0: check endpoints fails after the reference solution"),
        "{out}"
    );
    assert_eq!(out.lines().last(), Some("1 of 1 scenarios failed"));
}

#[test]
fn a_pack_that_does_not_load_names_file_line_and_column() {
    let dir = pack_with("sel-service-selector-typo", |t| {
        t.replacen("title:", "titel:", 1)
    });
    let (code, out, _) = kubedrill(&["pack", "validate", &dir.path().display().to_string()]);
    assert_eq!(code, 1, "{out}");
    let first = out.lines().next().unwrap_or_default();
    assert!(first.contains("sel-service-selector-typo.yaml:2:"), "{out}");
    assert!(first.contains("titel"), "{out}");
    assert_eq!(out.lines().last(), Some("1 of 1 scenarios failed"));
}

#[test]
fn list_json_names_every_scenario_with_its_pack_difficulty_domain_and_tags() {
    let (code, out, err) = kubedrill(&["list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let items = v.as_array().unwrap();
    assert!(items.len() >= 30);
    let typo = items
        .iter()
        .find(|i| i["id"] == "sel-service-selector-typo")
        .unwrap();
    assert_eq!(typo["pack"], "core");
    assert!(
        typo["difficulty"]
            .as_u64()
            .is_some_and(|d| (1..=3).contains(&d))
    );
    assert!(typo["domain"].as_str().is_some_and(|d| !d.is_empty()));
    assert!(typo["tags"].is_array());
    assert!(typo["title"].as_str().is_some_and(|t| !t.is_empty()));

    let (code, out, _) = kubedrill(&["list"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("ID "));
    assert!(out.contains("sel-service-selector-typo"));
}
