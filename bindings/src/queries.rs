//! What the rep's-day screens show, as app records: "my day", the invitation metrics, the daily
//! report, the week per rep, and search hits. Each mirrors a result of `fieldbook_core::queries`
//! or `fieldbook_core::search` (computed on the device, offline) with one `From`.

use std::time::SystemTime;

use fieldbook_core::queries::daily_tally::MonthTally;
use fieldbook_core::queries::dormant::DormantCall as CoreDormant;
use fieldbook_core::queries::key_contact::KeyContactDue as CoreKeyDue;
use fieldbook_core::queries::metrics::{
    InvitationMetrics as CoreMetrics, Rate as CoreRate, TargetProgress as CoreTarget,
};
use fieldbook_core::queries::my_day::{DueItem as CoreItem, MyDay as CoreDay};
use fieldbook_core::queries::satisfaction::{
    SatisfactionItem as CoreSatItem, SatisfactionMetrics as CoreSat, YearSatisfaction as CoreYear,
};
use fieldbook_core::queries::weekly::{DailyReport as CoreReport, WeekSummary};
use fieldbook_core::search::SearchHit as CoreHit;

use crate::convert::{CalendarDate, date, ts, ts_opt};
use crate::enums::RecordKind;
use crate::records::Customer;

/// One thing to do, with its deadline.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DueItem {
    pub record_id: String,
    /// The proposal's id, for proposal items.
    pub entry_id: Option<String>,
    pub title: String,
    pub due_at: SystemTime,
    pub overdue: bool,
}

/// What the signed-in rep must do today, most urgent first in each list.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MyDay {
    pub date: Option<CalendarDate>,
    pub visits_today: Vec<DueItem>,
    /// Leads whose follow-up is due under their grade's cadence.
    pub follow_ups: Vec<DueItem>,
    /// Return-visit reports to file (due the next working day).
    pub reports: Vec<DueItem>,
    /// Customer proposals nearing their answer deadline.
    pub proposals: Vec<DueItem>,
    /// Trade-show leads not yet answered (1 week, at most 2).
    pub trade_show_leads: Vec<DueItem>,
}

/// A ratio kept as counts, so device and server agree to the last digit.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct Rate {
    pub numerator: u64,
    pub denominator: u64,
    /// In percent; `null` when nothing was counted.
    pub percent: Option<f64>,
}

/// The invitation metrics (邀约监控指标) of the plans invited in a period.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct InvitationMetrics {
    pub invited: u64,
    pub responded: u64,
    pub accepted: u64,
    pub attended: u64,
    /// accepted / invited
    pub success_rate: Rate,
    /// responded / invited
    pub feedback_rate: Rate,
    /// attended / accepted
    pub attendance_rate: Rate,
    /// Invitations whose outcome carries an order or intent amount (seed 000 销售业绩).
    pub orders: u64,
    /// The sum of those amounts, in fen (分).
    pub amount_fen: i64,
}

/// A rep's month against the invitation target her supervisor set (seed 000 邀约目标).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TargetProgress {
    pub rep: String,
    /// The first day of the month.
    pub month: CalendarDate,
    pub target_invitations: u32,
    pub target_accepted: u32,
    /// Invitations sent that month, and those accepted.
    pub invited: u64,
    pub accepted: u64,
    /// Both targets reached.
    pub met: bool,
}

impl From<CoreTarget> for TargetProgress {
    fn from(t: CoreTarget) -> Self {
        TargetProgress {
            met: t.met(),
            rep: t.rep.to_string(),
            month: date(t.month),
            target_invitations: t.target_invitations,
            target_accepted: t.target_accepted,
            invited: t.invited,
            accepted: t.accepted,
        }
    }
}

/// Where a rep's daily report (due 21:00) stands.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DailyReport {
    pub date: CalendarDate,
    pub due_at: SystemTime,
    pub visits: u32,
    pub in_depth_visits: u32,
    /// The day's visit plans with no outcome yet.
    pub unlogged_plan_ids: Vec<String>,
    /// At least one in-depth visit (or a non-working day).
    pub minimum_met: bool,
    /// Past 21:00 with visits still unlogged.
    pub overdue: bool,
}

/// One rep's week (seeds 003, 004): visits made, companies phoned, and A/B *intent* customers
/// visited, filed complete and signed (not the value grade; `fieldbook_core::queries::week_intent`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RepWeek {
    pub rep: String,
    pub visits: u32,
    pub calls: u32,
    pub ab_customers: u32,
}

/// A customer due a dormant-customer call (seed 001 §6): 6 or 12 months without a purchase and
/// no call reaching the customer logged since.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DormantCall {
    pub customer: Customer,
    /// 6 or 12.
    pub trigger_months: u32,
    /// The day the trigger passed (company time).
    pub due_since: CalendarDate,
    /// The latest call tried since the trigger that did not reach the customer.
    pub last_attempt_at: Option<SystemTime>,
}

/// A key (A-grade) customer overdue for its weekly contact (seed 002).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct KeyContactDue {
    pub customer: Customer,
    pub last_contact_at: Option<SystemTime>,
    pub due_at: SystemTime,
}

/// One record found, with the field that matched. Best hits come first.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SearchHit {
    pub id: String,
    /// `null` for a record of a kind this app version does not know.
    pub kind: Option<RecordKind>,
    pub title: String,
    /// `name`, `company`, `contact`, `phone`, `pinyin`, `initials`, `code` or `notes`.
    pub field: String,
    /// The value of the field that matched, to highlight.
    pub matched: String,
}

impl From<CoreItem> for DueItem {
    fn from(i: CoreItem) -> Self {
        DueItem {
            record_id: i.record.to_string(),
            entry_id: i.entry,
            title: i.title,
            due_at: ts(i.due_at),
            overdue: i.overdue,
        }
    }
}

fn items(list: Vec<CoreItem>) -> Vec<DueItem> {
    list.into_iter().map(Into::into).collect()
}

impl From<CoreDay> for MyDay {
    fn from(d: CoreDay) -> Self {
        MyDay {
            date: d.date.map(date),
            visits_today: items(d.visits_today),
            follow_ups: items(d.follow_ups),
            reports: items(d.reports),
            proposals: items(d.proposals),
            trade_show_leads: items(d.trade_show_leads),
        }
    }
}

impl From<CoreRate> for Rate {
    fn from(r: CoreRate) -> Self {
        Rate {
            numerator: r.numerator,
            denominator: r.denominator,
            percent: r.percent(),
        }
    }
}

impl From<CoreMetrics> for InvitationMetrics {
    fn from(m: CoreMetrics) -> Self {
        InvitationMetrics {
            invited: m.invited,
            responded: m.responded,
            accepted: m.accepted,
            attended: m.attended,
            success_rate: m.success_rate().into(),
            feedback_rate: m.feedback_rate().into(),
            attendance_rate: m.attendance_rate().into(),
            orders: m.orders,
            amount_fen: m.amount_fen,
        }
    }
}

impl From<CoreReport> for DailyReport {
    fn from(r: CoreReport) -> Self {
        DailyReport {
            date: date(r.date),
            due_at: ts(r.due_at),
            visits: r.visits,
            in_depth_visits: r.in_depth_visits,
            unlogged_plan_ids: r.unlogged.iter().map(ToString::to_string).collect(),
            minimum_met: r.minimum_met,
            overdue: r.overdue,
        }
    }
}

impl RepWeek {
    pub(crate) fn new(rep: String, w: WeekSummary) -> Self {
        RepWeek {
            rep,
            visits: w.visits,
            calls: w.calls,
            ab_customers: w.ab_customers,
        }
    }
}

impl From<CoreDormant> for DormantCall {
    fn from(d: CoreDormant) -> Self {
        DormantCall {
            customer: d.customer.into(),
            trigger_months: d.trigger.months(),
            due_since: date(d.due_since),
            last_attempt_at: ts_opt(d.last_attempt_at),
        }
    }
}

impl From<CoreKeyDue> for KeyContactDue {
    fn from(d: CoreKeyDue) -> Self {
        KeyContactDue {
            customer: d.customer.into(),
            last_contact_at: ts_opt(d.last_contact_at),
            due_at: ts(d.due_at),
        }
    }
}

impl From<CoreHit> for SearchHit {
    fn from(h: CoreHit) -> Self {
        SearchHit {
            id: h.id.to_string(),
            kind: RecordKind::try_from(h.kind).ok(),
            title: h.title,
            field: h.field.as_str().to_owned(),
            matched: h.matched,
        }
    }
}

/// A reception whose receipts are owed (due 15 days after it, seed 001 §2).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReceiptsDue {
    pub reception_id: String,
    pub purpose: String,
    /// Who owes them: the expense's applicant.
    pub owed_by: String,
    pub due_at: SystemTime,
    pub overdue: bool,
    pub spending_recorded: bool,
}

impl From<fieldbook_core::queries::receipts::ReceiptsDue> for ReceiptsDue {
    fn from(d: fieldbook_core::queries::receipts::ReceiptsDue) -> Self {
        ReceiptsDue {
            reception_id: d.reception.to_string(),
            purpose: d.purpose,
            owed_by: d.owed_by.to_string(),
            due_at: ts(d.due_at),
            overdue: d.overdue,
            spending_recorded: d.spending_recorded,
        }
    }
}

/// An item of the satisfaction survey (seed 001 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SatisfactionItem {
    Product,
    Service,
    Environment,
}

impl From<CoreSatItem> for SatisfactionItem {
    fn from(i: CoreSatItem) -> Self {
        match i {
            CoreSatItem::Product => SatisfactionItem::Product,
            CoreSatItem::Service => SatisfactionItem::Service,
            CoreSatItem::Environment => SatisfactionItem::Environment,
        }
    }
}

/// One year's satisfaction: averages 1–5 (`null` with no survey) and the lowest item.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct YearSatisfaction {
    pub year: i32,
    /// Filed reports with all three items scored.
    pub surveys: u64,
    pub product: Option<f64>,
    pub service: Option<f64>,
    pub environment: Option<f64>,
    pub overall: Option<f64>,
    pub lowest_item: Option<SatisfactionItem>,
}

impl From<CoreYear> for YearSatisfaction {
    fn from(y: CoreYear) -> Self {
        YearSatisfaction {
            year: y.year,
            surveys: y.surveys,
            product: y.average(CoreSatItem::Product),
            service: y.average(CoreSatItem::Service),
            environment: y.average(CoreSatItem::Environment),
            overall: y.overall(),
            lowest_item: y.lowest().map(Into::into),
        }
    }
}

/// A year's satisfaction, the year before, and the change per item (year on year).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SatisfactionMetrics {
    pub this_year: YearSatisfaction,
    pub last_year: YearSatisfaction,
    pub product_change: Option<f64>,
    pub service_change: Option<f64>,
    pub environment_change: Option<f64>,
}

impl From<CoreSat> for SatisfactionMetrics {
    fn from(m: CoreSat) -> Self {
        SatisfactionMetrics {
            this_year: m.this_year.into(),
            last_year: m.last_year.into(),
            product_change: m.change(CoreSatItem::Product),
            service_change: m.change(CoreSatItem::Service),
            environment_change: m.change(CoreSatItem::Environment),
        }
    }
}

/// An in-depth entry of a daily log that no visit record backs: it scores 0 (seed 003,
/// 该分以真实的拜访记录为准).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct UnbackedEntry {
    pub log_id: String,
    pub day: CalendarDate,
    pub entry_id: String,
    pub customer_id: Option<String>,
}

/// One rep's month of daily logs (seed 003): logs submitted and late, working days without a
/// log, real in-depth points against the 30 required, and the cleaning duty of a closed month
/// 3 or more points short.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RepMonthTally {
    pub rep: String,
    pub month: CalendarDate,
    pub logs_submitted: u32,
    pub late_logs: u32,
    pub days_without_log: Vec<CalendarDate>,
    pub points: u32,
    pub required: u32,
    pub short_by: u32,
    pub month_closed: bool,
    pub cleaning_duty: bool,
    pub unbacked: Vec<UnbackedEntry>,
}

impl RepMonthTally {
    pub(crate) fn new(rep: String, t: MonthTally) -> Self {
        RepMonthTally {
            rep,
            month: date(t.month),
            logs_submitted: t.logs_submitted,
            late_logs: t.late_logs,
            days_without_log: t.days_without_log.into_iter().map(date).collect(),
            points: t.points,
            required: t.required,
            short_by: t.short_by,
            month_closed: t.month_closed,
            cleaning_duty: t.cleaning_duty,
            unbacked: t
                .unbacked
                .into_iter()
                .map(|u| UnbackedEntry {
                    log_id: u.log.to_string(),
                    day: date(u.day),
                    entry_id: u.entry_id,
                    customer_id: u.customer_id.map(|c| c.to_string()),
                })
                .collect(),
        }
    }
}
