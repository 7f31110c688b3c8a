//! Properties of the network model on small random clusters: a request through a Service only
//! ever reaches a pod that is a ready endpoint of it (or, when none is ready, a serving and
//! terminating one); and the same cluster asked the same requests gives the same traces.

mod net_support;

use kubedrill_sim::net::{Origin, Request, Verdict};
use kubedrill_sim::{DeleteOptions, Kind, ListOptions, Sim, meta};
use net_support::*;
use proptest::prelude::*;
use serde_json::Value;

#[derive(Debug, Clone)]
struct PodSpec {
    app: usize,
    ready: bool,
    /// Deleted after creation: terminating for its grace period (busybox ignores SIGTERM).
    deleted: bool,
    node: &'static str,
}

#[derive(Debug, Clone)]
struct World {
    pods: Vec<PodSpec>,
    publish_not_ready: Vec<bool>,
    client_node: &'static str,
    requests: Vec<(usize, bool)>,
}

const APPS: usize = 3;

fn world() -> impl Strategy<Value = World> {
    let node = || prop::sample::select(vec!["node01", "node02"]);
    (
        prop::collection::vec(
            (0..APPS, any::<bool>(), prop::bool::weighted(0.3), node()).prop_map(
                |(app, ready, deleted, node)| PodSpec {
                    app,
                    ready,
                    deleted,
                    node,
                },
            ),
            0..8,
        ),
        prop::collection::vec(prop::bool::weighted(0.3), APPS),
        node(),
        prop::collection::vec((0..APPS, any::<bool>()), 1..12),
    )
        .prop_map(|(pods, publish_not_ready, client_node, requests)| World {
            pods,
            publish_not_ready,
            client_node,
            requests,
        })
}

fn build(w: &World) -> Sim {
    let mut docs = vec![client("c", "default", w.client_node)];
    for (i, p) in w.pods.iter().enumerate() {
        // Unready: a readiness probe on a port nothing serves.
        let probe = if p.ready {
            ""
        } else {
            "    readinessProbe: {tcpSocket: {port: 9999}}\n"
        };
        docs.push(format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, labels: {{app: a{}}}}}\nspec:\n  nodeName: {}\n  containers:\n  - name: httpd\n    image: 'busybox:1.36'\n    command: [httpd, -f, -p, '8080']\n{probe}",
            p.app, p.node
        ));
    }
    for (a, pnr) in w.publish_not_ready.iter().enumerate() {
        docs.push(format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: a{a}}}\nspec: {{selector: {{app: a{a}}}, publishNotReadyAddresses: {pnr}, ports: [{{port: 80, targetPort: 8080}}]}}\n"
        ));
    }
    let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
    let (mut sim, _c) = cluster(&refs);
    for (i, p) in w.pods.iter().enumerate() {
        if p.deleted {
            sim.delete(
                Kind::Pod,
                "default",
                &format!("p{i}"),
                &DeleteOptions::default(),
            )
            .expect("delete");
        }
    }
    sim
}

fn request(app: usize, by_ip: bool, sim: &Sim) -> Request {
    let host = if by_ip {
        service_ip(sim, "default", &format!("a{app}")).to_string()
    } else {
        format!("a{app}")
    };
    get(&host, 80, "/")
}

/// The endpoints of a Service's slices: (pod name, ready, serving, terminating).
fn slice_endpoints(sim: &Sim, svc: &str) -> Vec<(String, bool, bool, bool)> {
    let opts = ListOptions::parse(Some(&format!("kubernetes.io/service-name={svc}")), None)
        .expect("selector");
    sim.list(Kind::EndpointSlice, Some("default"), &opts)
        .expect("list")
        .items
        .iter()
        .flat_map(|s| s["endpoints"].as_array().cloned().unwrap_or_default())
        .map(|e: Value| {
            let c = |k: &str| e["conditions"][k].as_bool().unwrap_or(false);
            (
                meta::str_at(&e, &["targetRef", "name"]).to_string(),
                c("ready"),
                c("serving"),
                c("terminating"),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_service_request_only_reaches_ready_endpoints_or_the_terminating_fallback(w in world()) {
        let mut sim = build(&w);
        let c = from_pod("default", "c");
        for (app, by_ip) in &w.requests {
            let svc = format!("a{app}");
            let eps = slice_endpoints(&sim, &svc);
            let req = request(*app, *by_ip, &sim);
            let t = trace(&mut sim, &c, &req);
            let any_ready = eps.iter().any(|e| e.1);
            match &t.verdict {
                Verdict::Delivered { pod: Some(p), .. } => {
                    let e = eps.iter().find(|e| e.0 == p.name);
                    prop_assert!(e.is_some(), "{} is not an endpoint of {svc}", p.name);
                    let (_, ready, serving, terminating) = e.cloned().unwrap_or_default();
                    prop_assert!(ready || (!any_ready && serving && terminating),
                        "{} reached while not usable: {eps:?}", p.name);
                }
                Verdict::Refused { .. } => {
                    // REJECT (no usable endpoint) — or a usable endpoint that refuses, which
                    // busybox httpd on 8080 never does.
                    prop_assert!(!eps.iter().any(|e| e.1 || (e.2 && e.3)), "refused with {eps:?}: {:#?}", t.hops);
                }
                v => prop_assert!(false, "unexpected verdict {v:?}: {:#?}", t.hops),
            }
        }
    }

    #[test]
    fn the_same_cluster_and_requests_give_the_same_traces(w in world()) {
        let mut a = build(&w);
        let mut b = a.clone();
        let origins = [from_pod("default", "c"), from_node("node01"), Origin::External];
        for (i, (app, by_ip)) in w.requests.iter().enumerate() {
            let from = &origins[i % origins.len()];
            let req = request(*app, *by_ip, &a);
            let ta = trace(&mut a, from, &req);
            let tb = trace(&mut b, from, &req);
            prop_assert_eq!(&ta, &tb);
            // Every delivery names how it got there.
            let delivered = matches!(ta.verdict, Verdict::Delivered { .. });
            prop_assert!(!ta.hops.is_empty() || !delivered, "a delivery without hops");
        }
    }
}
