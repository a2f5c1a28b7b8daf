//! Alerts on spending thresholds: budgets (a period in a time zone, an amount, thresholds,
//! a scope), checked against priced usage records, with a forecast to the end of the
//! period, delivered once per threshold through channels.
//!
//! - [`budgets`] reads and validates the budgets file;
//! - [`period`] cuts days and calendar months in the budget's time zone;
//! - [`forecast`] extrapolates the period's spend (method and backtest there);
//! - [`evaluate`] sums a budget's spend, finds the thresholds crossed and the alerts due;
//! - [`state`] remembers what was delivered (atomic JSON file);
//! - [`message`] words an alert; [`channels`] delivers it (SNS, webhook, stdout);
//! - [`alarms`] turns a budget into CloudWatch metric-math alarms that AWS evaluates itself.
//!
//! Alerts know nothing of AWS SDKs (SNS and CloudWatch calls are in [`crate::aws`]) nor of
//! the command line.

pub mod alarms;
pub mod budgets;
pub mod channels;
pub mod evaluate;
pub mod forecast;
pub mod message;
pub mod period;
pub mod state;
