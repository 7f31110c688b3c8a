//! The EndpointSlice controller (SERVICES-SPEC §D rules 40–47): conditions, slices per resolved
//! port set, metadata, placeholders, stable names and repair — what `kubectl describe svc`
//! and kube-proxy read.

mod endpoints_support;

use endpoints_support::*;
use kubedrill_sim::{Kind, PatchType, Subresource, meta};
use serde_json::json;

#[test]
fn rule40_terminating_pod_is_in_slices_as_serving_terminating_but_not_in_endpoints() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "8080");
    let p = ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    delete(&mut sim, Kind::Pod, "a");
    assert_eq!(endpoints(&sim, "web").get("subsets"), None);
    let s = only_slice(&sim, "web");
    assert_eq!(
        s["endpoints"],
        json!([{
            "addresses": ["10.244.1.10"],
            "conditions": {"ready": false, "serving": true, "terminating": true},
            "targetRef": target_ref(&p),
            "nodeName": NODE,
        }])
    );
    // An unready terminating pod is not serving either.
    set_ready(&mut sim, "a", false);
    let s = only_slice(&sim, "web");
    assert_eq!(
        s["endpoints"][0]["conditions"],
        json!({"ready": false, "serving": false, "terminating": true})
    );
}

#[test]
fn rule42_named_target_port_missing_on_pod_gives_endpoints_none_but_a_slice_without_ports() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "http-alt");
    let p = ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    assert_eq!(endpoints(&sim, "web").get("subsets"), None);
    let s = only_slice(&sim, "web");
    assert_eq!(s["ports"], json!(null));
    assert_eq!(
        s["endpoints"],
        json!([{
            "addresses": ["10.244.1.10"],
            "conditions": {"ready": true, "serving": true, "terminating": false},
            "targetRef": target_ref(&p),
            "nodeName": NODE,
        }])
    );
}

#[test]
fn rule42_pods_with_different_resolved_ports_land_in_different_slices() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "http");
    pod(&mut sim, "old", &[("app", "web")], &[("http", 8080, "TCP")]);
    set_status(&mut sim, "old", "Running", "10.244.1.10", true);
    pod(&mut sim, "new", &[("app", "web")], &[("http", 9090, "TCP")]);
    set_status(&mut sim, "new", "Running", "10.244.1.11", true);
    pod(&mut sim, "bare", &[("app", "web")], &[]);
    set_status(&mut sim, "bare", "Running", "10.244.1.12", true);
    let mut got: Vec<(serde_json::Value, Vec<String>)> = slices(&sim, "web")
        .iter()
        .map(|s| {
            let ips = s["endpoints"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| e["addresses"][0].as_str().unwrap_or_default().to_string())
                .collect();
            (s["ports"].clone(), ips)
        })
        .collect();
    got.sort_by_key(|(p, _)| p.to_string());
    assert_eq!(
        got,
        vec![
            (
                json!([{"name": "web", "port": 8080, "protocol": "TCP"}]),
                vec!["10.244.1.10".to_string()]
            ),
            (
                json!([{"name": "web", "port": 9090, "protocol": "TCP"}]),
                vec!["10.244.1.11".to_string()]
            ),
            (json!(null), vec!["10.244.1.12".to_string()]),
        ]
    );
    // The Endpoints object groups the same way, and leaves the portless pod out.
    let subsets = endpoints(&sim, "web")["subsets"].clone();
    assert_eq!(subsets.as_array().map(Vec::len), Some(2));
    assert_eq!(
        subsets[0]["ports"],
        json!([{"name": "web", "port": 8080, "protocol": "TCP"}])
    );
    assert_eq!(
        subsets[1]["ports"],
        json!([{"name": "web", "port": 9090, "protocol": "TCP"}])
    );
}

#[test]
fn rule45_slice_metadata_owner_labels_and_endpoint_fields() {
    let mut sim = sim();
    sim.patch(
        Kind::Node,
        "",
        NODE,
        PatchType::Merge,
        &json!({"metadata": {"labels": {"topology.kubernetes.io/zone": "zone-a"}}}),
        Subresource::Main,
    )
    .expect("label node");
    let svc = apply(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    team: a\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n    protocol: TCP\n    targetPort: 8080\n",
    );
    let p = ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    let s = only_slice(&sim, "web");
    let name = meta::name(&s);
    let suffix = name.strip_prefix("web-").expect("generated name");
    assert_eq!(suffix.len(), 5);
    assert!(
        suffix
            .bytes()
            .all(|c| b"bcdfghjklmnpqrstvwxz2456789".contains(&c))
    );
    assert_eq!(s["metadata"]["generateName"], "web-");
    assert_eq!(
        s["metadata"]["ownerReferences"],
        json!([{"apiVersion": "v1", "kind": "Service", "name": "web", "uid": meta::uid(&svc),
                "controller": true, "blockOwnerDeletion": true}])
    );
    assert_eq!(
        s["metadata"]["labels"],
        json!({
            "team": "a",
            "kubernetes.io/service-name": "web",
            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
        })
    );
    assert_eq!(s["addressType"], "IPv4");
    // An unnamed service port is listed with `name: ""` (a pointer upstream).
    assert_eq!(
        s["ports"],
        json!([{"name": "", "port": 8080, "protocol": "TCP"}])
    );
    assert_eq!(
        s["endpoints"],
        json!([{
            "addresses": ["10.244.1.10"],
            "conditions": {"ready": true, "serving": true, "terminating": false},
            "targetRef": target_ref(&p),
            "nodeName": NODE,
            "zone": "zone-a",
        }])
    );
}

#[test]
fn rule45_a_slice_holds_at_most_100_endpoints() {
    let mut sim = sim();
    for i in 0..150u32 {
        let name = format!("p{i:03}");
        pod(&mut sim, &name, &[("app", "web")], &[]);
        set_status(
            &mut sim,
            &name,
            "Running",
            &format!("10.244.1.{}", i + 1),
            true,
        );
    }
    service(&mut sim, "web", "web", "8080");
    let mut sizes: Vec<usize> = slices(&sim, "web")
        .iter()
        .map(|s| s["endpoints"].as_array().map_or(0, Vec::len))
        .collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [50, 100]);
}

#[test]
fn rule45_a_pod_on_an_unknown_node_is_left_out_of_slices() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "8080");
    sim.create(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "ghost", "namespace": "default", "labels": {"app": "web"}},
        "spec": {"nodeName": "node09", "containers": [{"name": "app", "image": "nginx"}]},
    }))
    .expect("pod");
    set_status(&mut sim, "ghost", "Running", "10.244.9.9", true);
    assert_eq!(only_slice(&sim, "web")["endpoints"], json!(null));
}

#[test]
fn rule46_a_placeholder_slice_stands_in_while_there_are_no_endpoints() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "8080");
    let placeholder = only_slice(&sim, "web");
    assert_eq!(placeholder["endpoints"], json!(null));
    assert_eq!(placeholder["ports"], json!(null));
    // Settling again keeps the same placeholder (not deleted and recreated).
    ready_pod(&mut sim, "other", &[("app", "other")], "10.244.1.20");
    assert_eq!(meta::uid(&only_slice(&sim, "web")), meta::uid(&placeholder));
    // A pod replaces it with a real slice...
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    let real = only_slice(&sim, "web");
    assert_eq!(
        real["ports"],
        json!([{"name": "web", "port": 8080, "protocol": "TCP"}])
    );
    // `finalize` turns "create the real slice, delete the placeholder" into an update.
    assert_eq!(meta::name(&real), meta::name(&placeholder));
    // ...and when the pod goes, exactly one placeholder is back.
    sim.delete(
        Kind::Pod,
        "default",
        "a",
        &kubedrill_sim::DeleteOptions {
            grace_period_seconds: Some(0),
            ..Default::default()
        },
    )
    .expect("delete");
    let back = only_slice(&sim, "web");
    assert_eq!(back["endpoints"], json!(null));
    assert_eq!(back["ports"], json!(null));
    assert_eq!(meta::name(&back), meta::name(&placeholder));
}

#[test]
fn rule47_a_target_port_edit_rewrites_the_slice_in_place() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "8080");
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    let before = only_slice(&sim, "web");
    sim.patch(
        Kind::Service,
        "default",
        "web",
        PatchType::Json,
        &json!([{"op": "replace", "path": "/spec/ports/0/targetPort", "value": 9090}]),
        Subresource::Main,
    )
    .expect("patch targetPort");
    let after = only_slice(&sim, "web");
    assert_eq!(meta::name(&after), meta::name(&before));
    assert_eq!(
        after["ports"],
        json!([{"name": "web", "port": 9090, "protocol": "TCP"}])
    );
    assert_eq!(
        endpoints(&sim, "web")["subsets"][0]["ports"],
        json!([{"name": "web", "port": 9090, "protocol": "TCP"}])
    );
}

#[test]
fn rule45_publish_not_ready_addresses_lists_a_pod_on_an_unknown_node_without_a_zone() {
    let mut sim = sim();
    apply(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  publishNotReadyAddresses: true\n  selector:\n    app: web\n  ports:\n  - port: 80\n    protocol: TCP\n    targetPort: 8080\n",
    );
    sim.create(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "ghost", "namespace": "default", "labels": {"app": "web"}},
        "spec": {"nodeName": "node09", "containers": [{"name": "app", "image": "nginx"}]},
    }))
    .expect("pod");
    set_status(&mut sim, "ghost", "Running", "10.244.9.9", false);
    let s = only_slice(&sim, "web");
    assert_eq!(s["endpoints"][0]["nodeName"], "node09");
    assert_eq!(s["endpoints"][0].get("zone"), None);
    assert_eq!(s["endpoints"][0]["conditions"]["ready"], true);
}

#[test]
fn rule47_slice_names_stay_stable_while_pods_come_and_go() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "8080");
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    let name = meta::name(&only_slice(&sim, "web")).to_string();
    ready_pod(&mut sim, "b", &[("app", "web")], "10.244.1.11");
    set_ready(&mut sim, "a", false);
    let s = only_slice(&sim, "web");
    assert_eq!(meta::name(&s), name);
    assert_eq!(
        slice_endpoints(&[s]),
        [
            ("10.244.1.10".to_string(), false, false, false),
            ("10.244.1.11".to_string(), true, true, false),
        ]
        .into()
    );
}

#[test]
fn rule47_an_edited_or_deleted_managed_slice_is_repaired() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "8080");
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    let good = only_slice(&sim, "web");
    let mut edited = (*good).clone();
    edited["endpoints"] = json!([{"addresses": ["10.9.9.9"], "conditions": {"ready": true}}]);
    sim.update(edited).expect("edit");
    let repaired = only_slice(&sim, "web");
    assert_eq!(repaired["endpoints"], good["endpoints"]);
    assert_eq!(meta::name(&repaired), meta::name(&good));
    delete(&mut sim, Kind::EndpointSlice, meta::name(&good));
    let recreated = only_slice(&sim, "web");
    assert_ne!(meta::name(&recreated), meta::name(&good));
    assert_eq!(recreated["endpoints"], good["endpoints"]);
}

#[test]
fn rule47_a_user_slice_naming_a_selector_service_is_left_alone() {
    let mut sim = sim();
    service(&mut sim, "web", "web", "8080");
    apply(
        &mut sim,
        "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-manual\n  labels:\n    kubernetes.io/service-name: web\naddressType: IPv4\nendpoints:\n- addresses: [192.0.2.1]\nports:\n- port: 80\n",
    );
    ready_pod(&mut sim, "a", &[("app", "web")], "10.244.1.10");
    let names: Vec<String> = slices(&sim, "web")
        .iter()
        .map(|s| meta::name(s).to_string())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"web-manual".to_string()));
}
