//! Admission of the simpler core and discovery kinds: Namespace (rule 72), Node taints,
//! ConfigMap keys, Endpoints, EndpointSlice and Event, with the API server's exact texts.

mod common;

use common::{create, create_err, sim_with};
use kubedrill_sim::{ApiError, Kind, yaml};
use proptest::prelude::*;
use rstest::rstest;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Namespace: rule 72

#[test]
fn rule72_every_namespace_carries_its_metadata_name_label() {
    let (mut sim, _) = sim_with(&[]);
    let ns = create(
        &mut sim,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  labels:\n    kubernetes.io/metadata.name: spoofed\n    team: a",
    );
    assert_eq!(
        ns["metadata"]["labels"],
        json!({"kubernetes.io/metadata.name": "prod", "team": "a"})
    );
    let sys = sim
        .get(Kind::Namespace, "", "kube-system")
        .expect("bootstrap ns");
    assert_eq!(
        sys["metadata"]["labels"]["kubernetes.io/metadata.name"],
        "kube-system"
    );
}

#[test]
fn rule72_the_label_comes_back_when_an_update_removes_it() {
    let (mut sim, _) = sim_with(&["apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod"]);
    let mut ns = (*sim.get(Kind::Namespace, "", "prod").expect("ns")).clone();
    ns["metadata"]["labels"] = json!({"team": "b"});
    let ns = sim.update(ns).expect("update");
    assert_eq!(
        ns["metadata"]["labels"],
        json!({"team": "b", "kubernetes.io/metadata.name": "prod"})
    );
}

#[test]
fn namespace_create_sets_the_kubernetes_finalizer_and_active_phase() {
    let (mut sim, _) = sim_with(&[]);
    let ns = create(
        &mut sim,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\nstatus:\n  phase: Terminating",
    );
    assert_eq!(ns["spec"]["finalizers"], json!(["kubernetes"]));
    assert_eq!(ns["status"]["phase"], "Active");
    // spec.finalizers only changes through /finalize: an update keeps the stored list.
    let mut changed = (*ns).clone();
    changed["spec"]["finalizers"] = json!([]);
    let ns = sim.update(changed).expect("update");
    assert_eq!(ns["spec"]["finalizers"], json!(["kubernetes"]));
}

// ---------------------------------------------------------------------------------------------
// Node

fn node(taints: &str) -> String {
    format!("apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-9\nspec:\n  taints:\n{taints}")
}

/// The effect list is in `validateTaintEffect`'s literal order, not sorted.
#[rstest]
#[case::unknown_effect(
    "  - {key: dedicated, effect: NoSchedul}",
    "metadata.taints[0].effect: Unsupported value: \"NoSchedul\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""
)]
#[case::effect_required(
    "  - {key: dedicated, value: db}",
    "metadata.taints[0].effect: Required value"
)]
#[case::duplicate_key_and_effect(
    "  - {key: a, effect: NoSchedule}\n  - {key: a, value: x, effect: NoSchedule}",
    "metadata.taints[1]: Duplicate value: {\"Key\":\"a\",\"Value\":\"x\",\"Effect\":\"NoSchedule\",\"TimeAdded\":null}: taints must be unique by key and effect pair"
)]
fn node_taints_are_validated(#[case] taints: &str, #[case] want: &str) {
    let (mut sim, _) = sim_with(&[]);
    assert_eq!(
        create_err(&mut sim, &node(taints)),
        format!("Node \"worker-9\" is invalid: {want}")
    );
}

// ---------------------------------------------------------------------------------------------
// ConfigMap

const KEY_REGEX: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

#[rstest]
#[case::space("\"app config\"", format!("data[app config]: Invalid value: \"app config\": {KEY_REGEX}"))]
#[case::slash("conf/app.yaml", format!("data[conf/app.yaml]: Invalid value: \"conf/app.yaml\": {KEY_REGEX}"))]
#[case::dot_dot("\"..\"", "data[..]: Invalid value: \"..\": must not be '..'".to_string())]
#[case::starts_with_dot_dot("..data", "data[..data]: Invalid value: \"..data\": must not start with '..'".to_string())]
fn configmap_data_keys_follow_is_config_map_key(#[case] key: &str, #[case] want: String) {
    let (mut sim, _) = sim_with(&[]);
    let m = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  {key}: v");
    assert_eq!(
        create_err(&mut sim, &m),
        format!("ConfigMap \"c\" is invalid: {want}")
    );
}

#[test]
fn configmap_a_key_in_both_data_and_binary_data_is_refused() {
    let (mut sim, _) = sim_with(&[]);
    let m = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  myname: a\nbinaryData:\n  myname: aGVsbG8=";
    assert_eq!(
        create_err(&mut sim, m),
        "ConfigMap \"c\" is invalid: data[myname]: Invalid value: \"myname\": duplicate of key present in binaryData"
    );
}

#[test]
fn configmap_immutable_data_cannot_change() {
    let (mut sim, _) = sim_with(&[]);
    let cm = create(
        &mut sim,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nimmutable: true\ndata:\n  a: b",
    );
    let mut changed = (*cm).clone();
    changed["data"]["a"] = json!("c");
    assert_eq!(
        sim.update(changed).expect_err("immutable").to_string(),
        "ConfigMap \"c\" is invalid: data: Forbidden: field is immutable when `immutable` is set"
    );
}

#[test]
fn configmap_data_values_must_be_strings() {
    let (mut sim, _) = sim_with(&[]);
    let doc = yaml::parse_documents(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  PORT: 8080",
    )
    .expect("yaml")
    .remove(0);
    assert_eq!(
        sim.create(doc).expect_err("decode").to_string(),
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string"
    );
}

#[test]
fn endpoints_port_as_a_string_is_a_bad_request() {
    let (mut sim, _) = sim_with(&[]);
    let doc = yaml::parse_documents(&endpoints(
        "- addresses: [{ip: 10.244.1.5}]\n  ports: [{port: \"80\"}]",
    ))
    .expect("yaml")
    .remove(0);
    assert_eq!(
        sim.create(doc).expect_err("decode").to_string(),
        "Endpoints in version \"v1\" cannot be handled as a Endpoints: json: cannot unmarshal string into Go struct field EndpointPort.subsets.ports.port of type int32"
    );
}

#[test]
fn configmap_binary_data_that_is_not_base64_is_a_bad_request() {
    let (mut sim, _) = sim_with(&[]);
    let doc = yaml::parse_documents(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nbinaryData:\n  k: \"not base64!\"",
    )
    .expect("yaml")
    .remove(0);
    let err = sim.create(doc).expect_err("decode");
    assert!(matches!(err, ApiError::BadRequest(_)), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// Endpoints

fn endpoints(subsets: &str) -> String {
    format!("apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: web\nsubsets:\n{subsets}")
}

#[rstest]
#[case::bad_ip(
    "- addresses: [{ip: 10.0.0.300}]\n  ports: [{port: 80}]",
    "subsets[0].addresses[0].ip: Invalid value: \"10.0.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
)]
#[case::loopback(
    "- addresses: [{ip: 127.0.0.1}]\n  ports: [{port: 80}]",
    "subsets[0].addresses[0].ip: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)"
)]
// Sloppy parsing accepts the leading zero, the strict special-IP check then refuses it.
#[case::leading_zero(
    "- addresses: [{ip: 010.0.0.1}]\n  ports: [{port: 80}]",
    "subsets[0].addresses[0].ip: Invalid value: \"010.0.0.1\": must be a valid IP address"
)]
#[case::port_zero(
    "- addresses: [{ip: 10.244.1.5}]\n  ports: [{port: 0}]",
    "subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"
)]
#[case::protocol(
    "- addresses: [{ip: 10.244.1.5}]\n  ports: [{port: 80, protocol: tcp}]",
    "subsets[0].ports[0].protocol: Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\""
)]
#[case::no_addresses(
    "- ports: [{port: 80}]",
    "subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`"
)]
#[case::names_required_with_several_ports(
    "- addresses: [{ip: 10.244.1.5}]\n  ports: [{port: 80}, {name: b, port: 81}]",
    "subsets[0].ports[0].name: Required value"
)]
fn endpoints_subsets_are_validated(#[case] subsets: &str, #[case] want: &str) {
    let (mut sim, _) = sim_with(&[]);
    assert_eq!(
        create_err(&mut sim, &endpoints(subsets)),
        format!("Endpoints \"web\" is invalid: {want}")
    );
}

#[test]
fn endpoints_port_protocol_defaults_to_tcp() {
    let (mut sim, _) = sim_with(&[]);
    let ep = create(
        &mut sim,
        &endpoints(
            "- addresses: [{ip: 10.244.1.5}]\n  notReadyAddresses: [{ip: \"fd00::5\"}]\n  ports: [{port: 80}]",
        ),
    );
    assert_eq!(ep["subsets"][0]["ports"][0]["protocol"], "TCP");
}

// ---------------------------------------------------------------------------------------------
// EndpointSlice

fn slice(body: &str) -> String {
    format!(
        "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-abc\n{body}"
    )
}

#[rstest]
#[case::address_type_required("endpoints: []", "addressType: Required value")]
#[case::address_type_values(
    "addressType: IPv5",
    "addressType: Unsupported value: \"IPv5\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""
)]
#[case::addresses_required(
    "addressType: IPv4\nendpoints:\n- addresses: []",
    "endpoints[0].addresses: Required value: must contain at least 1 address"
)]
#[case::wrong_family(
    "addressType: IPv4\nendpoints:\n- addresses: [\"fd00::1\"]",
    "endpoints[0].addresses[0]: Invalid value: \"fd00::1\": must be a valid IPv4 address"
)]
#[case::duplicate_port_names(
    "addressType: IPv4\nports:\n- {name: http, port: 80}\n- {name: http, port: 81}",
    "ports[1].name: Duplicate value: \"http\""
)]
#[case::fqdn_one_label(
    "addressType: FQDN\nendpoints:\n- addresses: [web]",
    "endpoints[0].addresses[0]: Invalid value: \"web\": should be a domain with at least two segments separated by dots"
)]
fn endpoint_slices_are_validated(#[case] body: &str, #[case] want: &str) {
    let (mut sim, _) = sim_with(&[]);
    assert_eq!(
        create_err(&mut sim, &slice(body)),
        format!("EndpointSlice.discovery.k8s.io \"web-abc\" is invalid: {want}")
    );
}

#[test]
fn endpoint_slice_port_defaults_and_immutable_address_type() {
    let (mut sim, _) = sim_with(&[]);
    let s = create(
        &mut sim,
        &slice("addressType: IPv4\nendpoints:\n- addresses: [10.244.1.5]\nports:\n- port: 80"),
    );
    assert_eq!(
        s["ports"][0],
        json!({"port": 80, "name": "", "protocol": "TCP"})
    );
    let mut changed = (*s).clone();
    changed["addressType"] = json!("IPv6");
    changed["endpoints"] = json!([]);
    assert_eq!(
        sim.update(changed).expect_err("immutable").to_string(),
        "EndpointSlice.discovery.k8s.io \"web-abc\" is invalid: addressType: Invalid value: \"IPv6\": field is immutable"
    );
}

// ---------------------------------------------------------------------------------------------
// Event

#[test]
fn event_involved_object_namespace_must_match() {
    let (mut sim, _) = sim_with(&[]);
    let m = "apiVersion: v1\nkind: Event\nmetadata:\n  name: web.1\n  namespace: default\ninvolvedObject:\n  kind: Pod\n  name: web\n  namespace: prod\nreason: Test";
    assert_eq!(
        create_err(&mut sim, m),
        "Event \"web.1\" is invalid: involvedObject.namespace: Invalid value: \"prod\": does not match event.namespace"
    );
}

// ---------------------------------------------------------------------------------------------
// Robustness: garbage never panics

fn garbage() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z0-9./:=-]{0,10}".prop_map(Value::from),
        prop_oneof![
            Just("10.244.1.5"),
            Just("TCP"),
            Just("IPv4"),
            Just("FQDN"),
            Just("NoSchedule"),
            Just("aGVsbG8="),
            Just("fd00::1")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 5, |inner| {
        let keys = prop_oneof![
            Just("addresses"),
            Just("notReadyAddresses"),
            Just("ports"),
            Just("ip"),
            Just("port"),
            Just("name"),
            Just("protocol"),
            Just("hostname"),
            Just("nodeName"),
            Just("taints"),
            Just("key"),
            Just("value"),
            Just("effect"),
            Just("conditions"),
            Just("finalizers"),
            Just("a.b")
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((keys, inner), 0..4).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn random_core_objects_never_panic(body in garbage(), which in 0usize..6) {
        let (mut sim, _) = common::sim_with(&[]);
        let obj = match which {
            0 => json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "x"}, "subsets": body}),
            1 => json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "x"}, "addressType": "IPv4", "endpoints": body.clone(), "ports": body}),
            2 => json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "x"}, "spec": body}),
            3 => json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": body.clone(), "binaryData": body}),
            4 => json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "labels": body.clone()}, "spec": body}),
            _ => json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "x", "annotations": body.clone()}, "involvedObject": body}),
        };
        let _ = sim.create(obj);
    }
}
