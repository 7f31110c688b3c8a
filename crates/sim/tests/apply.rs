//! The merge of server-side apply (`kubectl apply --server-side`, KUBECTL-CONTRACT §10.5):
//! `apply_patch` over the live object, with the same manager's previous intent.

use kubedrill_sim::Kind;
use kubedrill_sim::patch::apply_patch;
use serde_json::{Value, json};

fn svc_intent(ports: Value) -> Value {
    json!({"apiVersion":"v1","kind":"Service","metadata":{"labels":{"app":"web"},"name":"web-svc","namespace":"default"},"spec":{"ports":ports,"selector":{"app":"web"}}})
}

/// What the API server stored after the first apply: defaults and allocations added.
fn live_svc() -> Value {
    json!({"apiVersion":"v1","kind":"Service","metadata":{"labels":{"app":"web","tier":"backend"},"name":"web-svc","namespace":"default","uid":"u1"},
           "spec":{"clusterIP":"10.96.12.34","clusterIPs":["10.96.12.34"],"type":"ClusterIP","sessionAffinity":"None",
                   "ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":8080}],"selector":{"app":"web"}}})
}

#[test]
fn first_apply_of_an_absent_object_is_the_intent_itself() {
    let intent = svc_intent(json!([{"name":"http","port":80,"targetPort":8080}]));
    let out = apply_patch(Kind::Service, None, &intent, None).unwrap();
    assert_eq!(out, intent);
}

#[test]
fn reapply_keeps_fields_the_manager_never_set_and_merges_ports_by_port_and_protocol() {
    let first = svc_intent(json!([{"name":"http","port":80,"targetPort":8080}]));
    let second = svc_intent(
        json!([{"name":"http","port":80,"targetPort":9090},{"name":"dns","port":53,"protocol":"UDP"}]),
    );
    let out = apply_patch(Kind::Service, Some(&live_svc()), &second, Some(&first)).unwrap();
    assert_eq!(out["spec"]["clusterIP"], "10.96.12.34");
    assert_eq!(
        out["metadata"]["labels"],
        json!({"app":"web","tier":"backend"})
    );
    assert_eq!(
        out["spec"]["ports"],
        json!([{"name":"http","port":80,"protocol":"TCP","targetPort":9090},{"name":"dns","port":53,"protocol":"UDP"}])
    );
}

#[test]
fn a_port_the_manager_applied_before_and_omits_now_is_removed() {
    let first = svc_intent(json!([{"name":"http","port":80,"targetPort":8080}]));
    let second = svc_intent(json!([{"name":"http2","port":81,"targetPort":8080}]));
    let out = apply_patch(Kind::Service, Some(&live_svc()), &second, Some(&first)).unwrap();
    assert_eq!(
        out["spec"]["ports"],
        json!([{"name":"http2","port":81,"targetPort":8080}])
    );
}

#[test]
fn a_field_the_manager_applied_before_and_omits_now_is_removed() {
    let mut first = svc_intent(json!([{"port":80}]));
    first["spec"]["sessionAffinity"] = json!("ClientIP");
    first["metadata"]["annotations"] = json!({"owner":"me"});
    let second = svc_intent(json!([{"port":80}]));
    let mut live = live_svc();
    live["spec"]["sessionAffinity"] = json!("ClientIP");
    live["metadata"]["annotations"] = json!({"owner":"me"});
    let out = apply_patch(Kind::Service, Some(&live), &second, Some(&first)).unwrap();
    assert!(out["spec"].get("sessionAffinity").is_none());
    assert!(out["metadata"].get("annotations").is_none());
    // Never applied by this manager: kept.
    assert_eq!(out["spec"]["type"], "ClusterIP");
}

#[test]
fn containers_merge_by_name_and_atomic_lists_are_replaced() {
    let live = json!({"spec":{"template":{"spec":{"containers":[
        {"name":"web","image":"nginx:1.25","args":["-a","-b"],"imagePullPolicy":"IfNotPresent"},
        {"name":"log","image":"busybox"}]}}}});
    let first = json!({"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.25","args":["-a","-b"]}]}}}});
    let second = json!({"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26","args":["-c"]}]}}}});
    let out = apply_patch(Kind::Deployment, Some(&live), &second, Some(&first)).unwrap();
    assert_eq!(
        out["spec"]["template"]["spec"]["containers"],
        json!([{"name":"web","image":"nginx:1.26","args":["-c"],"imagePullPolicy":"IfNotPresent"},{"name":"log","image":"busybox"}])
    );
}

#[test]
fn finalizers_are_a_set_the_manager_adds_to_and_removes_from() {
    let live = json!({"metadata":{"finalizers":["a.io/x","b.io/y"]}});
    let first = json!({"metadata":{"finalizers":["a.io/x"]}});
    let second = json!({"metadata":{"finalizers":["c.io/z"]}});
    let out = apply_patch(Kind::ConfigMap, Some(&live), &second, Some(&first)).unwrap();
    assert_eq!(out["metadata"]["finalizers"], json!(["b.io/y", "c.io/z"]));
}
