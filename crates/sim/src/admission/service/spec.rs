//! A typed view of a Service's `spec`, decoded from JSON with the API server's decode errors
//! (a wrong JSON type is a 400 before any admission logic runs) and encoded back in place.
//!
//! Only the fields admission reasons about are typed; every other key of `spec` (and of each
//! port) is kept untouched in `extra`. JSON `null` is treated as absent, as Go's decoder leaves a
//! non-pointer field at its zero value for `null`.

use serde_json::{Map, Value};

use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntOrStr {
    Int(i64),
    Str(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Port {
    pub name: String,
    pub protocol: String,
    pub app_protocol: Option<String>,
    pub port: i64,
    pub target_port: IntOrStr,
    pub node_port: i64,
    pub extra: Map<String, Value>,
}

/// `sessionAffinityConfig`: `Some(None)` is a config without `clientIP`, and so on down.
pub type AffinityConfig = Option<Option<Option<i64>>>;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Spec {
    pub ports: Vec<Port>,
    pub selector: Option<Map<String, Value>>,
    pub cluster_ip: String,
    pub cluster_ips: Vec<String>,
    pub type_: String,
    pub external_ips: Vec<String>,
    pub session_affinity: String,
    pub load_balancer_source_ranges: Vec<String>,
    pub external_name: String,
    pub external_traffic_policy: String,
    pub health_check_node_port: i64,
    pub session_affinity_config: AffinityConfig,
    pub ip_families: Vec<String>,
    pub ip_family_policy: Option<String>,
    pub allocate_lb_node_ports: Option<bool>,
    pub load_balancer_class: Option<String>,
    pub internal_traffic_policy: Option<String>,
    pub extra: Map<String, Value>,
}

impl Spec {
    pub fn is_headless(&self) -> bool {
        self.cluster_ips.len() == 1 && self.cluster_ips[0] == "None"
    }

    pub fn needs_cluster_ip(&self) -> bool {
        self.type_ != "ExternalName"
    }

    pub fn needs_node_port(&self) -> bool {
        self.type_ == "NodePort" || self.type_ == "LoadBalancer"
    }

    /// `needsHCNodePort` / `apiservice.NeedsHealthCheck`.
    pub fn needs_health_check(&self) -> bool {
        self.type_ == "LoadBalancer" && self.external_traffic_policy == "Local"
    }

    /// `apiservice.ExternallyAccessible` (pkg/api/service/util.go).
    pub fn externally_accessible(&self) -> bool {
        self.needs_node_port() || (self.type_ == "ClusterIP" && !self.external_ips.is_empty())
    }

    /// `shouldAllocateNodePorts` (storage/alloc.go).
    pub fn should_allocate_node_ports(&self) -> bool {
        match self.type_.as_str() {
            "NodePort" => true,
            "LoadBalancer" => self.allocate_lb_node_ports.unwrap_or(true),
            _ => false,
        }
    }

    pub fn node_ports(&self) -> Vec<i64> {
        self.ports
            .iter()
            .map(|p| p.node_port)
            .filter(|n| *n != 0)
            .collect()
    }
}

/// A decode failure as the API server words it (the JSON decoder's `UnmarshalTypeError`).
fn type_error(go_struct: &str, path: &str, got: &Value, go_type: &str) -> ApiError {
    let kind = match got {
        Value::String(_) => "string".to_string(),
        Value::Number(n) => format!("number {n}"),
        Value::Bool(_) => "bool".to_string(),
        Value::Array(_) => "array".to_string(),
        Value::Object(_) => "object".to_string(),
        Value::Null => "null".to_string(),
    };
    let kind = if kind.starts_with("number") && !go_type.starts_with("int") {
        "number".to_string()
    } else {
        kind
    };
    ApiError::BadRequest(format!(
        "Service in version \"v1\" cannot be handled as a Service: json: cannot unmarshal {kind} into Go struct field {go_struct}.{path} of type {go_type}"
    ))
}

fn take(m: &mut Map<String, Value>, k: &str) -> Option<Value> {
    match m.remove(k) {
        None | Some(Value::Null) => None,
        v => v,
    }
}

fn string(
    m: &mut Map<String, Value>,
    k: &str,
    st: &str,
    path: &str,
    ty: &str,
) -> Result<String, ApiError> {
    match take(m, k) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s),
        Some(v) => Err(type_error(st, path, &v, ty)),
    }
}

fn opt_string(
    m: &mut Map<String, Value>,
    k: &str,
    st: &str,
    path: &str,
    ty: &str,
) -> Result<Option<String>, ApiError> {
    match take(m, k) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(type_error(st, path, &v, ty)),
    }
}

fn int32(v: Value, st: &str, path: &str) -> Result<i64, ApiError> {
    match v.as_i64() {
        Some(n) if i32::try_from(n).is_ok() => Ok(n),
        _ => Err(type_error(st, path, &v, "int32")),
    }
}

fn opt_int32(
    m: &mut Map<String, Value>,
    k: &str,
    st: &str,
    path: &str,
) -> Result<Option<i64>, ApiError> {
    take(m, k).map(|v| int32(v, st, path)).transpose()
}

fn strings(
    m: &mut Map<String, Value>,
    k: &str,
    st: &str,
    path: &str,
) -> Result<Vec<String>, ApiError> {
    match take(m, k) {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                Value::Null => Ok(String::new()),
                other => Err(type_error(st, path, &other, "string")),
            })
            .collect(),
        Some(v) => Err(type_error(st, path, &v, "[]string")),
    }
}

fn decode_port(v: Value) -> Result<Port, ApiError> {
    let mut m = match v {
        Value::Object(m) => m,
        // A `null` element decodes to the zero ServicePort, as Go's decoder leaves it.
        Value::Null => Map::new(),
        other => {
            return Err(type_error(
                "ServiceSpec",
                "spec.ports",
                &other,
                "v1.ServicePort",
            ));
        }
    };
    const ST: &str = "ServicePort";
    let name = string(&mut m, "name", ST, "spec.ports.name", "string")?;
    let protocol = string(&mut m, "protocol", ST, "spec.ports.protocol", "v1.Protocol")?;
    let app_protocol = opt_string(
        &mut m,
        "appProtocol",
        ST,
        "spec.ports.appProtocol",
        "string",
    )?;
    let port = opt_int32(&mut m, "port", ST, "spec.ports.port")?.unwrap_or(0);
    let target_port = match take(&mut m, "targetPort") {
        None => IntOrStr::Int(0),
        Some(Value::String(s)) => IntOrStr::Str(s),
        Some(v) => IntOrStr::Int(int32(v, ST, "spec.ports.targetPort")?),
    };
    let node_port = opt_int32(&mut m, "nodePort", ST, "spec.ports.nodePort")?.unwrap_or(0);
    Ok(Port {
        name,
        protocol,
        app_protocol,
        port,
        target_port,
        node_port,
        extra: m,
    })
}

fn decode_affinity(v: Value) -> Result<AffinityConfig, ApiError> {
    const P: &str = "spec.sessionAffinityConfig";
    let Value::Object(mut m) = v else {
        return Err(type_error("ServiceSpec", P, &v, "v1.SessionAffinityConfig"));
    };
    let Some(cip) = take(&mut m, "clientIP") else {
        return Ok(Some(None));
    };
    let Value::Object(mut c) = cip else {
        return Err(type_error(
            "SessionAffinityConfig",
            "spec.sessionAffinityConfig.clientIP",
            &cip,
            "v1.ClientIPConfig",
        ));
    };
    let t = match take(&mut c, "timeoutSeconds") {
        None => None,
        Some(v) => Some(int32(
            v,
            "ClientIPConfig",
            "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
        )?),
    };
    Ok(Some(Some(t)))
}

/// Decode `obj.spec` (absent → all zero values).
pub fn decode(obj: &Value) -> Result<Spec, ApiError> {
    let mut m = match obj.get("spec") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(v) => return Err(type_error("Service", "spec", v, "v1.ServiceSpec")),
    };
    const ST: &str = "ServiceSpec";
    let ports = match take(&mut m, "ports") {
        None => Vec::new(),
        Some(Value::Array(a)) => a.into_iter().map(decode_port).collect::<Result<_, _>>()?,
        Some(v) => return Err(type_error(ST, "spec.ports", &v, "[]v1.ServicePort")),
    };
    let selector = match take(&mut m, "selector") {
        None => None,
        Some(Value::Object(s)) => {
            for v in s.values() {
                if !v.is_string() && !v.is_null() {
                    return Err(type_error(ST, "spec.selector", v, "string"));
                }
            }
            let s: Map<String, Value> = s
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        if v.is_null() {
                            Value::String(String::new())
                        } else {
                            v
                        },
                    )
                })
                .collect();
            Some(s)
        }
        Some(v) => return Err(type_error(ST, "spec.selector", &v, "map[string]string")),
    };
    let session_affinity_config = match take(&mut m, "sessionAffinityConfig") {
        None => None,
        Some(v) => decode_affinity(v)?,
    };
    let allocate_lb_node_ports = match take(&mut m, "allocateLoadBalancerNodePorts") {
        None => None,
        Some(Value::Bool(b)) => Some(b),
        Some(v) => {
            return Err(type_error(
                ST,
                "spec.allocateLoadBalancerNodePorts",
                &v,
                "bool",
            ));
        }
    };
    Ok(Spec {
        ports,
        selector,
        cluster_ip: string(&mut m, "clusterIP", ST, "spec.clusterIP", "string")?,
        cluster_ips: strings(&mut m, "clusterIPs", ST, "spec.clusterIPs")?,
        type_: string(&mut m, "type", ST, "spec.type", "v1.ServiceType")?,
        external_ips: strings(&mut m, "externalIPs", ST, "spec.externalIPs")?,
        session_affinity: string(
            &mut m,
            "sessionAffinity",
            ST,
            "spec.sessionAffinity",
            "v1.ServiceAffinity",
        )?,
        load_balancer_source_ranges: strings(
            &mut m,
            "loadBalancerSourceRanges",
            ST,
            "spec.loadBalancerSourceRanges",
        )?,
        external_name: string(&mut m, "externalName", ST, "spec.externalName", "string")?,
        external_traffic_policy: string(
            &mut m,
            "externalTrafficPolicy",
            ST,
            "spec.externalTrafficPolicy",
            "v1.ServiceExternalTrafficPolicy",
        )?,
        health_check_node_port: opt_int32(
            &mut m,
            "healthCheckNodePort",
            ST,
            "spec.healthCheckNodePort",
        )?
        .unwrap_or(0),
        session_affinity_config,
        ip_families: strings(&mut m, "ipFamilies", ST, "spec.ipFamilies")?,
        ip_family_policy: opt_string(
            &mut m,
            "ipFamilyPolicy",
            ST,
            "spec.ipFamilyPolicy",
            "v1.IPFamilyPolicy",
        )?,
        allocate_lb_node_ports,
        load_balancer_class: opt_string(
            &mut m,
            "loadBalancerClass",
            ST,
            "spec.loadBalancerClass",
            "string",
        )?,
        internal_traffic_policy: opt_string(
            &mut m,
            "internalTrafficPolicy",
            ST,
            "spec.internalTrafficPolicy",
            "v1.ServiceInternalTrafficPolicy",
        )?,
        extra: m,
    })
}

fn put_str(m: &mut Map<String, Value>, k: &str, v: &str) {
    if !v.is_empty() {
        m.insert(k.into(), Value::String(v.to_string()));
    }
}

fn put_strs(m: &mut Map<String, Value>, k: &str, v: &[String]) {
    if !v.is_empty() {
        m.insert(k.into(), Value::from(v.to_vec()));
    }
}

fn encode_port(p: &Port) -> Value {
    let mut m = Map::new();
    put_str(&mut m, "name", &p.name);
    put_str(&mut m, "protocol", &p.protocol);
    if let Some(a) = &p.app_protocol {
        m.insert("appProtocol".into(), Value::String(a.clone()));
    }
    m.insert("port".into(), Value::from(p.port));
    m.insert(
        "targetPort".into(),
        match &p.target_port {
            IntOrStr::Int(n) => Value::from(*n),
            IntOrStr::Str(s) => Value::String(s.clone()),
        },
    );
    if p.node_port != 0 {
        m.insert("nodePort".into(), Value::from(p.node_port));
    }
    for (k, v) in &p.extra {
        m.insert(k.clone(), v.clone());
    }
    Value::Object(m)
}

/// The spec as `v1.ServiceSpec` marshals it: Go field order, `omitempty` fields dropped.
pub fn encode(s: &Spec) -> Value {
    let mut m = Map::new();
    if !s.ports.is_empty() {
        m.insert(
            "ports".into(),
            Value::Array(s.ports.iter().map(encode_port).collect()),
        );
    }
    if let Some(sel) = &s.selector {
        m.insert("selector".into(), Value::Object(sel.clone()));
    }
    put_str(&mut m, "clusterIP", &s.cluster_ip);
    put_strs(&mut m, "clusterIPs", &s.cluster_ips);
    put_str(&mut m, "type", &s.type_);
    put_strs(&mut m, "externalIPs", &s.external_ips);
    put_str(&mut m, "sessionAffinity", &s.session_affinity);
    put_strs(
        &mut m,
        "loadBalancerSourceRanges",
        &s.load_balancer_source_ranges,
    );
    put_str(&mut m, "externalName", &s.external_name);
    put_str(&mut m, "externalTrafficPolicy", &s.external_traffic_policy);
    if s.health_check_node_port != 0 {
        m.insert(
            "healthCheckNodePort".into(),
            Value::from(s.health_check_node_port),
        );
    }
    if let Some(c) = &s.session_affinity_config {
        let v = match c {
            None => serde_json::json!({}),
            Some(None) => serde_json::json!({"clientIP": {}}),
            Some(Some(t)) => serde_json::json!({"clientIP": {"timeoutSeconds": t}}),
        };
        m.insert("sessionAffinityConfig".into(), v);
    }
    put_strs(&mut m, "ipFamilies", &s.ip_families);
    if let Some(p) = &s.ip_family_policy {
        m.insert("ipFamilyPolicy".into(), Value::String(p.clone()));
    }
    if let Some(b) = s.allocate_lb_node_ports {
        m.insert("allocateLoadBalancerNodePorts".into(), Value::Bool(b));
    }
    if let Some(c) = &s.load_balancer_class {
        m.insert("loadBalancerClass".into(), Value::String(c.clone()));
    }
    if let Some(p) = &s.internal_traffic_policy {
        m.insert("internalTrafficPolicy".into(), Value::String(p.clone()));
    }
    for (k, v) in &s.extra {
        m.insert(k.clone(), v.clone());
    }
    Value::Object(m)
}
