//! The rep's day and the supervisor's week, computed on the device, offline.
//!
//! Every computation is a **pure function** of typed records, a `now` and a [`WorkCalendar`]:
//! the server computes the same numbers from the same records. The `*_from_store` helpers only
//! fetch candidate records from the device's projection (`DeviceStore::read_projected`).
//!
//! - [`my_day`]: visits today, follow-ups, reports and proposals due, trade-show leads.
//! - [`metrics`]: invitation success, feedback and attendance rates.
//! - [`weekly`]: the daily report (21:00, one in-depth visit) and visits, calls and A/B intent
//!   customers per week ([`week_intent`]: seed 004's conditions).
//! - [`daily_tally`]: the month's daily logs, late logs, missing days and real in-depth
//!   points against the 30 required (seed 003).
//! - [`dormant`]: the call queue of customers 6 or 12 months without a purchase (seed 001 §6).
//! - [`key_contact`]: A-grade (key) customers overdue for their weekly contact (seed 002).
//! - [`lead_response`]: how fast trade-show leads were answered (1 week, at most 2).
//! - [`receipts`]: who owes reception receipts, due 15 days after the reception.
//! - [`satisfaction`]: satisfaction per item, the lowest item, year on year (seed 001 §5).
//!
//! [`WorkCalendar`]: crate::calendar::WorkCalendar

pub mod daily_tally;
pub mod dormant;
pub mod key_contact;
pub mod lead_response;
pub mod metrics;
pub mod my_day;
pub mod receipts;
pub mod satisfaction;
pub mod week_intent;
pub mod weekly;
