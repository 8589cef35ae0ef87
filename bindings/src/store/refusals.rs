//! Changes the server refused: what the app shows the user ("the server did not accept your
//! change to 孙七's lead: …"), kept on the device until the record is edited again.

use std::sync::Arc;
use std::time::SystemTime;

use super::FieldbookStore;
use crate::background::run;
use crate::convert::ts;
use crate::error::Result;

/// One refused change: the record, the server's bilingual reason (it names the rule and the
/// field), and when the refusal arrived.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RefusedChange {
    pub record_id: String,
    pub reason: String,
    pub refused_at: SystemTime,
}

#[uniffi::export]
impl FieldbookStore {
    /// Every change the server refused, newest first. A refusal is reported once by the sync
    /// round that received it (background or `syncNow`); this list is where it stays visible.
    pub async fn refused_changes(self: Arc<Self>) -> Result<Vec<RefusedChange>> {
        run(move || {
            Ok(self
                .store
                .refusals()?
                .into_iter()
                .map(|r| RefusedChange {
                    record_id: r.record.to_string(),
                    reason: r.reason,
                    refused_at: ts(r.refused_at),
                })
                .collect())
        })
        .await
    }
}
