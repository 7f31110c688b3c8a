//! PATCH (KUBECTL-CONTRACT §10): the three patch content types go to `Sim::patch`;
//! `application/apply-patch+yaml` (server-side apply) merges the manager's intent with
//! `kubedrill_sim::patch::apply_patch`, remembering each manager's last intent.

use http::StatusCode;
use kubedrill_sim::{ApiError, PatchType, Subresource};
use serde_json::Value;

use crate::cluster::Cluster;
use crate::fields::Validation;
use crate::path::Target;
use crate::request::{Req, go_json_error};
use crate::rest::{
    Res, as_written, main_or_status, name, ns, run_write, settle_namespace, with_warnings,
};
use crate::status::{Refusal, json_response};

/// The patch types the API server accepts for built-in kinds, in its order.
pub const PATCH_MEDIA_TYPES: [&str; 4] = [
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
];

/// Parse a JSON patch body (merge, JSON, strategic) as the patch handlers do.
pub fn parse_patch(pt: PatchType, body: &[u8]) -> Result<Value, Refusal> {
    serde_json::from_slice(body).map_err(|e| match pt {
        // evanphx/json-patch's MergePatch refuses any undecodable document with one text.
        PatchType::Merge => Refusal::bad_request("Invalid JSON Patch"),
        _ => Refusal::bad_request(go_json_error(&e, body)),
    })
}

/// The patch type of a request, or the 415 a real server gives.
pub fn patch_type(req: &Req) -> Result<Option<PatchType>, Refusal> {
    let mt = req.media_type();
    if mt == "application/apply-patch+yaml" {
        return Ok(None);
    }
    PatchType::from_content_type(&mt)
        .map(Some)
        .ok_or_else(|| Refusal::unsupported_media_type(&PATCH_MEDIA_TYPES))
}

/// `ValidatePatchOptions`: a 422 on `PatchOptions.meta.k8s.io`.
fn check_options(req: &Req, apply: bool) -> Result<(), Refusal> {
    let manager = req.query.get("fieldManager").unwrap_or("");
    let (field, reason, message) = if apply && manager.is_empty() {
        (
            "fieldManager",
            "FieldValueRequired",
            "Required value: is required for apply patch",
        )
    } else if !apply && req.query.get("force").is_some() {
        (
            "force",
            "FieldValueForbidden",
            "Forbidden: may not be specified for non-apply patch",
        )
    } else {
        return Ok(());
    };
    let mut r = Refusal::new(
        422,
        "Invalid",
        format!("PatchOptions.meta.k8s.io \"\" is invalid: {field}: {message}"),
    );
    r.body["details"] = serde_json::json!({
        "name": "", "group": "meta.k8s.io", "kind": "PatchOptions",
        "causes": [{"reason": reason, "message": message, "field": field}],
    });
    Err(r)
}

pub fn patch(c: &Cluster, t: &Target, req: &Req) -> Res {
    let pt = patch_type(req)?;
    check_options(req, pt.is_none())?;
    let Some(pt) = pt else {
        return apply(c, t, req);
    };
    let body = parse_patch(pt, &req.body)?;
    let sub = main_or_status(t);
    let validation = Validation::of(req)?;
    let (kind, n, nm) = (t.kind, ns(t), name(t));
    let (out, unknown) = run_write(c, req.dry_run(), |s| -> Result<_, Refusal> {
        let before = s.resource_version();
        // The patched object is decoded into the Go type like any body: judge its fields first.
        let cur = s.get(kind, n, nm)?;
        let mut result = kubedrill_sim::patch::apply(kind, &cur, pt, &body)?;
        let unknown = crate::fields::drop_unknown(kind, &mut result);
        if unknown.is_empty() {
            let out = s.patch(kind, n, nm, pt, &body, sub)?;
            return Ok((as_written(s, before, kind, out), unknown));
        }
        if validation == Validation::Strict {
            return Err(Refusal::bad_request(crate::fields::strict_error(&unknown)));
        }
        // What `Sim::patch` does after applying: the identity is not the patch's to change.
        let md = kubedrill_sim::meta::metadata_mut(&mut result);
        md.insert("name".into(), Value::String(nm.to_string()));
        if kind.namespaced() {
            md.insert("namespace".into(), Value::String(n.to_string()));
        }
        result["apiVersion"] = Value::String(kind.api_version().into());
        result["kind"] = Value::String(kind.name().into());
        let out = match sub {
            Subresource::Main => s.update(result)?,
            Subresource::Status => s.update_status(result)?,
        };
        Ok((as_written(s, before, kind, out), unknown))
    })?;
    let warnings = match validation {
        Validation::Warn => crate::fields::warnings(&unknown),
        _ => Vec::new(),
    };
    Ok(with_warnings(
        json_response(StatusCode::OK, &out),
        &warnings,
    ))
}

/// Server-side apply: create when absent (201), else merge the intent into the live object.
fn apply(c: &Cluster, t: &Target, req: &Req) -> Res {
    let manager = req.query.get("fieldManager").unwrap_or("");
    let text = std::str::from_utf8(&req.body)
        .map_err(|_| Refusal::bad_request("yaml: invalid leading UTF-8 octet"))?;
    let mut intent = kubedrill_sim::yaml::parse_documents(text)?
        .into_iter()
        .next()
        .unwrap_or(Value::Null);
    if !intent.is_object() {
        return Err(Refusal::from(ApiError::BadRequest(format!(
            "error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            if intent.is_null() {
                "null"
            } else {
                "non-object"
            }
        ))));
    }
    let body_name = kubedrill_sim::meta::name(&intent).to_string();
    if body_name.is_empty() {
        kubedrill_sim::meta::metadata_mut(&mut intent)
            .insert("name".into(), Value::String(name(t).to_string()));
    } else if body_name != name(t) {
        return Err(Refusal::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({})",
            name(t)
        )));
    }
    settle_namespace(t.kind, t.namespace.as_deref(), &mut intent)?;
    let key = (
        t.kind,
        ns(t).to_string(),
        name(t).to_string(),
        manager.to_string(),
    );
    let dry = req.dry_run();
    let (out, created) = run_write(c, dry, |s| {
        let live = s.get(t.kind, ns(t), name(t)).ok();
        let last = c
            .intents
            .lock()
            .map(|m| m.get(&key).cloned())
            .unwrap_or_default();
        let merged =
            kubedrill_sim::patch::apply_patch(t.kind, live.as_deref(), &intent, last.as_ref())?;
        let before = s.resource_version();
        let r = match live {
            None => s.create(merged).map(|o| (o, true)),
            Some(_) => s.update(merged).map(|o| (o, false)),
        }
        .map(|(o, created)| (as_written(s, before, t.kind, o), created));
        if r.is_ok()
            && !dry
            && let Ok(mut m) = c.intents.lock()
        {
            m.insert(key.clone(), intent.clone());
        }
        r
    })?;
    let code = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json_response(code, &out))
}
