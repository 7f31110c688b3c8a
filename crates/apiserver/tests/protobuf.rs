//! Protobuf request bodies (KUBECTL-CONTRACT §5): messages built with k8s-pb the way
//! client-go's gogo-protobuf writes them (every non-pointer field on the wire, zero or not),
//! the JSON Go's encoding/json would write for the same struct, and the API server's errors
//! for bodies it cannot decode.

use k8s_pb::api::apps::v1 as apps;
use k8s_pb::api::core::v1 as core;
use k8s_pb::apimachinery::pkg::api::resource::Quantity;
use k8s_pb::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_pb::apimachinery::pkg::util::intstr::IntOrString;
use kubedrill_apiserver::protobuf::{self, Gvk, ProtoError};
use kubedrill_sim::Kind;
use prost::Message;
use serde_json::{Value, json};

fn body<M: Message>(api_version: &str, kind: &str, m: &M) -> Vec<u8> {
    protobuf::envelope(api_version, kind, m.encode_to_vec())
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

fn meta_named(name: &str) -> Option<meta::ObjectMeta> {
    Some(meta::ObjectMeta {
        name: s(name),
        ..Default::default()
    })
}

fn int_port(n: i32) -> Option<IntOrString> {
    Some(IntOrString {
        r#type: Some(0),
        int_val: Some(n),
        str_val: s(""),
    })
}

fn named_port(n: &str) -> Option<IntOrString> {
    Some(IntOrString {
        r#type: Some(1),
        int_val: Some(0),
        str_val: s(n),
    })
}

#[test]
fn empty_body_is_empty_data() {
    assert_eq!(protobuf::decode(b""), Err(ProtoError::Empty));
    assert_eq!(ProtoError::Empty.to_string(), "empty data");
}

#[test]
fn json_body_lacks_the_magic_and_the_400_summarises_it() {
    let json = br#"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web"}}"#;
    let err = protobuf::decode_as(json, None).unwrap_err();
    assert_eq!(err.error, ProtoError::NoMagic);
    assert_eq!(
        err.bad_request_message("Deployment", json),
        "the object provided is unrecognized (must be of type Deployment): provided data does not \
         appear to be a protobuf message, expected prefix [107 56 115 0] \
         ({\"kind\":\"Deployment\",\"apiVersi ...)"
    );
}

#[test]
fn binary_garbage_is_summarised_in_hex() {
    let junk = [0x01u8, 0x02, 0xff];
    let err = protobuf::decode_as(&junk, None).unwrap_err();
    assert_eq!(
        err.bad_request_message("Service", &junk),
        "the object provided is unrecognized (must be of type Service): provided data does not \
         appear to be a protobuf message, expected prefix [107 56 115 0] (0102ff)"
    );
}

#[test]
fn magic_alone_is_empty_body() {
    assert_eq!(protobuf::decode(b"k8s\0"), Err(ProtoError::EmptyBody));
    assert_eq!(ProtoError::EmptyBody.to_string(), "empty body");
}

#[test]
fn envelope_without_kind_is_missing_kind() {
    let raw = body("apps/v1", "", &apps::Deployment::default());
    let err = protobuf::decode(&raw).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:"apps/v1", Kind:""}'"#
    );
}

#[test]
fn envelope_without_version_is_missing_version() {
    let raw = body("", "Deployment", &apps::Deployment::default());
    let err = protobuf::decode(&raw).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Object 'apiVersion' is missing in 'runtime.TypeMeta{APIVersion:"", Kind:"Deployment"}'"#
    );
}

#[test]
fn endpoint_type_fills_what_the_envelope_leaves_out() {
    let d = apps::Deployment {
        metadata: meta_named("web"),
        ..Default::default()
    };
    let default = Gvk {
        api_version: "apps/v1".into(),
        kind: "Deployment".into(),
    };
    let got = protobuf::decode_as(&body("", "", &d), Some(&default)).unwrap();
    assert_eq!(got["kind"], "Deployment");
    assert_eq!(got["apiVersion"], "apps/v1");
    assert_eq!(got["metadata"], json!({"name": "web"}));
}

#[test]
fn unknown_kind_is_not_registered_in_the_scheme() {
    let raw = body("v1", "Widget", &core::ConfigMap::default());
    let err = protobuf::decode_as(&raw, None).unwrap_err();
    assert_eq!(
        err.error.to_string(),
        r#"no kind "Widget" is registered for version "v1" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30""#
    );
    assert_eq!(
        err.bad_request_message("ConfigMap", &raw),
        r#"Widget in version "v1" cannot be handled as a ConfigMap: no kind "Widget" is registered for version "v1" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30""#
    );
}

#[test]
fn truncated_message_is_unexpected_eof() {
    let d = apps::Deployment {
        metadata: meta_named("web"),
        ..Default::default()
    };
    let mut raw = d.encode_to_vec();
    raw.truncate(raw.len() - 2);
    let full = protobuf::envelope("apps/v1", "Deployment", raw);
    let err = protobuf::decode_as(&full, None).unwrap_err();
    assert_eq!(err.error, ProtoError::Decode("unexpected EOF".into()));
    assert_eq!(
        err.bad_request_message("Deployment", &full),
        r#"Deployment in version "v1" cannot be handled as a Deployment: unexpected EOF"#
    );
    let api = err.api_error("Deployment", &full);
    assert_eq!(api.code(), 400);
    assert_eq!(api.reason(), "BadRequest");
}

#[test]
fn wrong_wire_type_names_the_go_field() {
    // DeploymentSpec.replicas (field 1, varint) sent as a length-delimited field.
    let spec = [0x0a, 0x01, 0x00];
    let mut deployment = vec![0x12, spec.len() as u8];
    deployment.extend(spec);
    let err = protobuf::decode(&protobuf::envelope("apps/v1", "Deployment", deployment));
    assert_eq!(
        err,
        Err(ProtoError::Decode(
            "proto: wrong wireType = 2 for field Replicas".into()
        ))
    );
}

#[test]
fn zero_values_of_plain_fields_are_dropped_as_omitempty_does() {
    // gogo writes "" and 0 for every non-pointer field (KUBECTL-CONTRACT §5.2).
    let svc = core::Service {
        metadata: Some(meta::ObjectMeta {
            name: s("web"),
            generate_name: s(""),
            namespace: s(""),
            self_link: s(""),
            uid: s(""),
            resource_version: s(""),
            generation: Some(0),
            creation_timestamp: Some(meta::Time::default()),
            ..Default::default()
        }),
        spec: Some(core::ServiceSpec {
            ports: vec![core::ServicePort {
                name: s(""),
                protocol: s("TCP"),
                port: Some(80),
                target_port: int_port(8080),
                node_port: Some(0),
                ..Default::default()
            }],
            cluster_ip: s(""),
            r#type: s("ClusterIP"),
            session_affinity: s(""),
            load_balancer_ip: s(""),
            external_name: s(""),
            external_traffic_policy: s(""),
            health_check_node_port: Some(0),
            publish_not_ready_addresses: Some(false),
            ..Default::default()
        }),
        status: Some(core::ServiceStatus {
            load_balancer: Some(core::LoadBalancerStatus::default()),
            ..Default::default()
        }),
    };
    let got = protobuf::decode(&body("v1", "Service", &svc)).unwrap();
    assert_eq!(
        got,
        json!({
            "kind": "Service", "apiVersion": "v1",
            "metadata": {"name": "web"},
            "spec": {
                "ports": [{"protocol": "TCP", "port": 80, "targetPort": 8080}],
                "type": "ClusterIP"
            },
            "status": {"loadBalancer": {}}
        })
    );
}

#[test]
fn zero_values_behind_pointers_are_kept() {
    let d = apps::Deployment {
        metadata: meta_named("web"),
        spec: Some(apps::DeploymentSpec {
            replicas: Some(0),
            template: Some(core::PodTemplateSpec {
                metadata: None,
                spec: Some(core::PodSpec {
                    containers: vec![core::Container {
                        name: s("web"),
                        image: s("nginx"),
                        security_context: Some(core::SecurityContext {
                            run_as_user: Some(0),
                            privileged: Some(false),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }],
                    termination_grace_period_seconds: Some(0),
                    automount_service_account_token: Some(false),
                    ..Default::default()
                }),
            }),
            ..Default::default()
        }),
        status: None,
    };
    let got = protobuf::decode(&body("apps/v1", "Deployment", &d)).unwrap();
    assert_eq!(got["spec"]["replicas"], 0);
    let pod = &got["spec"]["template"]["spec"];
    assert_eq!(pod["terminationGracePeriodSeconds"], 0);
    assert_eq!(pod["automountServiceAccountToken"], false);
    assert_eq!(
        pod["containers"][0]["securityContext"],
        json!({"runAsUser": 0, "privileged": false})
    );
}

#[test]
fn fields_without_omitempty_are_always_written() {
    // Container.name, ContainerPort.containerPort and PodSpec.containers carry no omitempty:
    // Go writes "", 0 and (for a nil slice) null.
    let pod = core::Pod {
        metadata: meta_named("p"),
        spec: Some(core::PodSpec {
            init_containers: vec![core::Container {
                ports: vec![core::ContainerPort::default()],
                ..Default::default()
            }],
            ..Default::default()
        }),
        status: None,
    };
    let got = protobuf::decode(&body("v1", "Pod", &pod)).unwrap();
    assert_eq!(got["spec"]["containers"], Value::Null);
    assert_eq!(
        got["spec"]["initContainers"],
        json!([{"name": "", "ports": [{"containerPort": 0}], "resources": {}}])
    );
    assert_eq!(got["status"], json!({}));
}

#[test]
fn inline_structs_are_flattened_into_their_parent() {
    let pod = core::Pod {
        metadata: meta_named("p"),
        spec: Some(core::PodSpec {
            volumes: vec![
                core::Volume {
                    name: s("cfg"),
                    volume_source: Some(core::VolumeSource {
                        config_map: Some(core::ConfigMapVolumeSource {
                            local_object_reference: Some(core::LocalObjectReference {
                                name: s("app-config"),
                            }),
                            default_mode: Some(420),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }),
                },
                core::Volume {
                    name: s("scratch"),
                    volume_source: Some(core::VolumeSource {
                        empty_dir: Some(core::EmptyDirVolumeSource {
                            medium: s(""),
                            size_limit: Some(Quantity { string: s("1Gi") }),
                        }),
                        ..Default::default()
                    }),
                },
            ],
            containers: vec![core::Container {
                name: s("web"),
                readiness_probe: Some(core::Probe {
                    handler: Some(core::ProbeHandler {
                        http_get: Some(core::HttpGetAction {
                            path: s("/healthz"),
                            port: named_port("http"),
                            host: s(""),
                            scheme: s("HTTP"),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }),
                    period_seconds: Some(5),
                    timeout_seconds: Some(0),
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        }),
        status: None,
    };
    let got = protobuf::decode(&body("v1", "Pod", &pod)).unwrap();
    assert_eq!(
        got["spec"]["volumes"],
        json!([
            {"name": "cfg", "configMap": {"name": "app-config", "defaultMode": 420}},
            {"name": "scratch", "emptyDir": {"sizeLimit": "1Gi"}}
        ])
    );
    assert_eq!(
        got["spec"]["containers"][0]["readinessProbe"],
        json!({"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"}, "periodSeconds": 5})
    );
}

#[test]
fn quantities_are_strings_and_resource_lists_are_maps() {
    let container = core::Container {
        name: s("web"),
        resources: Some(core::ResourceRequirements {
            limits: [("memory".to_owned(), Quantity { string: s("128Mi") })].into(),
            requests: [("cpu".to_owned(), Quantity { string: s("250m") })].into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let pod = core::Pod {
        spec: Some(core::PodSpec {
            containers: vec![container],
            ..Default::default()
        }),
        ..Default::default()
    };
    let got = protobuf::decode(&body("v1", "Pod", &pod)).unwrap();
    assert_eq!(
        got["spec"]["containers"][0]["resources"],
        json!({"limits": {"memory": "128Mi"}, "requests": {"cpu": "250m"}})
    );
}

#[test]
fn times_are_rfc3339_in_utc_without_nanoseconds_and_zero_is_null() {
    let pod = core::Pod {
        metadata: Some(meta::ObjectMeta {
            name: s("p"),
            // metav1.Time drops the nanoseconds on decode.
            deletion_timestamp: Some(meta::Time {
                seconds: Some(1_700_000_000),
                nanos: Some(999_999_999),
            }),
            ..Default::default()
        }),
        spec: None,
        status: Some(core::PodStatus {
            conditions: vec![core::PodCondition {
                r#type: s("Ready"),
                status: s("True"),
                last_transition_time: Some(meta::Time::default()),
                ..Default::default()
            }],
            start_time: Some(meta::Time {
                seconds: Some(0),
                nanos: None,
            }),
            ..Default::default()
        }),
    };
    let got = protobuf::decode(&body("v1", "Pod", &pod)).unwrap();
    assert_eq!(got["metadata"]["deletionTimestamp"], "2023-11-14T22:13:20Z");
    assert_eq!(got["status"]["startTime"], "1970-01-01T00:00:00Z");
    assert_eq!(
        got["status"]["conditions"],
        json!([{"type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": null}])
    );
}

#[test]
fn micro_time_keeps_microseconds() {
    let ev = core::Event {
        metadata: meta_named("e"),
        involved_object: Some(core::ObjectReference {
            kind: s("Pod"),
            name: s("web-1"),
            ..Default::default()
        }),
        reason: s("Scheduled"),
        event_time: Some(meta::MicroTime {
            seconds: Some(1_700_000_000),
            nanos: Some(123_456_789),
        }),
        ..Default::default()
    };
    let got = protobuf::decode(&body("v1", "Event", &ev)).unwrap();
    assert_eq!(
        got,
        json!({
            "kind": "Event", "apiVersion": "v1",
            "metadata": {"name": "e"},
            "involvedObject": {"kind": "Pod", "name": "web-1"},
            "reason": "Scheduled",
            "source": {},
            "firstTimestamp": null,
            "lastTimestamp": null,
            "eventTime": "2023-11-14T22:13:20.123456Z",
            "reportingComponent": "",
            "reportingInstance": ""
        })
    );
}

#[test]
fn secret_bytes_are_standard_base64() {
    let secret = core::Secret {
        metadata: meta_named("tls"),
        data: [("key".to_owned(), vec![0xff, 0x00, 0xfe])].into(),
        string_data: [("plain".to_owned(), "text".to_owned())].into(),
        r#type: s("Opaque"),
        immutable: None,
    };
    let got = protobuf::decode(&body("v1", "Secret", &secret)).unwrap();
    assert_eq!(got["data"], json!({"key": "/wD+"}));
    assert_eq!(got["stringData"], json!({"plain": "text"}));
    assert_eq!(got["type"], "Opaque");
}

#[test]
fn every_kind_the_simulator_stores_decodes() {
    for kind in Kind::ALL {
        let raw = protobuf::envelope(kind.api_version(), kind.name(), Vec::new());
        let got = protobuf::decode(&raw)
            .unwrap_or_else(|e| panic!("{} {}: {e}", kind.api_version(), kind.name()));
        assert_eq!(got["kind"], kind.name());
        assert_eq!(got["apiVersion"], kind.api_version());
        assert!(
            protobuf::KINDS.contains(&(kind.api_version(), kind.name())),
            "{kind:?} missing from KINDS"
        );
    }
}
