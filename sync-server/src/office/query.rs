//! Reading: a filtered, sorted page of rows; one record with its history and open conflicts
//! (its viewing logged when it is a customer); search.

use chrono::{DateTime, Utc};
use fieldbook_core::search::{SearchQuery, search_docs};
use fieldbook_core::{DeviceId, FieldConflict, RecordId, UserId};
use serde::Serialize;
use serde_json::Value as Json;
use utoipa::ToSchema;

use super::filter::RecordFilter;
use super::rows::RecordRow;
use super::{Office, Viewer, redact};
use crate::error::Result;
use crate::hub::ChangeOrigin;
use crate::store::ServerStore;

/// The most changes a record's history lists.
pub const MAX_HISTORY: usize = 200;

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Page {
    /// Matching records in all pages.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub records: Vec<RecordRow>,
}

/// One change of a record's history.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub hash: String,
    /// Who brought it; absent for the server's own stamps.
    #[schema(value_type = Option<String>)]
    pub user: Option<UserId>,
    /// From which device; absent for desk actions and the server.
    #[schema(value_type = Option<String>)]
    pub device: Option<DeviceId>,
    /// When the server received it.
    pub received_at: Option<DateTime<Utc>>,
    /// The fields it changed (JSON pointers).
    pub fields: Vec<String>,
}

impl From<ChangeOrigin> for HistoryEntry {
    fn from(c: ChangeOrigin) -> Self {
        HistoryEntry {
            hash: c.hash,
            user: c.user,
            device: c.device,
            received_at: c.received_at,
            fields: c.fields,
        }
    }
}

/// One record in full.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RecordDetail {
    pub row: RecordRow,
    /// The merged record (every field, known to this build or not).
    #[schema(value_type = Object)]
    pub record: Json,
    /// The newest changes (at most 200), in causal order.
    pub history: Vec<HistoryEntry>,
    /// How many older changes are not listed.
    pub history_omitted: usize,
    /// Fields holding concurrent values (the visible winner and the others).
    #[schema(value_type = Vec<Object>)]
    pub conflicts: Vec<FieldConflict>,
    /// Set when the record is shown redacted: an A-grade customer below marketing manager
    /// ("A级客户：详情仅营销经理及以上可见 / A-grade customer: details for marketing managers and
    /// above"); its withheld fields are absent from the record, the history and the conflicts.
    pub notice: Option<String>,
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SearchRow {
    #[schema(value_type = String)]
    pub id: RecordId,
    pub kind: String,
    pub title: String,
    /// The field that matched: name, company, contact, phone, pinyin, initials, code, notes.
    pub field: String,
    pub matched: String,
    /// Lower is better.
    pub score: u32,
}

impl<S: ServerStore> Office<S> {
    /// Every row `viewer` may read that passes `filter`, sorted; one page of them when the
    /// filter asks for a page.
    pub async fn list(&self, viewer: &Viewer, filter: &RecordFilter) -> Result<Page> {
        let records = self.readable(viewer).await?;
        let mut rows: Vec<RecordRow> = {
            let access = self.hub.access();
            records
                .iter()
                .map(|d| d.row_in(&access.dir))
                .filter(|r| filter.matches(r))
                .collect()
        };
        filter.sort(&mut rows);
        let total = rows.len();
        let (page, per_page) = filter.page.unwrap_or((1, total.max(1)));
        let records = rows
            .into_iter()
            .skip((page - 1).saturating_mul(per_page))
            .take(per_page)
            .collect();
        Ok(Page {
            total,
            page,
            per_page,
            records,
        })
    }

    /// One record with its history and open conflicts, if `viewer` may read it. Viewing a
    /// customer is logged (`view`).
    pub async fn record(&self, viewer: &Viewer, id: RecordId) -> Result<Option<RecordDetail>> {
        let Some(d) = self.readable_one(viewer, id).await? else {
            return Ok(None);
        };
        if d.is_customer() {
            self.hub
                .log(viewer.user.clone(), viewer.device, id, "view")
                .await?;
        }
        let history = self.hub.history(id, MAX_HISTORY).await?;
        let (history, history_omitted) =
            history.map_or((Vec::new(), 0), |h| (h.changes, h.omitted));
        let conflicts = self.hub.conflicts(id).await?;
        let row = d.row_in(&self.hub.access().dir);
        let (history, conflicts, notice) = match row.redacted {
            true => (
                redact::history(history),
                redact::conflicts(conflicts),
                Some(redact::A_GRADE_NOTICE.to_owned()),
            ),
            false => (history, conflicts, None),
        };
        Ok(Some(RecordDetail {
            row,
            record: d.json.clone(),
            history: history.into_iter().map(HistoryEntry::from).collect(),
            history_omitted,
            conflicts,
            notice,
        }))
    }

    /// Searches the records `viewer` may read, as the device searches its own.
    pub async fn search(
        &self,
        viewer: &Viewer,
        text: &str,
        limit: usize,
    ) -> Result<Vec<SearchRow>> {
        let records = self.readable(viewer).await?;
        let query = SearchQuery {
            text: text.to_owned(),
            limit,
        };
        let hits = search_docs(records.iter().map(|d| &d.search), &query);
        Ok(hits
            .into_iter()
            .map(|h| SearchRow {
                id: h.id,
                kind: h.kind.to_string(),
                title: h.title,
                field: h.field.as_str().to_owned(),
                matched: h.matched,
                score: h.score,
            })
            .collect())
    }
}
