//! The objects `kubectl apply -f ingress-nginx/deploy/static/provider/baremetal/deploy.yaml`
//! leaves in a cluster (controller v1.12), trimmed to what a drill can observe: namespace,
//! ServiceAccount, ConfigMap, IngressClass `nginx`, the controller Deployment and its NodePort
//! and admission Services. RBAC, the webhook configuration and its certgen Jobs are left out
//! (no such kinds here), and so is the webhook certificate volume (no Secrets).

use serde_json::{Value, json};

const VERSION: &str = "1.12.1";
const NS: &str = "ingress-nginx";

fn labels(component: Option<&str>) -> Value {
    let mut l = json!({
        "app.kubernetes.io/instance": "ingress-nginx",
        "app.kubernetes.io/name": "ingress-nginx",
        "app.kubernetes.io/part-of": "ingress-nginx",
        "app.kubernetes.io/version": VERSION,
    });
    if let Some(c) = component {
        l["app.kubernetes.io/component"] = json!(c);
    }
    l
}

fn selector() -> Value {
    json!({
        "app.kubernetes.io/component": "controller",
        "app.kubernetes.io/instance": "ingress-nginx",
        "app.kubernetes.io/name": "ingress-nginx",
    })
}

/// In creation order (the namespace first).
pub(crate) fn objects() -> Vec<Value> {
    let probe = |failure: u32| {
        json!({
            "httpGet": {"path": "/healthz", "port": 10254, "scheme": "HTTP"},
            "initialDelaySeconds": 10, "periodSeconds": 10, "timeoutSeconds": 1,
            "successThreshold": 1, "failureThreshold": failure,
        })
    };
    vec![
        json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": NS, "labels": {
                "app.kubernetes.io/instance": "ingress-nginx",
                "app.kubernetes.io/name": "ingress-nginx",
            }},
        }),
        json!({
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": "ingress-nginx", "namespace": NS, "labels": labels(Some("controller"))},
            "automountServiceAccountToken": true,
        }),
        json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "ingress-nginx-controller", "namespace": NS, "labels": labels(Some("controller"))},
        }),
        json!({
            "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": {"name": "nginx", "labels": labels(Some("controller"))},
            "spec": {"controller": "k8s.io/ingress-nginx"},
        }),
        json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "ingress-nginx-controller", "namespace": NS, "labels": labels(Some("controller"))},
            "spec": {
                "type": "NodePort",
                "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack",
                "selector": selector(),
                "ports": [
                    {"appProtocol": "http", "name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"},
                    {"appProtocol": "https", "name": "https", "port": 443, "protocol": "TCP", "targetPort": "https"},
                ],
            },
        }),
        json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "ingress-nginx-controller-admission", "namespace": NS, "labels": labels(Some("controller"))},
            "spec": {
                "type": "ClusterIP",
                "selector": selector(),
                "ports": [{"appProtocol": "https", "name": "https-webhook", "port": 443, "targetPort": "webhook"}],
            },
        }),
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "ingress-nginx-controller", "namespace": NS, "labels": labels(Some("controller"))},
            "spec": {
                "minReadySeconds": 0,
                "revisionHistoryLimit": 10,
                "selector": {"matchLabels": selector()},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
                "template": {
                    "metadata": {"labels": labels(Some("controller"))},
                    "spec": {
                        "dnsPolicy": "ClusterFirst",
                        "nodeSelector": {"kubernetes.io/os": "linux"},
                        "serviceAccountName": "ingress-nginx",
                        "terminationGracePeriodSeconds": 300,
                        "containers": [{
                            "name": "controller",
                            "image": format!("registry.k8s.io/ingress-nginx/controller:v{VERSION}"),
                            "imagePullPolicy": "IfNotPresent",
                            "args": [
                                "/nginx-ingress-controller",
                                "--election-id=ingress-nginx-leader",
                                "--controller-class=k8s.io/ingress-nginx",
                                "--ingress-class=nginx",
                                "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller",
                                "--validating-webhook=:8443",
                                "--validating-webhook-certificate=/usr/local/certificates/cert",
                                "--validating-webhook-key=/usr/local/certificates/key",
                                "--enable-metrics=false",
                            ],
                            "env": [
                                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                                {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                                {"name": "LD_PRELOAD", "value": "/usr/local/lib/libmimalloc.so"},
                            ],
                            "lifecycle": {"preStop": {"exec": {"command": ["/wait-shutdown"]}}},
                            "livenessProbe": probe(5),
                            "readinessProbe": probe(3),
                            "ports": [
                                {"name": "http", "containerPort": 80, "protocol": "TCP"},
                                {"name": "https", "containerPort": 443, "protocol": "TCP"},
                                {"name": "webhook", "containerPort": 8443, "protocol": "TCP"},
                            ],
                            "resources": {"requests": {"cpu": "100m", "memory": "90Mi"}},
                            "securityContext": {
                                "allowPrivilegeEscalation": false,
                                "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                                "readOnlyRootFilesystem": false,
                                "runAsNonRoot": true,
                                "runAsUser": 101,
                                "seccompProfile": {"type": "RuntimeDefault"},
                            },
                        }],
                    },
                },
            },
        }),
    ]
}
