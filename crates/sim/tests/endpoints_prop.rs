//! Property: for random pods (labels, phase, IP, readiness, termination, container ports) and
//! random Services (selectors, int or named targetPorts, protocols, publishNotReadyAddresses),
//! created in either order, the settled slices hold exactly the matching pods with the ports
//! they resolve and the right conditions, the Endpoints hold exactly the (address, port) pairs
//! the rules give, and a resync writes nothing.

mod endpoints_support;

use std::collections::{BTreeMap, BTreeSet};

use endpoints_support::*;
use kubedrill_sim::{Kind, ListOptions, PatchType, Sim, Subresource, meta};
use proptest::prelude::*;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
struct PodSpec {
    labels: BTreeMap<String, String>,
    /// "Running", "Pending" (no IP), "Succeeded", "Failed".
    phase: &'static str,
    ready: bool,
    terminating: bool,
    ports: Vec<(&'static str, i64, &'static str)>,
}

#[derive(Debug, Clone)]
enum Target {
    Int(i64),
    Named(&'static str),
}

#[derive(Debug, Clone)]
struct SvcSpec {
    selector: BTreeMap<String, String>,
    ports: Vec<(&'static str, Target)>,
    publish_not_ready: bool,
}

fn labels() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map(
        prop::sample::select(vec!["app", "tier"]).prop_map(str::to_string),
        prop::sample::select(vec!["a", "b"]).prop_map(str::to_string),
        0..=2,
    )
}

fn proto() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["TCP", "UDP"])
}

fn pod_spec() -> impl Strategy<Value = PodSpec> {
    (
        labels(),
        prop::sample::select(vec![
            "Running",
            "Running",
            "Running",
            "Pending",
            "Succeeded",
            "Failed",
        ]),
        any::<bool>(),
        prop::bool::weighted(0.2),
        prop::collection::vec(
            (
                prop::sample::select(vec!["http", "metrics", ""]),
                prop::sample::select(vec![8080i64, 9090]),
                proto(),
            ),
            0..3,
        ),
    )
        .prop_map(|(labels, phase, ready, terminating, mut ports)| {
            // Port names are unique within a container (validateContainerPorts): a repeated
            // name is dropped, leaving that port unnamed.
            let mut seen = BTreeSet::new();
            for p in &mut ports {
                if !p.0.is_empty() && !seen.insert(p.0) {
                    p.0 = "";
                }
            }
            (labels, phase, ready, terminating, ports)
        })
        .prop_map(|(labels, phase, ready, terminating, ports)| PodSpec {
            labels,
            phase,
            ready,
            terminating,
            ports,
        })
}

fn svc_spec() -> impl Strategy<Value = SvcSpec> {
    let target = prop_oneof![
        (1000i64..1003).prop_map(Target::Int),
        prop::sample::select(vec!["http", "metrics"]).prop_map(Target::Named),
    ];
    (
        labels(),
        prop::collection::vec((proto(), target), 1..3),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(selector, ports, publish_not_ready)| SvcSpec {
            selector,
            ports,
            publish_not_ready,
        })
}

fn create_service(sim: &mut Sim, i: usize, s: &SvcSpec) {
    let ports: Vec<Value> = s
        .ports
        .iter()
        .enumerate()
        .map(|(j, (proto, t))| {
            let target = match t {
                Target::Int(n) => json!(n),
                Target::Named(n) => json!(n),
            };
            json!({"name": format!("p{j}"), "port": 80 + j, "protocol": proto, "targetPort": target})
        })
        .collect();
    let mut spec = json!({"ports": ports, "publishNotReadyAddresses": s.publish_not_ready});
    if !s.selector.is_empty() {
        spec["selector"] = json!(s.selector);
    }
    sim.create(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": format!("svc{i}"), "namespace": "default"},
        "spec": spec,
    }))
    .expect("service");
}

fn create_pod(sim: &mut Sim, i: usize, p: &PodSpec) {
    let name = format!("pod{i}");
    let labels: Vec<(&str, &str)> = p
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pod(sim, &name, &labels, &p.ports);
    let ip = if p.phase == "Pending" {
        String::new()
    } else {
        format!("10.244.1.{}", i + 1)
    };
    set_status(sim, &name, p.phase, &ip, p.ready);
    if p.terminating {
        delete(sim, Kind::Pod, &name);
    }
}

/// `podutil.FindPort` over the generated container ports.
fn resolve(p: &PodSpec, proto: &str, t: &Target) -> Option<i64> {
    match t {
        Target::Int(n) => Some(*n),
        Target::Named(n) => p
            .ports
            .iter()
            .find(|(name, _, pr)| name == n && *pr == proto)
            .map(|(_, port, _)| *port),
    }
}

type SliceEp = (String, bool, bool, bool, BTreeSet<(String, i64, String)>);
/// (ip, port name, port, ready) of an Endpoints object, flattened.
type EpPair = (String, String, i64, bool);

fn expected(pods: &[PodSpec], s: &SvcSpec) -> (BTreeSet<SliceEp>, BTreeSet<EpPair>) {
    let mut slice_eps = BTreeSet::new();
    let mut ep_pairs = BTreeSet::new();
    for (i, p) in pods.iter().enumerate() {
        let matches = s.selector.iter().all(|(k, v)| p.labels.get(k) == Some(v));
        if !matches || p.phase != "Running" {
            continue;
        }
        let ip = format!("10.244.1.{}", i + 1);
        let ports: BTreeSet<(String, i64, String)> = s
            .ports
            .iter()
            .enumerate()
            .filter_map(|(j, (proto, t))| {
                resolve(p, proto, t).map(|n| (format!("p{j}"), n, proto.to_string()))
            })
            .collect();
        let ready = s.publish_not_ready || (p.ready && !p.terminating);
        slice_eps.insert((ip.clone(), ready, p.ready, p.terminating, ports.clone()));
        if p.terminating && !s.publish_not_ready {
            continue;
        }
        for (name, n, _) in ports {
            ep_pairs.insert((ip.clone(), name, n, s.publish_not_ready || p.ready));
        }
    }
    (slice_eps, ep_pairs)
}

fn actual_slices(sim: &Sim, svc: &str) -> (BTreeSet<SliceEp>, usize, Vec<Value>) {
    let all = slices(sim, svc);
    let mut out = BTreeSet::new();
    let mut count = 0;
    for s in &all {
        let ports: BTreeSet<(String, i64, String)> = s["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    p["name"].as_str().unwrap_or_default().to_string(),
                    p["port"].as_i64().unwrap_or(0),
                    p["protocol"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let eps = s["endpoints"].as_array().cloned().unwrap_or_default();
        assert!(eps.len() <= 100);
        for e in eps {
            count += 1;
            let c = &e["conditions"];
            out.insert((
                e["addresses"][0].as_str().unwrap_or_default().to_string(),
                c["ready"].as_bool().unwrap_or(false),
                c["serving"].as_bool().unwrap_or(false),
                c["terminating"].as_bool().unwrap_or(false),
                ports.clone(),
            ));
        }
    }
    (out, count, all.iter().map(|s| (**s).clone()).collect())
}

fn actual_endpoints(sim: &Sim, svc: &str) -> BTreeSet<EpPair> {
    let ep = endpoints(sim, svc);
    let mut out = BTreeSet::new();
    for s in ep["subsets"].as_array().into_iter().flatten() {
        for (field, ready) in [("addresses", true), ("notReadyAddresses", false)] {
            for a in s[field].as_array().into_iter().flatten() {
                for p in s["ports"].as_array().into_iter().flatten() {
                    out.insert((
                        a["ip"].as_str().unwrap_or_default().to_string(),
                        p["name"].as_str().unwrap_or_default().to_string(),
                        p["port"].as_i64().unwrap_or(0),
                        ready,
                    ));
                }
            }
        }
    }
    out
}

fn versions(sim: &Sim) -> Vec<(String, String)> {
    [Kind::Endpoints, Kind::EndpointSlice]
        .into_iter()
        .flat_map(|k| {
            sim.list(k, Some("default"), &ListOptions::default())
                .expect("list")
                .items
        })
        .map(|o| {
            (
                meta::name(&o).to_string(),
                meta::resource_version(&o).to_string(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn settled_slices_and_endpoints_match_the_rules_and_a_resync_writes_nothing(
        pods in prop::collection::vec(pod_spec(), 0..7),
        svcs in prop::collection::vec(svc_spec(), 1..4),
        services_first in any::<bool>(),
    ) {
        let mut sim = sim();
        if services_first {
            for (i, s) in svcs.iter().enumerate() { create_service(&mut sim, i, s); }
            for (i, p) in pods.iter().enumerate() { create_pod(&mut sim, i, p); }
        } else {
            for (i, p) in pods.iter().enumerate() { create_pod(&mut sim, i, p); }
            for (i, s) in svcs.iter().enumerate() { create_service(&mut sim, i, s); }
        }
        for (i, s) in svcs.iter().enumerate() {
            let name = format!("svc{i}");
            if s.selector.is_empty() {
                prop_assert!(sim.get(Kind::Endpoints, "default", &name).is_err());
                prop_assert!(slices(&sim, &name).is_empty());
                continue;
            }
            let (want_slices, want_eps) = expected(&pods, s);
            let (got_slices, count, all) = actual_slices(&sim, &name);
            prop_assert_eq!(&got_slices, &want_slices, "slices {:#?}", all);
            prop_assert_eq!(count, want_slices.len(), "each pod once");
            if want_slices.is_empty() {
                prop_assert_eq!(all.len(), 1, "one placeholder");
            }
            prop_assert_eq!(actual_endpoints(&sim, &name), want_eps);
        }
        // Touch every Service: both controllers resync it, and must write nothing.
        let before = versions(&sim);
        for i in 0..svcs.len() {
            sim.patch(
                Kind::Service, "default", &format!("svc{i}"), PatchType::Merge,
                &json!({"metadata": {"annotations": {"resync": "1"}}}), Subresource::Main,
            ).expect("touch");
        }
        prop_assert_eq!(versions(&sim), before);
    }
}
