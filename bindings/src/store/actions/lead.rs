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
            let note = lead::FollowUpNote {
                channel: note.channel.into(),
                said: note.said,
                obstacles: note.obstacles,
                next_step: note.next_step,
            };
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

    /// Marks a lead lost (战败) with the reason; only after at least one logged follow-up.
    pub async fn mark_lead_lost(
        self: Arc<Self>,
        lead_id: String,
        reason: String,
    ) -> Result<LeadReferral> {
        run(move || self.act::<LeadReferral>(&lead_id, |l, a| lead::mark_lost(l, &reason, a))).await
    }

    /// Marks a lead won, as the customer `customer_id`.
    pub async fn mark_lead_won(
        self: Arc<Self>,
        lead_id: String,
        customer_id: String,
    ) -> Result<LeadReferral> {
        run(move || {
            let customer = record_id("customer_id", &customer_id)?;
            self.act::<LeadReferral>(&lead_id, |l, a| lead::mark_won(l, customer, a))
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
