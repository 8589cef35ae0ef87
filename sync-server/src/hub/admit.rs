//! Admitting a device's changes: one history, the device's own actors, the gate, the record's
//! schema, the write rules, the lifecycle judge; and the server's receipt stamp on leads.

use fieldbook_core::access::conflict_paths_changed;
use fieldbook_core::model::{LeadReferral, RecordKind};
use fieldbook_core::schema::{Policy, check_record};
use fieldbook_core::{DeviceId, RecordDoc};

use super::{DocHub, Held, blocking};
use crate::error::Result;
use crate::gate::GateContext;
use crate::store::{DeviceAuth, ServerStore};

/// The changes an admitted message brought, read once from the document: their hashes (for the
/// change receipts) and their bytes as one chunk. In automerge 0.12 every `get_changes` /
/// `save_after` rebuilds the changes from the op set and deflates their columns; a bulk push
/// used to do that five times per record, half of the server's instructions (callgrind,
/// 1,000 records, 2026-12-04).
pub(super) struct Brought {
    pub(super) hashes: Vec<automerge::ChangeHash>,
    pub(super) chunk: Vec<u8>,
}

/// What is stored of an admitted document: the device's changes and the server's receipt
/// stamp (a lead) as one chunk; `stamp` alone is what the device lacks afterwards.
pub(super) struct Stamped {
    pub(super) chunk: Vec<u8>,
    /// The heads before the stamp (the device's changes applied).
    pub(super) unstamped: Vec<automerge::ChangeHash>,
    pub(super) stamp: Vec<u8>,
}

/// A document as it was before an incoming message.
pub(super) struct Prior<'a> {
    pub(super) heads: &'a [automerge::ChangeHash],
    pub(super) json: Option<serde_json::Value>,
    pub(super) conflicts: Vec<fieldbook_core::FieldConflict>,
}

impl<S: ServerStore> DocHub<S> {
    /// Everything a new set of changes must pass: one history, the device's own actors, the
    /// gate (size, kind) and the write rule table. `Ok(Err(reason))` refuses; admitted, the
    /// changes the message brought.
    pub(super) async fn admit(
        &self,
        device: &DeviceAuth,
        twin: &mut Held,
        prior: Prior<'_>,
    ) -> Result<std::result::Result<Brought, String>> {
        let id = twin.doc.id();
        let before = prior.heads;
        let changes = twin.doc.automerge().get_changes(before);
        if !before.is_empty() && changes.iter().any(|c| c.deps().is_empty()) {
            return Ok(Err(format!(
                "记录 {id}：历史不符（记录已被改写或伪造）/ record {id}: a different history \
                 (the record was rewritten or the change is forged); discard your copy"
            )));
        }
        let mut actors: Vec<Vec<u8>> = changes
            .iter()
            .map(|c| c.actor_id().to_bytes().to_vec())
            .collect();
        actors.sort();
        actors.dedup();
        if !self.actors_belong_to(device.device, actors).await? {
            return Ok(Err(format!(
                "记录 {id}：修改的作者不是本设备 / record {id}: a change is signed with another \
                 device's actor id"
            )));
        }
        // `save_after(before)` is these changes' bytes concatenated.
        let brought = Brought {
            hashes: changes.iter().map(|c| c.hash()).collect(),
            chunk: changes
                .iter()
                .flat_map(|c| c.raw_bytes())
                .copied()
                .collect(),
        };
        let total = twin.bytes + brought.chunk.len() as u64;
        let ctx = GateContext {
            device: device.device,
            user: &device.user,
            record: id,
        };
        if let Err(reason) = self.gate.check(ctx, &twin.doc, total) {
            return Ok(Err(reason));
        }
        let after = twin.doc.to_json();
        let claimed_id = after
            .pointer("/meta/id")
            .and_then(serde_json::Value::as_str);
        if claimed_id.is_some_and(|c| c != id.to_string()) {
            return Ok(Err(format!(
                "记录 {id} 字段 /meta/id：与文档编号不符 / record {id} field /meta/id: does not \
                 match the document id"
            )));
        }
        // The record's schema (ADR 0011): types, limits, nothing this server does not know.
        if let Err(refusal) = check_record(id, &after, Policy::Server) {
            return Ok(Err(refusal.to_string()));
        }
        let after_conflicts = if prior.conflicts.is_empty() && extends_linearly(before, &changes) {
            // Nothing concurrent was ever merged: no field can hold two values (walking the
            // document for them was a tenth of a bulk push's instructions).
            Vec::new()
        } else {
            twin.doc.conflicts()
        };
        let extra = conflict_paths_changed(&prior.conflicts, &after_conflicts);
        let access = self.access.read();
        let author = fieldbook_core::access::Author {
            user: &device.user,
            device: Some(device.device),
        };
        let before = prior.json.as_ref().filter(|j| j.get("kind").is_some());
        if let Err(refusal) = fieldbook_core::access::check_write(
            &access.dir,
            &access.leads,
            author,
            id,
            before,
            &after,
            &extra,
        ) {
            return Ok(Err(refusal.to_string()));
        }
        // The record's lifecycle: the step is legal, by this role, at the time received; times
        // the device claims lie after its previous completed sync.
        let calendar = fieldbook_core::WorkCalendar::china_default();
        let ctx = fieldbook_core::lifecycle::Context {
            user: &device.user,
            role: Some(
                access
                    .dir
                    .role(&device.user)
                    .unwrap_or(fieldbook_core::access::Role::FieldRep),
            ),
            now: self.clock.now(),
            floor: self.previous_sync(device),
            dir: Some(&access.dir),
            calendar: &calendar,
        };
        Ok(fieldbook_core::lifecycle::judge(before, &after, &ctx)
            .map(|()| brought)
            .map_err(|v| v.refusal(id).to_string()))
    }

    /// Stamps an admitted document's receipt ([`Self::stamp_receipt`]) and gives the chunk to
    /// store, without reading the device's changes from the document again.
    pub(super) fn stamp_admitted(
        &self,
        doc: &mut RecordDoc,
        device: &DeviceAuth,
        brought: &Brought,
    ) -> Result<Stamped> {
        let unstamped = doc.heads();
        self.stamp_receipt(doc, device)?;
        let stamp = if doc.heads() == unstamped {
            Vec::new()
        } else {
            doc.save_after(&unstamped)
        };
        let mut chunk = brought.chunk.clone();
        chunk.extend_from_slice(&stamp);
        Ok(Stamped {
            chunk,
            unstamped,
            stamp,
        })
    }

    /// Whether every actor is this device's: a Fieldbook actor names its device; any other
    /// actor (a stock automerge-repo client's) is bound to the first device that used it.
    async fn actors_belong_to(&self, device: DeviceId, actors: Vec<Vec<u8>>) -> Result<bool> {
        for actor in &actors {
            if let Some(named) = DeviceId::of_actor(&automerge::ActorId::from(actor.as_slice()))
                && named != device
            {
                return Ok(false);
            }
        }
        let unknown: Vec<Vec<u8>> = {
            let claimed = self.claimed.lock();
            actors
                .into_iter()
                .filter(|a| !claimed.contains(&(a.clone(), device)))
                .collect()
        };
        if unknown.is_empty() {
            return Ok(true);
        }
        let store = self.store.clone();
        let checked = unknown.clone();
        let ok = blocking(move || {
            for actor in &checked {
                if !store.claim_actor(actor, device)? {
                    return Ok(false);
                }
            }
            Ok(true)
        })
        .await?;
        if ok {
            self.claimed
                .lock()
                .extend(unknown.into_iter().map(|a| (a, device)));
        }
        Ok(ok)
    }

    /// The server stamps a lead with the time it first received it and, when the registering
    /// device brought it, that device's previous completed sync (ADR 0003).
    pub(super) fn stamp_receipt(&self, doc: &mut RecordDoc, device: &DeviceAuth) -> Result<()> {
        if doc.kind() != Some(RecordKind::LeadReferral) {
            return Ok(());
        }
        let Ok(lead) = doc.read::<LeadReferral>() else {
            return Ok(());
        };
        if lead.server_received_at.is_none() {
            let now = self.clock.now();
            let registering = lead.meta.created_by == device.user
                && [DeviceId::NIL, device.device].contains(&lead.meta.created_on);
            let floor = self
                .previous_sync(device)
                .filter(|p| registering && *p <= now);
            doc.update::<LeadReferral>(|l| {
                l.server_received_at = Some(now);
                l.contact_floor_at = floor;
                Ok(())
            })?;
        }
        Ok(())
    }
}

/// Whether `changes` (in causal order) form one chain on top of `before` (at most one head):
/// each depends on the previous one alone, so none is concurrent with another.
fn extends_linearly(before: &[automerge::ChangeHash], changes: &[automerge::Change]) -> bool {
    if before.len() > 1 {
        return false;
    }
    let mut tip = before.first().copied();
    for change in changes {
        if change.deps() != tip.as_slice() {
            return false;
        }
        tip = Some(change.hash());
    }
    true
}
