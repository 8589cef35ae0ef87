//! 拜访计划 / 邀约 — a planned visit and its invitation (seeds 000, 001, 002): purpose, time and
//! place, materials to prepare, the invitation's method and outcome, confirmations, reschedules
//! (改约, only with the customer's consent) and attendance. Its history is kept in the document.

use chrono::{DateTime, Utc};
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
