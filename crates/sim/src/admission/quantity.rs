//! Resource quantities (`apimachinery/pkg/api/resource/quantity.go`): parsing into a number for
//! comparisons (requests ≤ limits, QoS), and the parse errors the decoder reports.
//!
//! Values compare as `f64`, which is exact for every quantity a drill writes; the canonical
//! re-rendering Go does (`2000m` → `2`) is not reproduced: messages print what the client sent.

use serde_json::Value;

/// `ErrFormatWrong`.
pub(crate) const FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/// `ErrSuffix`.
pub(crate) const SUFFIX_WRONG: &str = "unable to parse quantity's suffix";

/// A quantity as JSON carries it: a string, or a bare number.
pub(crate) fn parse_value(v: &Value) -> Result<f64, &'static str> {
    match v {
        Value::String(s) => parse(s),
        Value::Number(n) => n.as_f64().ok_or(FORMAT_WRONG),
        _ => Err(FORMAT_WRONG),
    }
}

/// What the client wrote, for messages.
pub(crate) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `ParseQuantity`.
pub(crate) fn parse(s: &str) -> Result<f64, &'static str> {
    let s = s.trim();
    if s.is_empty() {
        return Err(FORMAT_WRONG);
    }
    let (sign, rest) = match s.as_bytes()[0] {
        b'+' => (1.0, &s[1..]),
        b'-' => (-1.0, &s[1..]),
        _ => (1.0, s),
    };
    let num_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (num, suffix) = rest.split_at(num_end);
    if num.is_empty() || num.matches('.').count() > 1 || num == "." {
        return Err(FORMAT_WRONG);
    }
    let base: f64 = num.parse().map_err(|_| FORMAT_WRONG)?;
    let valid_chars = suffix
        .bytes()
        .all(|c| b"eEinumkKMGTP+-0123456789".contains(&c));
    if !valid_chars {
        return Err(FORMAT_WRONG);
    }
    let mult = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        other => {
            let exp = other
                .strip_prefix('e')
                .or_else(|| other.strip_prefix('E'))
                .ok_or(SUFFIX_WRONG)?;
            let e: i32 = exp.parse().map_err(|_| SUFFIX_WRONG)?;
            10f64.powi(e)
        }
    };
    Ok(sign * base * mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse_with_decimal_binary_and_exponent_suffixes() {
        assert_eq!(parse("100m"), Ok(0.1));
        assert_eq!(parse("1Gi"), Ok(1073741824.0));
        assert_eq!(parse("2"), Ok(2.0));
        assert_eq!(parse("1e3"), Ok(1000.0));
        assert_eq!(parse("1GB"), Err(FORMAT_WRONG));
        assert_eq!(parse("abc"), Err(FORMAT_WRONG));
        assert_eq!(parse("1Gj"), Err(FORMAT_WRONG));
        assert_eq!(parse("1iG"), Err(SUFFIX_WRONG));
    }
}
