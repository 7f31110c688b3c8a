//! What kube-openapi publishes beyond k8s-openapi's schemas, laid onto them from the
//! generated tables: the `x-kubernetes-*` extensions (strategic-merge keys, list and map
//! types) and the `enum` values of `+enum` string fields with their description paragraph.

use serde_json::{Map, Value};

use super::gen_ext::{ATOMIC_SCHEMAS, ENUMS, PROPERTY_EXTENSIONS};

/// One extension on a property, as derived from a Go struct tag or marker.
pub(crate) enum Ext {
    /// `patchStrategy:"merge"` → `x-kubernetes-patch-strategy`.
    PatchStrategy(&'static str),
    /// `patchMergeKey:"port"` → `x-kubernetes-patch-merge-key`.
    PatchMergeKey(&'static str),
    /// `+listType=map` → `x-kubernetes-list-type`.
    ListType(&'static str),
    /// `+listMapKey=port` (repeated) → `x-kubernetes-list-map-keys`.
    ListMapKeys(&'static [&'static str]),
    /// `+mapType=atomic` / `+structType=atomic` → `x-kubernetes-map-type`.
    MapType(&'static str),
}

impl Ext {
    fn entry(&self) -> (&'static str, Value) {
        match self {
            Ext::PatchStrategy(v) => ("x-kubernetes-patch-strategy", Value::from(*v)),
            Ext::PatchMergeKey(v) => ("x-kubernetes-patch-merge-key", Value::from(*v)),
            Ext::ListType(v) => ("x-kubernetes-list-type", Value::from(*v)),
            Ext::ListMapKeys(keys) => (
                "x-kubernetes-list-map-keys",
                Value::Array(keys.iter().map(|k| Value::from(*k)).collect()),
            ),
            Ext::MapType(v) => ("x-kubernetes-map-type", Value::from(*v)),
        }
    }
}

fn property<'a>(
    schemas: &'a mut Map<String, Value>,
    schema: &str,
    property: &str,
) -> Option<&'a mut Map<String, Value>> {
    schemas
        .get_mut(schema)?
        .get_mut("properties")?
        .get_mut(property)?
        .as_object_mut()
}

/// Add the extensions and enums to every schema of `schemas` the tables know.
pub(crate) fn apply(schemas: &mut Map<String, Value>) {
    for (schema, name, values, doc) in ENUMS {
        let Some(prop) = property(schemas, schema, name) else {
            continue;
        };
        // k8s-openapi strips the enum paragraph kube-openapi appends to the field's doc.
        let description = match prop.get("description").and_then(Value::as_str) {
            Some(d) => format!("{d}{doc}"),
            None => doc.trim_start().to_owned(),
        };
        prop.insert("description".to_owned(), Value::String(description));
        prop.insert(
            "enum".to_owned(),
            Value::Array(values.iter().map(|v| Value::from(*v)).collect()),
        );
    }
    for (schema, name, exts) in PROPERTY_EXTENSIONS {
        let Some(prop) = property(schemas, schema, name) else {
            continue;
        };
        for ext in *exts {
            let (key, value) = ext.entry();
            prop.insert(key.to_owned(), value);
        }
    }
    for schema in ATOMIC_SCHEMAS {
        if let Some(s) = schemas.get_mut(*schema).and_then(Value::as_object_mut) {
            s.insert("x-kubernetes-map-type".to_owned(), Value::from("atomic"));
        }
    }
}
