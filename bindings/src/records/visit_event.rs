//! An event's guest list (活动或会议, seed 000) and the invitation targets per rep, as app
//! records: each invitee with their own invitation, answer, re-confirmation, guide, attendance
//! and follow-up.

use std::time::SystemTime;

use fieldbook_core::model as core;

use crate::convert::{
    CalendarDate, date, dt, dt_opt, id_text, naive_date, record_id_opt, ts, ts_opt, user,
};
use crate::enums::{EventKind, InvitationMethod, VisitStatus};
use crate::error::{FieldbookError, Result};

/// A meeting or seminar customers are invited to.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Event {
    pub kind: EventKind,
    #[uniffi(default)]
    pub title: String,
    #[uniffi(default)]
    pub invitees: Vec<Invitee>,
}

/// One customer invited to an event.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Invitee {
    #[uniffi(default)]
    pub id: String,
    #[uniffi(default)]
    pub customer_id: Option<String>,
    #[uniffi(default)]
    pub name: String,
    #[uniffi(default)]
    pub rep: String,
    pub status: VisitStatus,
    #[uniffi(default)]
    pub method: Option<InvitationMethod>,
    #[uniffi(default)]
    pub invited_at: Option<SystemTime>,
    #[uniffi(default)]
    pub responded_at: Option<SystemTime>,
    #[uniffi(default)]
    pub attendees: Option<u32>,
    #[uniffi(default)]
    pub decline_reason: String,
    #[uniffi(default)]
    pub reconfirmed_at: Option<SystemTime>,
    #[uniffi(default)]
    pub guide_sent_at: Option<SystemTime>,
    #[uniffi(default)]
    pub attended_at: Option<SystemTime>,
    #[uniffi(default)]
    pub follow_up: Option<EventFollowUp>,
    /// The order or intent amount, in fen (分).
    #[uniffi(default)]
    pub outcome_amount_fen: Option<i64>,
}

/// The conversation with a guest after the event.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EventFollowUp {
    pub at: SystemTime,
    #[uniffi(default)]
    pub by: String,
    #[uniffi(default)]
    pub note: String,
}

/// A rep's invitation target for a month (the first day of the month).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct InvitationTarget {
    #[uniffi(default)]
    pub id: String,
    pub rep: String,
    pub month: CalendarDate,
    pub invitations: u32,
    pub accepted: u32,
    #[uniffi(default)]
    pub set_by: String,
    pub set_at: SystemTime,
}

impl From<core::Event> for Event {
    fn from(e: core::Event) -> Self {
        Event {
            kind: e.kind.into(),
            title: e.title,
            invitees: e.invitees.into_iter().map(Into::into).collect(),
        }
    }
}

impl TryFrom<Event> for core::Event {
    type Error = FieldbookError;
    fn try_from(e: Event) -> Result<Self> {
        Ok(core::Event {
            kind: e.kind.into(),
            title: e.title,
            invitees: e
                .invitees
                .into_iter()
                .map(TryInto::try_into)
                .collect::<Result<_>>()?,
        })
    }
}

impl From<core::Invitee> for Invitee {
    fn from(i: core::Invitee) -> Self {
        Invitee {
            id: i.id,
            customer_id: id_text(i.customer_id),
            name: i.name,
            rep: i.rep.to_string(),
            status: i.status.into(),
            method: i.method.map(Into::into),
            invited_at: ts_opt(i.invited_at),
            responded_at: ts_opt(i.responded_at),
            attendees: i.attendees,
            decline_reason: i.decline_reason,
            reconfirmed_at: ts_opt(i.reconfirmed_at),
            guide_sent_at: ts_opt(i.guide_sent_at),
            attended_at: ts_opt(i.attended_at),
            follow_up: i.follow_up.map(|f| EventFollowUp {
                at: ts(f.at),
                by: f.by.to_string(),
                note: f.note,
            }),
            outcome_amount_fen: i.outcome_amount_fen,
        }
    }
}

impl TryFrom<Invitee> for core::Invitee {
    type Error = FieldbookError;
    fn try_from(i: Invitee) -> Result<Self> {
        let f = "event.invitees";
        let follow_up = match i.follow_up {
            Some(f) => Some(core::EventFollowUp {
                at: dt("event.invitees.follow_up.at", f.at)?,
                by: user("event.invitees.follow_up.by", f.by)?,
                note: f.note,
            }),
            None => None,
        };
        Ok(core::Invitee {
            id: i.id,
            customer_id: record_id_opt(&format!("{f}.customer_id"), i.customer_id)?,
            name: i.name,
            rep: user(&format!("{f}.rep"), i.rep)?,
            status: i.status.into(),
            method: i.method.map(Into::into),
            invited_at: dt_opt(&format!("{f}.invited_at"), i.invited_at)?,
            responded_at: dt_opt(&format!("{f}.responded_at"), i.responded_at)?,
            attendees: i.attendees,
            decline_reason: i.decline_reason,
            reconfirmed_at: dt_opt(&format!("{f}.reconfirmed_at"), i.reconfirmed_at)?,
            guide_sent_at: dt_opt(&format!("{f}.guide_sent_at"), i.guide_sent_at)?,
            attended_at: dt_opt(&format!("{f}.attended_at"), i.attended_at)?,
            follow_up,
            outcome_amount_fen: i.outcome_amount_fen,
        })
    }
}

impl From<core::InvitationTarget> for InvitationTarget {
    fn from(t: core::InvitationTarget) -> Self {
        InvitationTarget {
            id: t.id,
            rep: t.rep.to_string(),
            month: date(t.month),
            invitations: t.invitations,
            accepted: t.accepted,
            set_by: t.set_by.to_string(),
            set_at: ts(t.set_at),
        }
    }
}

impl TryFrom<InvitationTarget> for core::InvitationTarget {
    type Error = FieldbookError;
    fn try_from(t: InvitationTarget) -> Result<Self> {
        Ok(core::InvitationTarget {
            id: t.id,
            rep: user("targets.rep", t.rep)?,
            month: naive_date("targets.month", t.month)?,
            invitations: t.invitations,
            accepted: t.accepted,
            set_by: user("targets.set_by", t.set_by)?,
            set_at: dt("targets.set_at", t.set_at)?,
        })
    }
}
