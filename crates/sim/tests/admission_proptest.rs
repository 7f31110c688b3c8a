//! Random and garbage Pods and Deployments (wrong JSON types, odd values, missing parts) never
//! panic admission; what is accepted carries the defaults; random updates of accepted objects
//! never panic either.

use kubedrill_sim::{Kind, Sim};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Field names admission reads, so random objects hit the interesting paths.
const KEYS: &[&str] = &[
    "containers",
    "initContainers",
    "name",
    "image",
    "ports",
    "containerPort",
    "hostPort",
    "protocol",
    "restartPolicy",
    "dnsPolicy",
    "dnsConfig",
    "nameservers",
    "readinessProbe",
    "livenessProbe",
    "startupProbe",
    "httpGet",
    "tcpSocket",
    "exec",
    "grpc",
    "command",
    "port",
    "path",
    "scheme",
    "periodSeconds",
    "successThreshold",
    "terminationGracePeriodSeconds",
    "activeDeadlineSeconds",
    "tolerations",
    "key",
    "operator",
    "value",
    "effect",
    "tolerationSeconds",
    "resources",
    "limits",
    "requests",
    "serviceAccountName",
    "serviceAccount",
    "priorityClassName",
    "priority",
    "hostname",
    "subdomain",
    "nodeSelector",
    "selector",
    "matchLabels",
    "matchExpressions",
    "values",
    "template",
    "metadata",
    "labels",
    "spec",
    "strategy",
    "type",
    "rollingUpdate",
    "maxSurge",
    "maxUnavailable",
    "replicas",
    "minReadySeconds",
    "progressDeadlineSeconds",
    "revisionHistoryLimit",
    "imagePullPolicy",
    "terminationMessagePolicy",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-5i64..70000).prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(vec![
            "",
            "app",
            "web",
            "nginx",
            "nginx:latest",
            "TCP",
            "tcp",
            "Always",
            "Never",
            "ClusterFirst",
            "None",
            "http",
            "80",
            "25%",
            "120%",
            "In",
            "Exists",
            "NoExecute",
            "a b",
            "-x-",
            "default",
            "system-node-critical",
            "Recreate",
            "RollingUpdate",
        ])
        .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|kv| {
                let mut m = Map::new();
                for (k, v) in kv {
                    m.insert(k.to_string(), v);
                }
                Value::Object(m)
            }),
        ]
    })
}

/// A path of object keys and array indices to mutate.
fn arb_path() -> impl Strategy<Value = Vec<Result<&'static str, usize>>> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(KEYS).prop_map(Ok),
            1 => (0usize..3).prop_map(Err),
        ],
        1..6,
    )
}

/// Set `new` at `path`, turning whatever is in the way into the object or array needed.
fn set_path(v: &mut Value, path: &[Result<&'static str, usize>], new: Value) {
    let Some((first, rest)) = path.split_first() else {
        *v = new;
        return;
    };
    match first {
        Ok(k) => {
            if !v.is_object() {
                *v = Value::Object(Map::new());
            }
            if let Value::Object(m) = v {
                let child = m.entry(k.to_string()).or_insert(Value::Null);
                set_path(child, rest, new);
            }
        }
        Err(i) => {
            if !v.is_array() {
                *v = Value::Array(Vec::new());
            }
            if let Value::Array(a) = v {
                while a.len() <= *i {
                    a.push(Value::Null);
                }
                set_path(&mut a[*i], rest, new);
            }
        }
    }
}

fn base_pod() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "app", "image": "nginx", "ports": [{"containerPort": 80}],
                                 "readinessProbe": {"httpGet": {"port": 80}}}]},
    })
}

fn base_deployment() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": base_pod()["spec"].clone()}},
    })
}

fn mutations() -> impl Strategy<Value = Vec<(Vec<Result<&'static str, usize>>, Value)>> {
    prop::collection::vec((arb_path(), arb_json()), 0..4)
}

fn mutated(mut base: Value, muts: &[(Vec<Result<&'static str, usize>>, Value)]) -> Value {
    for (path, v) in muts {
        // Keep apiVersion/kind/name: the object must reach the kind's admission.
        let mut path = path.clone();
        if path.first() != Some(&Ok("metadata")) {
            path.insert(0, Ok("spec"));
        }
        set_path(&mut base, &path, v.clone());
    }
    base
}

fn assert_pod_defaults(pod: &Value) {
    let spec = &pod["spec"];
    assert!(spec["restartPolicy"].is_string());
    assert!(spec["dnsPolicy"].is_string());
    assert_eq!(spec["schedulerName"], "default-scheduler");
    assert!(spec["terminationGracePeriodSeconds"].is_i64());
    assert!(spec["serviceAccountName"].is_string());
    // The kubelet may already have run it (or failed to pull its image) in the same settle.
    assert!(pod["status"]["phase"].is_string());
    for c in spec["containers"].as_array().expect("containers") {
        assert!(c["terminationMessagePath"].is_string());
        assert!(c["imagePullPolicy"].is_string());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn random_pods_never_panic_and_accepted_ones_carry_defaults(
        muts in mutations(),
        update in mutations(),
        whole_spec in prop::option::weighted(0.2, arb_json()),
    ) {
        let (mut sim, _) = Sim::default_with_clock().expect("bootstrap");
        let mut pod = mutated(base_pod(), &muts);
        if let Some(spec) = whole_spec {
            pod["spec"] = spec;
        }
        if let Ok(created) = sim.create(pod) {
            assert_pod_defaults(&created);
            let changed = mutated((*created).clone(), &update);
            let _ = sim.update(changed);
        }
    }

    #[test]
    fn random_deployments_never_panic_and_accepted_ones_carry_defaults(
        muts in mutations(),
        update in mutations(),
        kind in prop::sample::select(vec!["Deployment", "ReplicaSet", "StatefulSet"]),
    ) {
        let (mut sim, _) = Sim::default_with_clock().expect("bootstrap");
        let mut d = mutated(base_deployment(), &muts);
        d["kind"] = json!(kind);
        if let Ok(created) = sim.create(d) {
            let spec = &created["spec"];
            assert!(spec["replicas"].is_i64());
            assert!(spec["template"]["spec"]["dnsPolicy"].is_string());
            assert_eq!(spec["template"]["spec"]["restartPolicy"], "Always");
            if kind == "Deployment" {
                assert!(spec["strategy"]["type"].is_string());
                assert!(spec["revisionHistoryLimit"].is_i64());
            }
            let changed = mutated((*created).clone(), &update);
            let _ = sim.update(changed);
        }
        // Nothing else in the cluster was touched by a refused write.
        prop_assert!(sim.get(Kind::Namespace, "", "default").is_ok());
    }
}
