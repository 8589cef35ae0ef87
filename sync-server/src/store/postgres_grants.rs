//! The grants side of the Postgres store (seed 001 §3.6(4)): customer-service managers' grants
//! to read customer files. Adding or revoking one adds a directory entry to the feed in the
//! same transaction, so every node reloads who may read what.

use chrono::{DateTime, Utc};
use fieldbook_core::UserId;
use postgres::{Client, Row};

use super::FeedEvent;
use super::postgres_feed::add_to_feed;
use crate::accounts::{Grant, GrantId};
use crate::error::Result;

const GRANT_COLUMNS: &str = "SELECT grant_id, grantee, record_id, reason, granted_by, \
    granted_at, expires_at, revoked_at, revoked_by FROM grants";

fn user(text: &str) -> Result<UserId> {
    Ok(UserId::new(text)?)
}

fn grant_row(r: &Row) -> Result<Grant> {
    Ok(Grant {
        id: GrantId(r.get(0)),
        grantee: user(r.get(1))?,
        record: r.get::<_, &str>(2).parse()?,
        reason: r.get(3),
        granted_by: user(r.get(4))?,
        granted_at: r.get(5),
        expires_at: r.get(6),
        revoked_at: r.get(7),
        revoked_by: r.get::<_, Option<&str>>(8).map(user).transpose()?,
    })
}

pub fn add_grant(client: &mut Client, g: &Grant) -> Result<GrantId> {
    let mut tx = client.transaction()?;
    let row = tx.query_one(
        "INSERT INTO grants (grantee, record_id, reason, granted_by, granted_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING grant_id",
        &[
            &g.grantee.as_str(),
            &g.record.to_string(),
            &g.reason,
            &g.granted_by.as_str(),
            &g.granted_at,
            &g.expires_at,
        ],
    )?;
    add_to_feed(&mut tx, FeedEvent::Directory)?;
    tx.commit()?;
    Ok(GrantId(row.get(0)))
}

pub fn revoke_grant(
    client: &mut Client,
    id: GrantId,
    by: &UserId,
    at: DateTime<Utc>,
) -> Result<Option<Grant>> {
    let mut tx = client.transaction()?;
    let n = tx.execute(
        "UPDATE grants SET revoked_at = $2, revoked_by = $3
         WHERE grant_id = $1 AND revoked_at IS NULL",
        &[&id.0, &at, &by.as_str()],
    )?;
    if n > 0 {
        add_to_feed(&mut tx, FeedEvent::Directory)?;
    }
    let sql = format!("{GRANT_COLUMNS} WHERE grant_id = $1");
    let row = tx.query_opt(&sql, &[&id.0])?;
    tx.commit()?;
    row.as_ref().map(grant_row).transpose()
}

pub fn grants(client: &mut Client, ended_after: DateTime<Utc>) -> Result<Vec<Grant>> {
    let sql = format!(
        "{GRANT_COLUMNS} WHERE expires_at > $1 AND (revoked_at IS NULL OR revoked_at > $1)
         ORDER BY grant_id DESC"
    );
    client
        .query(&sql, &[&ended_after])?
        .iter()
        .map(grant_row)
        .collect()
}
