//! What a handler needs from an HTTP request: the query (tolerant of kube-rs's empty `&&`
//! segments), the negotiated headers, and the body decoded from JSON, YAML or protobuf into the
//! object the sim takes, refused with the API server's 400 / 415 texts.

use bytes::Bytes;
use http::Method;
use kubedrill_sim::Kind;
use serde_json::Value;

use crate::status::Refusal;

/// The media types a create or update body may have, in the API server's order.
pub const OBJECT_MEDIA_TYPES: [&str; 3] = [
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
];

/// Query parameters in order.
#[derive(Debug, Clone, Default)]
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(q: Option<&str>) -> Self {
        Query(
            form_urlencoded::parse(q.unwrap_or("").as_bytes())
                .filter(|(k, _)| !k.is_empty())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated parameter (`command=sh&command=-c`), in order.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A boolean parameter (`watch=true`, `watch=1`).
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1"))
    }
}

/// One request, read.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: Method,
    pub query: Query,
    pub accept: String,
    pub content_type: String,
    pub body: Bytes,
    pub host: String,
}

impl Req {
    /// The media type without parameters, lower-cased.
    pub fn media_type(&self) -> String {
        self.content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }

    /// `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`.
    pub fn wants_table(&self) -> bool {
        self.accept.split(',').any(|r| {
            let p: Vec<&str> = r.split(';').map(str::trim).collect();
            p.contains(&"as=Table") && p.contains(&"g=meta.k8s.io")
        })
    }

    /// `Accept: application/json;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1` (kube-rs's
    /// metadata API).
    pub fn wants_metadata(&self) -> bool {
        self.accept.split(',').any(|r| {
            let p: Vec<&str> = r.split(';').map(str::trim).collect();
            (p.contains(&"as=PartialObjectMetadata") || p.contains(&"as=PartialObjectMetadataList"))
                && p.contains(&"g=meta.k8s.io")
        })
    }

    pub fn dry_run(&self) -> bool {
        self.query.get("dryRun") == Some("All")
    }
}

/// Decode a create/update body of `kind` to a JSON object with `apiVersion` and `kind` set.
pub fn decode_object(kind: Kind, req: &Req) -> Result<Value, Refusal> {
    let mt = req.media_type();
    let mut obj = match mt.as_str() {
        "" | "application/json" => parse_json(kind, &req.body)?,
        "application/yaml" => parse_yaml(kind, &req.body)?,
        "application/vnd.kubernetes.protobuf" => {
            // The endpoint's type is the default for an envelope that leaves it out, as the
            // server's codec defaults to the GroupVersionKind the handler serves.
            let gvk = crate::protobuf::Gvk {
                api_version: kind.api_version().to_string(),
                kind: kind.name().to_string(),
            };
            crate::protobuf::decode_as(&req.body, Some(&gvk))
                .map_err(|f| Refusal::from(f.api_error(kind.name(), &req.body)))?
        }
        _ => return Err(Refusal::unsupported_media_type(&OBJECT_MEDIA_TYPES)),
    };
    fill_type(kind, &mut obj)?;
    Ok(obj)
}

/// Parse a JSON body; errors as `transformDecodeError` words them.
pub fn parse_json(kind: Kind, body: &[u8]) -> Result<Value, Refusal> {
    serde_json::from_slice::<Value>(body)
        .map_err(|e| unrecognized(kind, &go_json_error(&e, body), body))
}

fn parse_yaml(kind: Kind, body: &[u8]) -> Result<Value, Refusal> {
    let text = std::str::from_utf8(body)
        .map_err(|_| unrecognized(kind, "yaml: invalid leading UTF-8 octet", body))?;
    let docs = kubedrill_sim::yaml::parse_documents(text)
        .map_err(|e| unrecognized(kind, &e.to_string(), body))?;
    docs.into_iter()
        .next()
        .ok_or_else(|| unrecognized(kind, "Object 'Kind' is missing in 'null'", body))
}

/// `the object provided is unrecognized (must be of type Service): <err> (<summary>)`.
fn unrecognized(kind: Kind, err: &str, body: &[u8]) -> Refusal {
    Refusal::bad_request(format!(
        "the object provided is unrecognized (must be of type {}): couldn't get version/kind; json parse error: {err} ({})",
        kind.name(),
        summarize(body, 30)
    ))
}

/// `summarizeData`: JSON-looking bodies verbatim (cut), anything else as hex.
fn summarize(data: &[u8], max: usize) -> String {
    let cut = &data[..data.len().min(max)];
    let more = if data.len() > max { " ..." } else { "" };
    match data.first() {
        None => "<empty>".into(),
        Some(b'{') => format!("{}{more}", String::from_utf8_lossy(cut)),
        Some(_) => {
            let hex: String = cut.iter().map(|b| format!("{b:02x}")).collect();
            format!("{hex}{more}")
        }
    }
}

/// The text Go's `encoding/json` gives for the commonest syntax errors.
pub fn go_json_error(e: &serde_json::Error, body: &[u8]) -> String {
    if e.is_eof() {
        return "unexpected end of JSON input".into();
    }
    // serde_json counts columns from 1 on the line; find the byte it stopped at.
    let mut line = 1;
    let mut offset = 0;
    for (i, b) in body.iter().enumerate() {
        if line == e.line() {
            offset = i + e.column().saturating_sub(1);
            break;
        }
        if *b == b'\n' {
            line += 1;
        }
    }
    match body.get(offset) {
        Some(c) if c.is_ascii_graphic() => {
            format!(
                "invalid character '{}' {}",
                *c as char,
                expectation(&body[..offset])
            )
        }
        _ => e.to_string(),
    }
}

/// What `encoding/json`'s scanner expected after `prefix` (the valid part of the document).
fn expectation(prefix: &[u8]) -> &'static str {
    let mut stack: Vec<u8> = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    let mut last = None;
    for &b in prefix {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => stack.push(b),
            b'}' | b']' => {
                stack.pop();
            }
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            last = Some(b);
        }
    }
    match (stack.last(), last) {
        (Some(b'{'), Some(b'{' | b',')) => "looking for beginning of object key string",
        _ => "looking for beginning of value",
    }
}

/// Default `apiVersion`/`kind` from the URL, refuse a body of another group-version.
fn fill_type(kind: Kind, obj: &mut Value) -> Result<(), Refusal> {
    let Value::Object(m) = obj else {
        return Err(Refusal::bad_request(format!(
            "the object provided is unrecognized (must be of type {}): couldn't get version/kind; json parse error: json: cannot unmarshal {} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}",
            kind.name(),
            json_kind(obj)
        )));
    };
    let api_version = match m.get("apiVersion").and_then(Value::as_str) {
        None | Some("") => kind.api_version().to_string(),
        Some(v) => v.to_string(),
    };
    let body_kind = match m.get("kind").and_then(Value::as_str) {
        None | Some("") => kind.name().to_string(),
        Some(k) => k.to_string(),
    };
    if (api_version.as_str(), body_kind.as_str()) != (kind.api_version(), kind.name()) {
        // `transformDecodeError`: `<Kind> in version "<v>" cannot be handled as a <Kind>: …`.
        let version = api_version.rsplit('/').next().unwrap_or("");
        let cause = match Kind::from_type(&api_version, &body_kind) {
            Some(other) => format!(
                "converting ({version}.{body_kind}) to ({}.{}): unknown conversion",
                internal_package(other),
                kind.name()
            ),
            None => format!(
                "no kind \"{body_kind}\" is registered for version \"{api_version}\" in scheme \"pkg/api/legacyscheme/scheme.go:30\""
            ),
        };
        return Err(Refusal::bad_request(format!(
            "{body_kind} in version \"{version}\" cannot be handled as a {}: {cause}",
            kind.name()
        )));
    }
    m.insert("apiVersion".into(), Value::String(api_version));
    m.insert("kind".into(), Value::String(body_kind));
    Ok(())
}

/// The Go package of a kind's internal type (`core.Service`, `apps.Deployment`).
fn internal_package(kind: Kind) -> &'static str {
    match kind.group() {
        "" => "core",
        "apps" => "apps",
        "discovery.k8s.io" => "discovery",
        _ => "networking",
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_tolerates_kube_rs_empty_segments() {
        let q = Query::parse(Some(
            "&watch=true&&timeoutSeconds=290&labelSelector=app%3Dweb",
        ));
        assert!(q.flag("watch"));
        assert_eq!(q.get("timeoutSeconds"), Some("290"));
        assert_eq!(q.get("labelSelector"), Some("app=web"));
    }

    #[test]
    fn json_syntax_errors_use_go_wording() {
        let body = b"{\"a\": x}";
        let e = serde_json::from_slice::<Value>(body).unwrap_err();
        assert_eq!(
            go_json_error(&e, body),
            "invalid character 'x' looking for beginning of value"
        );
        let body = b"{\"a\": ";
        let e = serde_json::from_slice::<Value>(body).unwrap_err();
        assert_eq!(go_json_error(&e, body), "unexpected end of JSON input");
    }
}
