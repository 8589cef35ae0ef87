//! Scope follows the grants to customer files (seed 001 §3.6(4), ADR 0006). The access state's
//! directory holds the grants active now; when one is added or revoked on this node the
//! customers it concerns are re-indexed at once (the grantee's index gains or loses the entry,
//! and their device takes the record or drops it at its next sync — the same path as a record
//! leaving a scope); other nodes learn it from the feed's directory entry. Expiry is swept by
//! the upkeep (`prune.rs`) at the hub's clock, so a test moves that clock instead of sleeping.

use super::{DocHub, blocking};
use crate::accounts::{Grant, active_grants};
use crate::error::Result;
use crate::store::ServerStore;

impl<S: ServerStore> DocHub<S> {
    /// Re-reads the grants active now (after one was added or revoked here) and re-indexes the
    /// customers whose readers changed.
    pub async fn reload_grants(&self) -> Result<()> {
        let (store, now) = (self.store.clone(), self.clock.now());
        let grants = blocking(move || active_grants(store.as_ref(), now)).await?;
        self.apply_grants(grants).await
    }

    /// Takes out the grants that have expired by the hub's clock; re-indexes their customers.
    pub async fn sweep_grants(&self) -> Result<()> {
        let now = self.clock.now();
        let kept: Vec<Grant> = {
            let access = self.access.read();
            if access.grants.iter().all(|g| g.is_active(now)) {
                return Ok(());
            }
            access
                .grants
                .iter()
                .filter(|g| g.is_active(now))
                .cloned()
                .collect()
        };
        tracing::debug!(kept = kept.len(), "expired grants swept");
        self.apply_grants(kept).await
    }

    async fn apply_grants(&self, grants: Vec<Grant>) -> Result<()> {
        let changed = self.access.write().set_grants(grants);
        for id in changed {
            if let Some((json, key)) = self.json_and_key(id).await? {
                self.reindex(id, &json, &key).await?;
            }
        }
        Ok(())
    }
}
