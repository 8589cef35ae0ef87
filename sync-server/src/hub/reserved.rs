//! The id space the server owns (issue 15, finding 3). Index document ids are computable by
//! anyone (`index_id` hashes the user id), so before this a rep could create a record at the
//! index id of a user not created yet, and the server later wrote that user's entries into the
//! squatter's document. Now index ids are UUID version 8 (`RecordId::is_reserved`), a space no
//! device creates ids in: the hub refuses every device change there except none at all (its
//! own index is read-only), and it writes and serves only a *genuine* index document — one
//! that names its user, whose id is that user's index id, and whose root change was made by a
//! server actor (bound to [`SERVER_DEVICE`]). A document in the space that is not genuine
//! could only have been planted before the upgrade; it is neither served nor written into.
//! The server's other documents there are the views of A-grade customers (`views.rs`,
//! ADR 0013), genuine on the same terms: the shape of a view, at its view id, rooted by a
//! server actor.

use automerge::{ROOT, ReadDoc};
use fieldbook_core::access::{view_id, view_of};
use fieldbook_core::sync::index_doc::{INDEX_KIND, index_user};
use fieldbook_core::sync::index_id;
use fieldbook_core::{RecordDoc, RecordId};

use super::{DocHub, SERVER_DEVICE, blocking};
use crate::error::Result;
use crate::store::ServerStore;

/// The refusal of a device's change in the reserved space.
pub(super) fn reserved_refusal(id: RecordId) -> String {
    format!(
        "记录 {id}：此编号为服务器保留（索引文档），设备不能创建或修改 / record {id}: this id is \
         reserved for the server's index documents; no device may create or change it"
    )
}

impl<S: ServerStore> DocHub<S> {
    /// Whether `doc`, stored at a reserved `id`, is an index document this server (or another
    /// node) created itself at its user's index id, or a view it made at a record's view id
    /// (ADR 0013). Remembered once true.
    pub(super) async fn is_genuine_index(&self, id: RecordId, doc: &mut RecordDoc) -> Result<bool> {
        if self.genuine.lock().contains(&id) {
            return Ok(true);
        }
        let am = doc.automerge();
        let kind_ok = match am.get(ROOT, "kind").ok().flatten() {
            Some((automerge::Value::Scalar(s), _)) => s.as_str() == Some(INDEX_KIND),
            _ => false,
        };
        let user_ok = index_user(am).is_some_and(|u| index_id(&u) == id);
        let is_index = kind_ok && user_ok;
        // A view (ADR 0013): a customer naming the record whose view id this is.
        let is_view = view_of(&doc.to_json()).is_some_and(|real| view_id(real) == id);
        let am = doc.automerge();
        let roots: Vec<Vec<u8>> = am
            .get_changes_meta(&[])
            .iter()
            .filter(|c| c.deps.is_empty())
            .map(|c| c.actor.to_bytes().to_vec())
            .collect();
        if !(is_index || is_view) || roots.is_empty() {
            return Ok(false);
        }
        let own = self.actor.to_bytes().to_vec();
        let store = self.store.clone();
        let by_server = blocking(move || {
            // This node's own actor, then any other node's (each binds its actor at start).
            for actor in roots.iter().filter(|a| **a != own) {
                if store.actor_device(actor)? != Some(SERVER_DEVICE) {
                    return Ok(false);
                }
            }
            Ok(true)
        })
        .await?;
        if by_server {
            self.genuine.lock().insert(id);
        } else {
            tracing::error!(record = %id, "a document the server did not create holds an index id; ignored");
        }
        Ok(by_server)
    }
}
