//! Ages as the printers write them: apimachinery `duration.HumanDuration` and the printers'
//! `translateTimestampSince` (`<unknown>` for a missing time).

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// `duration.HumanDuration`: ~2-3 significant figures (`45s`, `5m30s`, `3h5m`, `2d3h`, `3y45d`).
/// Up to a second in the future counts as now (clock skew); further is `<invalid>`.
pub fn human_duration(d: SignedDuration) -> String {
    human_nanos(d.as_nanos())
}

fn human_nanos(nanos: i128) -> String {
    // Go's `int(d.Seconds())` truncates toward zero, so -1.9s is still "0s".
    let seconds = nanos / NANOS_PER_SECOND;
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        if s == 0 {
            return format!("{minutes}m");
        }
        return format!("{minutes}m{s}s");
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            return format!("{hours}h");
        }
        return format!("{hours}h{m}m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            return format!("{}d", hours / 24);
        }
        return format!("{}d{h}h", hours / 24);
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        if dy == 0 {
            return format!("{}y", hours / 24 / 365);
        }
        return format!("{}y{dy}d", hours / 24 / 365);
    }
    format!("{}y", hours / 24 / 365)
}

/// A `metav1.Time` / `MicroTime` JSON value; `None` for null, absent or unparseable (the zero
/// time, to the printers).
pub(super) fn parse(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|s| s.parse().ok())
}

/// `translateTimestampSince`: the age of `v` at `now`, `<unknown>` for the zero time.
pub(super) fn since(v: &Value, now: Timestamp) -> String {
    match parse(v) {
        Some(t) => since_time(t, now),
        None => "<unknown>".to_string(),
    }
}

/// The age of a parsed time at `now`.
pub(super) fn since_time(t: Timestamp, now: Timestamp) -> String {
    human_nanos(now.as_nanosecond() - t.as_nanosecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: i64) -> String {
        human_duration(SignedDuration::from_secs(s))
    }

    #[test]
    fn human_duration_matches_apimachinery_boundaries() {
        let cases: &[(i64, &str)] = &[
            (0, "0s"),
            (-1, "0s"),
            (-2, "<invalid>"),
            (59, "59s"),
            (119, "119s"),
            (120, "2m"),
            (125, "2m5s"),
            (599, "9m59s"),
            (600, "10m"),
            (3 * 3600 - 1, "179m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 5 * 60, "3h5m"),
            (8 * 3600, "8h"),
            (47 * 3600 + 3599, "47h"),
            (48 * 3600, "2d"),
            (51 * 3600, "2d3h"),
            (8 * 86400, "8d"),
            (2 * 365 * 86400 - 1, "729d"),
            (2 * 365 * 86400, "2y"),
            (3 * 365 * 86400 + 45 * 86400, "3y45d"),
            (8 * 365 * 86400, "8y"),
        ];
        for (s, want) in cases {
            assert_eq!(secs(*s), *want, "{s}s");
        }
    }

    #[test]
    fn sub_second_skew_truncates_toward_zero() {
        assert_eq!(human_nanos(-1_900_000_000), "0s");
        assert_eq!(human_nanos(-2_000_000_000), "<invalid>");
        assert_eq!(human_nanos(1_999_999_999), "1s");
    }

    #[test]
    fn missing_or_bad_time_is_unknown() {
        let now = Timestamp::UNIX_EPOCH;
        assert_eq!(since(&Value::Null, now), "<unknown>");
        assert_eq!(since(&Value::from("yesterday"), now), "<unknown>");
    }
}
