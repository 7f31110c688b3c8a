//! Scale check of the endpoint controllers (run with `cargo test --release -- --ignored`):
//! 100 namespaces, 5,000 ready pods, 1,000 Services settled within 300 ms; relabelling one pod
//! and settling within 2 ms. Ignored by default: debug builds are an order of magnitude slower.

mod endpoints_support;

use std::time::{Duration, Instant};

use endpoints_support::*;
use kubedrill_sim::{Kind, PatchType, Subresource};
use serde_json::json;

/// CPU time this thread has run (Linux `schedstat`), so a loaded machine does not skew the
/// measurement; falls back to wall time elsewhere.
fn cpu_now() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// (wall, cpu) time of `f`.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration, Duration) {
    let (c0, t0) = (cpu_now(), Instant::now());
    let out = f();
    let wall = t0.elapsed();
    let cpu = match (c0, cpu_now()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => wall,
    };
    (out, wall, cpu)
}

#[test]
#[ignore = "timing; run in release"]
fn five_thousand_pods_and_a_thousand_services_settle_fast() {
    let mut sim = sim();
    let mut yaml = String::new();
    for n in 0..100 {
        yaml.push_str(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns{n}\n---\n"
        ));
    }
    sim.apply_yaml(&yaml).expect("namespaces");
    let t = Instant::now();
    for n in 0..100u32 {
        let ns = format!("ns{n}");
        for i in 0..50u32 {
            let name = format!("p{i}");
            let app = format!("s{}", i % 10);
            pod_in(
                &mut sim,
                &ns,
                &name,
                &[("app", &app)],
                &[("http", 8080, "TCP")],
            );
            let ip = format!("10.{}.{}.{}", 100 + n / 100, n % 100, i + 1);
            set_status_in(&mut sim, &ns, &name, "Running", &ip, true);
        }
    }
    eprintln!("5000 pods created and made ready: {:?}", t.elapsed());
    let services = |prefix: &str, selector: bool| {
        let mut yaml = String::new();
        for n in 0..100 {
            for j in 0..10 {
                let sel = if selector {
                    format!("  selector:\n    app: s{j}\n")
                } else {
                    String::new()
                };
                yaml.push_str(&format!(
                    "apiVersion: v1\nkind: Service\nmetadata:\n  name: {prefix}{j}\n  namespace: ns{n}\nspec:\n{sel}  ports:\n  - name: web\n    port: 80\n    protocol: TCP\n    targetPort: http\n---\n"
                ));
            }
        }
        yaml
    };
    // Reference: 1,000 Services without a selector, which the endpoint controllers skip —
    // what parsing and the write pipeline alone cost.
    let bare = services("bare", false);
    let (_, _, pipeline) = timed(|| sim.apply_yaml(&bare).expect("bare services"));
    eprintln!("(1000 selector-less services: {pipeline:?} cpu)");
    let yaml = services("svc", true);
    let docs = yaml.clone();
    let (_, parse_wall, parse) =
        timed(|| kubedrill_sim::yaml::parse_documents(&docs).expect("yaml"));
    eprintln!("(parsing the YAML alone: {parse_wall:?} wall, {parse:?} cpu)");
    let (_, wall, settle) = timed(|| sim.apply_yaml(&yaml).expect("services"));
    eprintln!("1000 services applied and settled: {wall:?} wall, {settle:?} cpu");
    assert_eq!(slices_in(&sim, "ns7", "svc3").len(), 1);
    assert!(settle.as_millis() <= 300, "took {settle:?}");

    // Too short for `schedstat` to resolve: wall time it is.
    let (_, relabel, _) = timed(|| {
        sim.patch(
            Kind::Pod,
            "ns42",
            "p3",
            PatchType::Merge,
            &json!({"metadata": {"labels": {"app": "s4"}}}),
            Subresource::Main,
        )
        .expect("relabel")
    });
    eprintln!("relabel one pod + settle: {relabel:?} wall");
    let (ep, slice) = (
        endpoints_in(&sim, "ns42", "svc4"),
        slices_in(&sim, "ns42", "svc4"),
    );
    assert_eq!(ep_ips(&ep).0.len(), 6);
    assert_eq!(slice_endpoints(&slice).len(), 6);
    assert!(relabel.as_micros() <= 2000, "took {relabel:?}");
}

#[test]
#[ignore = "timing; run in release"]
fn pods_becoming_ready_under_existing_services_are_cheap_each() {
    let mut sim = sim();
    let mut yaml = String::new();
    for n in 0..100 {
        yaml.push_str(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns{n}\n---\n"
        ));
    }
    sim.apply_yaml(&yaml).expect("namespaces");
    let mut yaml = String::new();
    for n in 0..100 {
        for j in 0..10 {
            yaml.push_str(&format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc{j}\n  namespace: ns{n}\nspec:\n  selector:\n    app: s{j}\n  ports:\n  - name: web\n    port: 80\n    protocol: TCP\n    targetPort: http\n---\n"
            ));
        }
    }
    sim.apply_yaml(&yaml).expect("services");
    let (_, wall, cpu) = timed(|| {
        for n in 0..100u32 {
            let ns = format!("ns{n}");
            for i in 0..50u32 {
                let name = format!("p{i}");
                let app = format!("s{}", i % 10);
                pod_in(
                    &mut sim,
                    &ns,
                    &name,
                    &[("app", &app)],
                    &[("http", 8080, "TCP")],
                );
                let ip = format!("10.{}.{}.{}", 100 + n / 100, n % 100, i + 1);
                set_status_in(&mut sim, &ns, &name, "Running", &ip, true);
            }
        }
    });
    eprintln!(
        "5000 pods created and made ready one write at a time, 1000 services watching: {wall:?} wall, {cpu:?} cpu"
    );
    assert_eq!(slice_endpoints(&slices_in(&sim, "ns7", "svc3")).len(), 5);
    assert_eq!(ep_ips(&endpoints_in(&sim, "ns7", "svc3")).0.len(), 5);
}
