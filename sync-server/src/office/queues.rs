//! What waits for the desk, and what moved today: return-visit reports filed and awaiting a
//! supervisor's review (seed 001 §7), reception expenses awaiting an approver (seed 001 §1),
//! and the records changed since a moment (the day's activity), newest first.

use chrono::{DateTime, Utc};
use fieldbook_core::access::Role;
use fieldbook_core::model::{ReceptionNote, ReturnVisitReport};
use fieldbook_core::rules::reception::{Approver, approval_void};
use fieldbook_core::{DeviceId, UserId};

use super::rows::{RecordRow, Typed};
use super::{Office, Viewer};
use crate::error::Result;
use crate::hub::blocking;
use crate::store::ServerStore;

/// A filed report awaiting review.
#[derive(Debug, Clone)]
pub struct ReviewItem {
    pub row: RecordRow,
    pub report: ReturnVisitReport,
}

/// A reception whose expense awaits a decision.
#[derive(Debug, Clone)]
pub struct ApprovalItem {
    pub row: RecordRow,
    pub note: ReceptionNote,
}

/// A record changed in the period: its row and its newest change.
#[derive(Debug, Clone)]
pub struct Activity {
    pub row: RecordRow,
    pub changed_at: DateTime<Utc>,
    /// Who brought the newest change, and from which device (none for desk actions).
    pub by: UserId,
    pub device: Option<DeviceId>,
}

impl<S: ServerStore> Office<S> {
    /// Filed, unreviewed return-visit reports `viewer` may read, oldest visit first.
    pub async fn review_queue(&self, viewer: &Viewer) -> Result<Vec<ReviewItem>> {
        let records = self.readable(viewer).await?;
        let access = self.hub.access();
        let mut out: Vec<ReviewItem> = records
            .iter()
            .filter_map(|d| match &d.typed {
                Typed::ReturnVisitReport(r) if r.filed_at.is_some() && r.review.is_none() => {
                    Some(ReviewItem {
                        row: d.row_in(&access.dir),
                        report: r.clone(),
                    })
                }
                _ => None,
            })
            .collect();
        out.sort_by_key(|i| (i.row.key_at, i.row.id));
        Ok(out)
    }

    /// Reception expenses `viewer` may read that await a decision: for the customer-service
    /// manager and the finance manager, their own half; for anyone else, either half.
    pub async fn approval_queue(&self, viewer: &Viewer) -> Result<Vec<ApprovalItem>> {
        let records = self.readable(viewer).await?;
        let access = self.hub.access();
        let role = access.dir.role(&viewer.user);
        let mut out: Vec<ApprovalItem> = records
            .iter()
            .filter_map(|d| match &d.typed {
                Typed::ReceptionNote(n) if awaits(n, role) => Some(ApprovalItem {
                    row: d.row_in(&access.dir),
                    note: n.as_ref().clone(),
                }),
                _ => None,
            })
            .collect();
        out.sort_by_key(|i| (i.note.expense.as_ref().map(|e| e.applied_at), i.row.id));
        Ok(out)
    }

    /// The records `viewer` may read whose newest change arrived at or after `since`.
    pub async fn activity(&self, viewer: &Viewer, since: DateTime<Utc>) -> Result<Vec<Activity>> {
        let store = self.hub.store().clone();
        let receipts = blocking(move || store.latest_changes_since(since)).await?;
        let mut out = Vec::with_capacity(receipts.len());
        for r in receipts {
            let Some(d) = self.readable_one(viewer, r.record).await? else {
                continue;
            };
            out.push(Activity {
                row: d.row_in(&self.hub.access().dir),
                changed_at: r.received_at,
                by: r.user,
                device: r.device,
            });
        }
        Ok(out)
    }
}

/// Whether a reception's expense awaits `role`'s decision (any decision for other roles).
fn awaits(note: &ReceptionNote, role: Option<Role>) -> bool {
    let Some(e) = &note.expense else {
        return false;
    };
    // A void approval (given to an application that changed since) awaits a new decision.
    let cs = e.cs_manager.is_none() || approval_void(note, Approver::CustomerServiceManager);
    let fin = e.finance_manager.is_none() || approval_void(note, Approver::FinanceManager);
    match role {
        Some(Role::CustomerServiceManager) => cs,
        Some(Role::FinanceManager) => fin,
        _ => cs || fin,
    }
}
