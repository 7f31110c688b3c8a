//! The axum `Router` of one cluster: authentication, body limits, the route table of
//! `path::route`, discovery / OpenAPI / health answers, and the audit record of every request.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use kubedrill_sim::Kind;
use serde_json::Value;
use std::sync::Arc;

use crate::audit::AuditEntry;
use crate::cluster::Cluster;
use crate::discovery;
use crate::path::{Route, route};
use crate::request::{Query, Req};
use crate::status::{MAX_BODY, Refusal, json_response};

/// The router serving `cluster`: what a listener serves, and what an in-process client calls
/// (`kube::Client::new(router, "default")`).
pub fn router(cluster: Arc<Cluster>) -> Router {
    Router::new().fallback(handle).with_state(cluster)
}

fn header_str(h: &HeaderMap, name: impl header::AsHeaderName) -> String {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn handle(State(c): State<Arc<Cluster>>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let route = route(&path);
    let h = &parts.headers;
    let mut entry = AuditEntry {
        seq: 0,
        time: jiff::Timestamp::now(),
        user_agent: header_str(h, header::USER_AGENT),
        kubectl_command: h
            .get("kubectl-command")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        method: parts.method.to_string(),
        verb: parts.method.as_str().to_ascii_lowercase(),
        path: match parts.uri.query() {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        },
        kind: None,
        namespace: None,
        name: None,
        subresource: None,
        body: None,
        content_type: None,
        code: 0,
    };
    let portforward = match &route {
        Route::Resource(t) if crate::portforward::is_portforward(t) => Some(t.clone()),
        _ => None,
    };
    let response = match (authenticate(&c, h, &route), portforward) {
        (Err(r), _) => r.into_response(),
        (Ok(()), Some(t)) => {
            entry.verb = "create".to_string();
            entry.kind = Some(t.kind);
            entry.namespace = t.namespace.clone();
            entry.name = t.name.clone();
            entry.subresource = t.sub.clone();
            crate::portforward::serve(&c, &t, &mut parts).await
        }
        (Ok(()), None) if crate::stream::handles(&route) => {
            if let Route::Resource(t) = &route {
                // As the audit log names them: the WebSocket GET is a `get`, SPDY's POST a `create`.
                entry.verb = if parts.method == Method::POST {
                    "create"
                } else {
                    "get"
                }
                .to_string();
                entry.kind = Some(t.kind);
                entry.namespace = t.namespace.clone();
                entry.name = t.name.clone();
                entry.subresource = t.sub.clone();
                crate::stream::serve(&c, t, &mut parts).await
            } else {
                Refusal::not_found_path().into_response()
            }
        }
        (Ok(()), None) => {
            let writes = matches!(
                parts.method,
                Method::POST | Method::PUT | Method::PATCH | Method::DELETE
            );
            let bytes = if writes {
                read_body(body).await
            } else {
                Ok(Bytes::new())
            };
            match bytes {
                Err(r) => r.into_response(),
                Ok(bytes) => {
                    let req = Req {
                        method: parts.method.clone(),
                        query: Query::parse(parts.uri.query()),
                        accept: header_str(h, header::ACCEPT),
                        content_type: header_str(h, header::CONTENT_TYPE),
                        host: header_str(h, header::HOST),
                        body: bytes,
                    };
                    if let Route::Resource(t) = &route {
                        entry.verb = crate::rest::verb(&req.method, t, &req).to_string();
                        entry.kind = Some(t.kind);
                        entry.namespace = t.namespace.clone();
                        entry.name = t.name.clone();
                        entry.subresource = t.sub.clone();
                        if writes && !req.body.is_empty() {
                            entry.body = Some(audit_body(&req));
                            entry.content_type = Some(req.content_type.clone());
                        }
                    }
                    serve(&c, route, req)
                        .await
                        .unwrap_or_else(IntoResponse::into_response)
                }
            }
        }
    };
    entry.code = response.status().as_u16();
    c.record(entry);
    response
}

/// The body as the audit log keeps it: text as sent, protobuf decoded to JSON.
fn audit_body(req: &Req) -> String {
    if req.media_type() == "application/vnd.kubernetes.protobuf" {
        return match crate::protobuf::decode(&req.body) {
            Ok(v) => v.to_string(),
            Err(e) => format!("<protobuf: {e}>"),
        };
    }
    String::from_utf8_lossy(&req.body).into_owned()
}

async fn read_body(body: Body) -> Result<Bytes, Refusal> {
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|e| {
        let too_large = std::error::Error::source(&e)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if too_large {
            Refusal::too_large()
        } else {
            Refusal::bad_request(format!("error reading the request body: {e}"))
        }
    })
}

/// A wrong or missing token is a 401; without a token, `/version` and the health checks stay
/// open as `system:public-info-viewer` keeps them on a real server.
fn authenticate(c: &Cluster, h: &HeaderMap, route: &Route) -> Result<(), Refusal> {
    let Some(token) = c.token() else {
        return Ok(());
    };
    let auth = h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    // As the bearer token authenticator reads the header: the scheme in any case, one token.
    let presented = auth.map(|a| {
        let parts: Vec<&str> = a.split_whitespace().collect();
        match parts.as_slice() {
            [scheme, t] if scheme.eq_ignore_ascii_case("bearer") => Some(*t),
            _ => None,
        }
    });
    match presented {
        Some(Some(t)) if t == token => Ok(()),
        None if matches!(route, Route::Version | Route::Health(_)) => Ok(()),
        _ => Err(Refusal::unauthorized()),
    }
}

fn with_content_type(mut r: Response, ct: &'static str) -> Response {
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    r
}

/// `/openapi/v3` and its documents as kube-openapi's handler3 serves them: an ETag of the
/// SHA-512 of the bytes; a `?hash=` that names an older document is answered 301 to the current
/// URL, and a current one makes the response immutable so clients cache it for good.
fn openapi_response(req: &Req, path: Option<&str>) -> Result<Response, Refusal> {
    if req.method != Method::GET {
        return Err(Refusal::method_not_allowed());
    }
    let (bytes, hash) = match path {
        None => (crate::openapi::index_bytes(), crate::openapi::index_hash()),
        Some(p) => match (
            crate::openapi::document_bytes(p),
            crate::openapi::document_hash(p),
        ) {
            (Some(b), Some(h)) => (b, h.to_string()),
            _ => return Err(Refusal::not_found_path()),
        },
    };
    let mut r = Response::new(Body::from(bytes));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("\"{hash}\"")) {
        h.insert(header::ETAG, v);
    }
    if let (Some(p), Some(asked)) = (path, req.query.get("hash")) {
        if asked != hash {
            let to = crate::openapi::server_relative_url(p).unwrap_or_default();
            *r.body_mut() = Body::empty();
            *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
            if let Ok(v) = HeaderValue::from_str(&to) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            return Ok(r);
        }
        h.insert(header::VARY, HeaderValue::from_static("Accept"));
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, immutable"),
        );
    }
    Ok(r)
}

/// The warning a 1.33+ server adds to every request on the deprecated v1 Endpoints API.
const ENDPOINTS_DEPRECATED: &str =
    "299 - \"v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\"";

fn endpoints_deprecated(c: &Cluster) -> bool {
    c.read(|s| {
        let v = s.config().version.trim_start_matches('v').to_string();
        let mut parts = v.split('.');
        let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        (major, minor) >= (1, 33)
    })
}

async fn serve(c: &Arc<Cluster>, route: Route, req: Req) -> Result<Response, Refusal> {
    let get_only = |v: Value| {
        if req.method == Method::GET {
            Ok(json_response(StatusCode::OK, &v))
        } else {
            Err(Refusal::method_not_allowed())
        }
    };
    match route {
        Route::Resource(t) if t.kind == Kind::Endpoints && endpoints_deprecated(c) => {
            let warn = [ENDPOINTS_DEPRECATED.to_string()];
            Ok(match crate::rest::serve(c, t, req).await {
                Ok(r) => crate::rest::with_warnings(r, &warn),
                Err(e) => crate::rest::with_warnings(e.into_response(), &warn),
            })
        }
        Route::Resource(t) => crate::rest::serve(c, t, req).await,
        Route::Version => get_only(discovery::version(&c.read(|s| s.config().version.clone()))),
        Route::Health(_) => {
            if req.method != Method::GET {
                return Err(Refusal::method_not_allowed());
            }
            Ok(with_content_type(
                Response::new(Body::from("ok")),
                "text/plain; charset=utf-8",
            ))
        }
        Route::Api | Route::Apis if discovery::wants_aggregated(&req.accept) => {
            let doc = discovery::aggregated(route == Route::Api);
            get_only(doc).map(|r| with_content_type(r, discovery::AGGREGATED_CONTENT_TYPE))
        }
        Route::Api => get_only(discovery::api_versions(&req.host)),
        Route::Apis => get_only(discovery::api_group_list()),
        Route::ApiGroup(g) => get_only(discovery::api_group_doc(&g)),
        Route::GroupVersion { group } => get_only(discovery::resource_list(&group)),
        Route::OpenApiV3Index => openapi_response(&req, None),
        Route::OpenApiV3Doc(p) => openapi_response(&req, Some(&p)),
        Route::NotFound => Err(Refusal::not_found_path()),
    }
}
