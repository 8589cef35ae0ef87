//! 拜访计划 / 邀约 — a visit plan and its invitation, confirmations and reschedules.

use std::time::SystemTime;

use fieldbook_core::model as core;

use super::{Event, InvitationTarget, RecordMeta, try_vec, vec_into};
use crate::convert::{dt, dt_opt, id_text, record_id_opt, ts, ts_opt, user};
use crate::enums::{ConfirmationKind, InvitationMethod, VisitStatus};
use crate::error::{FieldbookError, Result};

/// A planned visit to a customer and the invitation that goes with it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct VisitPlan {
    #[uniffi(default)]
    pub meta: RecordMeta,
    #[uniffi(default)]
    pub customer_id: Option<String>,
    #[uniffi(default)]
    pub rep: String,
    #[uniffi(default)]
    pub purpose: String,
    #[uniffi(default)]
    pub scheduled_at: Option<SystemTime>,
    #[uniffi(default)]
    pub place: String,
    /// Materials to prepare (customer basics, service history, …).
    #[uniffi(default)]
    pub materials: Vec<String>,
    /// Deliveries and installations need confirmations (≥5 working days ahead, and 1 hour before).
    #[uniffi(default)]
    pub needs_confirmation: bool,
    #[uniffi(default)]
    pub in_depth: bool,
    pub status: VisitStatus,
    #[uniffi(default)]
    pub invitation_method: Option<InvitationMethod>,
    #[uniffi(default)]
    pub invited_at: Option<SystemTime>,
    #[uniffi(default)]
    pub responded_at: Option<SystemTime>,
    #[uniffi(default)]
    pub attendees: Option<u32>,
    #[uniffi(default)]
    pub decline_reason: String,
    #[uniffi(default)]
    pub confirmations: Vec<Confirmation>,
    #[uniffi(default)]
    pub reschedules: Vec<Reschedule>,
    #[uniffi(default)]
    pub attended_at: Option<SystemTime>,
    #[uniffi(default)]
    pub history: Vec<StatusChange>,
    /// The order or intent amount the visit led to, in fen (分).
    #[uniffi(default)]
    pub outcome_amount_fen: Option<i64>,
    /// A meeting or seminar with its guest list, instead of a visit to one customer.
    #[uniffi(default)]
    pub event: Option<Event>,
    /// Invitation targets per rep per month (the sales department's invitation plan).
    #[uniffi(default)]
    pub targets: Vec<InvitationTarget>,
}

/// An appointment confirmation.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Confirmation {
    #[uniffi(default)]
    pub id: String,
    pub kind: ConfirmationKind,
    pub at: SystemTime,
    #[uniffi(default)]
    pub by: String,
}

/// A change of appointment (改约), made with the customer's consent.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Reschedule {
    #[uniffi(default)]
    pub id: String,
    #[uniffi(default)]
    pub from: Option<SystemTime>,
    pub to: SystemTime,
    #[uniffi(default)]
    pub consent_by: String,
    pub consent_at: SystemTime,
    #[uniffi(default)]
    pub reason: String,
    #[uniffi(default)]
    pub by: String,
}

/// One entry of a record's status history.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StatusChange {
    #[uniffi(default)]
    pub id: String,
    #[uniffi(default)]
    pub from: String,
    #[uniffi(default)]
    pub to: String,
    pub at: SystemTime,
    #[uniffi(default)]
    pub by: String,
    #[uniffi(default)]
    pub note: String,
}

impl From<core::VisitPlan> for VisitPlan {
    fn from(v: core::VisitPlan) -> Self {
        VisitPlan {
            meta: v.meta.into(),
            customer_id: id_text(v.customer_id),
            rep: v.rep.to_string(),
            purpose: v.purpose,
            scheduled_at: ts_opt(v.scheduled_at),
            place: v.place,
            materials: v.materials,
            needs_confirmation: v.needs_confirmation,
            in_depth: v.in_depth,
            status: v.status.into(),
            invitation_method: v.invitation_method.map(Into::into),
            invited_at: ts_opt(v.invited_at),
            responded_at: ts_opt(v.responded_at),
            attendees: v.attendees,
            decline_reason: v.decline_reason,
            confirmations: vec_into(v.confirmations),
            reschedules: vec_into(v.reschedules),
            attended_at: ts_opt(v.attended_at),
            history: vec_into(v.history),
            outcome_amount_fen: v.outcome_amount_fen,
            event: v.event.map(Into::into),
            targets: vec_into(v.targets),
        }
    }
}

impl TryFrom<VisitPlan> for core::VisitPlan {
    type Error = FieldbookError;
    fn try_from(v: VisitPlan) -> Result<Self> {
        Ok(core::VisitPlan {
            meta: v.meta.try_into()?,
            customer_id: record_id_opt("customer_id", v.customer_id)?,
            rep: user("rep", v.rep)?,
            purpose: v.purpose,
            scheduled_at: dt_opt("scheduled_at", v.scheduled_at)?,
            place: v.place,
            materials: v.materials,
            needs_confirmation: v.needs_confirmation,
            in_depth: v.in_depth,
            status: v.status.into(),
            invitation_method: v.invitation_method.map(Into::into),
            invited_at: dt_opt("invited_at", v.invited_at)?,
            responded_at: dt_opt("responded_at", v.responded_at)?,
            attendees: v.attendees,
            decline_reason: v.decline_reason,
            confirmations: try_vec(v.confirmations)?,
            reschedules: try_vec(v.reschedules)?,
            attended_at: dt_opt("attended_at", v.attended_at)?,
            history: try_vec(v.history)?,
            outcome_amount_fen: v.outcome_amount_fen,
            event: v.event.map(TryInto::try_into).transpose()?,
            targets: try_vec(v.targets)?,
        })
    }
}

impl From<core::Confirmation> for Confirmation {
    fn from(c: core::Confirmation) -> Self {
        Confirmation {
            id: c.id,
            kind: c.kind.into(),
            at: ts(c.at),
            by: c.by.to_string(),
        }
    }
}

impl TryFrom<Confirmation> for core::Confirmation {
    type Error = FieldbookError;
    fn try_from(c: Confirmation) -> Result<Self> {
        Ok(core::Confirmation {
            id: c.id,
            kind: c.kind.into(),
            at: dt("confirmations.at", c.at)?,
            by: user("confirmations.by", c.by)?,
        })
    }
}

impl From<core::Reschedule> for Reschedule {
    fn from(r: core::Reschedule) -> Self {
        Reschedule {
            id: r.id,
            from: ts_opt(r.from),
            to: ts(r.to),
            consent_by: r.consent_by,
            consent_at: ts(r.consent_at),
            reason: r.reason,
            by: r.by.to_string(),
        }
    }
}

impl TryFrom<Reschedule> for core::Reschedule {
    type Error = FieldbookError;
    fn try_from(r: Reschedule) -> Result<Self> {
        Ok(core::Reschedule {
            id: r.id,
            from: dt_opt("reschedules.from", r.from)?,
            to: dt("reschedules.to", r.to)?,
            consent_by: r.consent_by,
            consent_at: dt("reschedules.consent_at", r.consent_at)?,
            reason: r.reason,
            by: user("reschedules.by", r.by)?,
        })
    }
}

impl From<core::StatusChange> for StatusChange {
    fn from(s: core::StatusChange) -> Self {
        StatusChange {
            id: s.id,
            from: s.from,
            to: s.to,
            at: ts(s.at),
            by: s.by.to_string(),
            note: s.note,
        }
    }
}

impl TryFrom<StatusChange> for core::StatusChange {
    type Error = FieldbookError;
    fn try_from(s: StatusChange) -> Result<Self> {
        Ok(core::StatusChange {
            id: s.id,
            from: s.from,
            to: s.to,
            at: dt("history.at", s.at)?,
            by: user("history.by", s.by)?,
            note: s.note,
        })
    }
}
