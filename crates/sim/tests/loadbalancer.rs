//! LoadBalancer status (SERVICES-SPEC rule 29): `<pending>` without an address pool; with one,
//! the lowest free address as `{ip, ipMode: VIP}`, given back when the Service goes away or
//! changes type.

mod endpoints_support;

use std::net::Ipv4Addr;
use std::sync::Arc;

use endpoints_support::*;
use kubedrill_sim::{ClusterConfig, Kind, ManualClock, PatchType, Sim, Subresource};
use serde_json::{Value, json};

fn sim_with_pool(pool: (Ipv4Addr, u8)) -> Sim {
    let config = ClusterConfig {
        load_balancer_pool: Some(pool),
        ..ClusterConfig::default()
    };
    Sim::new(config, Arc::new(ManualClock::at_epoch())).expect("bootstrap")
}

fn lb(sim: &mut Sim, name: &str) -> Arc<Value> {
    apply(
        sim,
        &format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  type: LoadBalancer\n  selector:\n    app: web\n  ports:\n  - port: 80\n    protocol: TCP\n    targetPort: 8080\n"
        ),
    )
}

fn lb_status(sim: &Sim, name: &str) -> Value {
    sim.get(Kind::Service, "default", name).expect("svc")["status"]["loadBalancer"].clone()
}

fn set_type(sim: &mut Sim, name: &str, ty: &str) {
    sim.patch(
        Kind::Service,
        "default",
        name,
        PatchType::Merge,
        &json!({"spec": {"type": ty}}),
        Subresource::Main,
    )
    .expect("patch type");
}

#[test]
fn rule29_load_balancer_without_a_pool_stays_pending() {
    let mut sim = sim();
    let svc = lb(&mut sim, "web");
    assert_eq!(svc["status"]["loadBalancer"], json!({}));
    assert_eq!(lb_status(&sim, "web"), json!({}));
}

#[test]
fn rule29_load_balancer_gets_the_lowest_free_pool_address_as_a_vip() {
    let mut sim = sim_with_pool((Ipv4Addr::new(172, 30, 1, 240), 28));
    let svc = lb(&mut sim, "a");
    assert_eq!(
        svc["status"]["loadBalancer"],
        json!({"ingress": [{"ip": "172.30.1.241", "ipMode": "VIP"}]})
    );
    lb(&mut sim, "b");
    assert_eq!(
        lb_status(&sim, "b"),
        json!({"ingress": [{"ip": "172.30.1.242", "ipMode": "VIP"}]})
    );
    // A ClusterIP Service gets nothing.
    service(&mut sim, "plain", "web", "8080");
    assert_eq!(
        sim.get(Kind::Service, "default", "plain").expect("svc")["status"]["loadBalancer"]
            .get("ingress"),
        None
    );
}

#[test]
fn rule29_a_deleted_load_balancer_gives_its_address_back() {
    let mut sim = sim_with_pool((Ipv4Addr::new(192, 168, 50, 0), 24));
    lb(&mut sim, "a");
    lb(&mut sim, "b");
    delete(&mut sim, kubedrill_sim::Kind::Service, "a");
    lb(&mut sim, "c");
    assert_eq!(
        lb_status(&sim, "c"),
        json!({"ingress": [{"ip": "192.168.50.1", "ipMode": "VIP"}]})
    );
    assert_eq!(
        lb_status(&sim, "b"),
        json!({"ingress": [{"ip": "192.168.50.2", "ipMode": "VIP"}]})
    );
}

#[test]
fn rule29_changing_type_away_from_load_balancer_clears_the_status_and_frees_the_address() {
    let mut sim = sim_with_pool((Ipv4Addr::new(192, 168, 50, 0), 24));
    lb(&mut sim, "a");
    set_type(&mut sim, "a", "NodePort");
    assert_eq!(lb_status(&sim, "a"), json!({}));
    lb(&mut sim, "b");
    assert_eq!(
        lb_status(&sim, "b"),
        json!({"ingress": [{"ip": "192.168.50.1", "ipMode": "VIP"}]})
    );
    // Back to LoadBalancer: the next free address.
    set_type(&mut sim, "a", "LoadBalancer");
    assert_eq!(
        lb_status(&sim, "a"),
        json!({"ingress": [{"ip": "192.168.50.2", "ipMode": "VIP"}]})
    );
}

#[test]
fn rule29_an_exhausted_pool_leaves_the_service_pending_until_an_address_frees() {
    let mut sim = sim_with_pool((Ipv4Addr::new(10, 200, 0, 4), 31));
    lb(&mut sim, "a");
    lb(&mut sim, "b");
    lb(&mut sim, "c");
    assert_eq!(
        lb_status(&sim, "a"),
        json!({"ingress": [{"ip": "10.200.0.4", "ipMode": "VIP"}]})
    );
    assert_eq!(
        lb_status(&sim, "b"),
        json!({"ingress": [{"ip": "10.200.0.5", "ipMode": "VIP"}]})
    );
    assert_eq!(lb_status(&sim, "c"), json!({}));
    delete(&mut sim, Kind::Service, "a");
    assert_eq!(
        lb_status(&sim, "c"),
        json!({"ingress": [{"ip": "10.200.0.4", "ipMode": "VIP"}]})
    );
}

#[test]
fn rule29_a_service_with_a_load_balancer_class_is_left_to_that_implementation() {
    let mut sim = sim_with_pool((Ipv4Addr::new(192, 168, 50, 0), 24));
    apply(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: cls\nspec:\n  type: LoadBalancer\n  loadBalancerClass: example.com/lb\n  ports:\n  - port: 80\n    protocol: TCP\n    targetPort: 8080\n",
    );
    assert_eq!(lb_status(&sim, "cls").get("ingress"), None);
}
