//! 线索 / 转介绍 — a lead referral and its follow-up log.

use std::time::SystemTime;

use fieldbook_core::model as core;

use super::{RecordMeta, StatusChange, try_vec, vec_into};
use crate::convert::{dt, dt_opt, id_text, record_id_opt, ts, ts_opt, user};
use crate::enums::{
    CaptureFormat, FollowUpChannel, LeadGrade, LeadSource, LeadStatus, PipelineStage,
};
use crate::error::{FieldbookError, Result};

/// A lead, from registration until won or lost.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct LeadReferral {
    #[uniffi(default)]
    pub meta: RecordMeta,
    /// 识别码: tells the lead apart from ordinary customer data.
    #[uniffi(default)]
    pub code: String,
    pub source: LeadSource,
    #[uniffi(default)]
    pub referrer_id: Option<String>,
    #[uniffi(default)]
    pub referrer_name: String,
    /// The trade show or event, for trade-show leads.
    #[uniffi(default)]
    pub event: String,
    #[uniffi(default)]
    pub prospect: Prospect,
    pub grade: LeadGrade,
    pub status: LeadStatus,
    #[uniffi(default)]
    pub registered_at: Option<SystemTime>,
    /// Set by the core at registration (who is the same prospect; ADR 0003). Read-only.
    #[uniffi(default)]
    pub prospect_key: String,
    /// The latest server time this device had seen when it registered the lead. Read-only.
    #[uniffi(default)]
    pub clock_floor_at: Option<SystemTime>,
    /// When the server first received the lead (stamped by the server). Read-only.
    #[uniffi(default)]
    pub server_received_at: Option<SystemTime>,
    /// The registering device's previous completed sync, as the server recorded it (stamped
    /// with the receipt). Read-only.
    #[uniffi(default)]
    pub contact_floor_at: Option<SystemTime>,
    /// 战败原因, when lost.
    #[uniffi(default)]
    pub lost_reason: String,
    #[uniffi(default)]
    pub customer_id: Option<String>,
    #[uniffi(default)]
    pub invoiced_at: Option<SystemTime>,
    #[uniffi(default)]
    pub follow_ups: Vec<FollowUp>,
    #[uniffi(default)]
    pub history: Vec<StatusChange>,
    /// The pipeline stage; `None` when writing means the first (contact). Moved by
    /// `advance_lead_stage` only.
    #[uniffi(default)]
    pub stage: Option<PipelineStage>,
    #[uniffi(default)]
    pub stage_changes: Vec<StageChange>,
    /// The rep's lost request waiting for her supervisor (`request_lead_lost`).
    #[uniffi(default)]
    pub lost_request: Option<LostRequest>,
    /// The amount when won, in fen (分).
    #[uniffi(default)]
    pub won_amount_fen: Option<i64>,
    /// The invoiced amount, in fen (分).
    #[uniffi(default)]
    pub invoiced_amount_fen: Option<i64>,
    /// What a scanned card said beyond the prospect (`saveCard`); `None` for a typed lead.
    #[uniffi(default)]
    pub capture: Option<ScannedCard>,
}

/// A lead scanned from a card's or badge's QR code: its format, and the card's title,
/// department and phones (E.164; the first is the prospect's phone).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ScannedCard {
    pub format: CaptureFormat,
    #[uniffi(default)]
    pub title: String,
    #[uniffi(default)]
    pub department: String,
    #[uniffi(default)]
    pub phones: Vec<String>,
}

impl From<core::ScannedCard> for ScannedCard {
    fn from(c: core::ScannedCard) -> Self {
        ScannedCard {
            format: c.format.into(),
            title: c.title,
            department: c.department,
            phones: c.phones,
        }
    }
}

impl From<ScannedCard> for core::ScannedCard {
    fn from(c: ScannedCard) -> Self {
        core::ScannedCard {
            format: c.format.into(),
            title: c.title,
            department: c.department,
            phones: c.phones,
        }
    }
}

/// One move of the pipeline stage, with the follow-up that justified it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StageChange {
    #[uniffi(default)]
    pub id: String,
    pub from: PipelineStage,
    pub to: PipelineStage,
    pub at: SystemTime,
    #[uniffi(default)]
    pub by: String,
    #[uniffi(default)]
    pub follow_up_id: String,
}

/// A rep's request to mark a lead lost (战败申请), until her supervisor decides.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct LostRequest {
    #[uniffi(default)]
    pub id: String,
    #[uniffi(default)]
    pub reason: String,
    pub at: SystemTime,
    #[uniffi(default)]
    pub by: String,
}

/// The person or company behind a lead.
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
pub struct Prospect {
    #[uniffi(default)]
    pub name: String,
    #[uniffi(default)]
    pub company: String,
    #[uniffi(default)]
    pub phone: String,
    #[uniffi(default)]
    pub email: String,
    #[uniffi(default)]
    pub needs: String,
}

/// One follow-up (跟踪情况及合作障碍). An empty `id` gets a fresh one when stored.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FollowUp {
    #[uniffi(default)]
    pub id: String,
    pub at: SystemTime,
    #[uniffi(default)]
    pub by: String,
    pub channel: FollowUpChannel,
    #[uniffi(default)]
    pub said: String,
    #[uniffi(default)]
    pub obstacles: String,
    #[uniffi(default)]
    pub next_step: String,
}

impl From<core::LeadReferral> for LeadReferral {
    fn from(l: core::LeadReferral) -> Self {
        LeadReferral {
            meta: l.meta.into(),
            code: l.code,
            source: l.source.into(),
            referrer_id: id_text(l.referrer_id),
            referrer_name: l.referrer_name,
            event: l.event,
            prospect: l.prospect.into(),
            grade: l.grade.into(),
            status: l.status.into(),
            registered_at: ts_opt(l.registered_at),
            prospect_key: l.prospect_key,
            clock_floor_at: ts_opt(l.clock_floor_at),
            server_received_at: ts_opt(l.server_received_at),
            contact_floor_at: ts_opt(l.contact_floor_at),
            lost_reason: l.lost_reason,
            customer_id: id_text(l.customer_id),
            invoiced_at: ts_opt(l.invoiced_at),
            follow_ups: vec_into(l.follow_ups),
            history: vec_into(l.history),
            stage: Some(l.stage.into()),
            stage_changes: vec_into(l.stage_changes),
            lost_request: l.lost_request.map(Into::into),
            won_amount_fen: l.won_amount_fen,
            invoiced_amount_fen: l.invoiced_amount_fen,
            capture: l.capture.map(Into::into),
        }
    }
}

impl TryFrom<LeadReferral> for core::LeadReferral {
    type Error = FieldbookError;
    fn try_from(l: LeadReferral) -> Result<Self> {
        Ok(core::LeadReferral {
            meta: l.meta.try_into()?,
            code: l.code,
            source: l.source.into(),
            referrer_id: record_id_opt("referrer_id", l.referrer_id)?,
            referrer_name: l.referrer_name,
            event: l.event,
            prospect: l.prospect.into(),
            grade: l.grade.into(),
            status: l.status.into(),
            registered_at: dt_opt("registered_at", l.registered_at)?,
            prospect_key: l.prospect_key,
            clock_floor_at: dt_opt("clock_floor_at", l.clock_floor_at)?,
            server_received_at: dt_opt("server_received_at", l.server_received_at)?,
            contact_floor_at: dt_opt("contact_floor_at", l.contact_floor_at)?,
            lost_reason: l.lost_reason,
            customer_id: record_id_opt("customer_id", l.customer_id)?,
            invoiced_at: dt_opt("invoiced_at", l.invoiced_at)?,
            follow_ups: try_vec(l.follow_ups)?,
            history: try_vec(l.history)?,
            stage: l.stage.map(Into::into).unwrap_or_default(),
            stage_changes: try_vec(l.stage_changes)?,
            lost_request: l.lost_request.map(TryInto::try_into).transpose()?,
            won_amount_fen: l.won_amount_fen,
            invoiced_amount_fen: l.invoiced_amount_fen,
            capture: l.capture.map(Into::into),
        })
    }
}

impl From<core::Prospect> for Prospect {
    fn from(p: core::Prospect) -> Self {
        Prospect {
            name: p.name,
            company: p.company,
            phone: p.phone,
            email: p.email,
            needs: p.needs,
        }
    }
}

impl From<Prospect> for core::Prospect {
    fn from(p: Prospect) -> Self {
        core::Prospect {
            name: p.name,
            company: p.company,
            phone: p.phone,
            email: p.email,
            needs: p.needs,
        }
    }
}

impl From<core::FollowUp> for FollowUp {
    fn from(f: core::FollowUp) -> Self {
        FollowUp {
            id: f.id,
            at: ts(f.at),
            by: f.by.to_string(),
            channel: f.channel.into(),
            said: f.said,
            obstacles: f.obstacles,
            next_step: f.next_step,
        }
    }
}

impl TryFrom<FollowUp> for core::FollowUp {
    type Error = FieldbookError;
    fn try_from(f: FollowUp) -> Result<Self> {
        Ok(core::FollowUp {
            id: f.id,
            at: dt("follow_ups.at", f.at)?,
            by: user("follow_ups.by", f.by)?,
            channel: f.channel.into(),
            said: f.said,
            obstacles: f.obstacles,
            next_step: f.next_step,
        })
    }
}

impl From<core::StageChange> for StageChange {
    fn from(s: core::StageChange) -> Self {
        StageChange {
            id: s.id,
            from: s.from.into(),
            to: s.to.into(),
            at: ts(s.at),
            by: s.by.to_string(),
            follow_up_id: s.follow_up_id,
        }
    }
}

impl TryFrom<StageChange> for core::StageChange {
    type Error = FieldbookError;
    fn try_from(s: StageChange) -> Result<Self> {
        Ok(core::StageChange {
            id: s.id,
            from: s.from.into(),
            to: s.to.into(),
            at: dt("stage_changes.at", s.at)?,
            by: user("stage_changes.by", s.by)?,
            follow_up_id: s.follow_up_id,
        })
    }
}

impl From<core::LostRequest> for LostRequest {
    fn from(r: core::LostRequest) -> Self {
        LostRequest {
            id: r.id,
            reason: r.reason,
            at: ts(r.at),
            by: r.by.to_string(),
        }
    }
}

impl TryFrom<LostRequest> for core::LostRequest {
    type Error = FieldbookError;
    fn try_from(r: LostRequest) -> Result<Self> {
        Ok(core::LostRequest {
            id: r.id,
            reason: r.reason,
            at: dt("lost_request.at", r.at)?,
            by: user("lost_request.by", r.by)?,
        })
    }
}
