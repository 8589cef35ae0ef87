//! Erasure that really erases (PIPL; ADR 0007): a person's data is removed from the records'
//! *history*, not only their current value. The server rewrites each record that holds it as
//! a new document with a fresh history (same id, generation + 1), replaces every stored chunk
//! (old bytes are overwritten on disk), logs the erasure, and re-indexes it; devices see the
//! new generation in their index, drop their old copy (scrubbing it from their file) and fetch
//! the new one. A change built on the old history is refused from then on (it would bring the
//! data back).
//!
//! Two requests: one contact or prospect of one record ([`DocHub::erase`], by id), or a person
//! wherever they stand ([`DocHub::erase_person`], by names, phones and e-mails): every record
//! on the server is searched, free text included, and each one that names them is rewritten.
//! Erasing a customer's contact also rewrites the daily logs of visits to that customer
//! (`logs.rs`), and an A-grade customer's view document follows its customer's new history
//! (`hub::views`).

mod digest;
mod logs;
mod scrub;
mod subject;

use fieldbook_core::access::{Role, is_view};
use fieldbook_core::sync::heads_key;
use fieldbook_core::sync::index_doc::generation;
use fieldbook_core::{Entropy, OsEntropy, RecordDoc, RecordId, UserId};
use serde_json::{Value as Json, json};

pub use digest::{ErasureKey, SECRET_NAME};
pub use subject::{DataSubject, ERASED};

use super::{DocHub, EditOutcome, Held, MAX_WRITE_ATTEMPTS, blocking, is_index_doc, too_busy};
use crate::error::{Result, ServerError};
use crate::store::ServerStore;
use scrub::Scrub;

/// Whose data to erase from a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Person {
    /// A customer's contact, by its id in `contacts`.
    Contact(String),
    /// A lead's prospect.
    Prospect,
}

/// What erasing a person did (or, for a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonErasure {
    /// The records rewritten that the eraser may read.
    pub erased: Vec<RecordId>,
    /// How many records outside the eraser's scope were rewritten too (not named to them).
    pub outside_scope: usize,
}

/// The roles that handle erasure requests.
const ERASERS: [Role; 3] = [
    Role::MarketingManager,
    Role::CustomerServiceManager,
    Role::Admin,
];

/// One attempt at rewriting a record.
enum Attempt {
    Written(Json),
    /// Nothing of the person in it (or no such record).
    Untouched,
    /// Another node wrote it first; caught up, try again.
    Stale,
}

impl<S: ServerStore> DocHub<S> {
    /// Erases `person`'s personal data from record `id` on behalf of `by`: the contact or
    /// prospect itself, and their name, phones and e-mail wherever else they stand in it.
    pub async fn erase(&self, by: &UserId, id: RecordId, person: &Person) -> Result<EditOutcome> {
        self.check_eraser(by)?;
        let Some(before) = self.json(id).await? else {
            return Ok(EditOutcome::NotFound);
        };
        if is_index_doc(&before) || !self.access.read().may_read(by, &before) {
            return Ok(EditOutcome::NotFound);
        }
        let subject = subject_of(&before, person)
            .ok_or_else(|| ServerError::NotFound(format!("{person:?}")))?;
        let (key, at) = (self.erasure_key().await?, self.clock.now().to_rfc3339());
        let scrub = Scrub {
            subject: &subject,
            named: Some(person),
            key: &key,
            at: &at,
        };
        let written = self.rewrite(by, id, &scrub, true).await?;
        if matches!(person, Person::Contact(_)) {
            let logs = self.erase_from_logs_of(by, id, &scrub).await?;
            tracing::info!(logs, "contact erased from the daily logs of their customer");
        }
        Ok(EditOutcome::Stored(written.unwrap_or(before)))
    }

    /// Erases a person from every record that names them (`dry_run`: only says which). The
    /// duty is the company's, so records outside `by`'s reading scope are rewritten too; they
    /// are counted, not named.
    pub async fn erase_person(
        &self,
        by: &UserId,
        subject: &DataSubject,
        dry_run: bool,
    ) -> Result<PersonErasure> {
        self.check_eraser(by)?;
        let (key, at) = (self.erasure_key().await?, self.clock.now().to_rfc3339());
        let scrub = Scrub {
            subject,
            named: None,
            key: &key,
            at: &at,
        };
        let mut done = PersonErasure::default();
        for summary in self.record_summaries().await? {
            let Some((json, _)) = self.json_and_key(summary.id).await? else {
                continue;
            };
            if scrub.record(&json)?.is_none() {
                continue;
            }
            if !dry_run && self.rewrite(by, summary.id, &scrub, false).await?.is_none() {
                continue;
            }
            if self.access.read().may_read(by, &json) {
                done.erased.push(summary.id);
            } else {
                done.outside_scope += 1;
            }
        }
        let records = done.erased.len() + done.outside_scope;
        tracing::info!(
            records,
            dry_run,
            "person erased from every record naming them"
        );
        Ok(done)
    }

    fn check_eraser(&self, by: &UserId) -> Result<()> {
        let role = self.access.read().dir.role(by);
        if role.is_some_and(|r| ERASERS.contains(&r)) {
            return Ok(());
        }
        Err(ServerError::Forbidden(
            "只有营销、客服经理或管理员可以删除个人信息 / only a marketing or customer-service \
             manager or an admin may erase personal data"
                .into(),
        ))
    }

    /// The deployment's erasure secret: created once, by whichever node needs it first, and
    /// read by every node from the shared store.
    async fn erasure_key(&self) -> Result<ErasureKey> {
        let mut fresh = [0u8; 32];
        OsEntropy.fill(&mut fresh);
        let store = self.store.clone();
        let secret = blocking(move || store.server_secret(SECRET_NAME, &fresh)).await?;
        Ok(ErasureKey::new(secret))
    }

    /// Rewrites record `id` without the person; the record as written, or `None` if nothing
    /// of the person was in it (or, `scoped`, `by` may not read it).
    async fn rewrite(
        &self,
        by: &UserId,
        id: RecordId,
        scrub: &Scrub<'_>,
        scoped: bool,
    ) -> Result<Option<Json>> {
        for _ in 0..MAX_WRITE_ATTEMPTS {
            match self.try_rewrite(by, id, scrub, scoped).await? {
                Attempt::Written(after) => return Ok(Some(after)),
                Attempt::Untouched => return Ok(None),
                Attempt::Stale => {}
            }
        }
        Err(too_busy(id))
    }

    async fn try_rewrite(
        &self,
        by: &UserId,
        id: RecordId,
        scrub: &Scrub<'_>,
        scoped: bool,
    ) -> Result<Attempt> {
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        self.load(id, &mut held).await?;
        let Some(current) = held.as_ref() else {
            return Ok(Attempt::Untouched);
        };
        let (before, version) = (current.doc.to_json(), current.version);
        if is_index_doc(&before) || (scoped && !self.access.read().may_read(by, &before)) {
            return Ok(Attempt::Untouched);
        }
        let Some(mut after) = scrub.record(&before)? else {
            return Ok(Attempt::Untouched);
        };
        set_generation(&mut after, generation(&before) + 1);
        let Some(key) = self.replace_history(id, &mut held, &after, version).await? else {
            return Ok(Attempt::Stale);
        };
        drop(held);
        self.log(by.clone(), None, id, "erase").await?;
        self.after_stored(id, &after, &key).await?;
        if is_view(&after) {
            self.index_rewritten_view(id, &after, &key).await?;
        } else {
            self.erase_view(id, &after).await?;
        }
        tracing::info!(record = %id, "personal data erased; history rewritten");
        Ok(Attempt::Written(after))
    }
}

impl<S: ServerStore> DocHub<S> {
    /// Replaces the whole history of `id` (held at `version`) by one new document holding
    /// `json`: every stored chunk overwritten, the live connections told to forget their sync
    /// state for it. Its heads key, or `None` if another node wrote first (then `held` has
    /// caught up). Also how an A-grade customer's view follows its erased customer
    /// (`views.rs`).
    pub(super) async fn replace_history(
        &self,
        id: RecordId,
        held: &mut Option<Held>,
        json: &Json,
        version: u64,
    ) -> Result<Option<String>> {
        let mut doc = RecordDoc::from_json(id, json, self.actor.clone())?;
        let bytes = doc.save();
        let key = heads_key(&doc.heads());
        let Some(version) = self.write(&mut doc, &bytes, true, Some(version)).await? else {
            self.catch_up(id, held).await?;
            return Ok(None);
        };
        *held = Some(Held {
            doc,
            bytes: bytes.len() as u64,
            chunks: 1,
            version,
        });
        let _ = self.rewritten.send(id);
        Ok(Some(key))
    }
}

/// The person behind one contact or prospect of `record`; `None` if it has no such entry.
fn subject_of(record: &Json, person: &Person) -> Option<DataSubject> {
    let entry = match person {
        Person::Contact(contact) => record
            .get("contacts")?
            .as_array()?
            .iter()
            .find(|c| c.get("id").and_then(Json::as_str) == Some(contact))?,
        Person::Prospect => record.get("prospect").filter(|p| p.is_object())?,
    };
    let text = |f: &str| entry.get(f).and_then(Json::as_str).unwrap_or("");
    Some(DataSubject::of_fields(
        &[text("name")],
        &[text("mobile"), text("direct_line"), text("phone")],
        &[text("email")],
    ))
}

/// Sets `meta.generation` (a record without a `meta` map gets one).
pub(super) fn set_generation(record: &mut Json, generation: u64) {
    match record.get_mut("meta").and_then(Json::as_object_mut) {
        Some(meta) => {
            meta.insert("generation".into(), json!(generation));
        }
        None => record["meta"] = json!({ "generation": generation }),
    }
}
