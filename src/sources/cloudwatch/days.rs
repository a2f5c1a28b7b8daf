//! Daily buckets in the reporting time zone.
//!
//! GetMetricData buckets data into periods counted from `StartTime`. With `StartTime` at
//! local midnight and a period of 86,400 s each bucket is one local day, as long as every
//! day has 24 hours. Days on which daylight saving time starts or ends have 23 or 25: the
//! range is therefore cut into *windows* of consecutive days of equal length, each fetched
//! with its own start and period, so every bucket stays one calendar day.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// Consecutive days of the same length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Local midnight of the first day.
    pub start: Timestamp,
    /// Length of each day in seconds: CloudWatch's `Period`.
    pub period_secs: i64,
    /// The calendar days, in order; bucket `k` is `days[k]`.
    pub days: Vec<Date>,
}

impl Window {
    /// The instant the last day ends: GetMetricData's `EndTime` (exclusive).
    pub fn end(&self) -> Timestamp {
        self.start
            .checked_add(jiff::SignedDuration::from_secs(
                self.period_secs * self.days.len() as i64,
            ))
            .expect("window end within range")
    }

    /// The day of the bucket that starts at `bucket_start` (seconds since the epoch).
    ///
    /// CloudWatch may round `StartTime` down (to the minute, 5 minutes or hour for data
    /// older than 15 or 63 days), so the bucket is matched to the nearest day start.
    pub fn day_of(&self, bucket_start: i64) -> Option<Date> {
        let offset = bucket_start - self.start.as_second();
        let k = (offset as f64 / self.period_secs as f64).round();
        if k < 0.0 {
            return None;
        }
        self.days.get(k as usize).copied()
    }
}

/// Local midnight (the first instant) of `day` in `tz`.
pub fn start_of_day(day: Date, tz: &TimeZone) -> Result<Timestamp, jiff::Error> {
    Ok(day.to_zoned(tz.clone())?.start_of_day()?.timestamp())
}

/// The windows covering the days `since` (inclusive) to `until` (exclusive) in `tz`.
pub fn windows(since: Date, until: Date, tz: &TimeZone) -> Result<Vec<Window>, jiff::Error> {
    let mut out: Vec<Window> = Vec::new();
    let mut day = since;
    while day < until {
        let next = day.checked_add(1.day())?;
        let start = start_of_day(day, tz)?;
        let length = start_of_day(next, tz)?.as_second() - start.as_second();
        match out.last_mut() {
            Some(w) if w.period_secs == length => w.days.push(day),
            _ => out.push(Window {
                start,
                period_secs: length,
                days: vec![day],
            }),
        }
        day = next;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn utc_is_one_window_of_24_hour_days() {
        let w = windows(date(2026, 3, 1), date(2026, 4, 1), &TimeZone::UTC).unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].period_secs, 86_400);
        assert_eq!(w[0].days.len(), 31);
        assert_eq!(w[0].start.to_string(), "2026-03-01T00:00:00Z");
        assert_eq!(w[0].end().to_string(), "2026-04-01T00:00:00Z");
    }

    #[test]
    fn daylight_saving_days_get_their_own_period() {
        // New York springs forward on 2026-03-08 (23 hours).
        let tz = TimeZone::get("America/New_York").unwrap();
        let w = windows(date(2026, 3, 6), date(2026, 3, 11), &tz).unwrap();
        let shape: Vec<(i64, usize)> = w.iter().map(|w| (w.period_secs, w.days.len())).collect();
        assert_eq!(shape, vec![(86_400, 2), (82_800, 1), (86_400, 2)]);
        assert_eq!(w[0].start.to_string(), "2026-03-06T05:00:00Z");
        assert_eq!(w[2].start.to_string(), "2026-03-09T04:00:00Z");
    }

    #[test]
    fn buckets_map_to_days_even_when_cloudwatch_rounds_the_start() {
        let tz = TimeZone::get("Asia/Kolkata").unwrap(); // UTC+5:30
        let w = &windows(date(2026, 1, 1), date(2026, 1, 4), &tz).unwrap()[0];
        let s = w.start.as_second();
        assert_eq!(w.day_of(s), Some(date(2026, 1, 1)));
        // Start rounded down to the clock hour (data older than 63 days).
        assert_eq!(w.day_of(s - 1800 + 86_400), Some(date(2026, 1, 2)));
        assert_eq!(w.day_of(s + 3 * 86_400), None);
    }
}
