//! DELETE (KUBECTL-CONTRACT §2.2, §11): `DeleteOptions` from the body and the query, the
//! answer a real server gives (the object while it is still there and always for pods, else a
//! `Status` Success naming it), and deletecollection.

use http::StatusCode;
use kubedrill_sim::{ApiError, DeleteOptions, Kind, Propagation};
use serde_json::{Value, json};

use crate::cluster::Cluster;
use crate::path::Target;
use crate::request::Req;
use crate::rest::{Res, list_options, name, ns, run_write};
use crate::status::{Refusal, delete_success, json_response};

/// `DeleteOptions` from the body (JSON, may be empty) and the query.
fn delete_options(req: &Req) -> Result<DeleteOptions, Refusal> {
    let mut opts = DeleteOptions::default();
    let body: Value = if req.body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        if !matches!(req.media_type().as_str(), "" | "application/json") {
            return Err(Refusal::unsupported_media_type(
                &crate::request::OBJECT_MEDIA_TYPES,
            ));
        }
        // The decoder's error reaches the client unconverted: a 500 without a reason.
        serde_json::from_slice(&req.body).map_err(|e| {
            Refusal::new(
                500,
                "",
                format!(
                    "couldn't get version/kind; json parse error: {}",
                    crate::request::go_json_error(&e, &req.body)
                ),
            )
        })?
    };
    let grace = body["gracePeriodSeconds"].as_i64().or_else(|| {
        req.query
            .get("gracePeriodSeconds")
            .and_then(|g| g.parse().ok())
    });
    opts.grace_period_seconds = grace;
    let policy = body["propagationPolicy"]
        .as_str()
        .map(str::to_string)
        .or_else(|| req.query.get("propagationPolicy").map(str::to_string));
    opts.propagation = match policy.as_deref() {
        None => match body["orphanDependents"].as_bool() {
            Some(true) => Some(Propagation::Orphan),
            Some(false) => Some(Propagation::Background),
            None => None,
        },
        Some("Background") => Some(Propagation::Background),
        Some("Foreground") => Some(Propagation::Foreground),
        Some("Orphan") => Some(Propagation::Orphan),
        Some(other) => {
            return Err(Refusal::new(
                422,
                "Invalid",
                format!(
                    "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{other}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
                ),
            ));
        }
    };
    opts.precondition_uid = body["preconditions"]["uid"].as_str().map(str::to_string);
    opts.precondition_rv = body["preconditions"]["resourceVersion"]
        .as_str()
        .map(str::to_string);
    Ok(opts)
}

/// The answer to a delete: the object while it is still there (graceful) and always for pods
/// (`ReturnDeletedObject`), else a `Status` Success naming it.
fn delete_answer(kind: Kind, obj: &Value, still_there: bool) -> Value {
    if kind == Kind::Pod || still_there {
        return obj.clone();
    }
    delete_success(
        kind,
        kubedrill_sim::meta::name(obj),
        kubedrill_sim::meta::uid(obj),
    )
}

pub fn delete(c: &Cluster, t: &Target, req: &Req) -> Res {
    let opts = delete_options(req)?;
    let (kind, n, nm) = (t.kind, ns(t).to_string(), name(t).to_string());
    let (obj, still) = run_write(c, req.dry_run(), |s| {
        let obj = s.delete(kind, &n, &nm, &opts)?;
        let still = s
            .get(kind, &n, &nm)
            .is_ok_and(|cur| kubedrill_sim::meta::uid(&cur) == kubedrill_sim::meta::uid(&obj));
        Ok::<_, ApiError>((obj, still))
    })?;
    Ok(json_response(
        StatusCode::OK,
        &delete_answer(kind, &obj, still),
    ))
}

pub fn delete_collection(c: &Cluster, t: &Target, req: &Req) -> Res {
    let opts = delete_options(req)?;
    let lopts = list_options(req)?;
    let kind = t.kind;
    let (deleted, rv) = run_write(c, req.dry_run(), |s| {
        let list = s.list(kind, t.namespace.as_deref(), &lopts)?;
        let mut deleted = Vec::new();
        for o in list.items {
            let n = kubedrill_sim::meta::namespace(&o).to_string();
            let nm = kubedrill_sim::meta::name(&o).to_string();
            match s.delete(kind, &n, &nm, &opts) {
                Ok(d) => deleted.push(d),
                Err(ApiError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok::<_, ApiError>((deleted, s.resource_version()))
    })?;
    let items: Vec<&Value> = deleted.iter().map(|a| a.as_ref()).collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "kind": format!("{}List", kind.name()), "apiVersion": kind.api_version(),
            "metadata": {"resourceVersion": rv.to_string()}, "items": items,
        }),
    ))
}
