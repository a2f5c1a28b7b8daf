//! What AWS billed: Cost Explorer's daily lines for Bedrock's services, as hand-off data.
//!
//! A *usage* line is one day × billing service × usage type, with its unblended cost and
//! usage quantity. An *adjustment* line is one day × service × record type other than
//! `Usage` (`Credit`, `Discount`, `Refund`, `Tax`, `SavingsPlanNegation`…): money that
//! changes what is paid but that no meter of usage can see.

use jiff::civil::Date;
use rust_decimal::Decimal;

/// One day's billed amount for one usage type (or one record type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillLine {
    pub day: Date,
    /// `Amazon Bedrock`, or a Marketplace model's `… (Amazon Bedrock Edition)`.
    pub service: String,
    /// The usage type (usage lines) or the record type (adjustment lines). Untrusted text.
    pub key: String,
    /// Unblended cost in US dollars.
    pub cost: Decimal,
    /// Usage quantity in `quantity_unit` (Cost Explorer's unit, e.g. `Units`).
    pub quantity: Decimal,
    pub quantity_unit: String,
    /// Cost Explorer marked the day as estimated: its figures may still change.
    pub estimated: bool,
}

/// A range's bill.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bill {
    /// The billing services the lines were filtered to.
    pub services: Vec<String>,
    pub usage: Vec<BillLine>,
    pub adjustments: Vec<BillLine>,
    /// Days Cost Explorer marked as estimated.
    pub estimated_days: Vec<Date>,
    /// Lines that could not be read, each naming the day, the key and the field.
    pub bad_lines: Vec<String>,
}
