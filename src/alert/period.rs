//! Budget periods in a time zone: which day or calendar month an instant falls in, where
//! that period starts and ends, and how much of it has passed.
//!
//! A `month` budget covers midnight of the 1st to midnight of the next 1st in the budget's
//! time zone; a `day` budget one local day. Days are local calendar days, so a month in a
//! zone with daylight saving has one 23-hour and one 25-hour day: elapsed fractions are
//! computed on real time, not on a count of 24-hour days.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};

/// How long a budget runs before it re-arms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodKind {
    Day,
    Month,
}

impl PeriodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Day => "day",
            PeriodKind::Month => "month",
        }
    }
}

/// One concrete period: `[start, end)` in the budget's time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: Zoned,
    pub end: Zoned,
}

impl Period {
    /// The period of `kind` that contains `at`, in `tz`.
    pub fn containing(
        kind: PeriodKind,
        at: Timestamp,
        tz: &TimeZone,
    ) -> Result<Period, jiff::Error> {
        let local = at.to_zoned(tz.clone());
        let first = match kind {
            PeriodKind::Day => local.date(),
            PeriodKind::Month => local.date().first_of_month(),
        };
        let next = match kind {
            PeriodKind::Day => first.checked_add(1.day())?,
            PeriodKind::Month => first.checked_add(1.month())?,
        };
        Ok(Period {
            kind,
            start: first.to_zoned(tz.clone())?.start_of_day()?,
            end: next.to_zoned(tz.clone())?.start_of_day()?,
        })
    }

    /// The period's name, the key of its alerts in the state file: `2026-11` for a month,
    /// `2026-11-05` for a day.
    pub fn key(&self) -> String {
        let d = self.start.date();
        match self.kind {
            PeriodKind::Day => d.to_string(),
            PeriodKind::Month => format!("{:04}-{:02}", d.year(), d.month()),
        }
    }

    /// First local day of the period.
    pub fn first_day(&self) -> Date {
        self.start.date()
    }

    /// The day after the last local day (exclusive end, as reports take it).
    pub fn end_day(&self) -> Date {
        self.end.date()
    }

    /// Local days in the period.
    pub fn days(&self) -> i64 {
        let mut n = 0;
        let mut d = self.first_day();
        while d < self.end_day() {
            n += 1;
            d = d.tomorrow().expect("dates in range");
        }
        n
    }

    /// The fraction of the period's real time that has passed at `at`, in [0, 1].
    pub fn elapsed_fraction(&self, at: Timestamp) -> f64 {
        let start = self.start.timestamp().as_second() as f64;
        let total = self.end.timestamp().as_second() as f64 - start;
        let done = at.as_second() as f64 - start;
        (done / total).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_month_is_cut_at_local_midnight() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        // 23:30 UTC on 31 October is already 1 November in Berlin (UTC+1 after DST).
        let p = Period::containing(PeriodKind::Month, ts("2026-10-31T23:30:00Z"), &berlin).unwrap();
        assert_eq!(p.key(), "2026-11");
        assert_eq!(p.days(), 30);
        assert_eq!(p.start.timestamp(), ts("2026-10-31T23:00:00Z"));
        assert_eq!(p.end.timestamp(), ts("2026-11-30T23:00:00Z"));
        let utc = Period::containing(
            PeriodKind::Month,
            ts("2026-10-31T23:30:00Z"),
            &TimeZone::UTC,
        )
        .unwrap();
        assert_eq!(utc.key(), "2026-10");
        assert_eq!(utc.days(), 31);
    }

    #[test]
    fn days_and_elapsed_time_follow_daylight_saving() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        // 29 March 2026: clocks go forward, the day has 23 hours.
        let p = Period::containing(PeriodKind::Day, ts("2026-03-29T10:00:00Z"), &berlin).unwrap();
        assert_eq!(p.key(), "2026-03-29");
        let hours = (p.end.timestamp().as_second() - p.start.timestamp().as_second()) / 3600;
        assert_eq!(hours, 23);
        let half = p.elapsed_fraction(ts("2026-03-29T10:30:00Z"));
        assert!((half - 0.5).abs() < 1e-9, "{half}");
        assert_eq!(p.elapsed_fraction(ts("2026-04-01T00:00:00Z")), 1.0);
        assert_eq!(p.elapsed_fraction(ts("2026-03-01T00:00:00Z")), 0.0);
    }
}
