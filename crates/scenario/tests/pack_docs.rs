//! docs/packs.md stays true: its complete example is a valid scenario that seeds into the
//! simulated cluster, is broken when seeded and fixed by its own solution.
// Test helpers outside #[test] fns unwrap too: a failed fixture is a failed test.
#![allow(clippy::unwrap_used)]

mod pack_common;

use kubedrill_scenario::load::read_scenario;
use kubedrill_scenario::{ProbeResults, grade};
use std::path::Path;

fn example() -> String {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/packs.md");
    let text = std::fs::read_to_string(docs).unwrap();
    let (_, tail) = text.split_once("## A complete example").unwrap();
    let (_, block) = tail.split_once("```yaml\n").unwrap();
    block.split_once("\n```").unwrap().0.to_string()
}

#[test]
fn the_documented_example_loads_seeds_and_is_solved_by_its_solution() {
    let source =
        read_scenario(Path::new("example.yaml"), example()).unwrap_or_else(|e| panic!("{e}"));
    for seed in 0..3 {
        let inst = source.instantiate(seed).unwrap();
        let mut drill = pack_common::seed(&inst).unwrap();
        let before = grade(&inst, &drill.snapshot(), &ProbeResults::new());
        assert!(
            !before
                .checks
                .iter()
                .find(|c| c.id == "endpoints")
                .unwrap()
                .passed
        );
        drill.solve().unwrap();
        let after = grade(&inst, &drill.snapshot(), &ProbeResults::new());
        for id in ["endpoints", "deployment-unchanged"] {
            let c = after.checks.iter().find(|c| c.id == id).unwrap();
            assert!(c.passed, "{id}: {}", c.explanation);
        }
    }
}

#[test]
fn the_documented_example_is_the_built_in_model_scenario_plus_comments() {
    // The example is annotated; the built-in file is the same scenario. Same id, same checks.
    let pack = pack_common::builtin();
    let builtin = pack_common::scenario(&pack, "sel-service-selector-typo");
    let doc = read_scenario(Path::new("example.yaml"), example()).unwrap();
    assert_eq!(doc.scenario.id, builtin.scenario.id);
    assert_eq!(doc.head.vars, builtin.head.vars);
}
