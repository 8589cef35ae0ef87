//! Change receipts and actor lookups of the PostgreSQL store: who brought each Automerge change
//! to the server, from which device, and when (the record's history in the back office).

use fieldbook_core::{DeviceId, RecordId, UserId};
use postgres::Client;

use super::ChangeReceipt;
use crate::error::Result;

pub fn note_changes(client: &mut Client, receipts: &[ChangeReceipt]) -> Result<()> {
    let mut tx = client.transaction()?;
    let stmt = tx.prepare(
        "INSERT INTO change_receipts (change_hash, record_id, user_id, device_id, received_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )?;
    for r in receipts {
        let device = r.device.map(|d| d.to_string());
        tx.execute(
            &stmt,
            &[
                &&r.change[..],
                &r.record.to_string(),
                &r.user.as_str(),
                &device,
                &r.received_at,
            ],
        )?;
    }
    tx.commit()?;
    Ok(())
}

pub fn change_receipts(client: &mut Client, record: RecordId) -> Result<Vec<ChangeReceipt>> {
    let rows = client.query(
        "SELECT change_hash, record_id, user_id, device_id, received_at FROM change_receipts
         WHERE record_id = $1 ORDER BY received_at, change_hash",
        &[&record.to_string()],
    )?;
    rows.iter().map(receipt).collect()
}

fn receipt(r: &postgres::Row) -> Result<ChangeReceipt> {
    let hash: &[u8] = r.get(0);
    Ok(ChangeReceipt {
        change: hash.try_into().unwrap_or([0; 32]),
        record: r.get::<_, &str>(1).parse()?,
        user: UserId::new(r.get::<_, &str>(2))?,
        device: r.get::<_, Option<&str>>(3).map(str::parse).transpose()?,
        received_at: r.get(4),
    })
}

pub fn actor_device(client: &mut Client, actor: &[u8]) -> Result<Option<DeviceId>> {
    let row = client.query_opt("SELECT device_id FROM actors WHERE actor = $1", &[&actor])?;
    Ok(row.map(|r| r.get::<_, &str>(0).parse()).transpose()?)
}

/// The newest receipt of each record changed at or after `since`, newest first.
pub fn latest_changes_since(
    client: &mut Client,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<ChangeReceipt>> {
    let rows = client.query(
        "SELECT change_hash, record_id, user_id, device_id, received_at FROM (
             SELECT DISTINCT ON (record_id) * FROM change_receipts WHERE received_at >= $1
             ORDER BY record_id, received_at DESC, change_hash DESC
         ) latest ORDER BY received_at DESC, record_id",
        &[&since],
    )?;
    rows.iter().map(receipt).collect()
}
