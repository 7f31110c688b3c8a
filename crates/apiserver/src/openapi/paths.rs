//! `paths` of one group-version document: per resource the collection, item, `status` and
//! `scale` operations the API server installs, each with `x-kubernetes-action` and
//! `x-kubernetes-group-version-kind`. kubectl reads the PATCH operations: the
//! `fieldValidation` parameter makes it leave validation to the server, and the
//! strategic-merge request type makes it compute patches from the schemas.

use serde_json::{Map, Value, json};

use super::catalog::{GroupVersion, Resource};
use super::schemas::{DELETE_OPTIONS, PATCH, SCALE, STATUS, reference};

fn param(name: &str, location: &str, ty: &str) -> Value {
    let mut p = json!({"in": location, "name": name, "schema": {"type": ty, "uniqueItems": true}});
    if location == "path" {
        p["required"] = Value::Bool(true);
    }
    p
}

fn query(names: &[(&str, &str)]) -> Value {
    Value::Array(names.iter().map(|(n, t)| param(n, "query", t)).collect())
}

const LIST_PARAMS: &[(&str, &str)] = &[
    ("allowWatchBookmarks", "boolean"),
    ("continue", "string"),
    ("fieldSelector", "string"),
    ("labelSelector", "string"),
    ("limit", "integer"),
    ("resourceVersion", "string"),
    ("resourceVersionMatch", "string"),
    ("sendInitialEvents", "boolean"),
    ("timeoutSeconds", "integer"),
    ("watch", "boolean"),
];
const WRITE_PARAMS: &[(&str, &str)] = &[
    ("dryRun", "string"),
    ("fieldManager", "string"),
    ("fieldValidation", "string"),
];
const PATCH_PARAMS: &[(&str, &str)] = &[
    ("dryRun", "string"),
    ("fieldManager", "string"),
    ("fieldValidation", "string"),
    ("force", "boolean"),
];
const DELETE_PARAMS: &[(&str, &str)] = &[
    ("dryRun", "string"),
    ("gracePeriodSeconds", "integer"),
    ("orphanDependents", "boolean"),
    ("propagationPolicy", "string"),
];
const DELETE_COLLECTION_PARAMS: &[(&str, &str)] = &[
    ("continue", "string"),
    ("dryRun", "string"),
    ("fieldSelector", "string"),
    ("gracePeriodSeconds", "integer"),
    ("labelSelector", "string"),
    ("limit", "integer"),
    ("orphanDependents", "boolean"),
    ("propagationPolicy", "string"),
    ("resourceVersion", "string"),
    ("resourceVersionMatch", "string"),
    ("sendInitialEvents", "boolean"),
    ("timeoutSeconds", "integer"),
];
const PATCH_TYPES: &[&str] = &[
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
];

fn content(types: &[&str], schema: &str) -> Value {
    let mut m = Map::new();
    for t in types {
        m.insert((*t).to_owned(), json!({ "schema": reference(schema) }));
    }
    Value::Object(m)
}

fn ok(code: &str, description: &str, types: &[&str], schema: &str) -> (String, Value) {
    (
        code.to_owned(),
        json!({"content": content(types, schema), "description": description}),
    )
}

fn responses(entries: Vec<(String, Value)>) -> Value {
    let mut m: Map<String, Value> = entries.into_iter().collect();
    m.insert("401".to_owned(), json!({"description": "Unauthorized"}));
    Value::Object(m)
}

const JSON: &[&str] = &["application/json"];
const JSON_WATCH: &[&str] = &["application/json", "application/json;stream=watch"];

/// What one operation is about: its GVK, the operationId parts, the schemas it returns.
struct Op {
    tag: String,
    gvk: Value,
}

impl Op {
    fn operation(&self, action: &str, id: String, description: String) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("description".to_owned(), Value::String(description));
        m.insert("operationId".to_owned(), Value::String(id));
        m.insert("tags".to_owned(), json!([self.tag]));
        m.insert("x-kubernetes-action".to_owned(), Value::from(action));
        m.insert(
            "x-kubernetes-group-version-kind".to_owned(),
            self.gvk.clone(),
        );
        m
    }
}

/// The operations of `r` (and its subresources), keyed by path.
fn resource_paths(gv: &GroupVersion, r: &Resource, out: &mut Map<String, Value>) {
    let kind = r.kind.name();
    let plural = r.kind.plural();
    let schema = r.schema_name();
    let list_schema = format!("{schema}List");
    let prefix = if gv.group.is_empty() {
        format!("/api/{}", gv.version)
    } else {
        format!("/apis/{}/{}", gv.group, gv.version)
    };
    let camel = gv.camel();
    let (scope, ns_prefix, ns_word) = if r.kind.namespaced() {
        (
            vec![param("namespace", "path", "string")],
            "/namespaces/{namespace}",
            "Namespaced",
        )
    } else {
        (Vec::new(), "", "")
    };
    let op = Op {
        tag: gv.tag(),
        gvk: json!({"group": gv.group, "kind": kind, "version": gv.version}),
    };

    // Collection: list, create, delete collection.
    let mut list = op.operation(
        "list",
        format!("list{camel}{ns_word}{kind}"),
        format!("list or watch objects of kind {kind}"),
    );
    list.insert("parameters".to_owned(), query(LIST_PARAMS));
    list.insert(
        "responses".to_owned(),
        responses(vec![ok("200", "OK", JSON_WATCH, &list_schema)]),
    );
    let mut post = op.operation(
        "post",
        format!("create{camel}{ns_word}{kind}"),
        format!("create{}{kind}", article(kind)),
    );
    post.insert("parameters".to_owned(), query(WRITE_PARAMS));
    post.insert("requestBody".to_owned(), body(&["*/*"], &schema, true));
    post.insert(
        "responses".to_owned(),
        responses(vec![
            ok("200", "OK", JSON, &schema),
            ok("201", "Created", JSON, &schema),
            ok("202", "Accepted", JSON, &schema),
        ]),
    );
    let mut delete_collection = op.operation(
        "deletecollection",
        format!("delete{camel}Collection{ns_word}{kind}"),
        format!("delete collection of {kind}"),
    );
    delete_collection.insert("parameters".to_owned(), query(DELETE_COLLECTION_PARAMS));
    delete_collection.insert(
        "requestBody".to_owned(),
        body(&["*/*"], DELETE_OPTIONS, false),
    );
    delete_collection.insert(
        "responses".to_owned(),
        responses(vec![ok("200", "OK", JSON, STATUS)]),
    );
    let mut collection = Map::new();
    collection.insert("get".to_owned(), Value::Object(list));
    collection.insert("post".to_owned(), Value::Object(post));
    collection.insert("delete".to_owned(), Value::Object(delete_collection));
    let mut params = scope.clone();
    params.push(param("pretty", "query", "string"));
    collection.insert("parameters".to_owned(), Value::Array(params));
    out.insert(
        format!("{prefix}{ns_prefix}/{plural}"),
        Value::Object(collection),
    );

    // Across namespaces.
    if r.kind.namespaced() {
        let mut all = op.operation(
            "list",
            format!("list{camel}{kind}ForAllNamespaces"),
            format!("list or watch objects of kind {kind}"),
        );
        all.insert(
            "responses".to_owned(),
            responses(vec![ok("200", "OK", JSON_WATCH, &list_schema)]),
        );
        let mut path = Map::new();
        path.insert("get".to_owned(), Value::Object(all));
        let mut params = query(LIST_PARAMS).as_array().cloned().unwrap_or_default();
        params.push(param("pretty", "query", "string"));
        params.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        path.insert("parameters".to_owned(), Value::Array(params));
        out.insert(format!("{prefix}/{plural}"), Value::Object(path));
    }

    // Item: read, replace, patch, delete.
    let item_path = format!("{prefix}{ns_prefix}/{plural}/{{name}}");
    let mut item = item_ops(&op, &format!("{camel}{ns_word}{kind}"), "", kind, &schema);
    let mut delete = op.operation(
        "delete",
        format!("delete{camel}{ns_word}{kind}"),
        format!("delete{}{kind}", article(kind)),
    );
    delete.insert("parameters".to_owned(), query(DELETE_PARAMS));
    delete.insert(
        "requestBody".to_owned(),
        body(&["*/*"], DELETE_OPTIONS, false),
    );
    delete.insert(
        "responses".to_owned(),
        responses(vec![
            ok("200", "OK", JSON, STATUS),
            ok("202", "Accepted", JSON, STATUS),
        ]),
    );
    item.insert("delete".to_owned(), Value::Object(delete));
    item.insert("parameters".to_owned(), item_params(&scope));
    out.insert(item_path.clone(), Value::Object(item));

    if r.status {
        let mut status = item_ops(
            &op,
            &format!("{camel}{ns_word}{kind}Status"),
            "status of ",
            kind,
            &schema,
        );
        status.insert("parameters".to_owned(), item_params(&scope));
        out.insert(format!("{item_path}/status"), Value::Object(status));
    }
    if r.scale {
        let scale_op = Op {
            tag: op.tag.clone(),
            gvk: json!({"group": "autoscaling", "kind": "Scale", "version": "v1"}),
        };
        let mut scale = item_ops(
            &scale_op,
            &format!("{camel}{ns_word}{kind}Scale"),
            "scale of ",
            kind,
            SCALE,
        );
        scale.insert("parameters".to_owned(), item_params(&scope));
        out.insert(format!("{item_path}/scale"), Value::Object(scale));
    }
}

/// `name`, the namespace, `pretty`.
fn item_params(scope: &[Value]) -> Value {
    let mut params = vec![param("name", "path", "string")];
    params.extend(scope.iter().cloned());
    params.push(param("pretty", "query", "string"));
    Value::Array(params)
}

/// get / put / patch of an object or one of its subresources (`of` is `""`, `"status of "`,
/// `"scale of "`), all answering `schema`.
fn item_ops(op: &Op, id_suffix: &str, of: &str, kind: &str, schema: &str) -> Map<String, Value> {
    let mut get = op.operation(
        "get",
        format!("read{id_suffix}"),
        format!("read {of}the specified {kind}"),
    );
    get.insert(
        "responses".to_owned(),
        responses(vec![ok("200", "OK", JSON, schema)]),
    );
    let mut put = op.operation(
        "put",
        format!("replace{id_suffix}"),
        format!("replace {of}the specified {kind}"),
    );
    put.insert("parameters".to_owned(), query(WRITE_PARAMS));
    put.insert("requestBody".to_owned(), body(&["*/*"], schema, true));
    put.insert(
        "responses".to_owned(),
        responses(vec![
            ok("200", "OK", JSON, schema),
            ok("201", "Created", JSON, schema),
        ]),
    );
    let mut patch = op.operation(
        "patch",
        format!("patch{id_suffix}"),
        format!("partially update {of}the specified {kind}"),
    );
    patch.insert("parameters".to_owned(), query(PATCH_PARAMS));
    patch.insert("requestBody".to_owned(), body(PATCH_TYPES, PATCH, true));
    patch.insert(
        "responses".to_owned(),
        responses(vec![
            ok("200", "OK", JSON, schema),
            ok("201", "Created", JSON, schema),
        ]),
    );
    let mut m = Map::new();
    m.insert("get".to_owned(), Value::Object(get));
    m.insert("put".to_owned(), Value::Object(put));
    m.insert("patch".to_owned(), Value::Object(patch));
    m
}

fn body(types: &[&str], schema: &str, required: bool) -> Value {
    let mut b = json!({ "content": content(types, schema) });
    if required {
        b["required"] = Value::Bool(true);
    }
    b
}

/// `getArticleForNoun(kind, " ")` of the API server's route docs: ` an ` before a vowel,
/// ` a ` otherwise, and a bare space for plurals (`create Endpoints`).
fn article(kind: &str) -> &'static str {
    if kind.ends_with('s') && !kind.ends_with("ss") {
        return " ";
    }
    match kind.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => " an ",
        _ => " a ",
    }
}

/// All paths of `gv`.
pub(crate) fn paths(gv: &GroupVersion) -> Map<String, Value> {
    let mut out = Map::new();
    for r in &gv.resources {
        resource_paths(gv, r, &mut out);
    }
    out
}
