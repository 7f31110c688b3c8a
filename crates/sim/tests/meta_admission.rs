//! ObjectMeta validation every kind shares (`apimachinery/pkg/api/validation/objectmeta.go`):
//! name and generateName rules per kind, labels, annotations and finalizers, with exact texts.

mod common;

use common::{create, create_err, sim_with};
use kubedrill_sim::{ApiError, DeleteOptions, Kind, yaml};
use rstest::rstest;
use serde_json::json;

const SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

fn configmap(meta: &str) -> String {
    let meta: String = meta.lines().map(|l| format!("  {l}\n")).collect();
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n{meta}")
}

#[rstest]
#[case::configmap(
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Web",
    format!("ConfigMap \"Web\" is invalid: metadata.name: Invalid value: \"Web\": {SUBDOMAIN}")
)]
#[case::service_account(
    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: my_sa",
    format!("ServiceAccount \"my_sa\" is invalid: metadata.name: Invalid value: \"my_sa\": {SUBDOMAIN}")
)]
#[case::network_policy(
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: Deny-All\nspec: {}",
    format!("NetworkPolicy.networking.k8s.io \"Deny-All\" is invalid: metadata.name: Invalid value: \"Deny-All\": {SUBDOMAIN}")
)]
#[case::namespace_is_a_label_not_a_subdomain(
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team.a",
    format!("Namespace \"team.a\" is invalid: metadata.name: Invalid value: \"team.a\": {LABEL}")
)]
fn objectmeta_names_follow_the_kind_name_rule(#[case] manifest: &str, #[case] want: String) {
    let (mut sim, _) = sim_with(&[]);
    assert_eq!(create_err(&mut sim, manifest), want);
}

#[test]
fn objectmeta_dotted_names_are_fine_for_subdomain_kinds() {
    let (mut sim, _) = sim_with(&[]);
    create(&mut sim, &configmap("name: app.config.v1"));
}

/// The name label defaulting (rule 72) copies the too-long name into a label, so the real API
/// server reports the label as well.
#[test]
fn objectmeta_namespace_name_longer_than_63_is_refused() {
    let (mut sim, _) = sim_with(&[]);
    let name = "a".repeat(64);
    let err = create_err(
        &mut sim,
        &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}"),
    );
    assert_eq!(
        err,
        format!(
            "Namespace \"{name}\" is invalid: [metadata.name: Invalid value: \"{name}\": must be no more than 63 characters, metadata.labels: Invalid value: \"{name}\": must be no more than 63 characters]"
        )
    );
}

#[test]
fn objectmeta_generate_name_prefix_may_end_in_a_dash() {
    let (mut sim, _) = sim_with(&[]);
    let cm = create(&mut sim, &configmap("generateName: web-"));
    let name = cm["metadata"]["name"].as_str().expect("name");
    assert!(name.starts_with("web-") && name.len() == 9, "{name}");
}

#[test]
fn objectmeta_bad_generate_name_is_reported_with_the_generated_name() {
    let (mut sim, _) = sim_with(&[]);
    let err = create_err(&mut sim, &configmap("generateName: Web-"));
    let gen_err = format!(
        "metadata.generateName: Invalid value: \"Web-\": {SUBDOMAIN}, metadata.name: Invalid value: \"Web-"
    );
    assert!(err.contains(&gen_err), "{err}");
    assert!(err.starts_with("ConfigMap \"Web-"), "{err}");
}

#[test]
fn objectmeta_labels_are_validated_under_metadata_labels() {
    let (mut sim, _) = sim_with(&[]);
    let err = create_err(&mut sim, &configmap("name: c\nlabels:\n  -app: web"));
    assert_eq!(
        err,
        format!(
            "ConfigMap \"c\" is invalid: metadata.labels: Invalid value: \"-app\": {QUALIFIED}"
        )
    );
    let err = create_err(&mut sim, &configmap("name: c\nlabels:\n  app: web server"));
    assert!(
        err.starts_with(
            "ConfigMap \"c\" is invalid: metadata.labels: Invalid value: \"web server\": a valid label must be an empty string"
        ),
        "{err}"
    );
}

#[test]
fn objectmeta_annotation_keys_are_qualified_names_compared_lowercased() {
    let (mut sim, _) = sim_with(&[]);
    create(
        &mut sim,
        &configmap("name: ok\nannotations:\n  Example.COM/Owner: team-a"),
    );
    let err = create_err(&mut sim, &configmap("name: c\nannotations:\n  bad key: x"));
    assert_eq!(
        err,
        format!(
            "ConfigMap \"c\" is invalid: metadata.annotations: Invalid value: \"bad key\": {QUALIFIED}"
        )
    );
}

#[test]
fn objectmeta_annotations_may_total_at_most_256_kib() {
    let (mut sim, _) = sim_with(&[]);
    let mut obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}});
    obj["metadata"]["annotations"] = json!({"a": "x".repeat(262_144)});
    let err = sim.create(obj.clone()).expect_err("too long");
    assert_eq!(
        err.to_string(),
        "ConfigMap \"big\" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes"
    );
    obj["metadata"]["annotations"] = json!({"a": "x".repeat(262_143)});
    sim.create(obj).expect("exactly at the limit");
}

#[test]
fn objectmeta_bare_finalizer_names_must_be_standard() {
    let (mut sim, _) = sim_with(&[]);
    let err = create_err(&mut sim, &configmap("name: c\nfinalizers: [custom]"));
    assert_eq!(
        err,
        "ConfigMap \"c\" is invalid: metadata.finalizers: Invalid value: \"custom\": name is neither a standard finalizer name nor is it fully qualified"
    );
    create(
        &mut sim,
        &configmap("name: d\nfinalizers: [example.com/cleanup]"),
    );
}

#[test]
fn objectmeta_is_validated_on_update_too() {
    let (mut sim, _) = sim_with(&[]);
    let cm = create(&mut sim, &configmap("name: c"));
    let mut changed = (*cm).clone();
    changed["metadata"]["labels"] = json!({"-bad": "x"});
    let err = sim.update(changed).expect_err("invalid label");
    assert_eq!(
        err.to_string(),
        format!(
            "ConfigMap \"c\" is invalid: metadata.labels: Invalid value: \"-bad\": {QUALIFIED}"
        )
    );
}

#[test]
fn objectmeta_a_label_value_of_the_wrong_json_type_is_a_bad_request() {
    let (mut sim, _) = sim_with(&[]);
    let doc = yaml::parse_documents(&configmap("name: c\nlabels:\n  replicas: 3"))
        .expect("yaml")
        .remove(0);
    let err = sim.create(doc).expect_err("bad type");
    assert!(matches!(err, ApiError::BadRequest(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"
    );
}

#[test]
fn objectmeta_an_object_being_deleted_may_not_gain_finalizers() {
    let (mut sim, _) = sim_with(&[]);
    create(
        &mut sim,
        &configmap("name: c\nfinalizers: [example.com/keep]"),
    );
    sim.delete(Kind::ConfigMap, "default", "c", &DeleteOptions::default())
        .expect("delete");
    let mut changed = (*sim
        .get(Kind::ConfigMap, "default", "c")
        .expect("terminating"))
    .clone();
    changed["metadata"]["finalizers"] =
        json!(["example.com/keep", "example.com/b", "example.com/a"]);
    assert_eq!(
        sim.update(changed).expect_err("new finalizers").to_string(),
        "ConfigMap \"c\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/a\", \"example.com/b\"}"
    );
}

#[test]
fn objectmeta_owner_references_must_be_complete_and_name_one_controller() {
    let (mut sim, _) = sim_with(&[]);
    let mut obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    obj["metadata"]["ownerReferences"] =
        json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "", "uid": "u1"}]);
    assert_eq!(
        sim.create(obj.clone()).expect_err("no name").to_string(),
        "ConfigMap \"c\" is invalid: metadata.ownerReferences.name: Invalid value: \"\": must not be empty"
    );
    obj["metadata"]["ownerReferences"] = json!([
        {"apiVersion": "apps/v1", "kind": "Deployment", "name": "a", "uid": "u1", "controller": true},
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "b", "uid": "u2", "controller": true},
    ]);
    let err = sim.create(obj).expect_err("two controllers").to_string();
    assert!(
        err.ends_with(": Only one reference can have Controller set to true. Found \"true\" in references for Deployment/a and ReplicaSet/b"),
        "{err}"
    );
    assert!(
        err.starts_with("ConfigMap \"c\" is invalid: metadata.ownerReferences: Invalid value: [{"),
        "{err}"
    );
}

#[test]
fn objectmeta_empty_maps_and_lists_are_not_stored_as_omitempty_fields_are_not() {
    let (mut sim, _c) = sim_with(&[]);
    create(
        &mut sim,
        &configmap("name: cfg\nlabels: {}\nannotations:\n  owner: a\nfinalizers: []"),
    );
    let patched = sim
        .patch(
            Kind::ConfigMap,
            "default",
            "cfg",
            kubedrill_sim::PatchType::Merge,
            &json!({"metadata": {"annotations": {"owner": null}}}),
            kubedrill_sim::Subresource::Main,
        )
        .expect("patch");
    let md = patched["metadata"].as_object().expect("metadata");
    for key in ["labels", "annotations", "finalizers"] {
        assert!(!md.contains_key(key), "{key} kept in {md:?}");
    }
}
