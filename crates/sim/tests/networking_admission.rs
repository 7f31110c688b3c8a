//! NetworkPolicy, Ingress and IngressClass admission through the public API: SERVICES-SPEC
//! rules 67, 75 (NetworkPolicy), 77 and 82 (Ingress), with the API server's exact texts.

mod common;

use common::{create, create_err, sim_with};
use kubedrill_sim::{ApiError, Kind, yaml};
use proptest::prelude::*;
use rstest::rstest;
use serde_json::{Value, json};

fn netpol(spec: &str) -> String {
    let spec: String = spec.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n{spec}"
    )
}

fn ingress(spec: &str) -> String {
    let spec: String = spec.lines().map(|l| format!("  {l}\n")).collect();
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n{spec}"
    )
}

fn np_invalid(detail: &str) -> String {
    format!("NetworkPolicy.networking.k8s.io \"np\" is invalid: {detail}")
}

fn ing_invalid(detail: &str) -> String {
    format!("Ingress.networking.k8s.io \"web\" is invalid: {detail}")
}

// ---------------------------------------------------------------------------------------------
// Rule 67: defaulting

#[rstest]
#[case::no_rules("podSelector: {}", json!(["Ingress"]))]
#[case::ingress_only("podSelector: {}\ningress:\n- {}", json!(["Ingress"]))]
#[case::egress_rules_add_egress("podSelector: {}\negress:\n- {}", json!(["Ingress", "Egress"]))]
#[case::empty_egress_list("podSelector: {}\negress: []", json!(["Ingress"]))]
#[case::explicit_kept("podSelector: {}\npolicyTypes: [Egress]", json!(["Egress"]))]
fn rule67_policy_types_default_to_ingress_plus_egress_when_egress_rules_exist(
    #[case] spec: &str,
    #[case] want: Value,
) {
    let (mut sim, _) = sim_with(&[]);
    let np = create(&mut sim, &netpol(spec));
    assert_eq!(np["spec"]["policyTypes"], want);
}

#[test]
fn rule67_port_protocol_defaults_to_tcp_and_pod_selector_to_empty() {
    let (mut sim, _) = sim_with(&[]);
    let np = create(
        &mut sim,
        &netpol("ingress:\n- ports:\n  - port: 80\n  - port: 53\n    protocol: UDP"),
    );
    assert_eq!(np["spec"]["ingress"][0]["ports"][0]["protocol"], "TCP");
    assert_eq!(np["spec"]["ingress"][0]["ports"][1]["protocol"], "UDP");
    assert_eq!(np["spec"]["podSelector"], json!({}));
}

// ---------------------------------------------------------------------------------------------
// Rule 75: validation, one case per bullet of the spec

#[rstest]
#[case::empty_peer(
    "podSelector: {}\ningress:\n- from:\n  - {}",
    "spec.ingress[0].from[0]: Required value: must specify a peer"
)]
#[case::ip_block_with_another_peer(
    "podSelector: {}\ningress:\n- from:\n  - ipBlock: {cidr: 10.0.0.0/16}\n    podSelector: {}",
    "spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer"
)]
#[case::except_not_inside_cidr(
    "podSelector: {}\ningress:\n- from:\n  - ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/16]}",
    "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"10.1.0.0/16\": must be a strict subset of `cidr`"
)]
#[case::except_equal_to_cidr(
    "podSelector: {}\negress:\n- to:\n  - ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}",
    "spec.egress[0].to[0].ipBlock.except[0]: Invalid value: \"10.0.0.0/16\": must be a strict subset of `cidr`"
)]
#[case::bad_cidr(
    "podSelector: {}\ningress:\n- from:\n  - ipBlock: {cidr: 10.0.0.0/33}",
    "spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
)]
#[case::missing_cidr(
    "podSelector: {}\ningress:\n- from:\n  - ipBlock: {except: [10.0.0.0/24]}",
    "spec.ingress[0].from[0].ipBlock.cidr: Required value"
)]
// The value shown is `port` (8080), a quirk of 1.35 and earlier.
#[case::end_port_below_port(
    "podSelector: {}\negress:\n- ports:\n  - port: 8080\n    endPort: 80",
    "spec.egress[0].ports[0].endPort: Invalid value: 8080: must be greater than or equal to `port`"
)]
#[case::end_port_with_named_port(
    "podSelector: {}\negress:\n- ports:\n  - port: http\n    endPort: 32768",
    "spec.egress[0].ports[0].endPort: Invalid value: 32768: may not be specified when `port` is non-numeric"
)]
#[case::end_port_without_port(
    "podSelector: {}\negress:\n- ports:\n  - endPort: 32768",
    "spec.egress[0].ports[0].endPort: Invalid value: 32768: may not be specified when `port` is not specified"
)]
#[case::protocol_list_is_not_sorted(
    "podSelector: {}\ningress:\n- ports:\n  - protocol: ICMP",
    "spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\", \"SCTP\""
)]
#[case::policy_type_value(
    "podSelector: {}\npolicyTypes: [ingress]",
    "spec.policyTypes[0]: Unsupported value: \"ingress\": supported values: \"Ingress\", \"Egress\""
)]
#[case::more_than_two_policy_types(
    "podSelector: {}\npolicyTypes: [Ingress, Egress, Ingress]",
    "spec.policyTypes: Invalid value: [\"Ingress\",\"Egress\",\"Ingress\"]: may not specify more than two policyTypes"
)]
#[case::port_out_of_range(
    "podSelector: {}\ningress:\n- ports:\n  - port: 70000",
    "spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"
)]
#[case::quoted_number_port_is_a_name(
    "podSelector: {}\ningress:\n- ports:\n  - port: \"8080\"",
    "spec.ingress[0].ports[0].port: Invalid value: \"8080\": must contain at least one letter (a-z)"
)]
fn rule75_network_policy_validation_errors_use_the_api_texts(
    #[case] spec: &str,
    #[case] want: &str,
) {
    let (mut sim, _) = sim_with(&[]);
    assert_eq!(create_err(&mut sim, &netpol(spec)), np_invalid(want));
}

#[rstest]
#[case::bad_operator(
    "podSelector:\n  matchExpressions:\n  - {key: app, operator: Equals, values: [web]}",
    "spec.podSelector.matchExpressions[0].operator: Invalid value: \"Equals\": not a valid selector operator"
)]
#[case::in_without_values(
    "podSelector:\n  matchExpressions:\n  - {key: app, operator: In}",
    "spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
)]
#[case::exists_with_values(
    "podSelector:\n  matchExpressions:\n  - {key: app, operator: Exists, values: [web]}",
    "spec.podSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
)]
#[case::namespace_selector_label_value(
    "podSelector: {}\ningress:\n- from:\n  - namespaceSelector:\n      matchLabels: {team: \"a b\"}",
    "spec.ingress[0].from[0].namespaceSelector.matchLabels: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)]
fn rule75_pod_and_namespace_selectors_are_validated_as_label_selectors(
    #[case] spec: &str,
    #[case] want: &str,
) {
    let (mut sim, _) = sim_with(&[]);
    assert_eq!(create_err(&mut sim, &netpol(spec)), np_invalid(want));
}

#[test]
fn rule75_all_problems_of_a_policy_come_back_together() {
    let (mut sim, _) = sim_with(&[]);
    let err = create_err(
        &mut sim,
        &netpol("podSelector: {}\ningress:\n- from:\n  - {}\n  ports:\n  - protocol: tcp"),
    );
    assert_eq!(
        err,
        np_invalid(
            "[spec.ingress[0].ports[0].protocol: Unsupported value: \"tcp\": supported values: \"TCP\", \"UDP\", \"SCTP\", spec.ingress[0].from[0]: Required value: must specify a peer]"
        )
    );
}

#[test]
fn rule75_a_valid_policy_with_ipblock_except_and_port_range_is_accepted() {
    let (mut sim, _) = sim_with(&[]);
    create(
        &mut sim,
        &netpol(
            "podSelector: {matchLabels: {app: web}}\npolicyTypes: [Ingress, Egress]\ningress:\n- from:\n  - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}\n  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: prod}}\n    podSelector: {matchExpressions: [{key: tier, operator: In, values: [fe]}]}\n  ports:\n  - {port: 32000, endPort: 32768}\negress:\n- to:\n  - ipBlock: {cidr: \"2001:db8::/32\", except: [\"2001:db8:1::/48\"]}",
        ),
    );
}

/// 1.35 parses ipBlock CIDRs sloppily (StrictIPCIDRValidation is off until 1.36): leading zeros
/// and host bits are accepted.
#[test]
fn rule75_ip_block_cidrs_are_parsed_sloppily_in_1_35() {
    let (mut sim, _) = sim_with(&[]);
    create(
        &mut sim,
        &netpol(
            "podSelector: {}\ningress:\n- from:\n  - ipBlock: {cidr: 010.0.0.5/8, except: [10.1.0.0/16]}",
        ),
    );
}

#[test]
fn network_policy_with_a_string_where_a_number_belongs_is_a_bad_request() {
    let (mut sim, _) = sim_with(&[]);
    let doc = yaml::parse_documents(&netpol(
        "podSelector: {}\negress:\n- ports:\n  - endPort: \"x\"",
    ))
    .expect("yaml")
    .remove(0);
    let err = sim.create(doc).expect_err("must fail");
    assert!(matches!(err, ApiError::BadRequest(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "NetworkPolicy in version \"v1\" cannot be handled as a NetworkPolicy: json: cannot unmarshal string into Go struct field NetworkPolicyPort.spec.egress.ports.endPort of type int32"
    );
}

#[test]
fn rule67_defaults_are_applied_again_on_update() {
    let (mut sim, _) = sim_with(&[]);
    let np = create(
        &mut sim,
        &netpol("podSelector: {}\negress:\n- ports:\n  - port: 53"),
    );
    let mut changed = (*np).clone();
    changed["spec"]["policyTypes"] = json!([]);
    changed["spec"]["egress"][0]["ports"] = json!([{"port": 5353}]);
    let np = sim.update(changed).expect("update");
    assert_eq!(np["spec"]["policyTypes"], json!(["Ingress", "Egress"]));
    assert_eq!(np["spec"]["egress"][0]["ports"][0]["protocol"], "TCP");
}

#[test]
fn rule75_invalid_updates_are_refused_with_the_same_texts() {
    let (mut sim, _) = sim_with(&[]);
    let np = create(&mut sim, &netpol("podSelector: {}"));
    let mut changed = (*np).clone();
    changed["spec"]["ingress"] = json!([{"from": [{}]}]);
    assert_eq!(
        sim.update(changed).expect_err("empty peer").to_string(),
        np_invalid("spec.ingress[0].from[0]: Required value: must specify a peer")
    );
}

// ---------------------------------------------------------------------------------------------
// Rule 77: Ingress validation, one case per bullet

const BACKEND: &str = "backend: {service: {name: web, port: {number: 80}}}";

#[rstest]
#[case::neither_rules_nor_default_backend(
    "ingressClassName: nginx",
    "spec: Invalid value: null: either `defaultBackend` or `rules` must be specified"
)]
#[case::path_type_required(
    &format!("rules:\n- http:\n    paths:\n    - path: /\n      {BACKEND}"),
    "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"
)]
#[case::path_type_values(
    &format!("rules:\n- http:\n    paths:\n    - path: /\n      pathType: prefix\n      {BACKEND}"),
    "spec.rules[0].http.paths[0].pathType: Unsupported value: \"prefix\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\""
)]
#[case::path_must_be_absolute(
    &format!("rules:\n- http:\n    paths:\n    - path: api\n      pathType: Prefix\n      {BACKEND}"),
    "spec.rules[0].http.paths[0].path: Invalid value: \"api\": must be an absolute path"
)]
#[case::path_double_slash(
    &format!("rules:\n- http:\n    paths:\n    - path: /a//b\n      pathType: Exact\n      {BACKEND}"),
    "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'"
)]
#[case::path_dot_suffix(
    &format!("rules:\n- http:\n    paths:\n    - path: /a/.\n      pathType: Prefix\n      {BACKEND}"),
    "spec.rules[0].http.paths[0].path: Invalid value: \"/a/.\": cannot end with '/.'"
)]
#[case::http_paths_required(
    "rules:\n- host: a.example.com\n  http: {}",
    "spec.rules[0].http.paths: Required value"
)]
#[case::port_name_and_number(
    "rules:\n- http:\n    paths:\n    - path: /\n      pathType: Prefix\n      backend: {service: {name: web, port: {name: http, number: 80}}}",
    "spec.rules[0].http.paths[0].backend: Invalid value: \"\": cannot set both port name & port number"
)]
#[case::port_neither(
    "rules:\n- http:\n    paths:\n    - path: /\n      pathType: Prefix\n      backend: {service: {name: web, port: {}}}",
    "spec.rules[0].http.paths[0].backend: Required value: port name or number is required"
)]
#[case::service_name_dns1035(
    "defaultBackend: {service: {name: 1web, port: {number: 80}}}",
    "spec.defaultBackend.service.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)]
#[case::host_is_an_ip(
    &format!("rules:\n- host: 10.0.0.1\n  http:\n    paths:\n    - path: /\n      pathType: Prefix\n      {BACKEND}"),
    "spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address"
)]
#[case::wildcard_not_first_label(
    &format!("rules:\n- host: foo.*.example.com\n  http:\n    paths:\n    - path: /\n      pathType: Prefix\n      {BACKEND}"),
    "spec.rules[0].host: Invalid value: \"foo.*.example.com\": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)]
fn rule77_ingress_validation_errors_use_the_api_texts(#[case] spec: &str, #[case] want: &str) {
    let (mut sim, _) = sim_with(&[]);
    assert_eq!(create_err(&mut sim, &ingress(spec)), ing_invalid(want));
}

#[test]
fn rule77_implementation_specific_allows_an_empty_path_and_backends_need_not_exist() {
    let (mut sim, _) = sim_with(&[]);
    let ing = create(
        &mut sim,
        &ingress(
            "rules:\n- host: \"*.example.com\"\n  http:\n    paths:\n    - pathType: ImplementationSpecific\n      backend: {service: {name: missing, port: {name: http}}}",
        ),
    );
    assert_eq!(ing["spec"]["rules"][0]["host"], "*.example.com");
}

#[rstest]
#[case::port_number_quoted(
    "defaultBackend: {service: {name: web, port: {number: \"80\"}}}",
    "json: cannot unmarshal string into Go struct field ServiceBackendPort.spec.defaultBackend.service.port.number of type int32"
)]
#[case::port_number_fraction(
    "rules:\n- http:\n    paths:\n    - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80.5}}}}",
    "json: cannot unmarshal number 80.5 into Go struct field ServiceBackendPort.spec.rules.http.paths.backend.service.port.number of type int32"
)]
#[case::rules_not_a_list(
    "rules: {host: a.example.com}",
    "json: cannot unmarshal object into Go struct field IngressSpec.spec.rules of type []v1.IngressRule"
)]
#[case::port_as_a_bare_number(
    "defaultBackend: {service: {name: web, port: 80}}",
    "json: cannot unmarshal number into Go struct field IngressServiceBackend.spec.defaultBackend.service.port of type v1.ServiceBackendPort"
)]
fn ingress_decode_errors_name_the_go_field(#[case] spec: &str, #[case] want: &str) {
    let (mut sim, _) = sim_with(&[]);
    let doc = yaml::parse_documents(&ingress(spec))
        .expect("yaml")
        .remove(0);
    let err = sim.create(doc).expect_err("decode");
    assert_eq!(
        err.to_string(),
        format!("Ingress in version \"v1\" cannot be handled as a Ingress: {want}")
    );
}

#[test]
fn ingress_with_a_number_where_a_string_belongs_is_a_bad_request() {
    let (mut sim, _) = sim_with(&[]);
    let doc = yaml::parse_documents(&ingress(&format!("ingressClassName: 5\n{SIMPLE}")))
        .expect("yaml")
        .remove(0);
    let err = sim.create(doc).expect_err("decode");
    assert!(matches!(err, ApiError::BadRequest(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "Ingress in version \"v1\" cannot be handled as a Ingress: json: cannot unmarshal number into Go struct field IngressSpec.spec.ingressClassName of type string"
    );
}

// ---------------------------------------------------------------------------------------------
// Rule 82: ingress classes

fn class(name: &str, default: bool) -> String {
    let ann = if default {
        "\n  annotations:\n    ingressclass.kubernetes.io/is-default-class: \"true\""
    } else {
        ""
    };
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: {name}{ann}\nspec:\n  controller: k8s.io/ingress-nginx"
    )
}

const SIMPLE: &str = "defaultBackend: {service: {name: web, port: {number: 80}}}";

#[test]
fn rule82_the_default_ingress_class_is_filled_in_on_create() {
    let (mut sim, _) = sim_with(&[&class("nginx", true), &class("other", false)]);
    let ing = create(&mut sim, &ingress(SIMPLE));
    assert_eq!(ing["spec"]["ingressClassName"], "nginx");
}

#[test]
fn rule82_no_default_class_leaves_the_ingress_without_a_class() {
    let (mut sim, _) = sim_with(&[&class("nginx", false)]);
    let ing = create(&mut sim, &ingress(SIMPLE));
    assert!(ing["spec"].get("ingressClassName").is_none());
}

#[test]
fn rule82_an_explicit_class_or_the_legacy_annotation_is_kept() {
    let (mut sim, _) = sim_with(&[&class("nginx", true)]);
    let ing = create(
        &mut sim,
        &ingress(&format!("ingressClassName: traefik\n{SIMPLE}")),
    );
    assert_eq!(ing["spec"]["ingressClassName"], "traefik");
    let annotated = format!(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: legacy\n  annotations:\n    kubernetes.io/ingress.class: traefik\nspec:\n  {SIMPLE}"
    );
    let ing = create(&mut sim, &annotated);
    assert!(ing["spec"].get("ingressClassName").is_none());
}

#[test]
fn rule82_of_several_default_classes_the_newest_wins() {
    let (mut sim, clock) = sim_with(&[&class("old", true)]);
    clock.advance(jiff::SignedDuration::from_secs(60));
    create(&mut sim, &class("new", true));
    let ing = create(&mut sim, &ingress(SIMPLE));
    assert_eq!(ing["spec"]["ingressClassName"], "new");
}

#[test]
fn rule82_the_class_annotation_must_match_ingress_class_name() {
    let (mut sim, _) = sim_with(&[]);
    let m = format!(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations:\n    kubernetes.io/ingress.class: x\nspec:\n  ingressClassName: nginx\n  {SIMPLE}"
    );
    assert_eq!(
        create_err(&mut sim, &m),
        ing_invalid(
            "annotations.kubernetes.io/ingress.class: Invalid value: \"x\": must match `ingressClassName` when both are specified"
        )
    );
}

#[test]
fn ingress_class_controller_is_required_and_immutable() {
    let (mut sim, _) = sim_with(&[]);
    let m = "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: c\nspec: {}";
    assert_eq!(
        create_err(&mut sim, m),
        "IngressClass.networking.k8s.io \"c\" is invalid: spec.controller: Required value"
    );
    let m = "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: c\nspec:\n  controller: nginx";
    assert_eq!(
        create_err(&mut sim, m),
        "IngressClass.networking.k8s.io \"c\" is invalid: spec.controller: Invalid value: \"nginx\": must be a domain-prefixed path (such as \"acme.io/foo\")"
    );
    let stored = create(&mut sim, &class("c", false));
    let mut changed = (*stored).clone();
    changed["spec"]["controller"] = json!("example.com/other");
    let err = sim.update(changed).expect_err("immutable");
    assert_eq!(
        err.to_string(),
        "IngressClass.networking.k8s.io \"c\" is invalid: spec.controller: Invalid value: \"example.com/other\": field is immutable"
    );
}

// ---------------------------------------------------------------------------------------------
// Robustness: garbage never panics

fn garbage() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1.0e6f64..1.0e6).prop_map(|f| json!(f)),
        "[a-zA-Z0-9./*:%-]{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("TCP"),
            Just("Ingress"),
            Just("Egress"),
            Just("Prefix"),
            Just("Exact"),
            Just("10.0.0.0/8"),
            Just("In"),
            Just("Exists"),
            Just("ImplementationSpecific")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("podSelector"),
            Just("namespaceSelector"),
            Just("ipBlock"),
            Just("cidr"),
            Just("except"),
            Just("ingress"),
            Just("egress"),
            Just("from"),
            Just("to"),
            Just("ports"),
            Just("port"),
            Just("endPort"),
            Just("protocol"),
            Just("policyTypes"),
            Just("matchLabels"),
            Just("matchExpressions"),
            Just("key"),
            Just("operator"),
            Just("values"),
            Just("rules"),
            Just("host"),
            Just("http"),
            Just("paths"),
            Just("path"),
            Just("pathType"),
            Just("backend"),
            Just("service"),
            Just("name"),
            Just("number"),
            Just("defaultBackend"),
            Just("tls"),
            Just("hosts"),
            Just("ingressClassName"),
            Just("resource")
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((keys, inner), 0..5).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn random_network_policies_and_ingresses_never_panic(spec in garbage(), is_np in any::<bool>()) {
        let (mut sim, _) = common::sim_with(&[]);
        let kind = if is_np { Kind::NetworkPolicy } else { Kind::Ingress };
        let obj = json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": kind.name(),
            "metadata": {"name": "x", "namespace": "default"},
            "spec": spec,
        });
        let _ = sim.create(obj);
    }
}
