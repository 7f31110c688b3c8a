//! Builds the issue-2 benchmark cluster once and prints wall time, object counts and peak
//! memory (VmHWM, Linux), for the figures criterion does not give: `cargo run --release -p
//! kubedrill-sim --example scale`.

use std::time::Instant;

use kubedrill_sim::{Kind, Sim};

#[path = "../benches/workload.rs"]
mod workload;

fn main() {
    let objs = workload::objects();
    let start = Instant::now();
    // `--writes` keeps the whole watch log so every write can be counted by kind.
    let count_writes = std::env::args().any(|a| a == "--writes");
    let mut config = workload::config();
    if count_writes {
        config.watch_window = 1_000_000;
    }
    // `--window N` sizes the watch log, to see what the log's retained versions cost.
    let args: Vec<String> = std::env::args().collect();
    if let Some(n) = args
        .iter()
        .position(|a| a == "--window")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
    {
        config.watch_window = n;
    }
    let mut sim = workload::new_sim_with(config);
    if let Err(e) = sim.create_all(objs) {
        eprintln!("seeding failed: {e}");
        std::process::exit(1);
    }
    let took = start.elapsed();
    let count = |k| sim.store().count(k);
    println!(
        "built and settled in {:.1} ms: {} pods, {} services, {} endpointslices, {} networkpolicies, {} events, rv {}",
        took.as_secs_f64() * 1e3,
        count(Kind::Pod),
        count(Kind::Service),
        count(Kind::EndpointSlice),
        count(Kind::NetworkPolicy),
        count(Kind::Event),
        sim.resource_version()
    );
    if count_writes {
        writes_per_kind(&sim);
    }
    if std::env::args().any(|a| a == "--sizes") {
        let mut sizes = std::collections::BTreeMap::new();
        for (k, o) in sim.store().all() {
            let e = sizes.entry(k.name()).or_insert((0usize, 0usize));
            e.0 += 1;
            e.1 += serde_json::to_string(&**o).map(|s| s.len()).unwrap_or(0);
        }
        for (k, (n, b)) in sizes {
            println!("  {k:<16} {n:>6} objects {:>8} KiB of JSON", b / 1024);
        }
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM")) {
        println!("peak memory: {}", line.trim_start_matches("VmHWM:").trim());
    }
    // What the settled cluster keeps, against the peak above: the gap is transient work.
    if let Some(line) = status.lines().find(|l| l.starts_with("VmRSS")) {
        println!(
            "resident after settling: {}",
            line.trim_start_matches("VmRSS:").trim()
        );
    }
}

#[allow(dead_code)]
fn writes_per_kind(sim: &Sim) {
    let mut counts = std::collections::BTreeMap::new();
    for kind in Kind::ALL {
        if let Ok(evs) = sim.watch_since(kind, None, 0, &Default::default()) {
            for e in evs {
                *counts
                    .entry((kind.name(), e.event.as_str()))
                    .or_insert(0usize) += 1;
            }
        }
    }
    for ((k, e), n) in counts {
        println!("  {k:<16} {e:<9} {n}");
    }
}
