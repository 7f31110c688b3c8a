//! apps/v1 admission through the public API (SERVICES-SPEC rules 93–95): Deployment, ReplicaSet
//! and StatefulSet defaults, validation texts with 1.34+ JSON value rendering, the immutable
//! selector, and the PodSpec validation of templates under `spec.template.spec`. Controllers are
//! not exercised here: only what admission stores or refuses.

mod common;

use common::{create, create_err, sim_with};
use kubedrill_sim::{Kind, PatchType, Subresource};
use rstest::rstest;
use serde_json::json;

/// A Deployment (or ReplicaSet) with the given selector and template labels.
fn workload(kind: &str, selector: &str, labels: &str, pod_extra: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: web\nspec:\n{selector}  template:\n    metadata:\n      labels: {labels}\n    spec:\n{pod_extra}      containers:\n      - name: app\n        image: nginx:1.27\n"
    )
}

const SEL: &str = "  selector:\n    matchLabels: {app: web}\n";

#[test]
fn rule_95_deployment_defaults() {
    let (mut sim, _) = sim_with(&[]);
    let d = create(&mut sim, &workload("Deployment", SEL, "{app: web}", ""));
    let spec = &d["spec"];
    assert_eq!(spec["replicas"], 1);
    assert_eq!(
        spec["strategy"],
        json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
    );
    assert_eq!(spec["revisionHistoryLimit"], 10);
    assert_eq!(spec["progressDeadlineSeconds"], 600);
    // The deployment controller owns status once it has seen generation 1.
    assert_eq!(d["status"]["observedGeneration"], 1);
    assert_eq!(d["metadata"]["generation"], 1);
}

#[test]
fn rule_95_templates_get_the_pod_spec_defaults_but_not_the_pod_only_ones() {
    let (mut sim, _) = sim_with(&[]);
    let d = create(&mut sim, &workload("Deployment", SEL, "{app: web}", ""));
    let t = &d["spec"]["template"]["spec"];
    assert_eq!(t["restartPolicy"], "Always");
    assert_eq!(t["dnsPolicy"], "ClusterFirst");
    assert_eq!(t["schedulerName"], "default-scheduler");
    assert_eq!(t["terminationGracePeriodSeconds"], 30);
    assert_eq!(t["securityContext"], json!({}));
    assert_eq!(t["containers"][0]["imagePullPolicy"], "IfNotPresent");
    assert_eq!(
        t["containers"][0]["terminationMessagePath"],
        "/dev/termination-log"
    );
    // SetDefaults_Pod and the admission plugins act on pods only.
    assert!(t.get("enableServiceLinks").is_none());
    assert!(t.get("serviceAccountName").is_none());
    assert!(t.get("tolerations").is_none());
}

#[test]
fn rule_95_a_recreate_strategy_gets_no_rolling_update() {
    let (mut sim, _) = sim_with(&[]);
    let d = create(
        &mut sim,
        &workload("Deployment", SEL, "{app: web}", "").replace(
            "spec:\n  selector",
            "spec:\n  strategy: {type: Recreate}\n  selector",
        ),
    );
    assert_eq!(d["spec"]["strategy"], json!({"type": "Recreate"}));
}

#[test]
fn replica_set_defaults_replicas_to_one() {
    let (mut sim, _) = sim_with(&[]);
    let rs = create(&mut sim, &workload("ReplicaSet", SEL, "{app: web}", ""));
    assert_eq!(rs["spec"]["replicas"], 1);
    assert!(rs["spec"].get("strategy").is_none());
}

#[rstest]
#[case::deployment("Deployment", "Deployment.apps")]
#[case::replica_set("ReplicaSet", "ReplicaSet.apps")]
fn rule_93_selector_is_required_and_must_match_the_template(
    #[case] kind: &str,
    #[case] qualified: &str,
) {
    let (mut sim, _) = sim_with(&[]);
    assert_eq!(
        create_err(&mut sim, &workload(kind, "", "{app: web}", "")),
        format!(
            "{qualified} \"web\" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: {{\"app\":\"web\"}}: `selector` does not match template `labels`]"
        )
    );
    assert_eq!(
        create_err(
            &mut sim,
            &workload(kind, "  selector: {}\n", "{app: web}", "")
        ),
        format!(
            "{qualified} \"web\" is invalid: spec.selector: Invalid value: {{}}: empty selector is invalid for deployment"
        )
    );
    assert_eq!(
        create_err(&mut sim, &workload(kind, SEL, "{app: api, tier: be}", "")),
        format!(
            "{qualified} \"web\" is invalid: spec.template.metadata.labels: Invalid value: {{\"app\":\"api\",\"tier\":\"be\"}}: `selector` does not match template `labels`"
        )
    );
    assert_eq!(
        create_err(
            &mut sim,
            &workload(kind, SEL, "{app: web}", "      restartPolicy: Never\n")
        ),
        format!(
            "{qualified} \"web\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""
        )
    );
}

#[test]
fn rule_93_match_expressions_select_template_labels() {
    let (mut sim, _) = sim_with(&[]);
    let sel =
        "  selector:\n    matchExpressions:\n    - {key: app, operator: In, values: [web, api]}\n";
    create(&mut sim, &workload("Deployment", sel, "{app: api}", ""));
    let bad =
        "  selector:\n    matchExpressions:\n    - {key: app, operator: Near, values: [web]}\n";
    let mut sim2 = sim_with(&[]).0;
    assert_eq!(
        create_err(&mut sim2, &workload("Deployment", bad, "{app: web}", "")),
        "Deployment.apps \"web\" is invalid: [spec.selector.matchExpressions[0].operator: Invalid value: \"Near\": not a valid selector operator, spec.selector: Invalid value: {\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Near\",\"values\":[\"web\"]}]}: invalid label selector]"
    );
}

#[test]
fn rule_93_template_pod_spec_is_validated_under_spec_template_spec() {
    let (mut sim, _) = sim_with(&[]);
    let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: app\n        image: nginx\n        ports:\n        - {name: https, containerPort: 443}\n        - {name: https, containerPort: 8443}\n";
    assert_eq!(
        create_err(&mut sim, manifest),
        "Deployment.apps \"web\" is invalid: spec.template.spec.containers[0].ports[1].name: Duplicate value: \"https\""
    );
    let no_image = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: app\n";
    assert_eq!(
        create_err(&mut sim, no_image),
        "Deployment.apps \"web\" is invalid: spec.template.spec.containers[0].image: Required value"
    );
}

#[rstest]
#[case::deployment("Deployment", "Deployment.apps")]
#[case::replica_set("ReplicaSet", "ReplicaSet.apps")]
#[case::stateful_set("StatefulSet", "StatefulSet.apps")]
fn replicas_must_not_be_negative(#[case] kind: &str, #[case] qualified: &str) {
    let (mut sim, _) = sim_with(&[]);
    let m = workload(kind, SEL, "{app: web}", "")
        .replace("spec:\n  selector", "spec:\n  replicas: -1\n  selector");
    assert_eq!(
        create_err(&mut sim, &m),
        format!(
            "{qualified} \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        )
    );
}

#[rstest]
#[case::max_surge_word(
    "{type: RollingUpdate, rollingUpdate: {maxSurge: lots}}",
    "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"lots\": must be an integer or percentage (e.g '5%')"
)]
#[case::both_zero(
    "{type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}",
    "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"
)]
#[case::over_100(
    "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 120%}}",
    "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"120%\": must not be greater than 100%"
)]
#[case::recreate_with_rolling_update(
    "{type: Recreate, rollingUpdate: {maxSurge: 1}}",
    "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"
)]
fn deployment_strategy_is_validated(#[case] strategy: &str, #[case] cause: &str) {
    let (mut sim, _) = sim_with(&[]);
    let m = workload("Deployment", SEL, "{app: web}", "").replace(
        "spec:\n  selector",
        &format!("spec:\n  strategy: {strategy}\n  selector"),
    );
    assert_eq!(
        create_err(&mut sim, &m),
        format!("Deployment.apps \"web\" is invalid: {cause}")
    );
}

#[test]
fn rule_94_the_selector_is_immutable_but_template_labels_may_change() {
    let (mut sim, _) = sim_with(&[]);
    create(
        &mut sim,
        &workload("Deployment", SEL, "{app: web, track: a}", ""),
    );
    sim.patch(
        Kind::Deployment,
        "default",
        "web",
        PatchType::Merge,
        &json!({"spec": {"template": {"metadata": {"labels": {"track": "b"}}}}}),
        Subresource::Main,
    )
    .expect("template labels that still match may change");
    let err = sim
        .patch(
            Kind::Deployment,
            "default",
            "web",
            PatchType::Merge,
            &json!({"spec": {"selector": {"matchLabels": {"app": "web2"}}, "template": {"metadata": {"labels": {"app": "web2"}}}}}),
            Subresource::Main,
        )
        .expect_err("selector is immutable");
    assert_eq!(
        err.to_string(),
        "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web2\"}}: field is immutable"
    );
}

#[test]
fn rule_94_a_replica_set_lists_the_template_mismatch_then_immutability() {
    let (mut sim, _) = sim_with(&[]);
    create(&mut sim, &workload("ReplicaSet", SEL, "{app: web}", ""));
    let err = sim
        .patch(
            Kind::ReplicaSet,
            "default",
            "web",
            PatchType::Merge,
            &json!({"spec": {"selector": {"matchLabels": {"app": "web2"}}}}),
            Subresource::Main,
        )
        .expect_err("refused");
    assert_eq!(
        err.to_string(),
        "ReplicaSet.apps \"web\" is invalid: [spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`, spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web2\"}}: field is immutable]"
    );
}

#[test]
fn a_deployment_status_write_skips_validation() {
    let (mut sim, _) = sim_with(&[]);
    create(&mut sim, &workload("Deployment", SEL, "{app: web}", ""));
    let out = sim
        .patch(
            Kind::Deployment,
            "default",
            "web",
            PatchType::Merge,
            &json!({"status": {"replicas": 3}}),
            Subresource::Status,
        )
        .expect("status write");
    // Accepted without spec validation; the deployment controller then restores the truth.
    assert_eq!(out["status"]["replicas"], 1);
}

#[test]
fn stateful_set_defaults() {
    let (mut sim, _) = sim_with(&[]);
    let s = create(
        &mut sim,
        &workload("StatefulSet", SEL, "{app: web}", "")
            .replace("spec:\n  selector", "spec:\n  serviceName: web\n  selector"),
    );
    let spec = &s["spec"];
    assert_eq!(spec["replicas"], 1);
    assert_eq!(spec["podManagementPolicy"], "OrderedReady");
    assert_eq!(
        spec["updateStrategy"],
        json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0, "maxUnavailable": 1}})
    );
    assert_eq!(
        spec["persistentVolumeClaimRetentionPolicy"],
        json!({"whenDeleted": "Retain", "whenScaled": "Retain"})
    );
    assert_eq!(spec["revisionHistoryLimit"], 10);
}

#[test]
fn stateful_set_selector_and_policies_are_validated() {
    let (mut sim, _) = sim_with(&[]);
    assert_eq!(
        create_err(
            &mut sim,
            &workload("StatefulSet", "  selector: {}\n", "{app: web}", "")
        ),
        "StatefulSet.apps \"web\" is invalid: spec.selector: Invalid value: {}: empty selector is invalid for statefulset"
    );
    assert_eq!(
        create_err(
            &mut sim,
            &workload("StatefulSet", SEL, "{app: web}", "").replace(
                "spec:\n  selector",
                "spec:\n  podManagementPolicy: Random\n  selector"
            )
        ),
        "StatefulSet.apps \"web\" is invalid: spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"
    );
}

#[test]
fn stateful_set_updates_may_only_touch_the_listed_fields() {
    let (mut sim, _) = sim_with(&[]);
    create(&mut sim, &workload("StatefulSet", SEL, "{app: web}", ""));
    sim.patch(
        Kind::StatefulSet,
        "default",
        "web",
        PatchType::Merge,
        &json!({"spec": {"replicas": 3}}),
        Subresource::Main,
    )
    .expect("replicas may change");
    let err = sim
        .patch(
            Kind::StatefulSet,
            "default",
            "web",
            PatchType::Merge,
            &json!({"spec": {"serviceName": "other"}}),
            Subresource::Main,
        )
        .expect_err("serviceName is fixed");
    assert_eq!(
        err.to_string(),
        "StatefulSet.apps \"web\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
    );
}

#[test]
fn a_string_replicas_is_a_decode_error() {
    let (mut sim, _) = sim_with(&[]);
    let err = sim
        .create(json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": "3", "selector": {"matchLabels": {"app": "web"}}},
        }))
        .expect_err("decode error");
    assert_eq!(
        err.to_string(),
        "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
    );
    assert_eq!(err.code(), 400);
}

#[test]
fn rule_93_stateful_set_templates_must_restart_always_and_have_no_deadline() {
    let (mut sim, _) = sim_with(&[]);
    assert_eq!(
        create_err(
            &mut sim,
            &workload(
                "StatefulSet",
                SEL,
                "{app: web}",
                "      restartPolicy: OnFailure\n      activeDeadlineSeconds: 60\n"
            )
        ),
        "StatefulSet.apps \"web\" is invalid: [spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\", spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported]"
    );
}

#[test]
fn the_bootstrap_coredns_deployment_is_stored_defaulted() {
    let (sim, _) = sim_with(&[]);
    let d = sim
        .get(Kind::Deployment, "kube-system", "coredns")
        .expect("coredns");
    assert_eq!(
        d["spec"]["strategy"]["rollingUpdate"],
        json!({"maxSurge": "25%", "maxUnavailable": 1})
    );
    assert_eq!(d["spec"]["revisionHistoryLimit"], 10);
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["readinessProbe"]["periodSeconds"], 10);
    assert_eq!(c["livenessProbe"]["timeoutSeconds"], 5);
    assert_eq!(c["imagePullPolicy"], "IfNotPresent");
}
