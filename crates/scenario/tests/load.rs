//! The pack loader: the built-in pack loads, instances are seeded, and every kind of broken
//! pack gets a located, readable error instead of a panic.
// Test helpers outside #[test] fns unwrap too: a failed fixture is a failed test.
#![allow(clippy::unwrap_used)]

use kubedrill_scenario::load::{LoadError, MAX_FILE_BYTES};
use kubedrill_scenario::load_pack;
use std::path::{Path, PathBuf};

fn builtin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/core")
}

const PACK: &str = "id: t\ntitle: T\nversion: 0.1.0\n";

fn good_scenario() -> String {
    std::fs::read_to_string(builtin().join("sel-service-selector-typo.yaml")).unwrap()
}

/// A pack folder with `pack.yaml` and the given files.
fn pack_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pack.yaml"), PACK).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn errors_of(files: &[(&str, &str)]) -> Vec<LoadError> {
    let dir = pack_with(files);
    match load_pack(dir.path()) {
        Ok(_) => panic!("the pack must be rejected"),
        Err(e) => e,
    }
}

#[test]
fn builtin_pack_loads_with_unique_ids() {
    let pack = load_pack(&builtin()).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(pack.meta.id, "core");
    assert!(pack.scenario("sel-service-selector-typo").is_some());
}

#[test]
fn same_seed_same_instance_other_seed_other_attempt() {
    let pack = load_pack(&builtin()).unwrap();
    let s = pack.scenario("sel-service-selector-typo").unwrap();
    let a = s.instantiate(7).unwrap();
    let b = s.instantiate(7).unwrap();
    assert_eq!(a, b);
    let differs = (0..20).any(|seed| s.instantiate(seed).unwrap().vars != a.vars);
    assert!(differs, "seeds must vary the attempt");
    assert_eq!(a.nonce().len(), 8);
    assert!(
        a.scenario.objects.contains(a.nonce()),
        "backends answer with the nonce"
    );
    assert!(
        !a.scenario.objects.contains("{{"),
        "every template rendered"
    );
}

#[test]
fn yaml_syntax_error_is_located() {
    let text = good_scenario().replacen("difficulty: 1", "difficulty: [1", 1);
    let errs = errors_of(&[("s.yaml", &text)]);
    let e = &errs[0];
    assert!(e.file.ends_with("s.yaml"), "{e}");
    assert!(e.at.is_some(), "a syntax error has a line and column: {e}");
}

#[test]
fn unknown_field_is_an_error_at_its_line() {
    let text = good_scenario().replacen("minutes: 6", "minutes: 6\nminuts: 7", 1);
    let line = text.lines().position(|l| l.starts_with("minuts")).unwrap() + 1;
    let errs = errors_of(&[("s.yaml", &text)]);
    let e = &errs[0];
    assert!(e.message.contains("minuts"), "{e}");
    assert_eq!(e.at.map(|a| a.0), Some(line), "{e}");
}

#[test]
fn unknown_template_variable_is_named_with_its_position() {
    let text = good_scenario().replacen("Service `{{svc}}`", "Service `{{svcc}}`", 1);
    assert!(text.contains("{{svcc}}"));
    let errs = errors_of(&[("s.yaml", &text)]);
    let e = &errs[0];
    assert!(e.message.contains("unknown variable `svcc`"), "{e}");
    let line = text.lines().position(|l| l.contains("{{svcc}}")).unwrap() + 1;
    assert_eq!(e.at.map(|a| a.0), Some(line), "{e}");
}

#[test]
fn a_check_must_have_exactly_one_kind() {
    let text = good_scenario().replacen(
        "    field: {object:",
        "    exists: {kind: Service, name: x}\n    field: {object:",
        1,
    );
    let errs = errors_of(&[("s.yaml", &text)]);
    assert!(
        errs[0].message.contains("more than one kind"),
        "{}",
        errs[0]
    );
}

#[test]
fn difficulty_out_of_range_is_explained() {
    let text = good_scenario().replacen("difficulty: 1", "difficulty: 4", 1);
    let errs = errors_of(&[("s.yaml", &text)]);
    assert!(
        errs[0].message.contains("difficulty must be 1, 2 or 3"),
        "{}",
        errs[0]
    );
}

#[test]
fn yaml_alias_bomb_is_refused_not_expanded() {
    let mut bomb = String::from("id: bomb\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let errs = errors_of(&[("bomb.yaml", &bomb)]);
    eprintln!("{}", errs[0]);
    assert!(
        errs[0].message.contains("alias") || errs[0].message.contains("budget"),
        "{}",
        errs[0]
    );
}

#[test]
fn oversized_file_is_refused_with_its_size() {
    let big = "#".repeat(5 * 1024 * 1024);
    let errs = errors_of(&[("big.yaml", &big)]);
    assert!(
        errs[0]
            .message
            .contains(&format!("at most {MAX_FILE_BYTES}")),
        "{}",
        errs[0]
    );
}

#[test]
fn duplicate_scenario_ids_are_refused() {
    let text = good_scenario();
    let errs = errors_of(&[("a.yaml", &text), ("b.yaml", &text)]);
    assert!(errs[0].message.contains("already used"), "{}", errs[0]);
}

#[test]
fn missing_pack_yaml_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let errs = load_pack(dir.path()).unwrap_err();
    assert!(errs[0].file.ends_with("pack.yaml"), "{}", errs[0]);
}
