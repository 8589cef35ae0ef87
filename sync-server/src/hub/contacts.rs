//! The server's own record of when each device last completed a sync (ADR 0003). A lead's
//! claimed registration time is the device's word; this is the server's: when a connection
//! that the device ended cleanly (a close frame, sent by the sync client once every record it
//! held had been offered) was opened, the device held nothing it had not offered. A lead that
//! first arrives after it was registered after that moment, whatever its
//! `registered_at` says, and the receipt stamp carries the moment into the lead
//! (`contact_floor_at`) so that every device decides ownership the same way.
//!
//! A connection cut mid-sync (a bad signal) is not recorded: the leads it did not carry keep
//! their claims. The record is in memory: after a restart, or on another node, the bound is
//! the offline window alone (`rules::ownership::OFFLINE_WINDOW`).

use chrono::{DateTime, Utc};
use fieldbook_core::DeviceId;

use super::DocHub;
use crate::store::{DeviceAuth, ServerStore};

impl<S: ServerStore> DocHub<S> {
    /// The device ended the connection opened at `opened_at` cleanly.
    pub fn sync_completed(&self, device: DeviceId, opened_at: DateTime<Utc>) {
        let mut syncs = self.completed_syncs.lock();
        let at = syncs.entry(device).or_insert(opened_at);
        *at = (*at).max(opened_at);
    }

    /// When the device's latest completed sync opened: it offered every record the device
    /// held then, so a lead first received after it was registered no earlier.
    pub(super) fn previous_sync(&self, device: &DeviceAuth) -> Option<DateTime<Utc>> {
        self.completed_syncs.lock().get(&device.device).copied()
    }
}
