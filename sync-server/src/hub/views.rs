//! The redacted views of A-grade customers (issue 17, seed 001 §3.6, ADR 0013). An A-grade
//! customer reaches only the marketing manager; its rep and her supervisor hold, instead, a
//! view document the server keeps at the record's view id (the reserved space, ADR 0002):
//! the customer with contacts, budget, needs, habits, reception card, notes and contact log
//! withheld. The server writes it with its own actor, diff-only from the redacted projection,
//! so its history never held a withheld value. Each time the customer is stored (or access
//! changes) its view is brought up to date and listed in its readers' indexes; when the grade
//! leaves A the view is written once more (no longer A, it has no readers) and leaves every
//! index, while the record itself enters them again. When the customer is erased from (its
//! history rewritten, ADR 0007), so is its view: written anew from the erased customer as one
//! fresh history at the view's next generation, whether or not anyone reads it any more; its
//! readers' devices see the generation in their index and drop the old copy.

use std::collections::BTreeSet;

use fieldbook_core::access::{is_view, view_id};
use fieldbook_core::model::Customer;
use fieldbook_core::rules::customer::view_document;
use fieldbook_core::sync::heads_key;
use fieldbook_core::sync::index_doc::{entry_key, generation};
use fieldbook_core::{RecordId, UserId};
use serde_json::Value as Json;

use super::erase::set_generation;
use super::{DocHub, Held, MAX_WRITE_ATTEMPTS, too_busy};
use crate::error::Result;
use crate::store::{DeviceAuth, ServerStore};

/// The refusal of a device's change to a view document.
pub(super) fn view_refusal(id: RecordId) -> String {
    format!(
        "记录 {id}：这是A级客户的只读视图，仅服务器可写（规则 / rule customer.view_read_only）/ \
         record {id}: the read-only view of an A-grade customer; only the server writes it"
    )
}

impl<S: ServerStore> DocHub<S> {
    /// Brings the view of the customer `real` in line with the record `json` and its view
    /// readers' indexes. Nothing at all for a customer that is not A-grade and never had one.
    pub(super) async fn sync_view(&self, real: RecordId, json: &Json) -> Result<()> {
        self.write_view_of(real, json, false).await
    }

    /// After the customer `real` was erased from (ADR 0007): its view, if it has one, is written
    /// anew from the erased record as one fresh history at the next generation — whether or not
    /// anyone reads it any more — so the view keeps no erased value either.
    pub(super) async fn erase_view(&self, real: RecordId, json: &Json) -> Result<()> {
        if self.json(view_id(real)).await?.is_none() {
            return Ok(());
        }
        self.write_view_of(real, json, true).await
    }

    /// A view rewritten by an erasure of its own (it named the person): its holders' index
    /// entries name the new generation, so their devices drop the old history.
    pub(super) async fn index_rewritten_view(
        &self,
        id: RecordId,
        json: &Json,
        key: &str,
    ) -> Result<()> {
        let had = self
            .access
            .read()
            .indexed
            .get(&id)
            .cloned()
            .unwrap_or_default();
        self.index_view(id, &entry_key(json, key), &had, &had).await
    }

    async fn write_view_of(&self, real: RecordId, json: &Json, fresh: bool) -> Result<()> {
        if json.get("kind").and_then(Json::as_str) != Some("customer") || is_view(json) {
            return Ok(());
        }
        let id = view_id(real);
        let (readers, had) = {
            let access = self.access.read();
            let readers = access.view_readers(json);
            (
                readers,
                access.indexed.get(&id).cloned().unwrap_or_default(),
            )
        };
        if readers.is_empty() && had.is_empty() && !fresh {
            return Ok(());
        }
        let Ok(customer) = serde_json::from_value::<Customer>(json.clone()) else {
            tracing::warn!(record = %real, "customer does not match its model; view not written");
            return Ok(());
        };
        let projection = view_document(real, &customer)?;
        let (key, projection) = self.write_view(id, &projection, fresh).await?;
        self.index_view(id, &entry_key(&projection, &key), &readers, &had)
            .await
    }

    /// Writes the projection into the view document (creating it), diff-only, as the server,
    /// keeping the view's generation; `fresh` (an erasure): as one new history at the next
    /// generation instead, replacing every stored chunk. The heads key and what was written.
    async fn write_view(
        &self,
        id: RecordId,
        projection: &Json,
        fresh: bool,
    ) -> Result<(String, Json)> {
        for _ in 0..MAX_WRITE_ATTEMPTS {
            let slot = self.slot(id);
            let mut held = slot.lock().await;
            self.load(id, &mut held).await?;
            let mut projection = projection.clone();
            let had = held
                .as_ref()
                .map(|h| (generation(&h.doc.to_json()), h.version));
            let next = had.map_or(1, |(g, _)| g) + u64::from(fresh);
            if next > 1 {
                set_generation(&mut projection, next);
            }
            if let Some((_, version)) = had.filter(|_| fresh) {
                match self
                    .replace_history(id, &mut held, &projection, version)
                    .await?
                {
                    Some(key) => {
                        drop(held);
                        self.notify_changed(id);
                        tracing::info!(record = %id, "view rewritten after its customer's erasure");
                        return Ok((key, projection));
                    }
                    None => continue,
                }
            }
            let mut twin = held.clone().unwrap_or_else(|| Held::empty(id, &self.actor));
            let before = twin.doc.heads();
            twin.doc.write_json(&projection)?;
            if twin.doc.heads() == before {
                return Ok((heads_key(&before), projection));
            }
            let chunk = twin.doc.save_after(&before);
            if self.persist(&mut twin, &chunk).await? {
                let key = heads_key(&twin.doc.heads());
                *held = Some(twin);
                drop(held);
                self.notify_changed(id);
                return Ok((key, projection));
            }
            self.catch_up(id, &mut held).await?;
        }
        Err(too_busy(id))
    }

    async fn index_view(
        &self,
        id: RecordId,
        entry: &str,
        readers: &BTreeSet<UserId>,
        had: &BTreeSet<UserId>,
    ) -> Result<()> {
        for user in readers {
            self.index_entries(user, &[(id, Some(entry.to_owned()))])
                .await?;
        }
        for user in had.difference(readers) {
            self.index_entries(user, &[(id, None)]).await?;
        }
        self.access.write().indexed.insert(id, readers.clone());
        Ok(())
    }

    /// Whether `id` holds a genuine view document (the server's, at a view id).
    pub(super) async fn is_view_id(&self, id: RecordId) -> Result<bool> {
        let view = {
            let slot = self.slot(id);
            let mut held = slot.lock().await;
            self.load(id, &mut held).await?;
            held.as_ref().is_some_and(|h| is_view(&h.doc.to_json()))
        };
        self.release_if_empty(id);
        Ok(view)
    }

    /// How a device's change at the reserved `id` is refused: by the view's rule when it is a
    /// view the user may read, else as any reserved id (nothing said of what is there).
    pub(super) async fn reserved_refusal_for(
        &self,
        device: &DeviceAuth,
        id: RecordId,
    ) -> Result<String> {
        let readable = match self.json(id).await? {
            Some(json) => is_view(&json) && self.access.read().may_read(&device.user, &json),
            None => false,
        };
        if readable {
            self.log_refusal(device, id).await;
            return Ok(view_refusal(id));
        }
        Ok(super::reserved::reserved_refusal(id))
    }
}
