//! Service admission through the public API: defaulting, ClusterIP/NodePort allocation,
//! validation and update rules, each test named after the SERVICES-SPEC rule it proves and
//! asserting the API server's exact message.

mod common;

use std::sync::Arc;

use common::{create, create_err, sim_with};
use kubedrill_sim::{DeleteOptions, Kind, PatchType, Sim, Subresource, yaml};
use rstest::rstest;
use serde_json::{Value, json};

fn sim() -> Sim {
    sim_with(&[]).0
}

fn get(sim: &Sim, name: &str) -> Arc<Value> {
    sim.get(Kind::Service, "default", name).expect("service")
}

fn patch(sim: &mut Sim, name: &str, body: Value) -> Result<Arc<Value>, String> {
    sim.patch(
        Kind::Service,
        "default",
        name,
        PatchType::Merge,
        &body,
        Subresource::Main,
    )
    .map_err(|e| e.to_string())
}

fn update_yaml(sim: &mut Sim, manifest: &str) -> Result<Arc<Value>, String> {
    let mut docs = yaml::parse_documents(manifest).expect("yaml");
    sim.update(docs.remove(0)).map_err(|e| e.to_string())
}

fn delete(sim: &mut Sim, name: &str) {
    sim.delete(Kind::Service, "default", name, &DeleteOptions::default())
        .expect("delete");
}

/// A Service manifest: `name`, `type`, and the YAML of `spec.ports` plus any extra spec lines.
fn svc(name: &str, type_: &str, spec: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  type: {type_}\n  selector:\n    app: web\n{spec}"
    )
}

const PORT80: &str = "  ports:\n  - port: 80\n";

fn node_port_of(obj: &Value, i: usize) -> i64 {
    obj["spec"]["ports"][i]["nodePort"]
        .as_i64()
        .expect("nodePort")
}

fn ip_num(s: &str) -> u32 {
    u32::from(s.parse::<std::net::Ipv4Addr>().expect("ipv4"))
}

// ---------------------------------------------------------------------------------------------
// A. Defaulting (rules 1–7)
// ---------------------------------------------------------------------------------------------

#[test]
fn rule1_type_session_affinity_and_protocol_are_defaulted() {
    let mut sim = sim();
    let s = create(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n",
    );
    assert_eq!(s["spec"]["type"], "ClusterIP");
    assert_eq!(s["spec"]["sessionAffinity"], "None");
    assert_eq!(s["spec"]["ports"][0]["protocol"], "TCP");
    assert_eq!(s["status"], json!({"loadBalancer": {}}));
}

#[rstest]
#[case("  ports: [{port: 80}]\n", json!(80))]
#[case("  ports: [{port: 80, targetPort: 0}]\n", json!(80))]
#[case("  ports: [{port: 80, targetPort: \"\"}]\n", json!(80))]
#[case("  ports: [{port: 80, targetPort: http}]\n", json!("http"))]
#[case("  ports: [{port: 80, targetPort: 8080}]\n", json!(8080))]
fn rule2_target_port_defaults_to_port(#[case] ports: &str, #[case] want: Value) {
    let mut sim = sim();
    let s = create(&mut sim, &svc("web", "ClusterIP", ports));
    assert_eq!(s["spec"]["ports"][0]["targetPort"], want);
}

#[test]
fn rule3_client_ip_affinity_timeout_defaults_to_10800_and_none_clears_the_config() {
    let mut sim = sim();
    let s = create(
        &mut sim,
        &svc(
            "sticky",
            "ClusterIP",
            &format!("{PORT80}  sessionAffinity: ClientIP\n"),
        ),
    );
    assert_eq!(
        s["spec"]["sessionAffinityConfig"],
        json!({"clientIP": {"timeoutSeconds": 10800}})
    );
    let s = create(
        &mut sim,
        &svc(
            "plain",
            "ClusterIP",
            &format!("{PORT80}  sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 0\n"),
        ),
    );
    assert!(s["spec"].get("sessionAffinityConfig").is_none());
}

#[rstest]
#[case("ClusterIP", None, Some("Cluster"), None)]
#[case("NodePort", Some("Cluster"), Some("Cluster"), None)]
#[case("LoadBalancer", Some("Cluster"), Some("Cluster"), Some(true))]
fn rule4_traffic_policies_and_lb_node_ports_are_defaulted_by_type(
    #[case] type_: &str,
    #[case] etp: Option<&str>,
    #[case] itp: Option<&str>,
    #[case] alloc_lb: Option<bool>,
) {
    let mut sim = sim();
    let s = create(&mut sim, &svc("web", type_, PORT80));
    assert_eq!(
        s["spec"]
            .get("externalTrafficPolicy")
            .and_then(Value::as_str),
        etp
    );
    assert_eq!(
        s["spec"]
            .get("internalTrafficPolicy")
            .and_then(Value::as_str),
        itp
    );
    assert_eq!(
        s["spec"]
            .get("allocateLoadBalancerNodePorts")
            .and_then(Value::as_bool),
        alloc_lb
    );
}

#[test]
fn rule4_external_ips_make_a_cluster_ip_service_externally_accessible() {
    let mut sim = sim();
    let s = create(
        &mut sim,
        &svc(
            "web",
            "ClusterIP",
            &format!("{PORT80}  externalIPs: [203.0.113.7]\n"),
        ),
    );
    assert_eq!(s["spec"]["externalTrafficPolicy"], "Cluster");
}

#[test]
fn rule4_external_name_services_get_no_internal_traffic_policy_and_no_cluster_ip() {
    let mut sim = sim();
    let s = create(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n  type: ExternalName\n  externalName: db.example.com\n  internalTrafficPolicy: Local\n",
    );
    let spec = s["spec"].as_object().expect("spec");
    for k in [
        "internalTrafficPolicy",
        "clusterIP",
        "clusterIPs",
        "ipFamilies",
        "ipFamilyPolicy",
    ] {
        assert!(!spec.contains_key(k), "{k} in {spec:?}");
    }
}

#[test]
fn rule5_cluster_ip_fills_cluster_ips_and_ip_families_default_to_ipv4_single_stack() {
    let mut sim = sim();
    let s = create(
        &mut sim,
        &svc(
            "web",
            "ClusterIP",
            &format!("{PORT80}  clusterIP: 10.96.0.50\n"),
        ),
    );
    assert_eq!(s["spec"]["clusterIPs"], json!(["10.96.0.50"]));
    assert_eq!(s["spec"]["ipFamilies"], json!(["IPv4"]));
    assert_eq!(s["spec"]["ipFamilyPolicy"], "SingleStack");
    let s = create(&mut sim, &svc("auto", "ClusterIP", PORT80));
    assert_eq!(
        s["spec"]["clusterIPs"],
        json!([s["spec"]["clusterIP"].clone()])
    );
}

#[test]
fn rule5_headless_selectorless_services_default_to_require_dual_stack() {
    let mut sim = sim();
    let s = create(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec:\n  clusterIP: None\n  ports: [{port: 80}]\n",
    );
    assert_eq!(s["spec"]["ipFamilyPolicy"], "RequireDualStack");
    assert_eq!(s["spec"]["ipFamilies"], json!(["IPv4", "IPv6"]));
    assert_eq!(s["spec"]["clusterIPs"], json!(["None"]));
    let s = create(
        &mut sim,
        &svc(
            "headless",
            "ClusterIP",
            &format!("{PORT80}  clusterIP: None\n"),
        ),
    );
    assert_eq!(s["spec"]["ipFamilyPolicy"], "SingleStack");
    assert_eq!(s["spec"]["ipFamilies"], json!(["IPv4"]));
}

#[test]
fn rule6_dynamic_cluster_ips_come_from_the_upper_band_and_are_distinct() {
    let mut sim = sim();
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..40 {
        let s = create(&mut sim, &svc(&format!("s{i}"), "ClusterIP", PORT80));
        let ip = s["spec"]["clusterIP"].as_str().expect("ip").to_string();
        // 10.96.0.0/12: the low 256 addresses after the network address are the static band.
        assert!(ip_num(&ip) >= ip_num("10.96.1.1"), "{ip}");
        assert!(ip_num(&ip) <= ip_num("10.111.255.254"), "{ip}");
        assert!(seen.insert(ip));
    }
    // The static band stays free for explicit picks.
    create(
        &mut sim,
        &svc(
            "static",
            "ClusterIP",
            &format!("{PORT80}  clusterIP: 10.96.0.20\n"),
        ),
    );
}

#[test]
fn rule6_bootstrap_services_hold_their_static_ips_and_allocation_is_deterministic() {
    let (mut a, _) = sim_with(&[]);
    let (mut b, _) = sim_with(&[]);
    assert_eq!(
        get_in(&a, "kube-system", "kube-dns")["spec"]["clusterIP"],
        "10.96.0.10"
    );
    assert_eq!(
        get_in(&a, "default", "kubernetes")["spec"]["clusterIP"],
        "10.96.0.1"
    );
    let x = create(&mut a, &svc("web", "NodePort", PORT80));
    let y = create(&mut b, &svc("web", "NodePort", PORT80));
    assert_eq!(x["spec"]["clusterIP"], y["spec"]["clusterIP"]);
    assert_eq!(x["spec"]["ports"], y["spec"]["ports"]);
}

fn get_in(sim: &Sim, ns: &str, name: &str) -> Arc<Value> {
    sim.get(Kind::Service, ns, name).expect("service")
}

#[test]
fn rule7_dynamic_node_ports_come_from_the_upper_range_and_a_shared_port_number_shares_one() {
    let mut sim = sim();
    let s = create(
        &mut sim,
        &svc(
            "dns",
            "NodePort",
            "  ports:\n  - {name: dns, port: 53, protocol: UDP}\n  - {name: dns-tcp, port: 53, protocol: TCP}\n  - {name: metrics, port: 9153}\n",
        ),
    );
    let (a, b, c) = (
        node_port_of(&s, 0),
        node_port_of(&s, 1),
        node_port_of(&s, 2),
    );
    assert_eq!(a, b);
    assert_ne!(a, c);
    for p in [a, c] {
        assert!((30086..=32767).contains(&p), "{p}");
    }
}

#[test]
fn rule7_a_requested_node_port_is_shared_by_the_other_protocol_of_the_same_port() {
    let mut sim = sim();
    let s = create(
        &mut sim,
        &svc(
            "dns",
            "NodePort",
            "  ports:\n  - {name: dns, port: 53, protocol: UDP}\n  - {name: dns-tcp, port: 53, protocol: TCP, nodePort: 30053}\n",
        ),
    );
    assert_eq!(node_port_of(&s, 0), 30053);
    assert_eq!(node_port_of(&s, 1), 30053);
}

// ---------------------------------------------------------------------------------------------
// B. Validation on create (rules 8–29)
// ---------------------------------------------------------------------------------------------

#[test]
fn rule8_service_name_must_be_a_dns1035_label() {
    let mut sim = sim();
    assert_eq!(
        create_err(&mut sim, &svc("1svc", "ClusterIP", PORT80)),
        "Service \"1svc\" is invalid: metadata.name: Invalid value: \"1svc\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
    );
}

#[test]
fn rule9_ports_are_required_unless_headless_or_external_name() {
    let mut sim = sim();
    assert_eq!(
        create_err(&mut sim, &svc("web", "ClusterIP", "")),
        "Service \"web\" is invalid: spec.ports: Required value"
    );
    create(
        &mut sim,
        &svc("headless", "ClusterIP", "  clusterIP: None\n"),
    );
    create(
        &mut sim,
        &svc("db", "ExternalName", "  externalName: db.example.com\n"),
    );
}

#[test]
fn rule10_every_unnamed_port_of_a_multi_port_service_is_reported() {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "ClusterIP",
                "  ports:\n  - port: 80\n  - port: 443\n"
            )
        ),
        "Service \"web\" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]"
    );
}

#[test]
fn rule11_port_names_are_dns1123_labels_and_unique() {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc("web", "ClusterIP", "  ports:\n  - {name: HTTP, port: 80}\n")
        ),
        "Service \"web\" is invalid: spec.ports[0].name: Invalid value: \"HTTP\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    );
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "ClusterIP",
                "  ports:\n  - {name: http, port: 80}\n  - {name: http, port: 8080}\n"
            )
        ),
        "Service \"web\" is invalid: spec.ports[1].name: Duplicate value: \"http\""
    );
}

#[test]
fn rule12_port_must_be_between_1_and_65535_and_port_0_also_breaks_the_defaulted_target_port() {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc("web", "ClusterIP", "  ports:\n  - port: 0\n")
        ),
        "Service \"web\" is invalid: [spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive]"
    );
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "ClusterIP",
                "  ports:\n  - {port: 70000, targetPort: 80}\n"
            )
        ),
        "Service \"web\" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"
    );
}

#[test]
fn rule13_protocol_is_case_sensitive() {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "ClusterIP",
                "  ports:\n  - {port: 80, protocol: tcp}\n"
            )
        ),
        "Service \"web\" is invalid: spec.ports[0].protocol: Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\""
    );
}

#[rstest]
#[case(
    "\"8080\"",
    "spec.ports[0].targetPort: Invalid value: \"8080\": must contain at least one letter (a-z)"
)]
#[case(
    "metrics-endpoint",
    "spec.ports[0].targetPort: Invalid value: \"metrics-endpoint\": must be no more than 15 characters"
)]
#[case(
    "Http",
    "spec.ports[0].targetPort: Invalid value: \"Http\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
)]
#[case(
    "70000",
    "spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive"
)]
fn rule14_target_port_is_a_port_number_or_an_iana_name(#[case] tp: &str, #[case] want: &str) {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "ClusterIP",
                &format!("  ports:\n  - port: 80\n    targetPort: {tp}\n")
            )
        ),
        format!("Service \"web\" is invalid: {want}")
    );
}

#[test]
fn rule14_several_problems_with_one_target_port_are_separate_causes() {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "ClusterIP",
                "  ports:\n  - port: 80\n    targetPort: \"-8080-\"\n"
            )
        ),
        "Service \"web\" is invalid: [spec.ports[0].targetPort: Invalid value: \"-8080-\": must contain at least one letter (a-z), spec.ports[0].targetPort: Invalid value: \"-8080-\": must not begin or end with a hyphen]"
    );
}

#[test]
fn rule15_duplicate_protocol_port_pairs_are_rejected_but_other_protocols_may_share_a_port() {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "ClusterIP",
                "  ports:\n  - {name: a, port: 443}\n  - {name: b, port: 443, targetPort: 8443}\n"
            )
        ),
        "Service \"web\" is invalid: spec.ports[1]: Duplicate value: {\"Name\":\"\",\"Protocol\":\"TCP\",\"AppProtocol\":null,\"Port\":443,\"TargetPort\":0,\"NodePort\":0}"
    );
    create(
        &mut sim,
        &svc(
            "dns",
            "ClusterIP",
            "  ports:\n  - {name: a, port: 53, protocol: UDP}\n  - {name: b, port: 53}\n",
        ),
    );
}

#[test]
fn rule16_type_must_be_one_of_the_four_exact_names() {
    let mut sim = sim();
    assert_eq!(
        create_err(&mut sim, &svc("web", "Nodeport", PORT80)),
        "Service \"web\" is invalid: spec.type: Unsupported value: \"Nodeport\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""
    );
}

#[test]
fn rule17_node_port_is_forbidden_on_a_cluster_ip_service_and_is_not_range_checked() {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "ClusterIP",
                "  ports:\n  - {port: 80, nodePort: 80}\n"
            )
        ),
        "Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
    );
}

#[test]
fn rule18_a_node_port_reused_by_another_port_number_fails_allocation_and_is_rolled_back() {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "NodePort",
                "  ports:\n  - {name: a, port: 80, nodePort: 30080}\n  - {name: b, port: 443, nodePort: 30080}\n"
            )
        ),
        "Service \"web\" is invalid: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated"
    );
    // The first port's allocation was given back.
    create(
        &mut sim,
        &svc(
            "other",
            "NodePort",
            "  ports:\n  - {port: 80, nodePort: 30080}\n",
        ),
    );
}

#[rstest]
#[case(80)]
#[case(70000)]
#[case(29999)]
#[case(32768)]
fn rule19_node_port_out_of_range_is_rejected_with_the_api_message(#[case] np: i64) {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "NodePort",
                &format!("  ports:\n  - {{port: 80, nodePort: {np}}}\n")
            )
        ),
        format!(
            "Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: {np}: provided port is not in the valid range. The range of valid ports is 30000-32767"
        )
    );
}

#[test]
fn rule19_out_of_range_node_port_masks_a_missing_port_name() {
    let mut sim = sim();
    // Both ports are unnamed (two Required errors in validation), but allocation runs first.
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "NodePort",
                "  ports:\n  - {port: 80, nodePort: 80}\n  - {port: 443}\n"
            )
        ),
        "Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"
    );
}

#[test]
fn rule19_node_port_taken_by_another_service_is_already_allocated() {
    let mut sim = sim();
    create(
        &mut sim,
        &svc(
            "first",
            "NodePort",
            "  ports:\n  - {port: 80, nodePort: 30080}\n",
        ),
    );
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "second",
                "LoadBalancer",
                "  ports:\n  - {port: 80, nodePort: 30080}\n"
            )
        ),
        "Service \"second\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"
    );
}

#[rstest]
#[case("NodePort")]
#[case("LoadBalancer")]
fn rule20_headless_is_forbidden_for_node_port_and_load_balancer(#[case] type_: &str) {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc("web", type_, &format!("{PORT80}  clusterIP: None\n"))
        ),
        format!(
            "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for {type_} services"
        )
    );
}

#[rstest]
#[case(
    "10.96.0.10",
    "spec.clusterIPs: Invalid value: [\"10.96.0.10\"]: failed to allocate IP 10.96.0.10: provided IP is already allocated"
)]
#[case(
    "1.1.1.1",
    "spec.clusterIPs: Invalid value: [\"1.1.1.1\"]: failed to allocate IP 1.1.1.1: the provided network does not match the current range"
)]
#[case(
    "10.96.0.0",
    "spec.clusterIPs: Invalid value: [\"10.96.0.0\"]: failed to allocate IP 10.96.0.0: the provided IP (10.96.0.0) is not in the valid range. The range of valid IPs is 10.96.0.0/12"
)]
#[case(
    "10.96.0.300",
    "spec.clusterIPs[0]: Invalid value: \"10.96.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
)]
#[case(
    "fd00::10",
    "spec.clusterIPs[0]: Invalid value: [\"fd00::10\"]: IPv6 is not configured on this cluster"
)]
fn rule21_static_cluster_ip_must_be_valid_in_range_and_free(#[case] ip: &str, #[case] want: &str) {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "ClusterIP",
                &format!("{PORT80}  clusterIP: \"{ip}\"\n")
            )
        ),
        format!("Service \"web\" is invalid: {want}")
    );
}

#[rstest]
#[case(
    "  clusterIP: 10.96.0.50\n  clusterIPs: [10.96.0.51]\n",
    "spec.clusterIPs: Invalid value: [\"10.96.0.51\"]: first value must match `clusterIP`"
)]
#[case(
    "  clusterIPs: [10.96.0.51]\n",
    "spec.clusterIPs: Invalid value: [\"10.96.0.51\"]: must be empty when `clusterIP` is not specified"
)]
#[case(
    "  clusterIP: None\n  clusterIPs: [None, 10.96.0.51]\n",
    "spec.clusterIPs: Invalid value: [\"None\",\"10.96.0.51\"]: 'None' must be the first and only value"
)]
#[case(
    "  clusterIP: 10.96.0.50\n  clusterIPs: [10.96.0.50, 10.96.0.51]\n",
    "spec.clusterIPs: Invalid value: [\"10.96.0.50\",\"10.96.0.51\"]: may specify no more than one IP for each IP family"
)]
#[case(
    "  clusterIP: 10.96.0.50\n  clusterIPs: [10.96.0.50, fd00::1, 10.96.0.52]\n",
    "spec.clusterIPs: Invalid value: [\"10.96.0.50\",\"fd00::1\",\"10.96.0.52\"]: may only hold up to 2 values"
)]
fn rule22_cluster_ip_and_cluster_ips_must_agree(#[case] ips: &str, #[case] want: &str) {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc("web", "ClusterIP", &format!("{PORT80}{ips}"))
        ),
        format!("Service \"web\" is invalid: {want}")
    );
}

#[rstest]
#[case("", "spec.externalName: Required value")]
#[case(
    "  externalName: Bad_Host\n",
    "spec.externalName: Invalid value: \"Bad_Host\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)]
#[case(
    "  externalName: db.example.com\n  clusterIP: 10.96.0.50\n",
    "spec.clusterIPs: Forbidden: may not be set for ExternalName services"
)]
#[case(
    "  externalName: db.example.com\n  ipFamilyPolicy: SingleStack\n",
    "spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services"
)]
fn rule23_external_name_requirements(#[case] spec: &str, #[case] want: &str) {
    let mut sim = sim();
    assert_eq!(
        create_err(&mut sim, &svc("db", "ExternalName", spec)),
        format!("Service \"db\" is invalid: {want}")
    );
}

#[rstest]
#[case("db.example.com.")]
#[case("10.0.0.5")]
fn rule23_external_name_accepts_a_trailing_dot_and_ip_looking_names(#[case] name: &str) {
    let mut sim = sim();
    let s = create(
        &mut sim,
        &svc(
            "db",
            "ExternalName",
            &format!("  externalName: \"{name}\"\n"),
        ),
    );
    assert_eq!(s["spec"]["externalName"], name);
}

#[test]
fn rule24_selector_is_validated_as_labels_and_may_be_absent() {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: \"web server\"}\n  ports: [{port: 80}]\n"
        ),
        "Service \"web\" is invalid: spec.selector: Invalid value: \"web server\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    );
    let s = create(
        &mut sim,
        "apiVersion: v1\nkind: Service\nmetadata: {name: manual}\nspec:\n  ports: [{port: 80}]\n",
    );
    assert!(s["spec"].get("selector").is_none());
}

#[rstest]
#[case(
    "  sessionAffinity: Sticky\n",
    "spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\""
)]
#[case(
    "  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 0}}\n",
    "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400"
)]
#[case(
    "  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 86401}}\n",
    "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400"
)]
fn rule25_session_affinity_values_and_timeout(#[case] spec: &str, #[case] want: &str) {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc("web", "ClusterIP", &format!("{PORT80}{spec}"))
        ),
        format!("Service \"web\" is invalid: {want}")
    );
}

#[rstest]
#[case(
    "ClusterIP",
    "Local",
    "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for externally-accessible services"
)]
#[case(
    "NodePort",
    "local",
    "spec.externalTrafficPolicy: Unsupported value: \"local\": supported values: \"Cluster\", \"Local\""
)]
fn rule26_external_traffic_policy_only_for_externally_accessible_services(
    #[case] type_: &str,
    #[case] etp: &str,
    #[case] want: &str,
) {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                type_,
                &format!("{PORT80}  externalTrafficPolicy: {etp}\n")
            )
        ),
        format!("Service \"web\" is invalid: {want}")
    );
}

#[test]
fn rule27_internal_traffic_policy_must_be_cluster_or_local() {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "ClusterIP",
                &format!("{PORT80}  internalTrafficPolicy: local\n")
            )
        ),
        "Service \"web\" is invalid: spec.internalTrafficPolicy: Unsupported value: \"local\": supported values: \"Cluster\", \"Local\""
    );
    let s = create(
        &mut sim,
        &svc(
            "web",
            "ClusterIP",
            &format!("{PORT80}  internalTrafficPolicy: Local\n"),
        ),
    );
    assert_eq!(s["spec"]["internalTrafficPolicy"], "Local");
}

#[rstest]
#[case(
    "  loadBalancerSourceRanges: [10.0.0.0/8]\n",
    "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"
)]
#[case(
    "  allocateLoadBalancerNodePorts: false\n",
    "spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"
)]
#[case(
    "  loadBalancerClass: example.com/lb\n",
    "spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"
)]
#[case(
    "  healthCheckNodePort: 30200\n",
    "spec.healthCheckNodePort: Invalid value: 30200: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"
)]
fn rule28_load_balancer_only_fields_are_refused_on_other_types(
    #[case] spec: &str,
    #[case] want: &str,
) {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc("web", "NodePort", &format!("{PORT80}{spec}"))
        ),
        format!("Service \"web\" is invalid: {want}")
    );
}

#[test]
fn rule28_bad_source_range_cidr_is_reported_per_entry() {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "LoadBalancer",
                &format!("{PORT80}  loadBalancerSourceRanges: [\" 10.0.0.0/8 \", 10.0.0.0/33]\n")
            )
        ),
        "Service \"web\" is invalid: spec.LoadBalancerSourceRanges[1]: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
    );
}

#[test]
fn rule28_load_balancer_with_local_policy_gets_a_health_check_node_port() {
    let mut sim = sim();
    let s = create(
        &mut sim,
        &svc(
            "web",
            "LoadBalancer",
            &format!("{PORT80}  externalTrafficPolicy: Local\n"),
        ),
    );
    let hc = s["spec"]["healthCheckNodePort"].as_i64().expect("hc");
    assert!((30000..=32767).contains(&hc));
    assert_ne!(hc, node_port_of(&s, 0));
}

#[test]
fn rule29_load_balancer_without_a_controller_gets_ip_and_node_ports_and_an_empty_status() {
    let mut sim = sim();
    let s = create(&mut sim, &svc("web", "LoadBalancer", PORT80));
    assert!(
        s["spec"]["clusterIP"]
            .as_str()
            .is_some_and(|ip| ip.starts_with("10."))
    );
    assert!((30086..=32767).contains(&node_port_of(&s, 0)));
    assert_eq!(s["status"], json!({"loadBalancer": {}}));
}

#[test]
fn rule29_allocate_load_balancer_node_ports_false_allocates_none_but_honours_requests() {
    let mut sim = sim();
    let s = create(
        &mut sim,
        &svc(
            "web",
            "LoadBalancer",
            "  allocateLoadBalancerNodePorts: false\n  ports:\n  - {name: a, port: 80}\n  - {name: b, port: 81, nodePort: 30081}\n",
        ),
    );
    assert!(s["spec"]["ports"][0].get("nodePort").is_none());
    assert_eq!(node_port_of(&s, 1), 30081);
}

#[test]
fn a_wrongly_typed_field_is_a_bad_request_from_the_decoder() {
    let mut sim = sim();
    let e = create_err(
        &mut sim,
        &svc("web", "ClusterIP", "  ports:\n  - port: abc\n"),
    );
    assert_eq!(
        e,
        "Service in version \"v1\" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32"
    );
}

#[test]
fn a_create_refused_by_validation_gives_back_its_cluster_ip_and_node_ports() {
    let mut sim = sim();
    let bad = svc(
        "web",
        "NodePort",
        "  clusterIP: 10.96.0.50\n  ports:\n  - {port: 80, nodePort: 30080, protocol: tcp}\n",
    );
    assert!(create_err(&mut sim, &bad).contains("spec.ports[0].protocol: Unsupported value"));
    create(
        &mut sim,
        &svc(
            "good",
            "NodePort",
            "  clusterIP: 10.96.0.50\n  ports:\n  - {port: 80, nodePort: 30080}\n",
        ),
    );
}

#[test]
fn an_already_existing_name_gives_back_what_the_refused_create_allocated() {
    let mut sim = sim();
    create(&mut sim, &svc("web", "NodePort", PORT80));
    let dup = svc(
        "web",
        "NodePort",
        "  clusterIP: 10.96.0.60\n  ports:\n  - {port: 80, nodePort: 30090}\n",
    );
    assert_eq!(
        create_err(&mut sim, &dup),
        "services \"web\" already exists"
    );
    create(
        &mut sim,
        &svc(
            "other",
            "NodePort",
            "  clusterIP: 10.96.0.60\n  ports:\n  - {port: 80, nodePort: 30090}\n",
        ),
    );
}

// ---------------------------------------------------------------------------------------------
// C. Updates (rules 30–37)
// ---------------------------------------------------------------------------------------------

#[test]
fn rule30_cluster_ip_may_not_change_once_set() {
    let mut sim = sim();
    create(&mut sim, &svc("web", "ClusterIP", PORT80));
    assert_eq!(
        patch(&mut sim, "web", json!({"spec": {"clusterIP": "10.96.5.5"}})).unwrap_err(),
        "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: [\"10.96.5.5\"]: may not change once set"
    );
}

#[test]
fn rule30_a_service_cannot_be_made_headless_or_headful_in_place() {
    let mut sim = sim();
    create(&mut sim, &svc("web", "ClusterIP", PORT80));
    assert_eq!(
        patch(&mut sim, "web", json!({"spec": {"clusterIP": "None"}})).unwrap_err(),
        "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: [\"None\"]: may not change once set"
    );
    create(
        &mut sim,
        &svc("hl", "ClusterIP", &format!("{PORT80}  clusterIP: None\n")),
    );
    assert_eq!(
        patch(
            &mut sim,
            "hl",
            json!({"spec": {"clusterIP": "10.96.0.77", "clusterIPs": ["10.96.0.77"]}})
        )
        .unwrap_err(),
        "Service \"hl\" is invalid: spec.clusterIPs[0]: Invalid value: [\"10.96.0.77\"]: may not change once set"
    );
}

#[test]
fn rule31_reapplying_the_original_manifest_keeps_the_allocated_ip_and_node_port() {
    let mut sim = sim();
    let manifest = svc("web", "NodePort", PORT80);
    let before = create(&mut sim, &manifest);
    let after = update_yaml(&mut sim, &manifest).expect("update");
    assert_eq!(after["spec"]["clusterIP"], before["spec"]["clusterIP"]);
    assert_eq!(node_port_of(&after, 0), node_port_of(&before, 0));
}

#[test]
fn rule31_dropping_cluster_ip_none_from_the_manifest_leaves_the_service_headless() {
    let mut sim = sim();
    create(
        &mut sim,
        &svc("hl", "ClusterIP", &format!("{PORT80}  clusterIP: None\n")),
    );
    let after = update_yaml(&mut sim, &svc("hl", "ClusterIP", PORT80)).expect("update");
    assert_eq!(after["spec"]["clusterIP"], "None");
}

#[test]
fn rule31_node_ports_are_patched_back_by_port_name_unless_another_port_took_the_value() {
    let mut sim = sim();
    create(
        &mut sim,
        &svc(
            "web",
            "NodePort",
            "  ports:\n  - {name: http, port: 80, nodePort: 30080}\n  - {name: https, port: 443, nodePort: 30443}\n",
        ),
    );
    let s = update_yaml(
        &mut sim,
        &svc(
            "web",
            "NodePort",
            "  ports:\n  - {name: https, port: 443}\n  - {name: http, port: 80}\n",
        ),
    )
    .expect("update");
    assert_eq!(node_port_of(&s, 0), 30443);
    assert_eq!(node_port_of(&s, 1), 30080);
    // `http` now asks for 30443 explicitly, so `https` cannot get it back: it gets a new one.
    let s = update_yaml(
        &mut sim,
        &svc(
            "web",
            "NodePort",
            "  ports:\n  - {name: http, port: 80, nodePort: 30443}\n  - {name: https, port: 443}\n",
        ),
    )
    .expect("update");
    assert_eq!(node_port_of(&s, 0), 30443);
    assert!(node_port_of(&s, 1) != 30443 && node_port_of(&s, 1) >= 30086);
}

#[test]
fn rule32_changing_a_node_port_allocates_the_new_one_and_frees_the_old_one() {
    let mut sim = sim();
    create(
        &mut sim,
        &svc(
            "web",
            "NodePort",
            "  ports:\n  - {port: 80, nodePort: 30080}\n",
        ),
    );
    let s = patch(
        &mut sim,
        "web",
        json!({"spec": {"ports": [{"port": 80, "nodePort": 30090}]}}),
    )
    .expect("patch");
    assert_eq!(node_port_of(&s, 0), 30090);
    create(
        &mut sim,
        &svc(
            "other",
            "NodePort",
            "  ports:\n  - {port: 80, nodePort: 30080}\n",
        ),
    );
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "third",
                "NodePort",
                "  ports:\n  - {port: 80, nodePort: 30090}\n"
            )
        ),
        "Service \"third\" is invalid: spec.ports[0].nodePort: Invalid value: 30090: provided port is already allocated"
    );
}

#[test]
fn rule32_changing_to_a_taken_or_out_of_range_node_port_is_refused_and_keeps_the_old_one() {
    let mut sim = sim();
    create(
        &mut sim,
        &svc(
            "web",
            "NodePort",
            "  ports:\n  - {port: 80, nodePort: 30080}\n",
        ),
    );
    create(
        &mut sim,
        &svc(
            "other",
            "NodePort",
            "  ports:\n  - {port: 80, nodePort: 30095}\n",
        ),
    );
    assert_eq!(
        patch(
            &mut sim,
            "web",
            json!({"spec": {"ports": [{"port": 80, "nodePort": 30095}]}})
        )
        .unwrap_err(),
        "Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 30095: provided port is already allocated"
    );
    assert_eq!(
        patch(
            &mut sim,
            "web",
            json!({"spec": {"ports": [{"port": 80, "nodePort": 8080}]}})
        )
        .unwrap_err(),
        "Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767"
    );
    assert_eq!(node_port_of(&get(&sim, "web"), 0), 30080);
    assert!(
        create_err(
            &mut sim,
            &svc(
                "third",
                "NodePort",
                "  ports:\n  - {port: 80, nodePort: 30080}\n"
            )
        )
        .contains("already allocated")
    );
}

#[test]
fn rule32_health_check_node_port_is_immutable() {
    let mut sim = sim();
    let s = create(
        &mut sim,
        &svc(
            "web",
            "LoadBalancer",
            &format!("{PORT80}  externalTrafficPolicy: Local\n"),
        ),
    );
    let hc = s["spec"]["healthCheckNodePort"].as_i64().expect("hc");
    assert_eq!(
        patch(
            &mut sim,
            "web",
            json!({"spec": {"healthCheckNodePort": hc + 1}})
        )
        .unwrap_err(),
        "Service \"web\" is invalid: spec.healthCheckNodePort: Forbidden: field is immutable"
    );
}

#[test]
fn rule33_node_port_to_cluster_ip_wipes_unchanged_node_ports_and_traffic_policy_and_frees_them() {
    let mut sim = sim();
    create(
        &mut sim,
        &svc(
            "web",
            "NodePort",
            "  ports:\n  - {port: 80, nodePort: 30080}\n",
        ),
    );
    let s = patch(&mut sim, "web", json!({"spec": {"type": "ClusterIP"}})).expect("patch");
    assert!(s["spec"]["ports"][0].get("nodePort").is_none());
    assert!(s["spec"].get("externalTrafficPolicy").is_none());
    create(
        &mut sim,
        &svc(
            "other",
            "NodePort",
            "  ports:\n  - {port: 80, nodePort: 30080}\n",
        ),
    );
}

#[test]
fn rule33_a_new_node_port_with_type_cluster_ip_is_forbidden_and_nothing_is_freed() {
    let mut sim = sim();
    create(
        &mut sim,
        &svc(
            "web",
            "NodePort",
            "  ports:\n  - {port: 80, nodePort: 30080}\n",
        ),
    );
    assert_eq!(
        patch(
            &mut sim,
            "web",
            json!({"spec": {"type": "ClusterIP", "ports": [{"port": 80, "nodePort": 30081}]}})
        )
        .unwrap_err(),
        "Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
    );
    assert!(
        create_err(
            &mut sim,
            &svc(
                "other",
                "NodePort",
                "  ports:\n  - {port: 80, nodePort: 30080}\n"
            )
        )
        .contains("already allocated")
    );
}

#[test]
fn rule33_load_balancer_to_cluster_ip_drops_lb_fields_and_the_health_check_port() {
    let mut sim = sim();
    let s = create(
        &mut sim,
        &svc(
            "web",
            "LoadBalancer",
            &format!("{PORT80}  externalTrafficPolicy: Local\n"),
        ),
    );
    let hc = s["spec"]["healthCheckNodePort"].as_i64().expect("hc");
    let s = patch(&mut sim, "web", json!({"spec": {"type": "ClusterIP"}})).expect("patch");
    for k in [
        "healthCheckNodePort",
        "externalTrafficPolicy",
        "allocateLoadBalancerNodePorts",
    ] {
        assert!(s["spec"].get(k).is_none(), "{k}");
    }
    create(
        &mut sim,
        &svc(
            "other",
            "NodePort",
            &format!("  ports:\n  - {{port: 80, nodePort: {hc}}}\n"),
        ),
    );
}

#[test]
fn rule34_cluster_ip_to_node_port_allocates_node_ports_and_defaults_the_traffic_policy() {
    let mut sim = sim();
    create(
        &mut sim,
        &svc(
            "web",
            "ClusterIP",
            "  ports:\n  - {name: a, port: 80}\n  - {name: b, port: 443}\n",
        ),
    );
    let s = patch(&mut sim, "web", json!({"spec": {"type": "NodePort"}})).expect("patch");
    assert!((30086..=32767).contains(&node_port_of(&s, 0)));
    assert!((30086..=32767).contains(&node_port_of(&s, 1)));
    assert_ne!(node_port_of(&s, 0), node_port_of(&s, 1));
    assert_eq!(s["spec"]["externalTrafficPolicy"], "Cluster");
}

#[test]
fn rule35_to_external_name_wipes_and_frees_the_cluster_ip() {
    let mut sim = sim();
    create(
        &mut sim,
        &svc(
            "web",
            "ClusterIP",
            &format!("{PORT80}  clusterIP: 10.96.0.50\n"),
        ),
    );
    assert_eq!(
        patch(&mut sim, "web", json!({"spec": {"type": "ExternalName"}})).unwrap_err(),
        "Service \"web\" is invalid: spec.externalName: Required value"
    );
    let s = patch(
        &mut sim,
        "web",
        json!({"spec": {"type": "ExternalName", "externalName": "db.example.com"}}),
    )
    .expect("patch");
    for k in [
        "clusterIP",
        "clusterIPs",
        "ipFamilies",
        "ipFamilyPolicy",
        "internalTrafficPolicy",
    ] {
        assert!(s["spec"].get(k).is_none(), "{k}");
    }
    create(
        &mut sim,
        &svc(
            "other",
            "ClusterIP",
            &format!("{PORT80}  clusterIP: 10.96.0.50\n"),
        ),
    );
}

#[test]
fn rule35_from_external_name_allocates_a_new_cluster_ip_and_needs_ports() {
    let mut sim = sim();
    create(
        &mut sim,
        &svc("db", "ExternalName", "  externalName: db.example.com\n"),
    );
    assert_eq!(
        patch(&mut sim, "db", json!({"spec": {"type": "ClusterIP"}})).unwrap_err(),
        "Service \"db\" is invalid: spec.ports: Required value"
    );
    let s = patch(
        &mut sim,
        "db",
        json!({"spec": {"type": "ClusterIP", "ports": [{"port": 5432}]}}),
    )
    .expect("patch");
    assert!(ip_num(s["spec"]["clusterIP"].as_str().expect("ip")) >= ip_num("10.96.1.1"));
    assert_eq!(s["spec"]["ipFamilyPolicy"], "SingleStack");
    assert_eq!(s["spec"]["internalTrafficPolicy"], "Cluster");
}

#[test]
fn rule36_selector_ports_target_port_type_and_labels_are_mutable() {
    let mut sim = sim();
    let before = create(&mut sim, &svc("web", "ClusterIP", PORT80));
    let s = patch(
        &mut sim,
        "web",
        json!({"metadata": {"labels": {"tier": "front"}}, "spec": {"selector": {"app": "api"}, "ports": [{"port": 8080, "targetPort": "http"}]}}),
    )
    .expect("patch");
    assert_eq!(s["spec"]["selector"], json!({"app": "api"}));
    assert_eq!(s["spec"]["ports"][0]["targetPort"], "http");
    assert_eq!(s["metadata"]["labels"]["tier"], "front");
    assert_eq!(s["spec"]["clusterIP"], before["spec"]["clusterIP"]);
    let s = patch(&mut sim, "web", json!({"spec": {"type": "LoadBalancer"}})).expect("patch");
    assert_eq!(s["spec"]["type"], "LoadBalancer");
}

#[test]
fn rule37_deleting_a_service_frees_its_cluster_ip_and_node_port() {
    let mut sim = sim();
    let m = svc(
        "web",
        "NodePort",
        "  clusterIP: 10.96.0.50\n  ports:\n  - {port: 80, nodePort: 30080}\n",
    );
    create(&mut sim, &m);
    delete(&mut sim, "web");
    create(
        &mut sim,
        &svc(
            "again",
            "NodePort",
            "  clusterIP: 10.96.0.50\n  ports:\n  - {port: 80, nodePort: 30080}\n",
        ),
    );
}

#[test]
fn a_status_update_keeps_the_spec_and_its_allocations() {
    let mut sim = sim();
    let s = create(&mut sim, &svc("web", "LoadBalancer", PORT80));
    let mut st = (*s).clone();
    st["status"] = json!({"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}});
    let out = sim.update_status(st).expect("status");
    assert_eq!(out["spec"], s["spec"]);
}

#[rstest]
#[case("127.0.0.1", "may not be in the loopback range (127.0.0.0/8, ::1/128)")]
#[case("0.0.0.0", "may not be unspecified (0.0.0.0)")]
#[case(
    "169.254.169.254",
    "may not be in the link-local range (169.254.0.0/16, fe80::/10)"
)]
#[case(
    "10.0.0.300",
    "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
)]
fn external_ips_must_be_valid_and_not_special(#[case] ip: &str, #[case] want: &str) {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc(
                "web",
                "ClusterIP",
                &format!("{PORT80}  externalIPs: [\"{ip}\"]\n")
            )
        ),
        format!("Service \"web\" is invalid: spec.externalIPs[0]: Invalid value: \"{ip}\": {want}")
    );
}

#[test]
fn a_null_port_entry_decodes_to_the_zero_port_and_fails_validation_not_decoding() {
    let mut sim = sim();
    let e = sim
        .create(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"ports": [null]}}))
        .expect_err("port 0");
    assert_eq!(
        e.to_string(),
        "Service \"web\" is invalid: [spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive]"
    );
}

#[test]
fn rule32_switching_to_load_balancer_with_local_policy_allocates_a_health_check_port_and_back_frees_it()
 {
    let mut sim = sim();
    create(
        &mut sim,
        &svc(
            "web",
            "NodePort",
            &format!("{PORT80}  externalTrafficPolicy: Local\n"),
        ),
    );
    let s = patch(&mut sim, "web", json!({"spec": {"type": "LoadBalancer"}})).expect("to LB");
    let hc = s["spec"]["healthCheckNodePort"].as_i64().expect("hc");
    // Re-applying without the field keeps it (patchAllocatedValues).
    let again = update_yaml(
        &mut sim,
        &svc(
            "web",
            "LoadBalancer",
            &format!("{PORT80}  externalTrafficPolicy: Local\n"),
        ),
    )
    .expect("reapply");
    assert_eq!(again["spec"]["healthCheckNodePort"], hc);
    let s = patch(
        &mut sim,
        "web",
        json!({"spec": {"externalTrafficPolicy": "Cluster"}}),
    )
    .expect("to Cluster");
    assert!(s["spec"].get("healthCheckNodePort").is_none());
    create(
        &mut sim,
        &svc(
            "other",
            "NodePort",
            &format!("  ports:\n  - {{port: 80, nodePort: {hc}}}\n"),
        ),
    );
}

#[test]
fn update_validation_reports_a_forbidden_load_balancer_class_twice_but_prints_it_once() {
    // ValidateServiceUpdate checks the class with the old object, then ValidateService checks
    // it again: two causes, one message line (the aggregate drops duplicates).
    let mut sim = sim();
    create(&mut sim, &svc("web", "ClusterIP", PORT80));
    let err = sim
        .patch(
            Kind::Service,
            "default",
            "web",
            PatchType::Merge,
            &json!({"spec": {"loadBalancerClass": "example.com/lb"}}),
            Subresource::Main,
        )
        .expect_err("forbidden");
    assert_eq!(
        err.to_string(),
        "Service \"web\" is invalid: spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"
    );
    assert_eq!(err.causes().len(), 2);
}

#[rstest]
#[case(
    "  ipFamilies: [IPv6]\n",
    "spec.ipFamilies[0]: Invalid value: \"IPv6\": not configured on this cluster"
)]
#[case(
    "  ipFamilyPolicy: RequireDualStack\n",
    "spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services"
)]
#[case(
    "  ipFamilyPolicy: DualStack\n",
    "spec.ipFamilyPolicy: Unsupported value: \"DualStack\": supported values: \"PreferDualStack\", \"RequireDualStack\", \"SingleStack\""
)]
#[case(
    "  ipFamilies: [IPv4, IPv4]\n  ipFamilyPolicy: PreferDualStack\n",
    "spec.ipFamilies[1]: Duplicate value: \"IPv4\""
)]
fn rule5_ip_families_and_policy_are_checked_against_a_single_stack_cluster(
    #[case] spec: &str,
    #[case] want: &str,
) {
    let mut sim = sim();
    assert_eq!(
        create_err(
            &mut sim,
            &svc("web", "ClusterIP", &format!("{PORT80}{spec}"))
        ),
        format!("Service \"web\" is invalid: {want}")
    );
}

#[test]
fn rule5_prefer_dual_stack_on_a_single_stack_cluster_gets_one_ipv4_address() {
    let mut sim = sim();
    let s = create(
        &mut sim,
        &svc(
            "web",
            "ClusterIP",
            &format!("{PORT80}  ipFamilyPolicy: PreferDualStack\n"),
        ),
    );
    assert_eq!(s["spec"]["ipFamilies"], json!(["IPv4"]));
    assert_eq!(s["spec"]["ipFamilyPolicy"], "PreferDualStack");
    assert_eq!(s["spec"]["clusterIPs"].as_array().map(Vec::len), Some(1));
}

#[test]
fn quirk_an_update_to_external_name_that_changes_cluster_ip_keeps_the_bare_value_and_frees_the_ip()
{
    // Found by the proptest. The user changed `clusterIP` and dropped `clusterIPs`, so
    // dropTypeDependentFields does not wipe it, and ExternalName validation only looks at
    // `clusterIPs` (validation.go): the server stores the bare value. The old IP is freed.
    let mut sim = sim();
    create(
        &mut sim,
        &svc(
            "web",
            "ClusterIP",
            &format!("{PORT80}  clusterIP: 10.96.0.50\n"),
        ),
    );
    let s = update_yaml(
        &mut sim,
        &svc(
            "web",
            "ExternalName",
            "  externalName: db.example.com\n  clusterIP: None\n",
        ),
    )
    .expect("accepted");
    assert_eq!(s["spec"]["clusterIP"], "None");
    assert!(s["spec"].get("clusterIPs").is_none());
    create(
        &mut sim,
        &svc(
            "other",
            "ClusterIP",
            &format!("{PORT80}  clusterIP: 10.96.0.50\n"),
        ),
    );
}

#[test]
fn quirk_external_name_node_ports_are_neither_checked_nor_allocated() {
    // Found by the proptest: only ClusterIP forbids nodePort, and only NodePort/LoadBalancer
    // allocate, so an ExternalName may carry any value; it holds nothing in the pool.
    let mut sim = sim();
    let s = create(
        &mut sim,
        &svc(
            "db",
            "ExternalName",
            "  externalName: db.example.com\n  ports:\n  - {port: 80, nodePort: 30080}\n",
        ),
    );
    assert_eq!(node_port_of(&s, 0), 30080);
    create(
        &mut sim,
        &svc(
            "web",
            "NodePort",
            "  ports:\n  - {port: 80, nodePort: 30080}\n",
        ),
    );
    delete(&mut sim, "db");
    assert!(
        create_err(
            &mut sim,
            &svc(
                "third",
                "NodePort",
                "  ports:\n  - {port: 80, nodePort: 30080}\n"
            )
        )
        .contains("already allocated"),
        "deleting the ExternalName must not free web's port"
    );
}
