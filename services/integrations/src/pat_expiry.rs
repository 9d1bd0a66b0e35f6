//! The PAT's expiry, as the admin gives it (`PATCH … {"pat_expires_at": "2027-01-31"}`, or
//! with the PAT on create): parsing, and the warning thresholds of issue #11 (30, 7 and 1
//! days before, and after).
//!
//! ADO can tell a PAT's expiry itself only through the PAT lifecycle API
//! (`_apis/tokens/pats`), which needs a Microsoft Entra token rather than the PAT, so
//! navsync does not learn it: the admin types the date shown when the PAT was made.

use chrono::{DateTime, Datelike, TimeDelta, Utc};
use navsync_platform::ApiError;
use serde::Serialize;

/// The warning thresholds, in days before expiry; 0 is "expired".
pub const THRESHOLDS: [i32; 4] = [30, 7, 1, 0];

/// A date (`YYYY-MM-DD`, the end of that day in UTC) or an RFC 3339 instant, strictly in
/// the future, and in years of four digits once in UTC: the view writes it back as an RFC
/// 3339 `date-time`, which has no room for `+10000` (chrono alone reads such dates).
pub fn parse(value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, ApiError> {
    let value = value.trim();
    let at = if let Some(date) = navsync_contracts::full_date(value) {
        date.and_hms_opt(23, 59, 59).map(|t| t.and_utc())
    } else {
        DateTime::parse_from_rfc3339(value)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }
    .filter(|at| (0..=9999).contains(&at.year()));
    let at = at.ok_or_else(|| {
        ApiError::unprocessable(
            "invalid_pat_expires_at",
            "pat_expires_at must be a date (YYYY-MM-DD) or an RFC 3339 time.",
        )
    })?;
    if at <= now {
        return Err(ApiError::unprocessable(
            "invalid_pat_expires_at",
            "pat_expires_at must be in the future.",
        ));
    }
    Ok(at)
}

/// Whole days left (negative once expired).
pub fn days_left(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let left = expires_at - now;
    if left <= TimeDelta::zero() {
        -((now - expires_at).num_days()) - 1
    } else {
        left.num_days()
    }
}

/// The smallest threshold already reached: `Some(30)` within 30 days, … `Some(0)` once
/// expired; `None` while more than 30 days are left.
pub fn threshold(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<i32> {
    if expires_at <= now {
        return Some(0);
    }
    let left = expires_at - now;
    THRESHOLDS
        .iter()
        .copied()
        .filter(|t| *t > 0 && left <= TimeDelta::days(i64::from(*t)))
        .min()
}

/// `pat_expiry_warning` of the integration view.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[schema(as = PatExpiryWarning)]
pub struct Warning {
    /// 30, 7, 1, or 0 (expired).
    pub threshold_days: i32,
    pub days_left: i64,
    pub message: String,
}

pub fn warning(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<Warning> {
    let expires_at = expires_at?;
    let threshold_days = threshold(expires_at, now)?;
    let days_left = days_left(expires_at, now);
    let message = if threshold_days == 0 {
        "The PAT has expired: sync stops until a new PAT is saved.".to_owned()
    } else {
        format!(
            "The PAT expires in {days_left} day(s), on {}: save a new PAT before then.",
            expires_at.format("%Y-%m-%d")
        )
    };
    Some(Warning {
        threshold_days,
        days_left,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("valid")
            .with_timezone(&Utc)
    }

    #[test]
    fn dates_in_the_future_are_accepted_and_others_refused() {
        let now = at("2026-11-30T12:00:00Z");
        assert_eq!(
            parse("2026-12-31", now).expect("future"),
            at("2026-12-31T23:59:59Z")
        );
        assert!(parse("2026-11-29", now).is_err());
        assert!(parse("yesterday", now).is_err());
        assert!(parse("2026-12-01T00:00:00+01:00", now).is_ok());
    }

    #[test]
    fn years_beyond_four_digits_are_refused() {
        let now = at("2026-11-30T12:00:00Z");
        assert!(parse("9999-12-31", now).is_ok());
        assert!(parse("9999-12-31T23:59:59Z", now).is_ok());
        for bad in ["+10000-01-01", "+99999-12-31", "9999-12-31T23:59:59-01:00"] {
            assert!(parse(bad, now).is_err(), "{bad}");
        }
    }

    #[test]
    fn thresholds_are_30_7_1_and_expired() {
        let now = at("2026-11-30T00:00:00Z");
        assert_eq!(threshold(at("2027-01-15T00:00:00Z"), now), None);
        assert_eq!(threshold(at("2026-12-30T00:00:00Z"), now), Some(30));
        assert_eq!(threshold(at("2026-12-05T00:00:00Z"), now), Some(7));
        assert_eq!(threshold(at("2026-11-30T20:00:00Z"), now), Some(1));
        assert_eq!(threshold(at("2026-11-29T20:00:00Z"), now), Some(0));
        let w = warning(Some(at("2026-12-05T00:00:00Z")), now).expect("warned");
        assert_eq!((w.threshold_days, w.days_left), (7, 5));
    }
}
