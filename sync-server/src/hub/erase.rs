//! Erasure that really erases (PIPL; ADR 0007): a person's data is removed from the record's
//! *history*, not only its current value. The server rewrites the record as a new document
//! with a fresh history (same id, generation + 1), replaces every stored chunk (old bytes are
//! overwritten on disk), logs the erasure, and re-indexes it; devices see the new generation in
//! their index, drop their old copy (scrubbing it from their file) and fetch the new one. A
//! change built on the old history is refused from then on (it would bring the data back).

use fieldbook_core::access::Role;
use fieldbook_core::sync::heads_key;
use fieldbook_core::sync::index_doc::generation;
use fieldbook_core::{RecordDoc, RecordId, UserId};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use super::{DocHub, EditOutcome, Held, MAX_WRITE_ATTEMPTS, is_index_doc, too_busy};
use crate::error::{Result, ServerError};
use crate::store::ServerStore;

/// Whose data to erase from a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Person {
    /// A customer's contact, by its id in `contacts`.
    Contact(String),
    /// A lead's prospect.
    Prospect,
}

/// The roles that handle erasure requests.
const ERASERS: [Role; 3] = [
    Role::MarketingManager,
    Role::CustomerServiceManager,
    Role::Admin,
];

impl<S: ServerStore> DocHub<S> {
    /// Erases `person`'s personal data from record `id` on behalf of `by`.
    pub async fn erase(&self, by: &UserId, id: RecordId, person: &Person) -> Result<EditOutcome> {
        let role = self.access.read().dir.role(by);
        if !role.is_some_and(|r| ERASERS.contains(&r)) {
            return Err(ServerError::Forbidden(
                "只有营销、客服经理或管理员可以删除个人信息 / only a marketing or customer-service \
                 manager or an admin may erase personal data"
                    .into(),
            ));
        }
        for _ in 0..MAX_WRITE_ATTEMPTS {
            if let Some(outcome) = self.try_erase(by, id, person).await? {
                return Ok(outcome);
            }
        }
        Err(too_busy(id))
    }

    /// One attempt; `None` if another node wrote the record first (caught up: try again).
    async fn try_erase(
        &self,
        by: &UserId,
        id: RecordId,
        person: &Person,
    ) -> Result<Option<EditOutcome>> {
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        self.load(id, &mut held).await?;
        let Some(current) = held.as_ref() else {
            return Ok(Some(EditOutcome::NotFound));
        };
        let before = current.doc.to_json();
        let version = current.version;
        if is_index_doc(&before) || !self.access.read().may_read(by, &before) {
            return Ok(Some(EditOutcome::NotFound));
        }
        let now = self.clock.now();
        let Some(mut after) = erased(&before, person, &now.to_rfc3339()) else {
            return Err(ServerError::NotFound(format!("{person:?}")));
        };
        after["meta"]["generation"] = json!(generation(&before) + 1);
        let mut doc = RecordDoc::from_json(id, &after, self.actor.clone())?;
        let bytes = doc.save();
        let key = heads_key(&doc.heads());
        let Some(version) = self.write(&mut doc, &bytes, true, Some(version)).await? else {
            self.catch_up(id, &mut held).await?;
            return Ok(None);
        };
        let len = bytes.len() as u64;
        *held = Some(Held {
            doc,
            bytes: len,
            version,
        });
        drop(held);
        let _ = self.rewritten.send(id);
        self.log(by.clone(), None, id, "erase").await?;
        self.after_stored(id, &after, &key).await?;
        tracing::info!(record = %id, "personal data erased; history rewritten");
        Ok(Some(EditOutcome::Stored(after)))
    }
}

/// The record without the person's data; `None` if the person is not in it.
fn erased(record: &Json, person: &Person, at: &str) -> Option<Json> {
    let mut out = record.clone();
    match person {
        Person::Contact(contact) => {
            let contacts = out.get_mut("contacts")?.as_array_mut()?;
            let c = contacts
                .iter_mut()
                .find(|c| c.get("id").and_then(Json::as_str) == Some(contact))?;
            for field in ["name", "title", "mobile", "direct_line", "email"] {
                c[field] = json!("");
            }
            c["name"] = json!("[已删除 / erased]");
            c["erased_at"] = json!(at);
            if let Some(consent) = c.get_mut("consent").filter(|v| v.is_object()) {
                consent["withdrawn_at"] = json!(at);
            }
        }
        Person::Prospect => {
            let prospect = out.get_mut("prospect")?;
            for field in ["name", "phone", "email"] {
                prospect[field] = json!("");
            }
            prospect["name"] = json!("[已删除 / erased]");
            // The ownership rule still needs to tell this prospect apart: keep a one-way digest.
            if let Some(key) = out.get("prospect_key").and_then(Json::as_str)
                && !key.is_empty()
            {
                let digest = hex::encode(Sha256::digest(key.as_bytes()));
                out["prospect_key"] = json!(format!("erased:{digest}"));
            }
            out["erased_at"] = json!(at);
        }
    }
    Some(out)
}
