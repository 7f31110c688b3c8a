#![allow(clippy::unwrap_used)]
mod pack_common;
use kubedrill_scenario::{ProbeResults, grade};
#[test]
fn dump() {
    let pack = pack_common::builtin();
    for s in &pack.scenarios {
        let inst = s.instantiate(1).unwrap();
        let mut d = pack_common::seed(&inst).unwrap();
        let b = grade(&inst, &d.snapshot(), &ProbeResults::new());
        d.solve().unwrap();
        let a = grade(&inst, &d.snapshot(), &ProbeResults::new());
        println!("== {}", inst.scenario.id);
        for (x, y) in b.checks.iter().zip(&a.checks) {
            if x.explanation.contains("probe did not run") || x.explanation.contains("no node was probed") { continue; }
            println!("  {:<22} before {:5} {}\n  {:<22} after  {:5} {}", x.id, x.passed, x.explanation, "", y.passed, y.explanation);
        }
    }
}
