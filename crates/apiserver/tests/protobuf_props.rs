//! Bad input never panics the protobuf decoder: random bytes, random bytes after the magic,
//! and random message bytes inside a valid envelope for every kind it decodes.

use k8s_pb::api::apps::v1 as apps;
use k8s_pb::api::core::v1 as core;
use k8s_pb::apimachinery::pkg::apis::meta::v1 as meta;
use kubedrill_apiserver::protobuf::{self, ProtoError};
use proptest::prelude::*;
use prost::Message;

/// A Deployment body with nested messages, maps, lists and an IntOrString-free pod template.
fn deployment_body() -> Vec<u8> {
    let labels: std::collections::BTreeMap<String, String> =
        [("app".to_owned(), "web".to_owned())].into();
    let d = apps::Deployment {
        metadata: Some(meta::ObjectMeta {
            name: Some("web".into()),
            labels: labels.clone(),
            ..Default::default()
        }),
        spec: Some(apps::DeploymentSpec {
            replicas: Some(3),
            selector: Some(meta::LabelSelector {
                match_labels: labels,
                ..Default::default()
            }),
            template: Some(core::PodTemplateSpec {
                metadata: None,
                spec: Some(core::PodSpec {
                    containers: vec![core::Container {
                        name: Some("nginx".into()),
                        image: Some("nginx".into()),
                        ports: vec![core::ContainerPort {
                            container_port: Some(80),
                            ..Default::default()
                        }],
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
            }),
            ..Default::default()
        }),
        status: None,
    };
    protobuf::envelope("apps/v1", "Deployment", d.encode_to_vec())
}

fn check(body: &[u8]) {
    match protobuf::decode_as(body, None) {
        Ok(obj) => {
            assert!(obj["kind"].is_string());
            assert!(obj["apiVersion"].is_string());
        }
        Err(f) => {
            // Every failure renders a message for the 400 Status.
            assert!(!f.bad_request_message("Deployment", body).is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(&body);
    }

    #[test]
    fn random_envelopes_never_panic(rest in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut body = protobuf::MAGIC.to_vec();
        body.extend(rest);
        check(&body);
    }

    #[test]
    fn corrupted_deployments_never_panic(
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut body = deployment_body();
        let i = at.index(body.len());
        body[i] = byte;
        check(&body);
        body.truncate(cut.index(body.len()));
        check(&body);
    }

    #[test]
    fn random_messages_never_panic(
        which in 0..protobuf::KINDS.len(),
        raw in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let (api_version, kind) = protobuf::KINDS[which];
        let body = protobuf::envelope(api_version, kind, raw);
        match protobuf::decode(&body) {
            Ok(obj) => prop_assert_eq!(&obj["kind"], kind),
            Err(e) => prop_assert!(matches!(e, ProtoError::Decode(_)), "{e:?}"),
        }
    }
}
