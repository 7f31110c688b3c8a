//! The resource verbs (KUBECTL-CONTRACT §2.2): get, list, create, update, delete and
//! deletecollection over the sim, with Table answers when asked (§6), dry runs, and the
//! dispatch of patch, watch and the subresources to their modules.

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, Method, StatusCode, header};
use kubedrill_sim::{ApiError, Kind, ListOptions, Sim, Subresource};
use serde_json::{Value, json};
use std::sync::Arc;

use crate::cluster::Cluster;
use crate::fields::Validation;
use crate::path::{Target, subresources};
use crate::request::{Req, decode_object};
use crate::status::{Refusal, json_response};
use crate::table::{IncludeObject, TableOptions};

pub type Res = Result<Response, Refusal>;

/// The Kubernetes verb of a request on `t` (for the audit log).
pub fn verb(method: &Method, t: &Target, req: &Req) -> &'static str {
    let collection = t.name.is_none();
    match *method {
        Method::GET if collection && req.query.flag("watch") => "watch",
        Method::GET if collection => "list",
        Method::GET => "get",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE if collection => "deletecollection",
        Method::DELETE => "delete",
        _ => "unknown",
    }
}

/// Serve a request on a resource target.
pub async fn serve(c: &Arc<Cluster>, t: Target, req: Req) -> Res {
    if let Some(sub) = t.sub.as_deref()
        && !subresources(t.kind).contains(&sub)
    {
        return Err(Refusal::not_found_path());
    }
    let collection = t.name.is_none();
    match (&req.method, t.sub.as_deref()) {
        (&Method::GET, None) if collection && req.query.flag("watch") => {
            crate::watch::watch(c.clone(), t, req)
        }
        (&Method::GET, None) if collection => list(c, &t, &req),
        (&Method::POST, None) if collection && (t.namespace.is_some() || !t.kind.namespaced()) => {
            create(c, &t, &req)
        }
        (&Method::DELETE, None)
            if collection && (t.namespace.is_some() || !t.kind.namespaced()) =>
        {
            crate::delete::delete_collection(c, &t, &req)
        }
        _ if collection => Err(Refusal::method_not_allowed()),
        (&Method::GET, None | Some("status")) => get(c, &t, &req),
        (&Method::PUT, None | Some("status")) => update(c, &t, &req),
        (&Method::PATCH, None | Some("status")) => crate::patch::patch(c, &t, &req),
        (&Method::DELETE, None) => crate::delete::delete(c, &t, &req),
        (_, Some("scale")) => crate::subresource::scale(c, &t, &req),
        (&Method::GET, Some("log")) => crate::subresource::log(c, &t, &req),
        (&Method::POST, Some("eviction")) => crate::subresource::evict(c, &t, &req),
        // The streaming subresources are not served yet; a missing pod is still a 404 first.
        (_, Some("exec" | "attach" | "portforward")) => {
            c.read(|s| s.get(t.kind, ns(&t), name(&t)))?;
            Err(Refusal::method_not_allowed())
        }
        _ => Err(Refusal::method_not_allowed()),
    }
}

pub fn ns(t: &Target) -> &str {
    t.namespace.as_deref().unwrap_or("")
}

pub fn name(t: &Target) -> &str {
    t.name.as_deref().unwrap_or("")
}

// The printers' module may grow options; this keeps compiling with their defaults.
#[allow(clippy::needless_update)]
fn table_options(req: &Req) -> TableOptions {
    TableOptions {
        include_object: match req.query.get("includeObject") {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        },
        ..TableOptions::default()
    }
}

/// The `PartialObjectMetadata` of an object.
pub fn partial(obj: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]})
}

/// An object answer: the object, a one-row Table or its metadata, as the client asked.
pub fn object_response(
    c: &Cluster,
    kind: Kind,
    obj: &Value,
    req: &Req,
    code: StatusCode,
) -> Response {
    if req.wants_table() && req.method == Method::GET {
        let now = c.read(Sim::now);
        let t = crate::table::table(kind, &[obj], &table_options(req), now);
        return json_response(code, &t);
    }
    if req.wants_metadata() && req.method == Method::GET {
        return json_response(code, &partial(obj));
    }
    json_response(code, obj)
}

/// A Table of `items` (watch events and lists).
pub fn table_of(
    kind: Kind,
    items: &[&Value],
    req: &Req,
    now: jiff::Timestamp,
    rv: Option<u64>,
) -> Value {
    let mut t = crate::table::table(kind, items, &table_options(req), now);
    if let Some(rv) = rv
        && let Some(m) = t.as_object_mut()
    {
        let md = m.entry("metadata").or_insert_with(|| json!({}));
        md["resourceVersion"] = json!(rv.to_string());
    }
    t
}

fn get(c: &Cluster, t: &Target, req: &Req) -> Res {
    let obj = c.read(|s| s.get(t.kind, ns(t), name(t)))?;
    Ok(object_response(c, t.kind, &obj, req, StatusCode::OK))
}

pub fn list_options(req: &Req) -> Result<ListOptions, Refusal> {
    Ok(ListOptions::parse(
        req.query.get("labelSelector"),
        req.query.get("fieldSelector"),
    )?)
}

fn list(c: &Cluster, t: &Target, req: &Req) -> Res {
    let opts = list_options(req)?;
    let (list, now) = c.read(|s| (s.list(t.kind, t.namespace.as_deref(), &opts), s.now()));
    let list = list?;
    if req.wants_table() {
        let items: Vec<&Value> = list.items.iter().map(|a| a.as_ref()).collect();
        let table = table_of(t.kind, &items, req, now, Some(list.resource_version));
        return Ok(json_response(StatusCode::OK, &table));
    }
    if req.wants_metadata() {
        let items: Vec<Value> = list.items.iter().map(|o| partial(o)).collect();
        let body = json!({
            "kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": list.resource_version.to_string()}, "items": items,
        });
        return Ok(json_response(StatusCode::OK, &body));
    }
    // Written item by item: a deep copy of thousands of objects into one `Value` is the cost
    // a list would otherwise pay.
    let mut out = Vec::with_capacity(256 * list.items.len() + 128);
    out.extend_from_slice(
        format!(
            "{{\"kind\":\"{}List\",\"apiVersion\":\"{}\",\"metadata\":{{\"resourceVersion\":\"{}\"}},\"items\":[",
            t.kind.name(),
            t.kind.api_version(),
            list.resource_version
        )
        .as_bytes(),
    );
    for (i, item) in list.items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, item.as_ref())
            .map_err(|e| Refusal::from(ApiError::Internal(e.to_string())))?;
    }
    out.extend_from_slice(b"]}");
    let mut r = Response::new(Body::from(out));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(r)
}

/// Check or default `metadata.namespace` against the URL (`rest.BeforeCreate`,
/// `EnsureObjectNamespaceMatchesRequestNamespace`).
pub fn settle_namespace(kind: Kind, url_ns: Option<&str>, obj: &mut Value) -> Result<(), Refusal> {
    let md = kubedrill_sim::meta::metadata_mut(obj);
    if !kind.namespaced() {
        md.remove("namespace");
        return Ok(());
    }
    let url_ns = url_ns.unwrap_or("");
    match md.get("namespace").and_then(Value::as_str) {
        None | Some("") => {
            md.insert("namespace".into(), json!(url_ns));
            Ok(())
        }
        Some(n) if n == url_ns => Ok(()),
        Some(_) => Err(Refusal::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )),
    }
}

/// The object as the write that produced `out` stored it. The sim answers with the object after
/// its controllers settled; a real API server answers with what it persisted, before any
/// controller reacted: `kubectl create deployment -o yaml` (or `--dry-run=server`) shows no
/// status and no revision annotation yet, `kubectl run -o yaml` a Pending pod. The write's own
/// watch event, the first for this object after `before`, is that object; a write that changed
/// nothing has none, and then `out` is it.
pub fn as_written(s: &Sim, before: u64, kind: Kind, out: Arc<Value>) -> Arc<Value> {
    let uid = kubedrill_sim::meta::uid(&out);
    let ns = kubedrill_sim::meta::namespace(&out);
    let namespace = (!ns.is_empty()).then_some(ns);
    let Ok(events) = s.watch_since(kind, namespace, before, &ListOptions::default()) else {
        return out;
    };
    events
        .into_iter()
        .find(|e| kubedrill_sim::meta::uid(&e.object) == uid)
        .map_or(out, |e| e.object)
}

/// Run a write for real, or on a throwaway copy of the cluster for `dryRun=All`.
pub fn run_write<R>(c: &Cluster, dry: bool, f: impl FnOnce(&mut Sim) -> R) -> R {
    if dry {
        c.read(|s| f(&mut s.clone()))
    } else {
        c.write(f)
    }
}

/// Drop the unknown fields of a decoded body per `fieldValidation`: Strict refuses as the
/// decoder does, Warn answers with a `Warning` header per field.
fn check_fields(kind: Kind, req: &Req, obj: &mut Value) -> Result<Vec<String>, Refusal> {
    let validation = Validation::of(req)?;
    let unknown = crate::fields::drop_unknown(kind, obj);
    if unknown.is_empty() {
        return Ok(unknown);
    }
    match validation {
        Validation::Strict => Err(Refusal::bad_request(format!(
            "{k} in version \"{v}\" cannot be handled as a {k}: {e}",
            k = kind.name(),
            v = kind.version(),
            e = crate::fields::strict_error(&unknown)
        ))),
        Validation::Warn => Ok(crate::fields::warnings(&unknown)),
        Validation::Ignore => Ok(Vec::new()),
    }
}

/// Add `Warning` headers (kubectl prints each as `Warning: <text>`).
pub fn with_warnings(mut r: Response, warnings: &[String]) -> Response {
    for w in warnings {
        if let Ok(v) = HeaderValue::from_str(w) {
            r.headers_mut().append(header::WARNING, v);
        }
    }
    r
}

fn create(c: &Cluster, t: &Target, req: &Req) -> Res {
    let mut obj = decode_object(t.kind, req)?;
    settle_namespace(t.kind, t.namespace.as_deref(), &mut obj)?;
    let warnings = check_fields(t.kind, req, &mut obj)?;
    let kind = t.kind;
    let out = run_write(c, req.dry_run(), |s| {
        let before = s.resource_version();
        s.create(obj).map(|o| as_written(s, before, kind, o))
    })?;
    Ok(with_warnings(
        json_response(StatusCode::CREATED, &out),
        &warnings,
    ))
}

/// Kinds whose strategy allows a PUT to create (`AllowCreateOnUpdate`).
fn create_on_update(kind: Kind) -> bool {
    matches!(kind, Kind::Service | Kind::Endpoints | Kind::Event)
}

fn update(c: &Cluster, t: &Target, req: &Req) -> Res {
    let mut obj = decode_object(t.kind, req)?;
    let body_name = kubedrill_sim::meta::name(&obj).to_string();
    if body_name != name(t) {
        return Err(Refusal::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({})",
            name(t)
        )));
    }
    settle_namespace(t.kind, t.namespace.as_deref(), &mut obj)?;
    let warnings = check_fields(t.kind, req, &mut obj)?;
    let status = t.sub.is_some();
    let kind = t.kind;
    let (out, created) = run_write(c, req.dry_run(), |s| {
        let before = s.resource_version();
        let exists = s.get(kind, ns(t), name(t)).is_ok();
        if !exists && !status && create_on_update(kind) {
            return s
                .create(obj)
                .map(|o| (as_written(s, before, kind, o), true));
        }
        let r = if status {
            s.update_status(obj)
        } else {
            s.update(obj)
        };
        r.map(|o| (as_written(s, before, kind, o), false))
    })?;
    let code = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(with_warnings(json_response(code, &out), &warnings))
}

/// `Subresource` of a target whose sub is `status` or none.
pub fn main_or_status(t: &Target) -> Subresource {
    if t.sub.as_deref() == Some("status") {
        Subresource::Status
    } else {
        Subresource::Main
    }
}
