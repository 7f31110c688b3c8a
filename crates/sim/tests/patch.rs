//! PATCH through `Sim::patch` with the bodies kubectl really sends (KUBECTL-CONTRACT §10 and
//! Appendix C): strategic merge patch per field strategy, its directives, and the error texts.

mod common;

use common::sim_with;
use kubedrill_sim::{Kind, PatchType, Sim, Subresource};
use serde_json::{Value, json};

const WEB_SVC: &str = r#"
apiVersion: v1
kind: Service
metadata:
  name: web-svc
  labels: {app: web}
spec:
  type: ClusterIP
  clusterIP: 10.96.12.34
  clusterIPs: [10.96.12.34]
  selector: {app: web}
  sessionAffinity: None
  ports:
  - {name: http, port: 80, protocol: TCP, targetPort: 8080}
  - {name: https, port: 443, protocol: TCP, targetPort: 6443}
"#;

const WEB_DEPLOY: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
  template:
    metadata:
      labels: {app: web}
      annotations: {team: blue}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{containerPort: 80, protocol: TCP}]
        env: [{name: A, value: "1"}]
        args: [--one, --two]
      - name: sidecar
        image: busybox:1.36
"#;

fn patch(sim: &mut Sim, kind: Kind, ns: &str, name: &str, t: PatchType, body: Value) -> Value {
    sim.patch(kind, ns, name, t, &body, Subresource::Main)
        .unwrap_or_else(|e| panic!("patch failed: {e}"))
        .as_ref()
        .clone()
}

fn smp(sim: &mut Sim, kind: Kind, name: &str, body: Value) -> Value {
    let ns = if kind == Kind::Node { "" } else { "default" };
    patch(sim, kind, ns, name, PatchType::Strategic, body)
}

fn smp_err(sim: &mut Sim, kind: Kind, name: &str, body: Value) -> (u16, String) {
    match sim.patch(
        kind,
        "default",
        name,
        PatchType::Strategic,
        &body,
        Subresource::Main,
    ) {
        Ok(o) => panic!("expected an error, got {o}"),
        Err(e) => (e.code(), e.to_string()),
    }
}

fn containers(d: &Value) -> &Value {
    &d["spec"]["template"]["spec"]["containers"]
}

#[test]
fn kubectl_edit_body_deletes_by_port_and_orders_by_set_element_order() {
    let (mut sim, _) = sim_with(&[WEB_SVC]);
    // Appendix C: port 80 → 8080 in the editor.
    let body = json!({"spec":{"$setElementOrder/ports":[{"port":8080},{"port":443}],"ports":[{"port":8080,"protocol":"TCP","targetPort":8080,"name":"http"},{"$patch":"delete","port":80}]}});
    let svc = smp(&mut sim, Kind::Service, "web-svc", body);
    assert_eq!(
        svc["spec"]["ports"],
        json!([
            {"port": 8080, "protocol": "TCP", "targetPort": 8080, "name": "http"},
            {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443},
        ])
    );
}

#[test]
fn kubectl_edit_body_modifies_a_kept_port_and_reorders_the_list() {
    let (mut sim, _) = sim_with(&[WEB_SVC]);
    // §10.1: https moved to 8443 and first, http's targetPort changed, sessionAffinity set.
    let body = json!({"spec":{"$setElementOrder/ports":[{"port":8443},{"port":80}],"ports":[{"name":"https","port":8443,"protocol":"TCP","targetPort":6443},{"port":80,"targetPort":9090},{"$patch":"delete","port":443}],"sessionAffinity":"ClientIP"}});
    let svc = smp(&mut sim, Kind::Service, "web-svc", body);
    assert_eq!(
        svc["spec"]["ports"],
        json!([
            {"name": "https", "port": 8443, "protocol": "TCP", "targetPort": 6443},
            {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 9090},
        ])
    );
    assert_eq!(svc["spec"]["sessionAffinity"], "ClientIP");
    assert_eq!(svc["spec"]["selector"], json!({"app": "web"}));
}

#[test]
fn kubectl_apply_three_way_body_replaces_the_port_and_records_last_applied() {
    let (mut sim, _) = sim_with(&[WEB_SVC]);
    let last = r#"{"apiVersion":"v1","kind":"Service","metadata":{"annotations":{},"labels":{"app":"web"},"name":"web-svc","namespace":"default"},"spec":{"ports":[{"name":"http2","port":81,"targetPort":8080}],"selector":{"app":"web"}}}
"#;
    let body = json!({"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":last}},"spec":{"$setElementOrder/ports":[{"port":81}],"ports":[{"name":"http2","port":81,"targetPort":8080},{"$patch":"delete","port":80},{"$patch":"delete","port":443}]}});
    let svc = smp(&mut sim, Kind::Service, "web-svc", body);
    assert_eq!(
        svc["spec"]["ports"],
        json!([{"name": "http2", "port": 81, "protocol": "TCP", "targetPort": 8080}])
    );
    assert_eq!(
        svc["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"],
        last
    );
    assert_eq!(svc["metadata"]["labels"], json!({"app": "web"}));
}

#[test]
fn set_image_merges_containers_by_name_and_keeps_their_other_fields() {
    let (mut sim, _) = sim_with(&[WEB_DEPLOY]);
    let body = json!({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],"containers":[{"image":"nginx:1.26","name":"nginx"}]}}}});
    let d = smp(&mut sim, Kind::Deployment, "web", body);
    assert_eq!(
        containers(&d),
        &json!([
            {"name": "nginx", "image": "nginx:1.26", "ports": [{"containerPort": 80, "protocol": "TCP"}], "env": [{"name": "A", "value": "1"}], "args": ["--one", "--two"],
             "imagePullPolicy": "IfNotPresent", "resources": {}, "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"},
            {"name": "sidecar", "image": "busybox:1.36",
             "imagePullPolicy": "IfNotPresent", "resources": {}, "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"},
        ])
    );
}

#[test]
fn set_env_merges_env_by_name() {
    let (mut sim, _) = sim_with(&[WEB_DEPLOY]);
    let body = json!({"spec":{"template":{"spec":{"containers":[{"env":[{"name":"A","value":"2"},{"name":"MODE","value":"prod"}],"name":"nginx"}]}}}});
    let d = smp(&mut sim, Kind::Deployment, "web", body);
    assert_eq!(
        containers(&d)[0]["env"],
        json!([{"name": "A", "value": "2"}, {"name": "MODE", "value": "prod"}])
    );
    // env removal as `kubectl set env A-` sends it.
    let body = json!({"spec":{"template":{"spec":{"containers":[{"env":[{"$patch":"delete","name":"A"}],"name":"nginx"}]}}}});
    let d = smp(&mut sim, Kind::Deployment, "web", body);
    assert_eq!(
        containers(&d)[0]["env"],
        json!([{"name": "MODE", "value": "prod"}])
    );
}

#[test]
fn rollout_restart_adds_the_annotation_beside_existing_ones() {
    let (mut sim, _) = sim_with(&[WEB_DEPLOY]);
    let body = json!({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-01T00:00:00Z"}}}}});
    let d = smp(&mut sim, Kind::Deployment, "web", body);
    assert_eq!(
        d["spec"]["template"]["metadata"]["annotations"],
        json!({"team": "blue", "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"})
    );
    assert_eq!(containers(&d)[0]["image"], "nginx:1.25");
}

#[test]
fn cordon_sets_unschedulable_and_uncordon_null_deletes_it() {
    let (mut sim, _) = sim_with(&[]);
    let n = smp(
        &mut sim,
        Kind::Node,
        "node01",
        json!({"spec":{"unschedulable":true}}),
    );
    assert_eq!(
        n["spec"],
        json!({"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"], "unschedulable": true})
    );
    let n = smp(
        &mut sim,
        Kind::Node,
        "node01",
        json!({"spec":{"unschedulable":null}}),
    );
    assert_eq!(
        n["spec"],
        json!({"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"]})
    );
}

#[test]
fn taints_are_replaced_atomically() {
    let (mut sim, _) = sim_with(&[]);
    let body = json!({"spec":{"taints":[{"effect":"NoSchedule","key":"key","value":"val"}]}});
    let n = smp(&mut sim, Kind::Node, "controlplane", body);
    assert_eq!(
        n["spec"]["taints"],
        json!([{"effect": "NoSchedule", "key": "key", "value": "val"}])
    );
}

#[test]
fn node_pod_cidrs_are_a_set_union() {
    let (mut sim, _) = sim_with(&[]);
    let body = json!({"spec":{"podCIDRs":["10.244.1.0/24","fd00::/64"]}});
    let n = smp(&mut sim, Kind::Node, "node01", body);
    assert_eq!(n["spec"]["podCIDRs"], json!(["10.244.1.0/24", "fd00::/64"]));
}

#[test]
fn status_conditions_merge_by_type() {
    let (mut sim, _) = sim_with(&[]);
    let body = json!({"status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletNotReady"},{"type":"NetworkUnavailable","status":"False"}]}});
    let n = sim
        .patch(
            Kind::Node,
            "",
            "node01",
            PatchType::Strategic,
            &body,
            Subresource::Status,
        )
        .expect("patch status");
    let types: Vec<(&str, &str)> = n["status"]["conditions"]
        .as_array()
        .expect("conditions")
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap_or(""),
                c["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        types,
        [
            ("MemoryPressure", "False"),
            ("DiskPressure", "False"),
            ("PIDPressure", "False"),
            ("Ready", "False"),
            ("NetworkUnavailable", "False"),
        ]
    );
    // Fields the patch leaves out stay: the message of Ready is the kubelet's old one.
    assert_eq!(
        n["status"]["conditions"][3],
        json!({"type": "Ready", "status": "False", "reason": "KubeletNotReady", "message": "kubelet is posting ready status", "lastHeartbeatTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z"})
    );
    assert_eq!(n["status"]["addresses"][0]["type"], "InternalIP");
}

#[test]
fn finalizers_are_a_set_union_and_delete_from_primitive_list_removes() {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  finalizers: [example.com/a, example.com/b]\n";
    let (mut sim, _) = sim_with(&[cm]);
    let body = json!({"metadata":{"finalizers":["example.com/c","example.com/a"]}});
    let o = smp(&mut sim, Kind::ConfigMap, "cfg", body);
    // The union, ordered as apimachinery orders it: patch items not live come first.
    assert_eq!(
        o["metadata"]["finalizers"],
        json!(["example.com/c", "example.com/a", "example.com/b"])
    );
    let body = json!({"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/a","example.com/zzz"]}});
    let o = smp(&mut sim, Kind::ConfigMap, "cfg", body);
    assert_eq!(
        o["metadata"]["finalizers"],
        json!(["example.com/c", "example.com/b"])
    );
}

#[test]
fn retain_keys_on_deployment_strategy_drops_rolling_update_when_switching_to_recreate() {
    let (mut sim, _) = sim_with(&[WEB_DEPLOY]);
    let body = json!({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}});
    let d = smp(&mut sim, Kind::Deployment, "web", body);
    assert_eq!(d["spec"]["strategy"], json!({"type": "Recreate"}));
}

#[test]
fn retain_keys_that_omit_a_patched_key_are_a_bad_request() {
    let (mut sim, _) = sim_with(&[WEB_DEPLOY]);
    let body = json!({"spec":{"strategy":{"$retainKeys":["type"],"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}});
    let (code, msg) = smp_err(&mut sim, Kind::Deployment, "web", body);
    assert_eq!(
        (code, msg.as_str()),
        (400, "invalid patch format of retainKeys")
    );
}

#[test]
fn merge_patch_replaces_lists_where_strategic_merges_them_by_key() {
    let body = json!({"spec":{"ports":[{"name":"metrics","port":9090}]}});
    let (mut sim, _) = sim_with(&[WEB_SVC]);
    let merged = patch(
        &mut sim,
        Kind::Service,
        "default",
        "web-svc",
        PatchType::Merge,
        body.clone(),
    );
    assert_eq!(
        merged["spec"]["ports"],
        // Defaulting fills protocol and targetPort in the replaced list.
        json!([{"name": "metrics", "port": 9090, "protocol": "TCP", "targetPort": 9090}])
    );
    let (mut sim, _) = sim_with(&[WEB_SVC]);
    let strategic = smp(&mut sim, Kind::Service, "web-svc", body);
    // Without `$setElementOrder`, mergeSortedSlice puts a patch item the live list lacks
    // before the live ones: `kubectl patch` prepends new ports, as a real cluster does.
    assert_eq!(
        strategic["spec"]["ports"],
        json!([
            {"name": "metrics", "port": 9090, "protocol": "TCP", "targetPort": 9090},
            {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},
            {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443},
        ])
    );
}

#[test]
fn atomic_lists_such_as_args_are_replaced_whole_inside_a_merged_container() {
    let (mut sim, _) = sim_with(&[WEB_DEPLOY]);
    let body =
        json!({"spec":{"template":{"spec":{"containers":[{"name":"nginx","args":["--three"]}]}}}});
    let d = smp(&mut sim, Kind::Deployment, "web", body);
    assert_eq!(containers(&d)[0]["args"], json!(["--three"]));
    assert_eq!(containers(&d)[0]["image"], "nginx:1.25");
}

#[test]
fn a_container_without_its_merge_key_is_refused_with_the_apiserver_text() {
    let (mut sim, _) = sim_with(&[WEB_DEPLOY]);
    let body = json!({"spec":{"template":{"spec":{"containers":[{"image":"httpd"}]}}}});
    let (code, msg) = smp_err(&mut sim, Kind::Deployment, "web", body);
    assert_eq!(code, 500);
    assert_eq!(
        msg,
        "map: map[image:httpd] does not contain declared merge key: name"
    );
}

#[test]
fn an_unknown_patch_directive_is_refused_with_the_apiserver_text() {
    let (mut sim, _) = sim_with(&[WEB_SVC]);
    let body = json!({"spec":{"ports":[{"$patch":"remove","port":80}]}});
    let (_, msg) = smp_err(&mut sim, Kind::Service, "web-svc", body);
    assert_eq!(
        msg,
        "unknown patch type: remove in map: map[$patch:remove port:80]"
    );
}

#[test]
fn keys_starting_with_a_dollar_are_never_stored() {
    let (mut sim, _) = sim_with(&[WEB_SVC]);
    let body = json!({"$foo":1,"spec":{"$bar":{"x":1},"newList":[{"$patch":"delete","k":1}],"newMap":{"$retainKeys":["a"],"a":1}}});
    let svc = smp(&mut sim, Kind::Service, "web-svc", body);
    let text = svc.to_string();
    assert!(!text.contains("\"$"), "{text}");
    assert_eq!(svc["spec"]["newMap"], json!({"a": 1}));
}

#[test]
fn a_json_patch_whose_test_fails_is_a_bare_422_and_changes_nothing() {
    let (mut sim, _) = sim_with(&[WEB_SVC]);
    let before = sim.get(Kind::Service, "default", "web-svc").expect("svc");
    let body = json!([{"op":"test","path":"/spec/type","value":"NodePort"},{"op":"replace","path":"/spec/type","value":"LoadBalancer"}]);
    let err = sim
        .patch(
            Kind::Service,
            "default",
            "web-svc",
            PatchType::Json,
            &body,
            Subresource::Main,
        )
        .unwrap_err();
    assert_eq!(err.code(), 422);
    assert_eq!(err.reason(), "Invalid");
    assert_eq!(
        err.to_string(),
        "the server rejected our request due to an error in our request"
    );
    assert_eq!(
        sim.get(Kind::Service, "default", "web-svc").expect("svc"),
        before
    );
}

#[test]
fn a_json_patch_body_that_is_not_a_list_is_a_bad_request() {
    let (mut sim, _) = sim_with(&[WEB_SVC]);
    let body = json!({"op":"replace"});
    let err = sim
        .patch(
            Kind::Service,
            "default",
            "web-svc",
            PatchType::Json,
            &body,
            Subresource::Main,
        )
        .unwrap_err();
    assert_eq!(err.code(), 400);
    assert_eq!(
        err.to_string(),
        "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
    );
}

#[test]
fn a_json_patch_replacing_a_port_applies() {
    let (mut sim, _) = sim_with(&[WEB_SVC]);
    let body = json!([{"op":"replace","path":"/spec/ports/0/port","value":81}]);
    let svc = patch(
        &mut sim,
        Kind::Service,
        "default",
        "web-svc",
        PatchType::Json,
        body,
    );
    assert_eq!(svc["spec"]["ports"][0]["port"], 81);
}

#[test]
fn a_merge_patch_that_is_not_an_object_is_a_bad_request() {
    let (mut sim, _) = sim_with(&[WEB_SVC]);
    let err = sim
        .patch(
            Kind::Service,
            "default",
            "web-svc",
            PatchType::Merge,
            &json!("x"),
            Subresource::Main,
        )
        .unwrap_err();
    assert_eq!(err.code(), 400);
    assert_eq!(
        err.to_string(),
        "error decoding patch: json: cannot unmarshal string into Go value of type map[string]interface {}"
    );
}

#[test]
fn an_empty_strategic_patch_is_not_a_write() {
    let (mut sim, _) = sim_with(&[WEB_SVC]);
    let before = sim.get(Kind::Service, "default", "web-svc").expect("svc");
    let after = smp(&mut sim, Kind::Service, "web-svc", json!({}));
    assert_eq!(after, *before);
}

#[test]
fn an_empty_finalizer_list_clears_nothing_by_strategic_patch_but_everything_by_merge_patch() {
    let cm =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  finalizers: [example.com/a]\n";
    let (mut sim, _) = sim_with(&[cm]);
    let body = json!({"metadata":{"finalizers":[]}});
    let o = smp(&mut sim, Kind::ConfigMap, "cfg", body.clone());
    assert_eq!(o["metadata"]["finalizers"], json!(["example.com/a"]));
    let o = patch(
        &mut sim,
        Kind::ConfigMap,
        "default",
        "cfg",
        PatchType::Merge,
        body,
    );
    // Cleared, and an empty list is not written back (`finalizers` is omitempty).
    assert_eq!(o["metadata"].get("finalizers"), None);
    // `null` deletes under both.
    let cm2 =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg2\n  finalizers: [example.com/a]\n";
    common::create(&mut sim, cm2);
    let o = smp(
        &mut sim,
        Kind::ConfigMap,
        "cfg2",
        json!({"metadata":{"finalizers":null}}),
    );
    assert!(o["metadata"].get("finalizers").is_none());
}
