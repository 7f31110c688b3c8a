//! kube-proxy's data path as a trace shows it (SERVICES-SPEC rules 49–57): ClusterIP,
//! NodePort, LoadBalancer, traffic policies, affinity, hairpin, and the verdicts a client sees.

mod net_support;

use net_support::*;

#[test]
fn smoke() {
    let (mut sim, _c) = cluster(&[&web("web", 2, "nginx:1.27", 80, 80), &client("c", "default", "node01")]);
    let t = trace(&mut sim, &from_pod("default", "c"), &get("web", 80, "/"));
    println!("{t:#?}");
    let r = response(&t);
    assert_eq!(r.status, 200);
}
