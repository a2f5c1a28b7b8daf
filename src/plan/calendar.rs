//! Real calendar months: how many days a month has, how many of them are business days, and
//! how many hours provisioned throughput runs in it.
//!
//! Business days are Monday to Friday. Public holidays are **not** taken out: they differ by
//! country and company, and a plan that counts them as working days errs on the side of cost.

use std::fmt;
use std::str::FromStr;

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

/// One calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    first: Date,
}

impl Month {
    /// The month of `year`-`month`, or `None` when that is not a month.
    pub fn new(year: i16, month: i8) -> Option<Month> {
        Date::new(year, month, 1).ok().map(|first| Month { first })
    }

    /// The month that contains `date`.
    pub fn containing(date: Date) -> Month {
        Month {
            first: date.first_of_month(),
        }
    }

    /// The month after this one.
    pub fn next(self) -> Month {
        self.plus(1)
    }

    /// `n` months later.
    pub fn plus(self, n: u32) -> Month {
        Month {
            first: self
                .first
                .checked_add(i64::from(n).months())
                .expect("plan months stay within jiff's date range"),
        }
    }

    /// The first day: the date whose prices bill the month.
    pub fn first_day(self) -> Date {
        self.first
    }

    /// Calendar days in the month (28 to 31).
    pub fn days(self) -> u32 {
        u32::try_from(self.first.days_in_month()).expect("a month has a positive day count")
    }

    /// Monday-to-Friday days in the month (holidays not taken out).
    pub fn business_days(self) -> u32 {
        let mut day = self.first;
        let mut n = 0;
        for _ in 0..self.days() {
            if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
                n += 1;
            }
            day = day.tomorrow().expect("within jiff's date range");
        }
        n
    }

    /// Hours in the month: what one model unit of provisioned throughput is billed for, since
    /// it exists every hour of every day whether or not traffic comes.
    pub fn hours(self) -> u32 {
        self.days() * 24
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.first.year(), self.first.month())
    }
}

impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl FromStr for Month {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a month in YYYY-MM form (like 2027-01)");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i16 = y.parse().map_err(|_| bad())?;
        let month: i8 = m.parse().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_business_days() {
        let jan: Month = "2027-01".parse().unwrap();
        assert_eq!(jan.days(), 31);
        // 2027-01-01 is a Friday: 21 weekdays.
        assert_eq!(jan.business_days(), 21);
        assert_eq!(jan.hours(), 744);
        let feb = jan.next();
        assert_eq!(feb.to_string(), "2027-02");
        assert_eq!(feb.days(), 28);
        assert_eq!(feb.business_days(), 20);
        assert_eq!("2028-02".parse::<Month>().unwrap().days(), 29);
        assert_eq!(jan.plus(12).to_string(), "2028-01");
    }

    #[test]
    fn month_spellings() {
        assert!("2027-1".parse::<Month>().is_err());
        assert!("2027-13".parse::<Month>().is_err());
        assert!("January".parse::<Month>().is_err());
        assert_eq!(
            Month::containing("2026-11-22".parse().unwrap()).to_string(),
            "2026-11"
        );
    }
}
