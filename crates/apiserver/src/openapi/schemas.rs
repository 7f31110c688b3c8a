//! `components.schemas` of one group-version document: k8s-openapi's `schemars` schemas for
//! the served kinds and everything they reference, named as the real server names them, plus
//! what k8s-openapi leaves out (list types, `x-kubernetes-group-version-kind`, the strategic
//! merge extensions, the v3 `oneOf` forms of `IntOrString` and `Quantity`).

use k8s_openapi::api::autoscaling::v1::Scale;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{DeleteOptions, ListMeta, Patch, Status};
use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use super::catalog::GroupVersion;
use super::ext;
use super::gen_ext::{LIST_DOCS, METADATA_REQUIRED};

/// `#/components/schemas/<name>`.
pub(crate) fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

pub(crate) const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
pub(crate) const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
pub(crate) const SCALE: &str = "io.k8s.api.autoscaling.v1.Scale";
pub(crate) const DELETE_OPTIONS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
pub(crate) const STATUS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
pub(crate) const PATCH: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
const LIST_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

fn gvk(group: &str, version: &str, kind: &str) -> Value {
    json!([{ "group": group, "kind": kind, "version": version }])
}

/// The schemas of `gv`'s document, keyed by name (sorted, so the output is deterministic).
pub(crate) fn components(gv: &GroupVersion) -> Map<String, Value> {
    let mut g = SchemaGenerator::new(SchemaSettings::openapi3());
    for r in &gv.resources {
        r.add_schema(&mut g);
    }
    if gv.resources.iter().any(|r| r.scale) {
        g.subschema_for::<Scale>();
    }
    g.subschema_for::<DeleteOptions>();
    g.subschema_for::<Status>();
    g.subschema_for::<Patch>();
    g.subschema_for::<ListMeta>();
    let mut schemas = g.take_definitions(true);

    for r in &gv.resources {
        let name = r.schema_name();
        let kind = r.kind.name();
        let list = list_schema(&schemas, &name, gv.group, gv.version, kind);
        if let Some(s) = schemas.get_mut(&name).and_then(Value::as_object_mut) {
            s.insert(
                "x-kubernetes-group-version-kind".to_owned(),
                gvk(gv.group, gv.version, kind),
            );
        }
        if let Some(list) = list {
            schemas.insert(format!("{name}List"), list);
        }
    }
    if let Some(s) = schemas.get_mut(SCALE).and_then(Value::as_object_mut) {
        s.insert(
            "x-kubernetes-group-version-kind".to_owned(),
            gvk("autoscaling", "v1", "Scale"),
        );
    }
    for (name, schema) in schemas.iter_mut() {
        if !METADATA_REQUIRED.contains(&name.as_str())
            && let Some(s) = schema.as_object_mut()
        {
            metadata_optional(s);
        }
    }
    v3_one_of(&mut schemas);
    ext::apply(&mut schemas);
    schemas
}

/// k8s-openapi lists `metadata` as required (its Rust field is not an `Option`); upstream
/// does only where the Go field has neither `omitempty` nor `+optional` (`Event`), and
/// `kubectl explain` prints `-required-` from this list.
fn metadata_optional(schema: &mut Map<String, Value>) {
    let Some(Value::Array(required)) = schema.get_mut("required") else {
        return;
    };
    required.retain(|r| r != "metadata");
    if required.is_empty() {
        schema.remove("required");
    }
}

/// `<Kind>List`: `items` of the kind, list metadata, and the kind's own `apiVersion`/`kind`
/// property docs, with the descriptions upstream publishes.
fn list_schema(
    schemas: &Map<String, Value>,
    item: &str,
    group: &str,
    version: &str,
    kind: &str,
) -> Option<Value> {
    let list_name = format!("{item}List");
    let (_, description, metadata_doc, items_doc) =
        LIST_DOCS.iter().find(|(n, ..)| *n == list_name)?;
    let item_props = schemas.get(item)?.get("properties")?;
    Some(json!({
        "description": description,
        "properties": {
            "apiVersion": item_props.get("apiVersion")?,
            "items": {
                "description": items_doc,
                "items": reference(item),
                "type": "array",
            },
            "kind": item_props.get("kind")?,
            "metadata": {
                "allOf": [reference(LIST_META)],
                "description": metadata_doc,
            },
        },
        "required": ["items"],
        "type": "object",
        "x-kubernetes-group-version-kind": gvk(group, version, &format!("{kind}List")),
    }))
}

/// The OpenAPI v3 forms apimachinery declares (`OpenAPIV3OneOfTypes`) for `IntOrString`
/// and `Quantity`; k8s-openapi writes the CRD-style `x-kubernetes-int-or-string` instead.
fn v3_one_of(schemas: &mut Map<String, Value>) {
    let forms = [
        (
            INT_OR_STRING,
            Some("int-or-string"),
            json!([{"type": "integer"}, {"type": "string"}]),
        ),
        (
            QUANTITY,
            None,
            json!([{"type": "string"}, {"type": "number"}]),
        ),
    ];
    for (name, format, one_of) in forms {
        let Some(s) = schemas.get_mut(name).and_then(Value::as_object_mut) else {
            continue;
        };
        s.remove("x-kubernetes-int-or-string");
        s.remove("type");
        if let Some(format) = format {
            s.insert("format".to_owned(), Value::from(format));
        }
        s.insert("oneOf".to_owned(), one_of);
    }
}
