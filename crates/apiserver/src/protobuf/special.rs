//! The apimachinery types with a JSON form of their own (`MarshalJSON` in Go): `Time`,
//! `MicroTime`, `Duration`, `FieldsV1`, `IntOrString`, `Quantity`, `RawExtension`.

use serde_json::Value;

use super::ProtoError;
use super::json::{OmitZero, ToValue};
use super::tables::pb::{intstr, meta_v1, resource, runtime};

/// Seconds from the Unix epoch to Go's zero `time.Time` (January 1, year 1, UTC).
const GO_ZERO_UNIX: i64 = -62_135_596_800;

/// `metav1.Time.Unmarshal`: an empty message is the zero time; otherwise the seconds only (the
/// nanoseconds are dropped on purpose upstream, to match what JSON clients can write).
fn time_seconds(t: &meta_v1::Time) -> Option<i64> {
    if t.seconds.is_none() && t.nanos.is_none() {
        return None;
    }
    let s = t.seconds.unwrap_or(0);
    (s != GO_ZERO_UNIX).then_some(s)
}

impl ToValue for meta_v1::Time {
    /// `metav1.Time.MarshalJSON`: `null` for the zero time, else RFC 3339 in UTC.
    fn to_value(&self) -> Result<Value, ProtoError> {
        Ok(match time_seconds(self) {
            None => Value::Null,
            Some(s) => Value::String(format!("{}Z", civil(s))),
        })
    }
}

impl OmitZero for meta_v1::Time {
    fn omit_zero(&self) -> bool {
        time_seconds(self).is_none()
    }
}

impl ToValue for meta_v1::MicroTime {
    /// `metav1.MicroTime`: nanoseconds truncated to microseconds, `RFC3339Micro` in UTC.
    fn to_value(&self) -> Result<Value, ProtoError> {
        if self.seconds.is_none() && self.nanos.is_none() {
            return Ok(Value::Null);
        }
        // time.Unix normalises nanoseconds outside [0, 1e9) into the seconds.
        let nanos = i64::from(self.nanos.unwrap_or(0));
        let micros_total = nanos / 1_000;
        let secs = self
            .seconds
            .unwrap_or(0)
            .saturating_add(micros_total.div_euclid(1_000_000));
        let micros = micros_total.rem_euclid(1_000_000);
        if secs == GO_ZERO_UNIX && micros == 0 {
            return Ok(Value::Null);
        }
        Ok(Value::String(format!("{}.{micros:06}Z", civil(secs))))
    }
}

/// `YYYY-MM-DDTHH:MM:SS` for seconds since the Unix epoch (proleptic Gregorian, UTC), the
/// year printed as Go's `2006` layout does (at least four digits, `-` for negative years).
fn civil(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm, in i128 so no input can overflow.
    let z = i128::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i128::from(month <= 2);
    let year = if year < 0 {
        format!("-{:04}", -year)
    } else {
        format!("{year:04}")
    };
    format!(
        "{year}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        sod / 3_600,
        sod % 3_600 / 60,
        sod % 60
    )
}

impl ToValue for meta_v1::Duration {
    /// `metav1.Duration.MarshalJSON`: Go's `time.Duration.String()`.
    fn to_value(&self) -> Result<Value, ProtoError> {
        Ok(Value::String(go_duration(self.duration.unwrap_or(0))))
    }
}

/// Go's `time.Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`.
pub(crate) fn go_duration(d: i64) -> String {
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    // Built back to front, as Go does.
    let mut out: Vec<char> = Vec::new();
    let push_int = |out: &mut Vec<char>, mut v: u64| {
        if v == 0 {
            out.push('0');
        }
        while v > 0 {
            out.push(char::from(b'0' + (v % 10) as u8));
            v /= 10;
        }
    };
    let frac = |out: &mut Vec<char>, mut v: u64, prec: u32| -> u64 {
        let mut print = false;
        for _ in 0..prec {
            let digit = v % 10;
            print = print || digit != 0;
            if print {
                out.push(char::from(b'0' + digit as u8));
            }
            v /= 10;
        }
        if print {
            out.push('.');
        }
        v
    };
    if u < 1_000_000_000 {
        out.push('s');
        let prec = match u {
            0 => {
                out.push('0');
                return finish(out, false);
            }
            1..=999 => {
                out.push('n');
                0
            }
            1_000..=999_999 => {
                out.push('µ');
                3
            }
            _ => {
                out.push('m');
                6
            }
        };
        u = frac(&mut out, u, prec);
        push_int(&mut out, u);
    } else {
        out.push('s');
        u = frac(&mut out, u, 9);
        push_int(&mut out, u % 60);
        u /= 60;
        if u > 0 {
            out.push('m');
            push_int(&mut out, u % 60);
            u /= 60;
            if u > 0 {
                out.push('h');
                push_int(&mut out, u);
            }
        }
    }
    finish(out, neg)
}

fn finish(mut out: Vec<char>, neg: bool) -> String {
    if neg {
        out.push('-');
    }
    out.iter().rev().collect()
}

/// `FieldsV1` and `RawExtension` marshal their raw bytes verbatim (they hold JSON), `null`
/// when unset.
fn raw_json(raw: &Option<Vec<u8>>, ty: &str) -> Result<Value, ProtoError> {
    match raw {
        None => Ok(Value::Null),
        Some(raw) => serde_json::from_slice(raw).map_err(|e| {
            ProtoError::Decode(format!(
                "json: error calling MarshalJSON for type {ty}: {e}"
            ))
        }),
    }
}

impl ToValue for meta_v1::FieldsV1 {
    fn to_value(&self) -> Result<Value, ProtoError> {
        raw_json(&self.raw, "*v1.FieldsV1")
    }
}

impl ToValue for runtime::RawExtension {
    fn to_value(&self) -> Result<Value, ProtoError> {
        raw_json(&self.raw, "runtime.RawExtension")
    }
}

impl ToValue for intstr::IntOrString {
    /// `intstr.IntOrString.MarshalJSON`: the int or the string, by `type`.
    fn to_value(&self) -> Result<Value, ProtoError> {
        match self.r#type.unwrap_or(0) {
            0 => Ok(Value::from(self.int_val.unwrap_or(0))),
            1 => Ok(Value::String(self.str_val.clone().unwrap_or_default())),
            _ => Err(ProtoError::Decode(
                "json: error calling MarshalJSON for type intstr.IntOrString: impossible IntOrString.Type"
                    .to_owned(),
            )),
        }
    }
}

impl ToValue for resource::Quantity {
    /// The quantity as the client wrote it (Go clients write the canonical form); a missing
    /// string is the zero quantity, `"0"`. Parsing and its errors are the simulator's, as for
    /// JSON bodies.
    fn to_value(&self) -> Result<Value, ProtoError> {
        Ok(Value::String(
            self.string.clone().unwrap_or_else(|| "0".to_owned()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::{civil, go_duration};

    #[test]
    fn durations_print_as_go_does() {
        let cases = [
            (0, "0s"),
            (1, "1ns"),
            (1_500, "1.5µs"),
            (1_500_000, "1.5ms"),
            (1_000_000_000, "1s"),
            (90_000_000_000, "1m30s"),
            (3_600_000_000_000, "1h0m0s"),
            (-5_000_000_000, "-5s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
        ];
        for (d, want) in cases {
            assert_eq!(go_duration(d), want, "{d}");
        }
    }

    #[test]
    fn civil_dates_match_go_including_far_years() {
        assert_eq!(civil(0), "1970-01-01T00:00:00");
        assert_eq!(civil(951_782_400), "2000-02-29T00:00:00");
        assert_eq!(civil(-1), "1969-12-31T23:59:59");
        assert_eq!(civil(253_402_300_800), "10000-01-01T00:00:00");
        assert_eq!(civil(-62_167_219_200), "0000-01-01T00:00:00");
        assert_eq!(civil(-62_198_755_200), "-0001-01-01T00:00:00");
        // Extreme inputs print something rather than overflow.
        assert!(!civil(i64::MIN).is_empty());
        assert!(!civil(i64::MAX).is_empty());
    }
}
