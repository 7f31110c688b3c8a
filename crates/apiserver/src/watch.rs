//! Watch (KUBECTL-CONTRACT §8): newline-delimited JSON events from the sim's watch log —
//! synthetic ADDED for a watch from "any" version, replay after a given resourceVersion, an
//! ERROR event with a 410 `Expired` Status when that version is older than the log, bookmarks
//! when allowed, Table-wrapped objects when the client asked for Tables, and the end of the
//! stream after `timeoutSeconds`. New events are picked up when the cluster signals a write.

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use kubedrill_sim::{ApiError, EventType, Kind, ListOptions, Sim, meta};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use crate::cluster::Cluster;
use crate::path::Target;
use crate::request::Req;
use crate::rest::{Res, list_options, table_of};
use crate::status::{Refusal, to_status};

/// The longest a watch stays open (a real server picks 30–60 minutes).
const MAX_TIMEOUT: u64 = 1800;
/// How often an idle watch that allows bookmarks gets one.
const BOOKMARK_EVERY: Duration = Duration::from_secs(30);

struct Spec {
    kind: Kind,
    namespace: Option<String>,
    opts: ListOptions,
    table: Option<Req>,
    metadata_only: bool,
    /// With selectors: the objects the client currently holds as matching, by (ns, name).
    known: HashMap<(String, String), Arc<Value>>,
}

impl Spec {
    fn line(&self, s: &Sim, typ: &str, obj: &Value) -> Bytes {
        let object = match &self.table {
            Some(req) => table_of(self.kind, &[obj], req, s.now(), None),
            None if self.metadata_only => crate::rest::partial(obj),
            None => obj.clone(),
        };
        let mut v = json!({"type": typ, "object": object}).to_string();
        v.push('\n');
        Bytes::from(v)
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut md = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            md["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let obj = json!({"kind": self.kind.name(), "apiVersion": self.kind.api_version(), "metadata": md});
        let mut v = json!({"type": "BOOKMARK", "object": obj}).to_string();
        v.push('\n');
        Bytes::from(v)
    }

    /// Events after `since`; `Err` carries the ERROR line of a too-old version.
    ///
    /// With selectors, an event is judged as the watch cache does (`convertToWatchEvent`): an
    /// object that starts matching is ADDED, one that stops matching is DELETED (its last
    /// matching state at the event's version), one that never matched is not sent.
    fn since(&mut self, s: &Sim, since: u64) -> Result<Vec<Bytes>, Bytes> {
        let all = ListOptions::default();
        let opts = if self.selective() { &all } else { &self.opts };
        let evs = s
            .watch_since(self.kind, self.namespace.as_deref(), since, opts)
            .map_err(|e| error_line(&e))?;
        if !self.selective() {
            return Ok(evs
                .iter()
                .map(|e| self.line(s, e.event.as_str(), &e.object))
                .collect());
        }
        let mut out = Vec::new();
        for e in &evs {
            let key = (
                meta::namespace(&e.object).to_string(),
                meta::name(&e.object).to_string(),
            );
            let now_passes = e.event != EventType::Deleted && self.opts.matches(&e.object);
            match (now_passes, self.known.remove(&key)) {
                (false, None) => {}
                (true, None) => {
                    out.push(self.line(s, "ADDED", &e.object));
                    self.known.insert(key, e.object.clone());
                }
                (true, Some(_)) => {
                    out.push(self.line(s, e.event.as_str(), &e.object));
                    self.known.insert(key, e.object.clone());
                }
                (false, Some(_)) if e.event == EventType::Deleted => {
                    out.push(self.line(s, "DELETED", &e.object));
                }
                (false, Some(last)) => {
                    let mut gone = (*last).clone();
                    gone["metadata"]["resourceVersion"] = json!(e.rv.to_string());
                    out.push(self.line(s, "DELETED", &gone));
                }
            }
        }
        Ok(out)
    }

    fn selective(&self) -> bool {
        !self.opts.label_selector.is_empty() || !self.opts.field_selector.is_empty()
    }
}

fn error_line(e: &ApiError) -> Bytes {
    let mut v = json!({"type": "ERROR", "object": to_status(e)}).to_string();
    v.push('\n');
    Bytes::from(v)
}

pub fn watch(c: Arc<Cluster>, t: Target, req: Req) -> Res {
    let opts = list_options(&req)?;
    let q = &req.query;
    let from: Option<u64> = match q.get("resourceVersion") {
        None | Some("") | Some("0") => None,
        Some(v) => Some(v.parse().map_err(|_| {
            Refusal::new(
                400,
                "BadRequest",
                format!(
                    "invalid resource version: strconv.ParseUint: parsing \"{v}\": invalid syntax"
                ),
            )
        })?),
    };
    let send_initial = q.flag("sendInitialEvents");
    let bookmarks = q.flag("allowWatchBookmarks");
    let timeout = q
        .get("timeoutSeconds")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(MAX_TIMEOUT)
        .min(MAX_TIMEOUT);
    let mut spec = Spec {
        kind: t.kind,
        namespace: t.namespace.clone(),
        opts,
        table: req.wants_table().then(|| req.clone()),
        metadata_only: req.wants_metadata(),
        known: HashMap::new(),
    };
    // Subscribe before reading, so a write between the read and the wait is not missed.
    let mut changed = c.subscribe();
    let first = c.read(|s| -> Result<(Vec<Bytes>, u64, bool), ApiError> {
        let cur = s.resource_version();
        // Refuses unsupported field selectors with the list's error.
        let list = s.list(spec.kind, spec.namespace.as_deref(), &spec.opts)?;
        if spec.selective() {
            // What matches now stands for what matched at the requested version: kubectl and
            // kube-rs watch from the version of the list they just made.
            spec.known = list
                .items
                .iter()
                .map(|o| {
                    let key = (meta::namespace(o).to_string(), meta::name(o).to_string());
                    (key, o.clone())
                })
                .collect();
        }
        match from {
            Some(rv) if !send_initial => match spec.since(s, rv) {
                Ok(lines) => Ok((lines, cur, false)),
                Err(line) => Ok((vec![line], cur, true)),
            },
            _ => {
                let mut lines: Vec<Bytes> = list
                    .items
                    .iter()
                    .map(|o| spec.line(s, "ADDED", o))
                    .collect();
                if send_initial {
                    lines.push(spec.bookmark(cur, true));
                }
                Ok((lines, cur, false))
            }
        }
    })?;
    let (initial, mut last, gone) = first;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, Infallible>>(64);
    tokio::spawn(async move {
        for l in initial {
            if tx.send(Ok(l)).await.is_err() {
                return;
            }
        }
        if gone {
            return;
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
        let mut tick =
            tokio::time::interval_at(tokio::time::Instant::now() + BOOKMARK_EVERY, BOOKMARK_EVERY);
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return,
                _ = tx.closed() => return,
                _ = tick.tick(), if bookmarks => {
                    if tx.send(Ok(spec.bookmark(last, false))).await.is_err() {
                        return;
                    }
                    continue;
                }
                r = changed.changed() => if r.is_err() { return },
            }
            let (lines, cur) = c.read(|s| (spec.since(s, last), s.resource_version()));
            match lines {
                Ok(lines) => {
                    for l in lines {
                        if tx.send(Ok(l)).await.is_err() {
                            return;
                        }
                    }
                    last = cur;
                }
                Err(line) => {
                    let _ = tx.send(Ok(line)).await;
                    return;
                }
            }
        }
    });
    let stream = futures::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let mut r = Response::new(Body::from_stream(stream));
    *r.status_mut() = StatusCode::OK;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(r)
}
