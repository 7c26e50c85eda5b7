//! Bounded integer query parameters. Every numeric parameter of the API is an [`Int`] with its range
//! in the type, so a value out of range, beyond 64 bits or not a number is a 422 naming the parameter
//! (the path comes from axum's `serde_path_to_error` wrapping) and never reaches a conversion that
//! could panic (issue 11: `?limit=9223372036854775808` overflowed a u64 → i64 cast).
//!
//! The OpenAPI document states the same bounds (`#[param(value_type = i64, minimum = .., maximum = ..)]`
//! beside each field); `tests/api.rs` sends each documented bound ± 1 to every list endpoint, so the
//! two cannot drift apart unnoticed.
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// An integer in `MIN..=MAX`, parsed from a query-string value (or a JSON number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Int<const MIN: i64, const MAX: i64>(i64);

impl<const MIN: i64, const MAX: i64> Int<MIN, MAX> {
    pub fn get(self) -> i64 {
        self.0
    }

    /// The value as a `u64`; lossless because every range used with it starts at 0 or above.
    pub fn unsigned(self) -> u64 {
        u64::try_from(self.0).unwrap_or(0)
    }

    /// The value as an `i32`, for ranges that lie within it (SoA version numbers).
    pub fn as_i32(self) -> i32 {
        i32::try_from(self.0).unwrap_or(i32::MAX)
    }

    fn check(v: i128) -> Option<Self> {
        i64::try_from(v).ok().filter(|v| (MIN..=MAX).contains(v)).map(Self)
    }
}

struct IntVisitor<const MIN: i64, const MAX: i64>;

impl<'de, const MIN: i64, const MAX: i64> Visitor<'de> for IntVisitor<MIN, MAX> {
    type Value = Int<MIN, MAX>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an integer from {MIN} to {MAX}")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Int::check(i128::from(v)).ok_or_else(|| E::custom(format!("must be an integer from {MIN} to {MAX} (got {v})")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Int::check(i128::from(v)).ok_or_else(|| E::custom(format!("must be an integer from {MIN} to {MAX} (got {v})")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        // Parse as i128 so values past 64 bits are "out of range", not a parse error of another kind.
        v.trim()
            .parse::<i128>()
            .ok()
            .and_then(Int::check)
            .ok_or_else(|| E::custom(format!("must be an integer from {MIN} to {MAX} (got '{}')", v.chars().take(40).collect::<String>())))
    }
}

impl<'de, const MIN: i64, const MAX: i64> serde::Deserialize<'de> for Int<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Query strings carry text; `deserialize_any` lets JSON bodies pass numbers too.
        d.deserialize_any(IntVisitor::<MIN, MAX>)
    }
}

/// `limit` of a list endpoint: at least 1, at most 1000 items a page.
pub type Limit = Int<1, 1000>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Q {
        limit: Option<Limit>,
    }

    fn parse(qs: &str) -> Result<Option<i64>, String> {
        serde_urlencoded::from_str::<Q>(qs).map(|q| q.limit.map(Int::get)).map_err(|e| e.to_string())
    }

    #[test]
    fn limit_is_bounded_and_errors_name_the_parameter() {
        assert_eq!(parse("limit=1"), Ok(Some(1)));
        assert_eq!(parse("limit=1000"), Ok(Some(1000)));
        assert_eq!(parse(""), Ok(None));
        for bad in ["0", "-1", "1001", "9223372036854775808", "18446744073709551616", "1e3", "abc", ""] {
            let err = parse(&format!("limit={bad}")).unwrap_err();
            assert!(err.starts_with("must be an integer from 1 to 1000"), "{bad}: {err}");
        }
    }

    proptest::proptest! {
        /// Any text is either refused with the range in the message or is an integer within the range.
        #[test]
        fn any_value_parses_to_an_in_range_integer_or_is_refused(raw in ".{0,30}", n in proptest::num::i128::ANY) {
            for text in [raw, n.to_string()] {
                let qs = serde_urlencoded::to_string([("limit", text.as_str())]).unwrap();
                match parse(&qs) {
                    Ok(Some(v)) => proptest::prop_assert!((1..=1000).contains(&v) && text.trim().parse::<i128>() == Ok(i128::from(v))),
                    Ok(None) => proptest::prop_assert!(false, "a present value cannot be absent"),
                    Err(e) => proptest::prop_assert!(e.starts_with("must be an integer from 1 to 1000"), "{}", e),
                }
            }
        }
    }
}
