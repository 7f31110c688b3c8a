//! `/openapi/v3` (KUBECTL-CONTRACT §4): the index, and documents that let kubectl validate
//! on the server (`fieldValidation` on every PATCH), compute strategic merge patches from the
//! schemas (`x-kubernetes-patch-*`), and `kubectl explain` walk `components.schemas`.

use kubedrill_apiserver::openapi;
use kubedrill_sim::Kind;
use serde_json::{Value, json};
use sha2::{Digest, Sha512};

const GROUP_VERSIONS: [&str; 4] = [
    "api/v1",
    "apis/apps/v1",
    "apis/discovery.k8s.io/v1",
    "apis/networking.k8s.io/v1",
];

fn doc(path: &str) -> Value {
    openapi::document(path).unwrap_or_else(|| panic!("no document {path}"))
}

fn schemas(doc: &Value) -> &serde_json::Map<String, Value> {
    doc["components"]["schemas"]
        .as_object()
        .expect("components.schemas")
}

/// Follow a property to the schema it names, through `allOf: [{$ref}]` or `$ref`.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let reference = schema.get("$ref").or_else(|| {
        schema
            .get("allOf")
            .and_then(|a| a.get(0))
            .and_then(|r| r.get("$ref"))
    });
    match reference.and_then(Value::as_str) {
        Some(r) => {
            let name = r.strip_prefix("#/components/schemas/").expect("local ref");
            &schemas(doc)[name]
        }
        None => schema,
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "$ref" {
                    out.push(v.as_str().unwrap_or_default().to_owned());
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn sha512_upper_hex(bytes: &[u8]) -> String {
    Sha512::digest(bytes)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

#[test]
fn index_lists_every_served_group_version_with_the_hash_of_its_bytes() {
    let index = openapi::index();
    let paths = index["paths"].as_object().unwrap();
    assert_eq!(paths.keys().cloned().collect::<Vec<_>>(), GROUP_VERSIONS);
    for gv in GROUP_VERSIONS {
        let hash = sha512_upper_hex(openapi::document_bytes(gv).unwrap());
        assert_eq!(
            paths[gv]["serverRelativeURL"],
            format!("/openapi/v3/{gv}?hash={hash}")
        );
        assert_eq!(openapi::document_hash(gv), Some(hash.as_str()));
        assert_eq!(
            openapi::server_relative_url(gv),
            Some(format!("/openapi/v3/{gv}?hash={hash}"))
        );
    }
    assert_eq!(openapi::index_bytes(), index.to_string().as_bytes());
}

#[test]
fn unknown_documents_are_not_found() {
    assert_eq!(openapi::document("apis/batch/v1"), None);
    assert_eq!(openapi::document_bytes("api/v2"), None);
    assert_eq!(openapi::document(""), None);
    // A leading slash is tolerated: the handler may pass the raw path tail.
    assert!(openapi::document("/api/v1").is_some());
}

#[test]
fn documents_are_deterministic() {
    for gv in GROUP_VERSIONS {
        let fresh = openapi::render_document(gv).unwrap();
        assert_eq!(fresh, openapi::document_bytes(gv).unwrap(), "{gv}");
        assert_eq!(fresh, openapi::render_document(gv).unwrap(), "{gv}");
    }
}

#[test]
fn every_ref_resolves_inside_its_document() {
    for gv in GROUP_VERSIONS {
        let d = doc(gv);
        let mut refs = Vec::new();
        collect_refs(&d, &mut refs);
        assert!(refs.len() > 20, "{gv}: {} refs", refs.len());
        for r in refs {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{gv}: non-local ref {r}"));
            assert!(schemas(&d).contains_key(name), "{gv}: {r} does not resolve");
        }
    }
}

#[test]
fn service_spec_ports_is_described_and_merges_by_port() {
    let d = doc("api/v1");
    let service = &schemas(&d)["io.k8s.api.core.v1.Service"];
    assert_eq!(
        service["x-kubernetes-group-version-kind"],
        json!([{"group": "", "kind": "Service", "version": "v1"}])
    );
    let spec = resolve(&d, &service["properties"]["spec"]);
    let ports = &spec["properties"]["ports"];
    assert!(
        ports["description"]
            .as_str()
            .unwrap()
            .starts_with("The list of ports that are exposed by this service.")
    );
    assert_eq!(ports["type"], "array");
    assert_eq!(ports["x-kubernetes-patch-merge-key"], "port");
    assert_eq!(ports["x-kubernetes-patch-strategy"], "merge");
    assert_eq!(ports["x-kubernetes-list-type"], "map");
    assert_eq!(
        ports["x-kubernetes-list-map-keys"],
        json!(["port", "protocol"])
    );
    let port = resolve(&d, &ports["items"]);
    assert_eq!(
        port["description"],
        "ServicePort contains information on service's port."
    );
    assert_eq!(port["required"], json!(["port"]));
    let target = &port["properties"]["targetPort"];
    assert!(
        target["description"]
            .as_str()
            .unwrap()
            .starts_with("Number or name of the port to access on the pods")
    );
    assert_eq!(
        resolve(&d, target)["oneOf"],
        json!([{"type": "integer"}, {"type": "string"}])
    );
}

#[test]
fn strategic_merge_keys_follow_the_go_struct_tags() {
    let d = doc("apis/apps/v1");
    let s = schemas(&d);
    let prop = |schema: &str, p: &str| s[schema]["properties"][p].clone();
    let cases = [
        ("io.k8s.api.core.v1.PodSpec", "containers", "name"),
        ("io.k8s.api.core.v1.PodSpec", "tolerations", ""),
        ("io.k8s.api.core.v1.Container", "env", "name"),
        ("io.k8s.api.core.v1.Container", "ports", "containerPort"),
        ("io.k8s.api.core.v1.Container", "volumeMounts", "mountPath"),
        ("io.k8s.api.apps.v1.DeploymentStatus", "conditions", "type"),
        (
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
            "ownerReferences",
            "uid",
        ),
    ];
    for (schema, field, key) in cases {
        let p = prop(schema, field);
        if key.is_empty() {
            assert_eq!(
                p.get("x-kubernetes-patch-merge-key"),
                None,
                "{schema}.{field}"
            );
        } else {
            assert_eq!(p["x-kubernetes-patch-merge-key"], key, "{schema}.{field}");
            assert_eq!(
                p["x-kubernetes-patch-strategy"], "merge",
                "{schema}.{field}"
            );
        }
    }
    let volumes = prop("io.k8s.api.core.v1.PodSpec", "volumes");
    assert_eq!(volumes["x-kubernetes-patch-merge-key"], "name");
    assert_eq!(volumes["x-kubernetes-patch-strategy"], "merge,retainKeys");
    assert_eq!(
        prop(
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
            "finalizers"
        )["x-kubernetes-list-type"],
        "set"
    );
    assert_eq!(
        s["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"]["x-kubernetes-map-type"],
        "atomic"
    );
}

#[test]
fn enum_fields_list_their_values_and_describe_them() {
    let d = doc("api/v1");
    let ty = &schemas(&d)["io.k8s.api.core.v1.ServiceSpec"]["properties"]["type"];
    assert_eq!(
        ty["enum"],
        json!(["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"])
    );
    let description = ty["description"].as_str().unwrap();
    assert!(description.starts_with("type determines how the Service is exposed."));
    assert!(description.contains(
        "\n\nPossible enum values:\n - `\"ClusterIP\"` means a service will only be accessible \
         inside the cluster, via the cluster IP.\n - `\"ExternalName\"`"
    ));
    let protocol = &schemas(&d)["io.k8s.api.core.v1.ServicePort"]["properties"]["protocol"];
    assert!(protocol["description"].as_str().unwrap().ends_with(
        "Possible enum values:\n - `\"SCTP\"` is the SCTP protocol.\n - `\"TCP\"` is the TCP \
         protocol.\n - `\"UDP\"` is the UDP protocol."
    ));
}

#[test]
fn metadata_is_required_only_where_go_requires_it() {
    let core = doc("api/v1");
    let apps = doc("apis/apps/v1");
    assert_eq!(
        schemas(&core)["io.k8s.api.core.v1.Service"].get("required"),
        None
    );
    assert_eq!(
        schemas(&apps)["io.k8s.api.apps.v1.Deployment"].get("required"),
        None
    );
    assert_eq!(
        schemas(&core)["io.k8s.api.core.v1.Event"]["required"],
        json!(["involvedObject", "metadata"])
    );
}

#[test]
fn every_kind_has_a_schema_and_paths_explain_and_apply_can_find() {
    for kind in Kind::ALL {
        let gv = match kind.group() {
            "" => format!("api/{}", kind.version()),
            g => format!("apis/{g}/{}", kind.version()),
        };
        let d = doc(&gv);
        let gvk = json!({"group": kind.group(), "kind": kind.name(), "version": kind.version()});
        // kubectl explain: a schema whose GVK list contains the operation's GVK.
        let with_gvk = schemas(&d)
            .values()
            .filter(|s| {
                s["x-kubernetes-group-version-kind"]
                    .as_array()
                    .is_some_and(|l| l.contains(&gvk))
            })
            .count();
        assert_eq!(with_gvk, 1, "{kind:?}");
        // explain looks up the collection path; apply's verifier the item PATCH.
        let prefix = format!("/{gv}");
        let ns = if kind.namespaced() {
            "/namespaces/{namespace}"
        } else {
            ""
        };
        let collection = format!("{prefix}{ns}/{}", kind.plural());
        assert_eq!(
            d["paths"][&collection]["get"]["x-kubernetes-group-version-kind"],
            gvk
        );
        let item = &d["paths"][format!("{collection}/{{name}}")];
        assert_eq!(
            item["patch"]["x-kubernetes-group-version-kind"], gvk,
            "{kind:?}"
        );
        assert_eq!(item["patch"]["x-kubernetes-action"], "patch");
    }
}

#[test]
fn every_patch_operation_offers_field_validation_and_strategic_merge() {
    for gv in GROUP_VERSIONS {
        let d = doc(gv);
        let mut patches = 0;
        for (path, item) in d["paths"].as_object().unwrap() {
            let Some(patch) = item.get("patch") else {
                continue;
            };
            patches += 1;
            let params = patch["parameters"].as_array().unwrap();
            assert!(
                params
                    .iter()
                    .any(|p| p["name"] == "fieldValidation" && p["in"] == "query"),
                "{path}"
            );
            let content = &patch["requestBody"]["content"];
            for t in [
                "application/strategic-merge-patch+json",
                "application/merge-patch+json",
                "application/json-patch+json",
                "application/apply-patch+yaml",
            ] {
                assert!(content.get(t).is_some(), "{path}: {t}");
            }
            assert!(
                patch["x-kubernetes-group-version-kind"].is_object(),
                "{path}"
            );
        }
        assert!(patches > 0, "{gv}");
    }
}

#[test]
fn scale_and_status_subresources_are_described() {
    let d = doc("apis/apps/v1");
    let scale = &d["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"];
    assert_eq!(
        scale["patch"]["x-kubernetes-group-version-kind"],
        json!({"group": "autoscaling", "kind": "Scale", "version": "v1"})
    );
    assert_eq!(
        scale["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/io.k8s.api.autoscaling.v1.Scale"
    );
    let status = &d["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status"];
    assert_eq!(
        status["put"]["description"],
        "replace status of the specified Deployment"
    );
    let core = doc("api/v1");
    assert!(
        core["paths"]
            .get("/api/v1/namespaces/{namespace}/configmaps/{name}/status")
            .is_none()
    );
    assert_eq!(
        core["paths"]["/api/v1/namespaces/{namespace}/endpoints"]["post"]["description"],
        "create Endpoints"
    );
    assert_eq!(
        core["paths"]["/api/v1/namespaces"]["post"]["description"],
        "create a Namespace"
    );
}

#[test]
fn list_schemas_wrap_their_items() {
    let d = doc("apis/networking.k8s.io/v1");
    let list = &schemas(&d)["io.k8s.api.networking.v1.IngressList"];
    assert_eq!(
        list["description"],
        "IngressList is a collection of Ingress."
    );
    assert_eq!(
        list["properties"]["items"]["items"]["$ref"],
        "#/components/schemas/io.k8s.api.networking.v1.Ingress"
    );
    assert_eq!(list["required"], json!(["items"]));
    assert_eq!(
        list["x-kubernetes-group-version-kind"],
        json!([{"group": "networking.k8s.io", "kind": "IngressList", "version": "v1"}])
    );
}
