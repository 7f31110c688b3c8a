//! The Go `encoding/json` rules the generated tables apply to a decoded k8s-pb message: which
//! fields appear, and how scalars, bytes, lists and maps are written.
//!
//! k8s-pb declares every field `optional` (proto2), but the Go structs behind the wire format
//! do not: gogo-protobuf writes every non-pointer field, zero or not, and Go's JSON then drops
//! the zero ones tagged `omitempty`. Each helper below is one such combination, named after
//! the Go declaration it stands for.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::ProtoError;

/// A JSON object under construction.
pub(crate) type Obj = Map<String, Value>;

/// A k8s-pb message whose fields are written as Go writes the matching struct.
pub(crate) trait Message {
    fn write(&self, o: &mut Obj) -> Result<(), ProtoError>;
}

/// A value as Go's JSON encoder writes it.
pub(crate) trait ToValue {
    fn to_value(&self) -> Result<Value, ProtoError>;
}

/// Go's `omitempty` test for scalars and `[]byte`.
pub(crate) trait IsZero {
    fn is_zero(&self) -> bool;
}

/// Go's `omitzero` test: the type's own `IsZero` (only `metav1.Time` uses it).
pub(crate) trait OmitZero {
    fn omit_zero(&self) -> bool;
}

impl ToValue for String {
    fn to_value(&self) -> Result<Value, ProtoError> {
        Ok(Value::String(self.clone()))
    }
}
impl IsZero for String {
    fn is_zero(&self) -> bool {
        self.is_empty()
    }
}
impl ToValue for bool {
    fn to_value(&self) -> Result<Value, ProtoError> {
        Ok(Value::Bool(*self))
    }
}
impl IsZero for bool {
    fn is_zero(&self) -> bool {
        !*self
    }
}
impl ToValue for i32 {
    fn to_value(&self) -> Result<Value, ProtoError> {
        Ok(Value::from(*self))
    }
}
impl IsZero for i32 {
    fn is_zero(&self) -> bool {
        *self == 0
    }
}
impl ToValue for i64 {
    fn to_value(&self) -> Result<Value, ProtoError> {
        Ok(Value::from(*self))
    }
}
impl IsZero for i64 {
    fn is_zero(&self) -> bool {
        *self == 0
    }
}
/// `[]byte` is standard base64 with padding in Go's JSON.
impl ToValue for Vec<u8> {
    fn to_value(&self) -> Result<Value, ProtoError> {
        Ok(Value::String(
            base64::engine::general_purpose::STANDARD.encode(self),
        ))
    }
}
impl IsZero for Vec<u8> {
    fn is_zero(&self) -> bool {
        self.is_empty()
    }
}

/// The object a message writes.
pub(crate) fn object<M: Message>(m: &M) -> Result<Value, ProtoError> {
    let mut o = Obj::new();
    m.write(&mut o)?;
    Ok(Value::Object(o))
}

/// `ToValue` for generated messages: they are JSON objects.
macro_rules! as_value {
    ($($t:ty),* $(,)?) => {
        $(impl ToValue for $t {
            fn to_value(&self) -> Result<serde_json::Value, ProtoError> {
                object(self)
            }
        })*
    };
}
pub(crate) use as_value;

/// A non-pointer field without `omitempty` (and any non-pointer struct): always written, the
/// Go zero value when the wire had none.
pub(crate) fn always<T: ToValue + Default>(
    o: &mut Obj,
    key: &str,
    v: &Option<T>,
) -> Result<(), ProtoError> {
    let value = match v {
        Some(v) => v.to_value()?,
        None => T::default().to_value()?,
    };
    o.insert(key.to_owned(), value);
    Ok(())
}

/// A non-pointer scalar (or `[]byte`) with `omitempty`: written unless zero.
pub(crate) fn omit_empty<T: ToValue + IsZero>(
    o: &mut Obj,
    key: &str,
    v: &Option<T>,
) -> Result<(), ProtoError> {
    if let Some(v) = v
        && !v.is_zero()
    {
        o.insert(key.to_owned(), v.to_value()?);
    }
    Ok(())
}

/// A non-pointer struct with `omitzero`: written unless its `IsZero` says so.
pub(crate) fn omit_zero<T: ToValue + OmitZero + Default>(
    o: &mut Obj,
    key: &str,
    v: &Option<T>,
) -> Result<(), ProtoError> {
    match v {
        Some(v) if !v.omit_zero() => {
            o.insert(key.to_owned(), v.to_value()?);
        }
        _ => {}
    }
    Ok(())
}

/// A pointer with `omitempty`: written when it was on the wire, zero or not.
pub(crate) fn ptr<T: ToValue>(o: &mut Obj, key: &str, v: &Option<T>) -> Result<(), ProtoError> {
    if let Some(v) = v {
        o.insert(key.to_owned(), v.to_value()?);
    }
    Ok(())
}

/// A pointer (or `[]byte`) without `omitempty`: `null` when absent.
pub(crate) fn ptr_null<T: ToValue>(
    o: &mut Obj,
    key: &str,
    v: &Option<T>,
) -> Result<(), ProtoError> {
    let value = match v {
        Some(v) => v.to_value()?,
        None => Value::Null,
    };
    o.insert(key.to_owned(), value);
    Ok(())
}

fn array<T: ToValue>(v: &[T]) -> Result<Value, ProtoError> {
    v.iter()
        .map(ToValue::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

/// A slice with `omitempty`: written when non-empty.
pub(crate) fn list_oe<T: ToValue>(o: &mut Obj, key: &str, v: &[T]) -> Result<(), ProtoError> {
    if !v.is_empty() {
        o.insert(key.to_owned(), array(v)?);
    }
    Ok(())
}

/// A slice without `omitempty`: an empty repeated field decodes to a nil slice, which Go
/// writes as `null`.
pub(crate) fn list<T: ToValue>(o: &mut Obj, key: &str, v: &[T]) -> Result<(), ProtoError> {
    let value = if v.is_empty() { Value::Null } else { array(v)? };
    o.insert(key.to_owned(), value);
    Ok(())
}

fn mapping<T: ToValue>(v: &BTreeMap<String, T>) -> Result<Value, ProtoError> {
    let mut m = Obj::new();
    for (k, v) in v {
        m.insert(k.clone(), v.to_value()?);
    }
    Ok(Value::Object(m))
}

/// A map with `omitempty`: written when non-empty.
pub(crate) fn map_oe<T: ToValue>(
    o: &mut Obj,
    key: &str,
    v: &BTreeMap<String, T>,
) -> Result<(), ProtoError> {
    if !v.is_empty() {
        o.insert(key.to_owned(), mapping(v)?);
    }
    Ok(())
}

/// An embedded struct tagged `json:",inline"` (e.g. `Volume.VolumeSource`): its fields are
/// written into the parent object; the proto message nests them under a field of its own.
pub(crate) fn inline<T: Message + Default>(o: &mut Obj, v: &Option<T>) -> Result<(), ProtoError> {
    match v {
        Some(v) => v.write(o),
        None => T::default().write(o),
    }
}

/// Decode `raw` as the k8s-pb message `M` (Go type `go_name`) and write it as JSON.
pub(crate) fn typed<M: prost::Message + Default + Message>(
    raw: &[u8],
    go_name: &str,
) -> Result<Obj, ProtoError> {
    let m = M::decode(raw).map_err(|e| super::error::from_prost(&e, go_name))?;
    let mut o = Obj::new();
    m.write(&mut o)?;
    Ok(o)
}
