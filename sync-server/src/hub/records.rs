//! Reading the merged records for the back office: the stored records with their heads (so a
//! reader can cache what it derived from them), one record's change history with who brought
//! each change, and the receipts the hub writes as changes arrive.

use automerge::ChangeHash;
use chrono::{DateTime, Utc};
use fieldbook_core::access::changed_paths;
use fieldbook_core::sync::index_doc::INDEX_KIND;
use fieldbook_core::{DeviceId, FieldConflict, RecordDoc, RecordId, UserId};
use serde_json::Value as Json;

use super::{DocHub, SERVER_DEVICE, blocking};
use crate::error::Result;
use crate::store::{ChangeReceipt, DocSummary, ServerStore};

/// A stored record (not an index document) as the hub holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldRecord {
    pub id: RecordId,
    pub json: Json,
    /// See `fieldbook_core::sync::heads_key`.
    pub heads_key: String,
}

/// One change of a record's history: who made it, from where, when, which fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeOrigin {
    /// The change hash (hex).
    pub hash: String,
    /// The user who brought it (a device's user, or the desk user the server acted for);
    /// `None` for the server's own stamps and rewrites.
    pub user: Option<UserId>,
    /// The device whose actor signed it; `None` for the server's actor.
    pub device: Option<DeviceId>,
    /// When the server received it (`None` for changes from before receipts were kept).
    pub received_at: Option<DateTime<Utc>>,
    /// The fields it changed (JSON pointers).
    pub fields: Vec<String>,
}

/// A record's newest changes.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub changes: Vec<ChangeOrigin>,
    /// How many older changes were left out.
    pub omitted: usize,
}

impl<S: ServerStore> DocHub<S> {
    /// Every stored record's id, kind and heads key (index documents left out).
    pub async fn record_summaries(&self) -> Result<Vec<DocSummary>> {
        let store = self.store.clone();
        let docs = blocking(move || store.list_docs()).await?;
        Ok(docs.into_iter().filter(|d| d.kind != INDEX_KIND).collect())
    }

    /// One stored record with its heads key; `None` if not stored or an index document.
    pub async fn record(&self, id: RecordId) -> Result<Option<HeldRecord>> {
        let found = self.json_and_key(id).await?;
        Ok(found
            .filter(|(json, _)| !super::is_index_doc(json))
            .map(|(json, heads_key)| HeldRecord {
                id,
                json,
                heads_key,
            }))
    }

    /// The newest `limit` changes of a stored record, in causal order (`None` if not stored).
    /// Each costs two forks of the document, hence the limit.
    pub async fn history(&self, id: RecordId, limit: usize) -> Result<Option<History>> {
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        self.load(id, &mut held).await?;
        let Some(doc) = held.as_ref().map(|h| h.doc.clone()) else {
            return Ok(None);
        };
        drop(held);
        let (store, actor) = (self.store.clone(), self.actor.clone());
        blocking(move || history_of(store.as_ref(), doc, actor, limit).map(Some)).await
    }

    /// When the server first stored a change of the record (its oldest receipt); `None` for a
    /// record with no receipts (stored before receipts were kept).
    pub async fn first_stored_at(&self, id: RecordId) -> Result<Option<DateTime<Utc>>> {
        let store = self.store.clone();
        let receipts = blocking(move || store.change_receipts(id)).await?;
        Ok(receipts.iter().map(|r| r.received_at).min())
    }

    /// The fields of a stored record that hold concurrent values.
    pub async fn conflicts(&self, id: RecordId) -> Result<Vec<FieldConflict>> {
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        self.load(id, &mut held).await?;
        Ok(held.as_ref().map(|h| h.doc.conflicts()).unwrap_or_default())
    }

    /// The hashes of the changes `doc` holds beyond `before`.
    pub(super) fn changes_since(
        &self,
        doc: &mut RecordDoc,
        before: &[ChangeHash],
    ) -> Vec<ChangeHash> {
        let changes = doc.automerge().get_changes(before);
        changes.iter().map(|c| c.hash()).collect()
    }

    /// Records who brought `changes` (after they are durable). A failure loses only the
    /// history's attribution, never the change: it is logged, not returned.
    pub(super) async fn note_receipts(
        &self,
        id: RecordId,
        user: &UserId,
        device: Option<DeviceId>,
        changes: Vec<ChangeHash>,
    ) {
        let at = self.clock.now();
        let receipts: Vec<ChangeReceipt> = changes
            .into_iter()
            .map(|h| ChangeReceipt {
                change: h.0,
                record: id,
                user: user.clone(),
                device,
                received_at: at,
            })
            .collect();
        let store = self.store.clone();
        if let Err(e) = blocking(move || store.note_changes(&receipts)).await {
            tracing::error!(error = %e, record = %id, "change receipts not stored");
        }
    }
}

fn history_of<S: ServerStore>(
    store: &S,
    mut doc: RecordDoc,
    actor: automerge::ActorId,
    limit: usize,
) -> Result<History> {
    let id = doc.id();
    let receipts = store.change_receipts(id)?;
    let tokens = store.device_tokens()?;
    let user_of_device = |d: DeviceId| {
        tokens
            .iter()
            .find(|t| t.device == d)
            .map(|t| t.user.clone())
    };
    let changes = doc.automerge().get_changes(&[]);
    let omitted = changes.len().saturating_sub(limit);
    let mut out = Vec::with_capacity(changes.len() - omitted);
    for change in &changes[omitted..] {
        let hash = change.hash();
        let actor_bytes = change.actor_id().to_bytes();
        let device = match DeviceId::of_actor(change.actor_id()) {
            Some(d) => Some(d),
            None => store.actor_device(actor_bytes)?,
        }
        .filter(|d| *d != SERVER_DEVICE);
        let receipt = receipts.iter().find(|r| r.change == hash.0);
        let fields = fields_changed(&mut doc, change.deps(), hash, &actor);
        out.push(ChangeOrigin {
            hash: hash.to_string(),
            user: receipt
                .map(|r| r.user.clone())
                .or_else(|| device.and_then(user_of_device)),
            device,
            received_at: receipt.map(|r| r.received_at),
            fields,
        });
    }
    Ok(History {
        changes: out,
        omitted,
    })
}

/// The fields one change changed: the record before it (at its dependencies) against the
/// record with it.
fn fields_changed(
    doc: &mut RecordDoc,
    deps: &[ChangeHash],
    hash: ChangeHash,
    actor: &automerge::ActorId,
) -> Vec<String> {
    let id = doc.id();
    let mut at = |heads: &[ChangeHash]| -> Json {
        match doc.automerge().fork_at(heads) {
            Ok(fork) => RecordDoc::from_automerge(id, fork, actor.clone()).to_json(),
            Err(_) => Json::Null,
        }
    };
    let before = if deps.is_empty() {
        Json::Object(serde_json::Map::new())
    } else {
        at(deps)
    };
    let after = at(&[hash]);
    changed_paths(&before, &after)
}
