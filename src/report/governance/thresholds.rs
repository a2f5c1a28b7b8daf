//! The numbers that decide when a pattern of calls becomes a finding. The defaults suit an
//! account with a handful of applications; a policy file's `[thresholds]` table overrides
//! any of them (same names).

use rust_decimal::Decimal;

/// Finding thresholds. Windows slide: a burst is any run of matching calls whose first and
/// last call are at most the window apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// `access-denied-burst`: this many `AccessDenied`, `AccessDeniedException` or
    /// `UnauthorizedOperation` errors by one principal within the window (default 10).
    pub access_denied_burst: u64,
    /// The window of `access-denied-burst`, in minutes (default 10).
    pub access_denied_window_minutes: u64,
    /// `validation-burst`: this many `ValidationException` errors by one principal within
    /// the window (default 10): requests built to probe which models answer.
    pub validation_burst: u64,
    /// The window of `validation-burst`, in minutes (default 10).
    pub validation_window_minutes: u64,
    /// `availability-probing`: this many `GetFoundationModelAvailability`,
    /// `ListFoundationModels` or `GetFoundationModel` calls by one principal within the
    /// window (default 5). Stolen-key tooling checks which models an account may use.
    pub availability_probing: u64,
    /// The window of `availability-probing`, in minutes (default 60).
    pub probing_window_minutes: u64,
    /// `high-error-rate`: a principal × model needs at least this many calls (default 20)…
    pub high_error_rate_min_calls: u64,
    /// …and at least this share of them failed, in percent (default 25).
    pub high_error_rate_pct: Decimal,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            access_denied_burst: 10,
            access_denied_window_minutes: 10,
            validation_burst: 10,
            validation_window_minutes: 10,
            availability_probing: 5,
            probing_window_minutes: 60,
            high_error_rate_min_calls: 20,
            high_error_rate_pct: Decimal::from(25),
        }
    }
}

/// The names a policy file's `[thresholds]` table accepts, each a whole number except
/// `high_error_rate_pct` (a decimal percentage, above 0 and at most 100).
pub const THRESHOLD_NAMES: &[&str] = &[
    "access_denied_burst",
    "access_denied_window_minutes",
    "validation_burst",
    "validation_window_minutes",
    "availability_probing",
    "probing_window_minutes",
    "high_error_rate_min_calls",
    "high_error_rate_pct",
];

impl Thresholds {
    /// The whole-number threshold called `name`, for a policy file to set.
    pub fn count_mut(&mut self, name: &str) -> Option<&mut u64> {
        Some(match name {
            "access_denied_burst" => &mut self.access_denied_burst,
            "access_denied_window_minutes" => &mut self.access_denied_window_minutes,
            "validation_burst" => &mut self.validation_burst,
            "validation_window_minutes" => &mut self.validation_window_minutes,
            "availability_probing" => &mut self.availability_probing,
            "probing_window_minutes" => &mut self.probing_window_minutes,
            "high_error_rate_min_calls" => &mut self.high_error_rate_min_calls,
            _ => return None,
        })
    }
}
