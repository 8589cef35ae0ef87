//! 拜访计划 / 邀约 — a planned visit and its invitation (seeds 000, 001, 002): purpose, time and
//! place, materials to prepare, the invitation's method and outcome, confirmations, reschedules
//! (改约, only with the customer's consent) and attendance. Its history is kept in the document.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::enums::string_enum;
use super::{IndexEntry, RecordKind, RecordMeta, StringEnum, impl_record};
use crate::ids::{RecordId, UserId};

string_enum! {
    /// Where a visit plan stands.
    pub enum VisitStatus {
        Planned = "planned",
        Invited = "invited",
        Accepted = "accepted",
        Declined = "declined",
        Attended = "attended",
        NoShow = "no_show",
        Cancelled = "cancelled",
    } default Planned
}

string_enum! {
    /// How the customer was invited (电话/邮件/短信/上门拜访), seed 000.
    pub enum InvitationMethod {
        Phone = "phone",
        Email = "email",
        Sms = "sms",
        OnSite = "on_site",
    } default Phone
}

string_enum! {
    /// The two confirmations of an appointment that needs them (seed 002 篇6).
    pub enum ConfirmationKind {
        /// ≥ 5 working days ahead, with the hour fixed.
        FiveWorkingDays = "five_working_days",
        /// 1 hour before arrival.
        OneHour = "one_hour",
    } default FiveWorkingDays
}

/// A visit to a customer, planned by a rep or assigned by a supervisor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct VisitPlan {
    pub meta: RecordMeta,
    pub customer_id: Option<RecordId>,
    /// The rep who makes the visit (also `meta.owner`).
    pub rep: UserId,
    pub purpose: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub place: String,
    /// Materials to prepare: customer basics, service history, consumption traits.
    pub materials: Vec<String>,
    /// Deliveries and installations need the two confirmations.
    pub needs_confirmation: bool,
    /// An in-depth visit (深度拜访) counts towards the daily minimum.
    pub in_depth: bool,
    pub status: VisitStatus,
    pub invitation_method: Option<InvitationMethod>,
    pub invited_at: Option<DateTime<Utc>>,
    pub responded_at: Option<DateTime<Utc>>,
    pub attendees: Option<u32>,
    pub decline_reason: String,
    pub confirmations: Vec<Confirmation>,
    pub reschedules: Vec<Reschedule>,
    pub attended_at: Option<DateTime<Utc>>,
    pub history: Vec<StatusChange>,
    /// The order or intent amount the visit led to, in fen (分), recorded once it took place
    /// (seed 000: 通过客户邀约带来的销售订单数量和金额).
    pub outcome_amount_fen: Option<i64>,
    /// A meeting or seminar with many invitees (seed 000), instead of a visit to one customer.
    pub event: Option<Event>,
    /// Invitation targets per rep per month (seed 000 邀约目标设定): a plan holding targets is
    /// the sales department's invitation plan (邀约计划), not a visit.
    pub targets: Vec<InvitationTarget>,
}

string_enum! {
    /// What kind of event customers are invited to (seed 000: 活动或会议).
    pub enum EventKind {
        Meeting = "meeting",
        Seminar = "seminar",
        ProductLaunch = "product_launch",
        Exhibition = "exhibition",
    } default Meeting
}

/// A meeting or seminar: its kind, and every customer invited to it, each with their own
/// invitation, re-confirmation, guide, attendance and follow-up (seed 000 客户邀约后续跟进).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Event {
    pub kind: EventKind,
    pub title: String,
    pub invitees: Vec<Invitee>,
}

/// One customer invited to an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Invitee {
    pub id: String,
    pub customer_id: Option<RecordId>,
    /// The person invited at the customer.
    pub name: String,
    /// The rep who invites this customer and follows up.
    pub rep: UserId,
    /// invited → accepted / declined → attended / no_show.
    pub status: VisitStatus,
    pub method: Option<InvitationMethod>,
    pub invited_at: Option<DateTime<Utc>>,
    pub responded_at: Option<DateTime<Utc>>,
    pub attendees: Option<u32>,
    pub decline_reason: String,
    /// 再次与客户确认参会信息: before the event, once accepted.
    pub reconfirmed_at: Option<DateTime<Utc>>,
    /// 为客户提供详细的活动或会议指南 (route, what to bring): before the event.
    pub guide_sent_at: Option<DateTime<Utc>>,
    pub attended_at: Option<DateTime<Utc>>,
    /// 活动或会议结束后及时沟通: after the event, for those who came.
    pub follow_up: Option<EventFollowUp>,
    /// The order or intent amount this customer's attendance led to, in fen.
    pub outcome_amount_fen: Option<i64>,
}

/// The conversation after the event (感受和需求, the sales opportunity).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct EventFollowUp {
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub note: String,
}

/// A rep's invitation target for one month, set by a supervisor or the marketing manager. The
/// latest one set for a rep and month counts; earlier ones stay as its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct InvitationTarget {
    pub id: String,
    pub rep: UserId,
    /// The first day of the month, in the company's calendar.
    pub month: NaiveDate,
    /// Invitations to send.
    pub invitations: u32,
    /// Invitations accepted.
    pub accepted: u32,
    pub set_by: UserId,
    pub set_at: DateTime<Utc>,
}

/// A confirmation call made for an appointment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Confirmation {
    pub id: String,
    pub kind: ConfirmationKind,
    pub at: DateTime<Utc>,
    pub by: UserId,
}

/// A change of appointment (改约), with the customer's consent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Reschedule {
    pub id: String,
    pub from: Option<DateTime<Utc>>,
    pub to: DateTime<Utc>,
    /// Who at the customer consented, and how.
    pub consent_by: String,
    pub consent_at: DateTime<Utc>,
    pub reason: String,
    pub by: UserId,
}

/// One step of a record's lifecycle, kept in the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct StatusChange {
    pub id: String,
    pub from: String,
    pub to: String,
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub note: String,
}

impl_record!(VisitPlan, RecordKind::VisitPlan, |v| IndexEntry {
    title: v.purpose.clone(),
    customer_id: v.customer_id,
    status: Some(v.status.as_str().to_owned()),
    grade: None,
    key_at: v.scheduled_at,
});
