//! The steps of a lead referral (seeds 002–004).

use std::sync::Arc;

use fieldbook_core::model as core;
use fieldbook_core::rules::lead;
use fieldbook_core::rules::ownership::{self, OwnershipDecision};

use crate::background::run;
use crate::convert::{record_id, ts_opt};
use crate::enums::{FollowUpChannel, LeadGrade};
use crate::error::{FieldbookError, Result};
use crate::observer::ChangeOrigin;
use crate::records::LeadReferral;
use crate::store::FieldbookStore;

/// What a rep writes after contacting a lead (跟踪情况及合作障碍). `said` and `next_step` are
/// required; the date and the rep are filled in.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct FollowUpNote {
    pub channel: FollowUpChannel,
    pub said: String,
    #[uniffi(default)]
    pub obstacles: String,
    pub next_step: String,
}

/// Who owns a prospect that several reps registered ("whoever registers first owns it").
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct LeadOwnership {
    /// Whether the lead asked about is the owning registration.
    pub owns: bool,
    /// The owning lead, its code and its owner.
    pub owner_lead_id: String,
    pub owner_code: String,
    pub owner: String,
    /// The time the decision ranks the owning lead by, when known.
    pub registered_at: Option<std::time::SystemTime>,
    /// How many registrations of the same prospect this device knows, the owner's included.
    pub claims: u32,
    /// What to tell the rep, bilingual (Chinese first).
    pub explanation: String,
}

#[uniffi::export]
impl FieldbookStore {
    /// Registers a new lead through the rules: checks the source and the prospect (a phone, or a
    /// company and a contact), assigns its identifying code (识别码) and registration time.
    /// Durable when it returns. Another rep may already own the prospect: see `leadOwnership`.
    pub async fn create_lead(self: Arc<Self>, lead: LeadReferral) -> Result<LeadReferral> {
        run(move || {
            let core = self.with_entry_ids(lead.try_into()?)?;
            let stored = lead::register(&self.store, core)?;
            self.changed(stored.meta.id.to_string(), ChangeOrigin::Local);
            Ok(stored.into())
        })
        .await
    }

    /// Logs a follow-up on an open lead, now, by the signed-in rep.
    pub async fn log_follow_up(
        self: Arc<Self>,
        lead_id: String,
        note: FollowUpNote,
    ) -> Result<LeadReferral> {
        run(move || {
            let note = note.into_core();
            self.act::<LeadReferral>(&lead_id, |l, a| lead::log_follow_up(l, &note, a))
        })
        .await
    }

    /// Changes an open lead's grade, and so its follow-up cadence (H daily … C monthly).
    pub async fn grade_lead(
        self: Arc<Self>,
        lead_id: String,
        grade: LeadGrade,
    ) -> Result<LeadReferral> {
        run(move || self.act::<LeadReferral>(&lead_id, |l, a| lead::regrade(l, grade.into(), a)))
            .await
    }

    /// Moves an open lead's deal one pipeline stage forward (contact → needs → proposal →
    /// price → contract), logging `note`: the follow-up that justifies the move (seed 003).
    pub async fn advance_lead_stage(
        self: Arc<Self>,
        lead_id: String,
        note: FollowUpNote,
    ) -> Result<LeadReferral> {
        run(move || {
            let note = note.into_core();
            self.act::<LeadReferral>(&lead_id, |l, a| lead::advance_stage(l, &note, a))
        })
        .await
    }

    /// The rep asks her supervisor to mark the lead lost (战败申请), with the reason; only after
    /// follow-ups on at least two different days. The lead stays open until confirmed.
    pub async fn request_lead_lost(
        self: Arc<Self>,
        lead_id: String,
        reason: String,
    ) -> Result<LeadReferral> {
        run(move || {
            self.act::<LeadReferral>(&lead_id, |l, a| {
                lead::request_lost(l, &reason, a, &self.calendar)
            })
        })
        .await
    }

    /// The rep's supervisor (signed in on her own device) confirms the lost request: the lead
    /// is lost, with the rep's reason.
    pub async fn confirm_lead_lost(self: Arc<Self>, lead_id: String) -> Result<LeadReferral> {
        run(move || self.act::<LeadReferral>(&lead_id, lead::confirm_lost)).await
    }

    /// The supervisor declines the lost request, saying why; the lead stays open.
    pub async fn decline_lead_lost(
        self: Arc<Self>,
        lead_id: String,
        why: String,
    ) -> Result<LeadReferral> {
        run(move || self.act::<LeadReferral>(&lead_id, |l, a| lead::decline_lost(l, &why, a))).await
    }

    /// Marks a lead won, as the customer `customer_id`, for `amount_fen` (分).
    pub async fn mark_lead_won(
        self: Arc<Self>,
        lead_id: String,
        customer_id: String,
        amount_fen: i64,
    ) -> Result<LeadReferral> {
        run(move || {
            let customer = record_id("customer_id", &customer_id)?;
            self.act::<LeadReferral>(&lead_id, |l, a| lead::mark_won(l, customer, amount_fen, a))
        })
        .await
    }

    /// Records the invoice of a won lead, for `amount_fen` (分); its tracking ends.
    pub async fn mark_lead_invoiced(
        self: Arc<Self>,
        lead_id: String,
        amount_fen: i64,
    ) -> Result<LeadReferral> {
        run(move || {
            self.act::<LeadReferral>(&lead_id, |l, a| lead::mark_invoiced(l, amount_fen, a))
        })
        .await
    }

    /// Who owns the prospect of this lead, among every registration of it this device knows
    /// (more arrive with sync), and the explanation to show the rep.
    pub async fn lead_ownership(self: Arc<Self>, lead_id: String) -> Result<LeadOwnership> {
        run(move || {
            let id = record_id("lead_id", &lead_id)?;
            let mine: core::LeadReferral = self.store.get(id)?;
            let mut same = self.store.leads_with_key(&mine.prospect_key)?;
            if !same.iter().any(|l| l.meta.id == id) {
                same.push(mine);
            }
            let decision = ownership::decide(&same).ok_or_else(|| {
                FieldbookError::invalid("prospect", "线索无法识别客户 / the lead names no prospect")
            })?;
            Ok(LeadOwnership::of(&decision, id))
        })
        .await
    }
}

impl FollowUpNote {
    fn into_core(self) -> lead::FollowUpNote {
        lead::FollowUpNote {
            channel: self.channel.into(),
            said: self.said,
            obstacles: self.obstacles,
            next_step: self.next_step,
        }
    }
}

impl LeadOwnership {
    fn of(d: &OwnershipDecision, lead: fieldbook_core::RecordId) -> Self {
        LeadOwnership {
            owns: d.owns(lead),
            owner_lead_id: d.winner.lead.to_string(),
            owner_code: d.winner.code.clone(),
            owner: d.winner.owner.to_string(),
            registered_at: ts_opt(d.winner.effective_at),
            claims: u32::try_from(d.others.len() + 1).unwrap_or(u32::MAX),
            explanation: d.explain_to(lead),
        }
    }
}
