//! The back office (issue 9): the merged records of every kind for the desk — lists with
//! filters, one record with its history and open conflicts, search, metrics, desk actions,
//! customer import and exports. This module is the query layer; [`api`] is a thin JSON API on
//! it, and the server-rendered pages (`crate::web`) sit on the same [`Office`] methods.
//!
//! - Scope: every read goes through the hub's access state (`may_read`), so a user sees in the
//!   office exactly what their devices may hold; A-grade customers reach only the marketing
//!   manager in full, and their rep and her supervisors redacted (`redact.rs`, as the view
//!   their phones hold, ADR 0013).
//! - Same code as the device: rows come from the models' `index_entry`, search from
//!   `fieldbook_core::search::search_docs`, metrics from `fieldbook_core::queries`.
//! - Memory: what is derived from a record (typed model, row, search text) is cached per
//!   record and rebuilt only when its heads change; the records themselves are the hub's.
//! - Creation time: a record without `meta.created_at` (stock clients write none) is dated by
//!   when the server first stored it (its oldest change receipt), else shown as unknown.
//! - Every change goes through the hub ([`DocHub::edit_as`], [`DocHub::create_as`]): the same
//!   write rules as a device, then stored, indexed and synced.

pub(crate) mod api;
mod api_doc;
pub(crate) mod api_grants;
mod daily_logs;
mod desk;
mod export;
mod filter;
mod import;
mod log_book;
mod metrics;
mod query;
mod queues;
mod redact;
mod rows;
mod sheet;

use std::collections::HashMap;
use std::sync::Arc;

use fieldbook_core::access::{Role, is_view};
use fieldbook_core::{DeviceId, RecordId, UserId, WorkCalendar};

pub use daily_logs::RepMonthLogs;
pub use desk::Reassign;
pub use export::{ExportFormat, export};
pub use filter::{ListQuery, RecordFilter, SortKey};
pub use import::{ImportFormat, ImportReport, RowReport};
pub use log_book::{EntryItem, EntryPoint, LogItem, LogMonth, month_label, parse_month};
pub use metrics::{InvitationView, Metrics, MetricsQuery, Overdue, RateView};
pub use query::{HistoryEntry, Page, RecordDetail, SearchRow};
pub use queues::{Activity, ApprovalItem, ReviewItem};
pub use redact::A_GRADE_NOTICE;
pub use rows::{RecordRow, Typed, UNKNOWN_TIME};

use crate::error::Result;
use crate::hub::DocHub;
use crate::store::ServerStore;
use rows::Derived;

/// Who is at the desk: the signed-in user and the device (browser) their token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user: UserId,
    pub device: Option<DeviceId>,
}

impl From<crate::store::DeviceAuth> for Viewer {
    fn from(auth: crate::store::DeviceAuth) -> Self {
        Viewer {
            user: auth.user,
            device: Some(auth.device),
        }
    }
}

/// The back office over a hub.
pub struct Office<S: ServerStore> {
    hub: Arc<DocHub<S>>,
    cal: WorkCalendar,
    derived: parking_lot::Mutex<HashMap<RecordId, Arc<Derived>>>,
    /// The redacted derivations of A-grade customers, per role (keyed by heads as `derived`).
    redacted: parking_lot::Mutex<HashMap<(RecordId, Role), Arc<Derived>>>,
}

impl<S: ServerStore> std::fmt::Debug for Office<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Office").finish_non_exhaustive()
    }
}

impl<S: ServerStore> Office<S> {
    /// `cal` is the company's calendar (its zone and working days), as on the devices.
    pub fn new(hub: Arc<DocHub<S>>, cal: WorkCalendar) -> Self {
        Office {
            hub,
            cal,
            derived: parking_lot::Mutex::new(HashMap::new()),
            redacted: parking_lot::Mutex::new(HashMap::new()),
        }
    }

    pub fn hub(&self) -> &Arc<DocHub<S>> {
        &self.hub
    }

    pub fn calendar(&self) -> &WorkCalendar {
        &self.cal
    }

    /// Every record `viewer` may read, derived (from the cache where its heads are unchanged).
    async fn readable(&self, viewer: &Viewer) -> Result<Vec<Arc<Derived>>> {
        let summaries = self.hub.record_summaries().await?;
        let mut out = Vec::with_capacity(summaries.len());
        for s in summaries {
            let cached = self.derived.lock().get(&s.id).cloned();
            let derived = match cached.filter(|d| d.heads_key == s.heads_key) {
                Some(d) => d,
                None => match self.derive(s.id).await? {
                    Some(d) => d,
                    None => continue,
                },
            };
            if let Some(seen) = self.as_seen_by(viewer, derived) {
                out.push(seen);
            }
        }
        Ok(out)
    }

    /// The record as `viewer` may see it: whole, redacted (an A-grade customer of theirs, below
    /// marketing manager), or not at all (out of scope, or a view document: the office shows
    /// the record itself).
    fn as_seen_by(&self, viewer: &Viewer, derived: Arc<Derived>) -> Option<Arc<Derived>> {
        if is_view(&derived.json) {
            return None;
        }
        let role = {
            let access = self.hub.access();
            if access.may_read(&viewer.user, &derived.json) {
                return Some(derived);
            }
            if !access.view_readers(&derived.json).contains(&viewer.user) {
                return None;
            }
            access.dir.role(&viewer.user).unwrap_or(Role::FieldRep)
        };
        let key = (derived.row.id, role);
        let cached = self.redacted.lock().get(&key).cloned();
        if let Some(r) = cached.filter(|r| r.heads_key == derived.heads_key) {
            return Some(r);
        }
        let shown = redact::redacted(derived.row.id, &derived, role)?;
        self.redacted.lock().insert(key, shown.clone());
        Some(shown)
    }

    /// Derives one record from the hub's copy and caches it.
    async fn derive(&self, id: RecordId) -> Result<Option<Arc<Derived>>> {
        let Some(held) = self.hub.record(id).await? else {
            return Ok(None);
        };
        let mut derived = Derived::new(id, held.json, held.heads_key);
        if !derived.knows_created_at() {
            let known = self.derived.lock().get(&id).and_then(|d| d.first_stored_at);
            let first = match known {
                Some(at) => Some(at),
                None => self.hub.first_stored_at(id).await?,
            };
            derived = derived.first_stored(first);
        }
        let derived = Arc::new(derived);
        self.derived.lock().insert(id, derived.clone());
        Ok(Some(derived))
    }

    /// Whether `viewer` may read the record (false for one not stored).
    pub async fn may_read(&self, viewer: &Viewer, id: RecordId) -> Result<bool> {
        Ok(self.readable_one(viewer, id).await?.is_some())
    }

    /// One record if `viewer` may read it.
    async fn readable_one(&self, viewer: &Viewer, id: RecordId) -> Result<Option<Arc<Derived>>> {
        let found = self.derive(id).await?;
        Ok(found.and_then(|d| self.as_seen_by(viewer, d)))
    }
}
