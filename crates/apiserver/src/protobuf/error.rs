//! prost's decode errors reworded as the gogo-protobuf `Unmarshal` errors the API server
//! returns for the same malformed bytes (`unexpected EOF`, `proto: wrong wireType = 2 for field
//! Replicas`, …), using the Go type and field names from the generated tables.

use super::ProtoError;
use super::tables::GO_NAMES;

/// The Go names for a k8s-pb `(message, field)`: `(Go type, Go field, Go type of the field)`.
fn go_names(message: &str, field: &str) -> Option<(&'static str, &'static str, &'static str)> {
    GO_NAMES
        .binary_search_by(|(m, f, ..)| (*m, *f).cmp(&(message, field)))
        .ok()
        .map(|i| {
            let (_, _, go_msg, go_field, inner) = GO_NAMES[i];
            (go_msg, go_field, inner)
        })
}

/// Split prost's `Display` (`failed to decode Protobuf message: A.b: C.d: description`) into
/// the innermost-first `(message, field)` stack and the description.
fn parse(text: &str) -> (Vec<(&str, &str)>, &str) {
    let mut rest = text
        .strip_prefix("failed to decode Protobuf message: ")
        .unwrap_or(text);
    let mut stack = Vec::new();
    while let Some((head, tail)) = rest.split_once(": ") {
        let Some((m, f)) = head.split_once('.') else {
            break;
        };
        let ident = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '#')
        };
        if !ident(m) || !ident(f) {
            break;
        }
        stack.push((m, f));
        rest = tail;
    }
    (stack, rest)
}

fn wire_type_number(name: &str) -> Option<u8> {
    Some(match name {
        "Varint" => 0,
        "SixtyFourBit" => 1,
        "LengthDelimited" => 2,
        "StartGroup" => 3,
        "EndGroup" => 4,
        "ThirtyTwoBit" => 5,
        _ => return None,
    })
}

/// `top` is the Go type of the outermost message being decoded (`Deployment`, `Unknown`).
pub(super) fn from_prost(e: &prost::DecodeError, top: &str) -> ProtoError {
    let text = e.to_string();
    let (stack, description) = parse(&text);
    let innermost = stack.first().and_then(|(m, f)| go_names(m, f));
    // The message whose own field loop failed: the innermost field's type, or the top.
    let looping = innermost.map_or(
        top,
        |(_, _, inner)| if inner.is_empty() { top } else { inner },
    );
    let msg = if let Some(rest) = description.strip_prefix("invalid wire type: ") {
        let actual = rest.split(' ').next().and_then(wire_type_number);
        match (actual, innermost) {
            (Some(n), Some((_, go_field, _))) => {
                format!("proto: wrong wireType = {n} for field {go_field}")
            }
            _ => description.to_owned(),
        }
    } else if let Some(value) = description.strip_prefix("invalid wire type value: ") {
        format!("proto: illegal wireType {value}")
    } else if let Some(key) = description.strip_prefix("invalid key value: ") {
        // gogo reads the field number as int32 and refuses it when not positive.
        let key: u64 = key.parse().unwrap_or(0);
        let field = (key >> 3) as u32 as i32;
        format!(
            "proto: {looping}: illegal tag {field} (wire type {})",
            key & 7
        )
    } else {
        match description {
            "invalid tag value: 0" => format!("proto: {looping}: illegal tag 0 (wire type 0)"),
            "unexpected end group tag" => {
                format!("proto: {looping}: wiretype end group for non-group")
            }
            "buffer underflow"
            | "delimited length exceeded"
            | "length delimiter exceeds maximum usize value"
            | "invalid varint" => "unexpected EOF".to_owned(),
            other => other.to_owned(),
        }
    };
    ProtoError::Decode(msg)
}

/// Go's `strconv.Quote` (what `%#v` prints for a string).
pub(super) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
