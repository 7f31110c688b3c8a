//! Pod admission through the public API: defaults (rule 91 and `SetDefaults_PodSpec`), the
//! admission plugins, validation texts (rule 92a and `ValidatePodSpec`), ServiceAccount refusal,
//! update immutability, and decode errors for wrong JSON types.

mod common;

use common::{create, create_err, sim_with};
use kubedrill_sim::{ApiError, Kind, PatchType, Sim, Subresource, yaml};
use rstest::rstest;
use serde_json::{Value, json};

fn pod_with(container_extra: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n{container_extra}"
    )
}

fn create_value(sim: &mut Sim, v: Value) -> Result<Value, ApiError> {
    sim.create(v).map(|o| (*o).clone())
}

#[test]
fn pod_spec_defaults_follow_set_defaults_pod_spec_and_the_admission_plugins() {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(&mut sim, &pod_with("    ports:\n    - containerPort: 80\n"));
    let spec = &pod["spec"];
    assert_eq!(spec["restartPolicy"], "Always");
    assert_eq!(spec["dnsPolicy"], "ClusterFirst");
    assert_eq!(spec["schedulerName"], "default-scheduler");
    assert_eq!(spec["terminationGracePeriodSeconds"], 30);
    assert_eq!(spec["securityContext"], json!({}));
    assert_eq!(spec["enableServiceLinks"], true);
    assert_eq!(spec["serviceAccountName"], "default");
    assert_eq!(spec["serviceAccount"], "default");
    assert_eq!(spec["priority"], 0);
    assert_eq!(spec["preemptionPolicy"], "PreemptLowerPriority");
    assert_eq!(
        spec["tolerations"],
        json!([
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        ])
    );
    let c = &spec["containers"][0];
    assert_eq!(c["terminationMessagePath"], "/dev/termination-log");
    assert_eq!(c["terminationMessagePolicy"], "File");
    assert_eq!(c["imagePullPolicy"], "IfNotPresent");
    assert_eq!(c["resources"], json!({}));
    assert_eq!(c["ports"][0]["protocol"], "TCP");
}

#[test]
fn a_new_pod_is_pending_with_its_qos_class_whatever_status_the_client_sent() {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(
        &mut sim,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: nginx\nstatus:\n  phase: Running\n  podIP: 1.2.3.4\n",
    );
    // The kubelet runs the pod during the same settle, so read what admission stored from
    // the watch log's ADDED event.
    let added = sim
        .watch_since(
            kubedrill_sim::Kind::Pod,
            Some("default"),
            0,
            &Default::default(),
        )
        .expect("watch log")
        .into_iter()
        .find(|e| {
            e.event == kubedrill_sim::EventType::Added && e.object["metadata"]["name"] == "web"
        })
        .expect("ADDED event");
    assert_eq!(
        added.object["status"],
        json!({"phase": "Pending", "qosClass": "BestEffort"})
    );
    assert_ne!(pod["status"]["podIP"], "1.2.3.4");
}

#[rstest]
#[case::limits_only_become_requests(
    "    resources:\n      limits: {cpu: 100m, memory: 64Mi}\n",
    "Guaranteed"
)]
#[case::requests_only("    resources:\n      requests: {cpu: 100m}\n", "Burstable")]
#[case::nothing("", "BestEffort")]
fn qos_class_follows_requests_and_limits(#[case] extra: &str, #[case] qos: &str) {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(&mut sim, &pod_with(extra));
    assert_eq!(pod["status"]["qosClass"], qos);
}

#[test]
fn limits_without_requests_default_the_requests_in_pods() {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(
        &mut sim,
        &pod_with("    resources:\n      limits: {cpu: 100m, memory: 64Mi}\n"),
    );
    assert_eq!(
        pod["spec"]["containers"][0]["resources"]["requests"],
        json!({"cpu": "100m", "memory": "64Mi"})
    );
}

#[rstest]
#[case::no_tag("nginx", "Always")]
#[case::latest("nginx:latest", "Always")]
#[case::tagged("nginx:1.27", "IfNotPresent")]
#[case::registry_port_no_tag("registry.local:5000/web", "Always")]
#[case::digest("nginx@sha256:0123456789abcdef", "IfNotPresent")]
fn image_pull_policy_defaults_from_the_image_tag(#[case] image: &str, #[case] policy: &str) {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(
        &mut sim,
        &format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: {image}\n"
        ),
    );
    assert_eq!(pod["spec"]["containers"][0]["imagePullPolicy"], policy);
}

#[test]
fn rule_91_probe_defaults_fill_timeouts_thresholds_and_http_get() {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(
        &mut sim,
        &pod_with(
            "    readinessProbe:\n      httpGet:\n        port: 80\n    livenessProbe:\n      tcpSocket:\n        port: 80\n      periodSeconds: 5\n",
        ),
    );
    let c = &pod["spec"]["containers"][0];
    assert_eq!(
        c["readinessProbe"],
        json!({"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})
    );
    assert_eq!(c["livenessProbe"]["periodSeconds"], 5);
    assert_eq!(c["livenessProbe"]["failureThreshold"], 3);
}

#[rstest]
#[case::container_port_missing(
    "    ports:\n    - name: http\n",
    "Pod \"web\" is invalid: spec.containers[0].ports[0].containerPort: Required value"
)]
#[case::container_port_out_of_range(
    "    ports:\n    - containerPort: 70000\n",
    "Pod \"web\" is invalid: spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"
)]
#[case::duplicate_port_name(
    "    ports:\n    - {name: https, containerPort: 443}\n    - {name: https, containerPort: 8443}\n",
    "Pod \"web\" is invalid: spec.containers[0].ports[1].name: Duplicate value: \"https\""
)]
#[case::port_name_too_long(
    "    ports:\n    - {name: metrics-endpoint, containerPort: 9090}\n",
    "Pod \"web\" is invalid: spec.containers[0].ports[0].name: Invalid value: \"metrics-endpoint\": must be no more than 15 characters"
)]
#[case::port_name_without_letter(
    "    ports:\n    - {name: \"8080\", containerPort: 8080}\n",
    "Pod \"web\" is invalid: spec.containers[0].ports[0].name: Invalid value: \"8080\": must contain at least one letter (a-z)"
)]
#[case::lowercase_protocol(
    "    ports:\n    - {containerPort: 80, protocol: tcp}\n",
    "Pod \"web\" is invalid: spec.containers[0].ports[0].protocol: Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\""
)]
#[case::host_port_out_of_range(
    "    ports:\n    - {containerPort: 80, hostPort: 70000}\n",
    "Pod \"web\" is invalid: spec.containers[0].ports[0].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive"
)]
fn rule_92a_container_ports_are_validated_with_the_api_texts(
    #[case] ports: &str,
    #[case] msg: &str,
) {
    let (mut sim, _) = sim_with(&[]);
    assert_eq!(create_err(&mut sim, &pod_with(ports)), msg);
}

#[test]
fn rule_92a_the_same_port_name_in_two_containers_is_allowed() {
    let (mut sim, _) = sim_with(&[]);
    create(
        &mut sim,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: a\n    image: nginx\n    ports: [{name: http, containerPort: 80}]\n  - name: b\n    image: nginx\n    ports: [{name: http, containerPort: 8080}]\n",
    );
}

fn pod_spec(spec: &str) -> String {
    format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n{spec}")
}

#[rstest]
#[case::no_containers(
    "  containers: []\n",
    "Pod \"web\" is invalid: spec.containers: Required value"
)]
#[case::container_name_missing(
    "  containers:\n  - image: nginx\n",
    "Pod \"web\" is invalid: spec.containers[0].name: Required value"
)]
#[case::container_name_uppercase(
    "  containers:\n  - name: App\n    image: nginx\n",
    "Pod \"web\" is invalid: spec.containers[0].name: Invalid value: \"App\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)]
#[case::duplicate_container_name(
    "  containers:\n  - name: app\n    image: nginx\n  - name: app\n    image: redis\n",
    "Pod \"web\" is invalid: spec.containers[1].name: Duplicate value: \"app\""
)]
#[case::image_missing(
    "  containers:\n  - name: app\n",
    "Pod \"web\" is invalid: spec.containers[0].image: Required value"
)]
#[case::restart_policy(
    "  restartPolicy: Sometimes\n  containers:\n  - name: app\n    image: nginx\n",
    "Pod \"web\" is invalid: spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""
)]
#[case::dns_policy(
    "  dnsPolicy: ClusterLast\n  containers:\n  - name: app\n    image: nginx\n",
    "Pod \"web\" is invalid: spec.dnsPolicy: Unsupported value: \"ClusterLast\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""
)]
#[case::dns_policy_none_without_config(
    "  dnsPolicy: None\n  containers:\n  - name: app\n    image: nginx\n",
    "Pod \"web\" is invalid: spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"
)]
#[case::probe_without_handler(
    "  containers:\n  - name: app\n    image: nginx\n    readinessProbe:\n      periodSeconds: 5\n",
    "Pod \"web\" is invalid: spec.containers[0].readinessProbe: Required value: must specify a handler type"
)]
#[case::probe_with_two_handlers(
    "  containers:\n  - name: app\n    image: nginx\n    livenessProbe:\n      httpGet: {port: 80}\n      tcpSocket: {port: 80}\n",
    "Pod \"web\" is invalid: spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"
)]
#[case::liveness_success_threshold(
    "  containers:\n  - name: app\n    image: nginx\n    livenessProbe:\n      tcpSocket: {port: 80}\n      successThreshold: 2\n",
    "Pod \"web\" is invalid: spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"
)]
#[case::probe_named_port_invalid(
    "  containers:\n  - name: app\n    image: nginx\n    readinessProbe:\n      httpGet: {port: HTTP}\n",
    "Pod \"web\" is invalid: [spec.containers[0].readinessProbe.httpGet.port: Invalid value: \"HTTP\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-), spec.containers[0].readinessProbe.httpGet.port: Invalid value: \"HTTP\": must contain at least one letter (a-z)]"
)]
#[case::hostname(
    "  hostname: My_Host\n  containers:\n  - name: app\n    image: nginx\n",
    "Pod \"web\" is invalid: spec.hostname: Invalid value: \"My_Host\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)]
#[case::subdomain(
    "  subdomain: a.b\n  containers:\n  - name: app\n    image: nginx\n",
    "Pod \"web\" is invalid: spec.subdomain: Invalid value: \"a.b\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)]
#[case::pull_policy(
    "  containers:\n  - name: app\n    image: nginx\n    imagePullPolicy: Sometimes\n",
    "Pod \"web\" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\""
)]
#[case::toleration_effect(
    "  tolerations:\n  - {key: a, operator: Exists, effect: NoRun}\n  containers:\n  - name: app\n    image: nginx\n",
    "Pod \"web\" is invalid: spec.tolerations[0].effect: Unsupported value: \"NoRun\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""
)]
#[case::toleration_seconds_without_no_execute(
    "  tolerations:\n  - {key: a, operator: Exists, effect: NoSchedule, tolerationSeconds: 5}\n  containers:\n  - name: app\n    image: nginx\n",
    "Pod \"web\" is invalid: spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"
)]
#[case::volume_mount_of_unknown_volume(
    "  containers:\n  - name: app\n    image: nginx\n    volumeMounts:\n    - {name: data, mountPath: /data}\n",
    "Pod \"web\" is invalid: spec.containers[0].volumeMounts[0].name: Not found: \"data\""
)]
#[case::duplicate_volume(
    "  volumes:\n  - name: data\n  - name: data\n  containers:\n  - name: app\n    image: nginx\n",
    "Pod \"web\" is invalid: spec.volumes[1].name: Duplicate value: \"data\""
)]
#[case::mount_path_missing(
    "  volumes:\n  - name: data\n  containers:\n  - name: app\n    image: nginx\n    volumeMounts:\n    - {name: data}\n",
    "Pod \"web\" is invalid: spec.containers[0].volumeMounts[0].mountPath: Required value"
)]
#[case::request_above_limit(
    "  containers:\n  - name: app\n    image: nginx\n    resources:\n      requests: {cpu: \"2\"}\n      limits: {cpu: 500m}\n",
    "Pod \"web\" is invalid: spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 500m"
)]
#[case::env_name_missing(
    "  containers:\n  - name: app\n    image: nginx\n    env:\n    - value: x\n",
    "Pod \"web\" is invalid: spec.containers[0].env[0].name: Required value"
)]
#[case::ephemeral_containers_on_create(
    "  containers:\n  - name: app\n    image: nginx\n  ephemeralContainers:\n  - name: debug\n    image: busybox\n",
    "Pod \"web\" is invalid: spec.ephemeralContainers: Forbidden: cannot be set on create"
)]
#[case::init_container_probe(
    "  initContainers:\n  - name: init\n    image: busybox\n    readinessProbe:\n      exec: {command: [\"true\"]}\n  containers:\n  - name: app\n    image: nginx\n",
    "Pod \"web\" is invalid: spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"
)]
#[case::init_container_name_clash(
    "  initContainers:\n  - name: app\n    image: busybox\n  containers:\n  - name: app\n    image: nginx\n",
    "Pod \"web\" is invalid: spec.initContainers[0].name: Duplicate value: \"app\""
)]
fn pod_spec_validation_gives_the_api_texts(#[case] spec: &str, #[case] msg: &str) {
    let (mut sim, _) = sim_with(&[]);
    assert_eq!(create_err(&mut sim, &pod_spec(spec)), msg);
}

#[test]
fn several_pod_errors_are_reported_together_in_brackets() {
    let (mut sim, _) = sim_with(&[]);
    assert_eq!(
        create_err(
            &mut sim,
            &pod_spec("  containers:\n  - name: app\n  - name: app\n    image: nginx\n"),
        ),
        "Pod \"web\" is invalid: [spec.containers[0].image: Required value, spec.containers[1].name: Duplicate value: \"app\"]"
    );
}

#[test]
fn a_missing_service_account_is_refused_with_403_forbidden() {
    let (mut sim, _) = sim_with(&[]);
    let mut docs = yaml::parse_documents(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  serviceAccountName: robot\n  containers:\n  - name: app\n    image: nginx\n",
    )
    .expect("yaml");
    let err = sim.create(docs.remove(0)).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "pods \"web\" is forbidden: error looking up service account default/robot: serviceaccount \"robot\" not found"
    );
    assert_eq!(err.code(), 403);
    assert_eq!(err.reason(), "Forbidden");
}

#[test]
fn an_existing_service_account_is_accepted_and_mirrored_into_service_account() {
    let (mut sim, _) =
        sim_with(&["apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: robot\n"]);
    let pod = create(
        &mut sim,
        &pod_spec("  serviceAccount: robot\n  containers:\n  - name: app\n    image: nginx\n"),
    );
    assert_eq!(pod["spec"]["serviceAccountName"], "robot");
    assert_eq!(pod["spec"]["serviceAccount"], "robot");
}

#[test]
fn an_unknown_priority_class_is_refused_and_system_classes_set_the_priority() {
    let (mut sim, _) = sim_with(&[]);
    assert_eq!(
        create_err(
            &mut sim,
            &pod_spec(
                "  priorityClassName: gold\n  containers:\n  - name: app\n    image: nginx\n"
            ),
        ),
        "pods \"web\" is forbidden: no PriorityClass with name gold was found"
    );
    let pod = create(
        &mut sim,
        &pod_spec(
            "  priorityClassName: system-node-critical\n  containers:\n  - name: app\n    image: nginx\n",
        ),
    );
    assert_eq!(pod["spec"]["priority"], 2_000_001_000);
}

#[test]
fn a_pod_that_tolerates_not_ready_keeps_its_own_toleration() {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(
        &mut sim,
        &pod_spec(
            "  tolerations:\n  - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 10}\n  containers:\n  - name: app\n    image: nginx\n",
        ),
    );
    let tols = pod["spec"]["tolerations"].as_array().expect("tolerations");
    assert_eq!(tols.len(), 2);
    assert_eq!(tols[0]["tolerationSeconds"], 10);
    assert_eq!(tols[1]["key"], "node.kubernetes.io/unreachable");
}

#[test]
fn a_pod_update_may_change_the_image() {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(&mut sim, &pod_with(""));
    let mut new = (*pod).clone();
    new["spec"]["containers"][0]["image"] = json!("nginx:1.28");
    let out = sim.update(new).expect("image change is allowed");
    assert_eq!(out["spec"]["containers"][0]["image"], "nginx:1.28");
}

#[test]
fn a_pod_update_of_other_spec_fields_is_forbidden_with_the_updatable_field_list() {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(&mut sim, &pod_with(""));
    let mut new = (*pod).clone();
    new["spec"]["restartPolicy"] = json!("Never");
    let err = sim.update(new).expect_err("restartPolicy is immutable");
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "Pod \"web\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"
        ),
        "{msg}"
    );
    assert!(msg.contains("- \trestartPolicy: \"Always\","), "{msg}");
    assert!(msg.contains("+ \trestartPolicy: \"Never\","), "{msg}");
}

#[test]
fn a_pod_update_may_not_add_containers() {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(&mut sim, &pod_with(""));
    let mut new = (*pod).clone();
    new["spec"]["containers"]
        .as_array_mut()
        .expect("containers")
        .push(json!({"name": "b", "image": "redis"}));
    assert_eq!(
        sim.update(new).expect_err("refused").to_string(),
        "Pod \"web\" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers"
    );
}

#[test]
fn a_pod_update_may_add_tolerations_and_lower_active_deadline_seconds() {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(
        &mut sim,
        &pod_spec("  activeDeadlineSeconds: 100\n  containers:\n  - name: app\n    image: nginx\n"),
    );
    let mut new = (*pod).clone();
    new["spec"]["activeDeadlineSeconds"] = json!(50);
    new["spec"]["tolerations"]
        .as_array_mut()
        .expect("tolerations")
        .push(json!({"key": "dedicated", "operator": "Exists"}));
    sim.update(new).expect("allowed");
    let mut raise = (*sim.get(Kind::Pod, "default", "web").expect("pod")).clone();
    raise["spec"]["activeDeadlineSeconds"] = json!(60);
    assert_eq!(
        sim.update(raise).expect_err("refused").to_string(),
        "Pod \"web\" is invalid: spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value"
    );
}

#[test]
fn a_pod_update_may_change_labels() {
    let (mut sim, _) = sim_with(&[]);
    create(&mut sim, &pod_with(""));
    sim.patch(
        Kind::Pod,
        "default",
        "web",
        PatchType::Merge,
        &json!({"metadata": {"labels": {"app": "web"}}}),
        Subresource::Main,
    )
    .expect("labels are mutable");
}

#[test]
fn a_status_write_is_not_validated_against_the_spec() {
    let (mut sim, _) = sim_with(&[]);
    create(&mut sim, &pod_with(""));
    let out = sim
        .patch(
            Kind::Pod,
            "default",
            "web",
            PatchType::Merge,
            &json!({"status": {"phase": "Running"}}),
            Subresource::Status,
        )
        .expect("status write");
    assert_eq!(out["status"]["phase"], "Running");
}

#[rstest]
#[case::string_container_port(
    json!({"name": "app", "image": "nginx", "ports": [{"containerPort": "80"}]}),
    "Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"
)]
#[case::number_image(
    json!({"name": "app", "image": 5}),
    "Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field Container.spec.containers.image of type string"
)]
#[case::object_ports(
    json!({"name": "app", "image": "nginx", "ports": {"containerPort": 80}}),
    "Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal object into Go struct field Container.spec.containers.ports of type []v1.ContainerPort"
)]
#[case::string_probe_period(
    json!({"name": "app", "image": "nginx", "readinessProbe": {"tcpSocket": {"port": 80}, "periodSeconds": "10"}}),
    "Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field Probe.spec.containers.readinessProbe.periodSeconds of type int32"
)]
#[case::number_env_value(
    json!({"name": "app", "image": "nginx", "env": [{"name": "PORT", "value": 80}]}),
    "Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string"
)]
#[case::number_in_command(
    json!({"name": "app", "image": "busybox", "command": ["sleep", 3600]}),
    "Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field Container.spec.containers.command of type string"
)]
fn wrong_json_types_are_a_bad_request_decode_error(#[case] container: Value, #[case] msg: &str) {
    let (mut sim, _) = sim_with(&[]);
    let err = create_value(
        &mut sim,
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": {"containers": [container]}}),
    )
    .expect_err("decode error");
    assert_eq!(err.to_string(), msg);
    assert_eq!(err.code(), 400);
}

#[test]
fn the_service_account_token_is_mounted_in_every_container() {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(&mut sim, &pod_with(""));
    let vol = &pod["spec"]["volumes"][0];
    let name = vol["name"].as_str().expect("volume name");
    assert!(
        name.starts_with("kube-api-access-") && name.len() == 21,
        "{name}"
    );
    assert_eq!(vol["projected"]["defaultMode"], 420);
    assert_eq!(
        vol["projected"]["sources"][0],
        json!({"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}})
    );
    assert_eq!(
        pod["spec"]["containers"][0]["volumeMounts"],
        json!([{"name": name, "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}])
    );
    let opted_out = create(
        &mut sim,
        &pod_spec("  automountServiceAccountToken: false\n  containers:\n  - name: app\n    image: nginx\n")
            .replace("name: web", "name: web2"),
    );
    assert!(opted_out["spec"].get("volumes").is_none());
}

#[test]
fn a_volume_without_a_source_defaults_to_empty_dir() {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(
        &mut sim,
        &pod_spec(
            "  volumes:\n  - name: data\n  containers:\n  - name: app\n    image: nginx\n    volumeMounts:\n    - {name: data, mountPath: /data}\n",
        ),
    );
    assert_eq!(
        pod["spec"]["volumes"][0],
        json!({"name": "data", "emptyDir": {}})
    );
}

#[test]
fn binding_an_unscheduled_pod_sets_node_name_once() {
    let (mut sim, _) = sim_with(&[]);
    // No node carries this label, so the scheduler leaves the pod Pending for us to bind.
    let pod = sim
        .create(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"nodeSelector": {"disk": "none"}, "containers": [{"name": "app", "image": "nginx"}]}}))
        .expect("create");
    assert_eq!(pod["spec"]["nodeName"], Value::Null);
    let mut bound = (*pod).clone();
    bound["spec"]["nodeName"] = json!("node01");
    let bound = sim
        .update(bound)
        .expect("the scheduler binds with an update");
    let mut moved = (*bound).clone();
    moved["spec"]["nodeName"] = json!("node02");
    let msg = sim
        .update(moved)
        .expect_err("a bound pod stays")
        .to_string();
    assert!(
        msg.starts_with(
            "Pod \"web\" is invalid: spec: Forbidden: pod updates may not change fields other than"
        ),
        "{msg}"
    );
}

#[test]
fn a_malformed_quantity_is_a_decode_error() {
    let (mut sim, _) = sim_with(&[]);
    let err = create_value(
        &mut sim,
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
               "spec": {"containers": [{"name": "app", "image": "nginx", "resources": {"limits": {"memory": "1GB"}}}]}}),
    )
    .expect_err("decode error");
    assert_eq!(
        err.to_string(),
        "Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    );
}

#[test]
fn equal_quantities_written_differently_are_guaranteed() {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(
        &mut sim,
        &pod_with(
            "    resources:\n      requests: {cpu: \"1\", memory: 1Gi}\n      limits: {cpu: 1000m, memory: 1024Mi}\n",
        ),
    );
    assert_eq!(pod["status"]["qosClass"], "Guaranteed");
}

#[test]
fn a_generate_name_pod_is_refused_under_its_prefix() {
    let (mut sim, _) = sim_with(&[]);
    let err = create_value(
        &mut sim,
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "web-7d4b9c-"},
               "spec": {"serviceAccountName": "robot", "containers": [{"name": "app", "image": "nginx"}]}}),
    )
    .expect_err("refused");
    assert_eq!(
        err.to_string(),
        "pods \"web-7d4b9c-\" is forbidden: error looking up service account default/robot: serviceaccount \"robot\" not found"
    );
}

#[test]
fn a_sidecar_init_container_may_have_probes() {
    let (mut sim, _) = sim_with(&[]);
    let pod = create(
        &mut sim,
        &pod_spec(
            "  initContainers:\n  - name: proxy\n    image: envoy\n    restartPolicy: Always\n    readinessProbe:\n      tcpSocket: {port: 15000}\n  containers:\n  - name: app\n    image: nginx\n",
        ),
    );
    assert_eq!(
        pod["spec"]["initContainers"][0]["readinessProbe"]["failureThreshold"],
        3
    );
}
