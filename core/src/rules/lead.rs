//! Lead referrals (线索 / 转介绍) — seeds 002 篇3, 003, 004.
//!
//! - Every lead names its source; a referral names the referring customer, a trade-show lead
//!   its event.
//! - The prospect must be identifiable: a valid phone number, or a company and a contact name
//!   (that is the key "whoever registers first owns it" compares, see [`super::ownership`]).
//! - The identifying code (识别码) is derived from the record id, which the registering device
//!   draws at random (122 bits): two devices assign the same code only if they draw the same
//!   record id, which would already make them the same document. It is written `XS-` and the
//!   id in Crockford base32 (no I, L, O, U) in groups, readable aloud; lists show the first
//!   group.
//! - Grade sets the cadence: H the same day (then daily), A weekly, B every two weeks, C every
//!   30 days, D (no intent) none. The clock starts at the latest follow-up, or registration.
//! - Every follow-up logs date, channel, what was said, obstacles and the next step; what was
//!   said and the next step are required.
//! - Steps (issue 17; the judge in `crate::lifecycle` refuses the same steps sent raw):
//!   open → won (the customer and the amount) → invoiced (the invoiced amount); open → lost
//!   only through a rep's request and her supervisor's confirmation; the pipeline stage
//!   (seed 003 跟进流程: contact → needs → proposal → price → contract) moves one stage
//!   forward at a time, each move with the follow-up that justifies it (`lead_steps.rs`).
//! - A lost request needs a reason and follow-ups on at least [`LOST_MIN_FOLLOW_UP_DAYS`]
//!   different days (seed 003 fines fake "lost" marks, 虚假战败: a lead called once was not
//!   lost, it was dropped); until the supervisor confirms, the lead stays open.
//! - Amounts are in fen (分), integers, positive.
//! - A trade-show lead is answered (first follow-up) within 1 week, at most 2.

use chrono::{DateTime, Days, TimeDelta, Utc};

use super::{Action, wrong_state};

#[path = "lead_steps.rs"]
mod steps;
use crate::calendar::WorkCalendar;
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::input::{normalize_phone, require_text, validate_email};
use crate::model::{
    FollowUp, FollowUpChannel, LeadGrade, LeadReferral, LeadSource, LeadStatus, PipelineStage,
    StringEnum,
};
use crate::store::DeviceStore;
pub use steps::*;

/// Trade-show leads should be answered within this…
pub const TRADE_SHOW_TARGET: TimeDelta = TimeDelta::weeks(1);
/// …and must be within this.
pub const TRADE_SHOW_LIMIT: TimeDelta = TimeDelta::weeks(2);
/// A lost request needs follow-ups on at least this many different (Shanghai) days.
pub const LOST_MIN_FOLLOW_UP_DAYS: usize = 2;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The identifying code of the lead with record id `id`.
pub fn code_for(id: RecordId) -> String {
    let mut bits: u128 = u128::from_be_bytes(*id.as_bytes());
    let mut chars = Vec::with_capacity(26);
    for _ in 0..26 {
        chars.push(CROCKFORD[(bits & 31) as usize] as char);
        bits >>= 5;
    }
    chars.reverse();
    let groups: Vec<String> = chars.chunks(5).map(|c| c.iter().collect()).collect();
    format!("XS-{}", groups.join("-"))
}

/// Checks and normalises a new lead's source and prospect, in place.
fn check_new_lead(lead: &mut LeadReferral) -> Result<()> {
    match lead.source {
        LeadSource::Referral
            if lead.referrer_id.is_none() && lead.referrer_name.trim().is_empty() =>
        {
            return Err(Error::invalid(
                "referrer_name",
                "转介绍线索须注明介绍人 / a referral names the referring customer",
            ));
        }
        LeadSource::TradeShow => {
            require_text("event", &lead.event, "展会名称", "the trade show")?;
        }
        _ => {}
    }
    let p = &mut lead.prospect;
    if !p.phone.trim().is_empty() {
        p.phone = normalize_phone("prospect.phone", &p.phone)?;
    }
    if !p.email.trim().is_empty() {
        p.email = validate_email("prospect.email", &p.email)?;
    }
    lead.prospect_key = super::ownership::prospect_key(p).ok_or_else(|| {
        Error::invalid(
            "prospect",
            "须填写手机号，或公司名称和联系人姓名 / a phone number, or a company and a contact name, is required",
        )
    })?;
    Ok(())
}

/// Registers a lead on this device: checks it, assigns its code, and records when (by the
/// store's clock) and the latest server time this device has seen (ADR 0003).
#[tracing::instrument(skip_all)]
pub fn register(store: &DeviceStore, mut lead: LeadReferral) -> Result<LeadReferral> {
    check_new_lead(&mut lead)?;
    let id = store.new_record_id();
    let act = Action::on(store);
    lead.meta.id = id;
    lead.code = code_for(id);
    lead.status = LeadStatus::Open;
    lead.registered_at = Some(act.at);
    lead.clock_floor_at = store.server_time_floor()?;
    lead.server_received_at = None;
    lead.stage = PipelineStage::Contact;
    lead.stage_changes.clear();
    lead.lost_request = None;
    lead.won_amount_fen = None;
    lead.invoiced_amount_fen = None;
    lead.invoiced_at = None;
    lead.lost_reason.clear();
    // What was said at registration (at the booth) is the registering rep's.
    for f in lead
        .follow_ups
        .iter_mut()
        .filter(|f| f.by.as_str().is_empty())
    {
        f.by = act.by.clone();
    }
    lead.history
        .push(act.change("", "open", lead.source.as_str()));
    store.create(lead)
}

/// When the next follow-up is due under the lead's cadence; `None` if none is (closed, or D).
pub fn next_follow_up_due(lead: &LeadReferral, cal: &WorkCalendar) -> Option<DateTime<Utc>> {
    if lead.status != LeadStatus::Open {
        return None;
    }
    let last = lead.follow_ups.iter().map(|f| f.at).max();
    let base = last.or(lead.registered_at).unwrap_or(lead.meta.created_at);
    match lead.grade {
        LeadGrade::H => {
            let day = cal.local_date(base);
            let day = if last.is_some() {
                day + Days::new(1)
            } else {
                day
            };
            Some(cal.end_of_day(day))
        }
        LeadGrade::A => Some(base + TimeDelta::days(7)),
        LeadGrade::B => Some(base + TimeDelta::days(14)),
        LeadGrade::C => Some(base + TimeDelta::days(30)),
        LeadGrade::D | LeadGrade::Other(_) => None,
    }
}

/// For an unanswered trade-show lead: its 1-week target and 2-week limit.
pub fn trade_show_response_due(lead: &LeadReferral) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let open = lead.status == LeadStatus::Open && lead.follow_ups.is_empty();
    let at = lead
        .registered_at
        .filter(|_| open && lead.source == LeadSource::TradeShow)?;
    Some((at + TRADE_SHOW_TARGET, at + TRADE_SHOW_LIMIT))
}

/// What a rep writes for a follow-up.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FollowUpNote {
    pub channel: FollowUpChannel,
    pub said: String,
    pub obstacles: String,
    pub next_step: String,
}

/// Logs a follow-up (跟踪情况及合作障碍).
pub fn log_follow_up(lead: &mut LeadReferral, note: &FollowUpNote, act: &Action) -> Result<()> {
    if lead.status != LeadStatus::Open {
        return Err(wrong_state(
            "status",
            lead.status.as_str(),
            "跟进",
            "follow up",
        ));
    }
    lead.follow_ups.push(FollowUp {
        id: act.entry_id.clone(),
        at: act.at,
        by: act.by.clone(),
        channel: note.channel.clone(),
        said: require_text("said", &note.said, "沟通内容", "what was said")?,
        obstacles: note.obstacles.trim().to_owned(),
        next_step: require_text("next_step", &note.next_step, "下一步计划", "the next step")?,
    });
    Ok(())
}

/// Changes the grade (and so the cadence).
pub fn regrade(lead: &mut LeadReferral, grade: LeadGrade, act: &Action) -> Result<()> {
    if lead.status != LeadStatus::Open {
        return Err(wrong_state(
            "status",
            lead.status.as_str(),
            "调整级别",
            "regrade",
        ));
    }
    lead.history
        .push(act.change(lead.grade.as_str(), grade.as_str(), "grade / 级别"));
    lead.grade = grade;
    Ok(())
}

#[cfg(test)]
#[path = "lead_tests.rs"]
mod tests;
