//! Schema migrations. `PRAGMA user_version` holds the schema number; the numbered `.sql` files in
//! `migrations/` run in order, all in one transaction, so an upgrade either completes or leaves
//! the file as it was. A file written by a newer build is refused: reading it could lose data.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};

/// The migrations, in order; migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_conflict_count.sql"),
    include_str!("migrations/0003_rules_search.sql"),
    include_str!("migrations/0004_sync_state.sql"),
    include_str!("migrations/0005_refusals.sql"),
    include_str!("migrations/0006_quarantine.sql"),
];

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`LATEST`].
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, LATEST)
}

/// Brings the database up to `target` (tests use this to build older schemas).
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > LATEST {
        return Err(Error::SchemaTooNew {
            found,
            supported: LATEST,
        });
    }
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(found as usize)
    {
        tracing::info!(from = i, to = i + 1, "migrating device store");
        tx.execute_batch(sql)?;
    }
    if target > found {
        tx.pragma_update(None, "user_version", target)?;
    }
    tx.commit()?;
    Ok(())
}
