//! The accounts side of the SQLite store: teams, accounts, device tokens, enrolment codes,
//! actor bindings and the access log. Times are stored as milliseconds since the epoch.

use chrono::{DateTime, Utc};
use fieldbook_core::access::Role;
use fieldbook_core::{DeviceId, RecordId, UserId};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::FeedEvent;
use crate::accounts::{AccessEntry, Account, DeviceToken, Enrolment, Team};
use crate::error::{Result, ServerError};

/// Version 2 of the server schema: accounts.
pub const SCHEMA_V2: &str = "
CREATE TABLE teams (
    team_id TEXT PRIMARY KEY NOT NULL,
    name    TEXT NOT NULL
) STRICT;
CREATE TABLE accounts (
    user_id       TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    team_id       TEXT,
    password_hash TEXT,
    active        INTEGER NOT NULL
) STRICT;
ALTER TABLE devices ADD COLUMN issued_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 253402300799000;
ALTER TABLE devices ADD COLUMN revoked_at INTEGER;
CREATE INDEX devices_by_device ON devices (device_id);
CREATE TABLE enrolments (
    code_hash  BLOB PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;
CREATE TABLE actors (
    actor     BLOB PRIMARY KEY NOT NULL,
    device_id TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE access_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    user_id   TEXT NOT NULL,
    device_id TEXT,
    record_id TEXT NOT NULL,
    action    TEXT NOT NULL
) STRICT;
CREATE INDEX access_log_by_record ON access_log (record_id, seq);
";

pub fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn hash32(bytes: Vec<u8>) -> rusqlite::Result<[u8; 32]> {
    bytes.try_into().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, "hash".into())
    })
}

fn role(text: String) -> rusqlite::Result<Role> {
    text.parse().map_err(|e: fieldbook_core::Error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
    })
}

/// Adds an entry to the change feed; returns its position.
pub fn add_to_feed(conn: &Connection, event: FeedEvent) -> Result<i64> {
    let (event, subject) = event.to_row();
    conn.execute(
        "INSERT INTO feed (event, subject) VALUES (?1, ?2)",
        params![event, subject],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn put_team(conn: &Connection, team: &Team) -> Result<()> {
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "INSERT INTO teams (team_id, name) VALUES (?1, ?2)
         ON CONFLICT (team_id) DO UPDATE SET name = excluded.name",
        params![team.id, team.name],
    )?;
    add_to_feed(&tx, FeedEvent::Directory)?;
    tx.commit()?;
    Ok(())
}

pub fn teams(conn: &Connection) -> Result<Vec<Team>> {
    let mut stmt = conn.prepare_cached("SELECT team_id, name FROM teams ORDER BY team_id")?;
    let rows = stmt.query_map([], |r| {
        Ok(Team {
            id: r.get(0)?,
            name: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn put_account(conn: &Connection, a: &Account) -> Result<()> {
    let tx = conn.unchecked_transaction()?;
    if let Some(team) = &a.team {
        let known: Option<String> = tx
            .query_row(
                "SELECT team_id FROM teams WHERE team_id = ?1",
                [team],
                |r| r.get(0),
            )
            .optional()?;
        if known.is_none() {
            return Err(ServerError::Invalid(format!(
                "未知团队 / unknown team `{team}`"
            )));
        }
    }
    tx.execute(
        "INSERT INTO accounts (user_id, name, role, team_id, password_hash, active)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, role = excluded.role,
            team_id = excluded.team_id, password_hash = excluded.password_hash,
            active = excluded.active",
        params![
            a.user,
            a.name,
            a.role.as_str(),
            a.team,
            a.password_hash,
            a.active
        ],
    )?;
    add_to_feed(&tx, FeedEvent::Directory)?;
    tx.commit()?;
    Ok(())
}

fn account_row(r: &Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        user: r.get(0)?,
        name: r.get(1)?,
        role: role(r.get(2)?)?,
        team: r.get(3)?,
        password_hash: r.get(4)?,
        active: r.get(5)?,
    })
}

const ACCOUNT_COLUMNS: &str =
    "SELECT user_id, name, role, team_id, password_hash, active FROM accounts";

pub fn account(conn: &Connection, user: &UserId) -> Result<Option<Account>> {
    let sql = format!("{ACCOUNT_COLUMNS} WHERE user_id = ?1");
    Ok(conn.query_row(&sql, [user], account_row).optional()?)
}

pub fn accounts(conn: &Connection) -> Result<Vec<Account>> {
    let sql = format!("{ACCOUNT_COLUMNS} ORDER BY user_id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], account_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Stores a token unless its device id is already another user's (one statement, and the
/// store has one writer, so two issues of one id to two users cannot both pass).
pub fn add_device_token(conn: &Connection, t: &DeviceToken) -> Result<()> {
    let added = conn.execute(
        "INSERT INTO devices (token_hash, device_id, user_id, issued_at, expires_at, revoked_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS
            (SELECT 1 FROM devices WHERE device_id = ?2 AND user_id <> ?3)",
        params![
            &t.token_hash[..],
            t.device,
            t.user,
            ms(t.issued_at),
            ms(t.expires_at),
            t.revoked_at.map(ms)
        ],
    )?;
    match added {
        0 => Err(super::device_taken(t.device)),
        _ => Ok(()),
    }
}

const TOKEN_COLUMNS: &str =
    "SELECT token_hash, device_id, user_id, issued_at, expires_at, revoked_at FROM devices";

fn token_row(r: &Row<'_>) -> rusqlite::Result<DeviceToken> {
    Ok(DeviceToken {
        token_hash: hash32(r.get(0)?)?,
        device: r.get(1)?,
        user: r.get(2)?,
        issued_at: from_ms(r.get(3)?),
        expires_at: from_ms(r.get(4)?),
        revoked_at: r.get::<_, Option<i64>>(5)?.map(from_ms),
    })
}

pub fn device_token(conn: &Connection, hash: &[u8; 32]) -> Result<Option<DeviceToken>> {
    let sql = format!("{TOKEN_COLUMNS} WHERE token_hash = ?1");
    Ok(conn.query_row(&sql, [&hash[..]], token_row).optional()?)
}

pub fn device_tokens(conn: &Connection) -> Result<Vec<DeviceToken>> {
    let sql = format!("{TOKEN_COLUMNS} ORDER BY issued_at DESC");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], token_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn revoke_device(conn: &Connection, device: DeviceId, at: DateTime<Utc>) -> Result<usize> {
    let tx = conn.unchecked_transaction()?;
    let n = tx.execute(
        "UPDATE devices SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at IS NULL",
        params![device, ms(at)],
    )?;
    add_to_feed(&tx, FeedEvent::Revoked(device))?;
    tx.commit()?;
    Ok(n)
}

pub fn add_enrolment(conn: &Connection, e: &Enrolment) -> Result<()> {
    conn.execute(
        "INSERT INTO enrolments (code_hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
        params![&e.code_hash[..], e.user, ms(e.expires_at)],
    )?;
    Ok(())
}

pub fn redeem_enrolment(
    conn: &Connection,
    hash: &[u8; 32],
    now: DateTime<Utc>,
) -> Result<Option<UserId>> {
    Ok(conn
        .query_row(
            "UPDATE enrolments SET used_at = ?2
             WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2 RETURNING user_id",
            params![&hash[..], ms(now)],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn claim_actor(conn: &Connection, actor: &[u8], device: DeviceId) -> Result<bool> {
    conn.execute(
        "INSERT INTO actors (actor, device_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        params![actor, device],
    )?;
    let owner: DeviceId = conn.query_row(
        "SELECT device_id FROM actors WHERE actor = ?1",
        [actor],
        |r| r.get(0),
    )?;
    Ok(owner == device)
}

pub fn log_access(conn: &mut Connection, entries: &[AccessEntry]) -> Result<()> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO access_log (at, user_id, device_id, record_id, action)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for e in entries {
            stmt.execute(params![ms(e.at), e.user, e.device, e.record, e.action])?;
        }
    }
    tx.commit()?;
    Ok(())
}

pub fn access_log(
    conn: &Connection,
    record: Option<RecordId>,
    limit: usize,
) -> Result<Vec<AccessEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, user_id, device_id, record_id, action FROM access_log
         WHERE ?1 IS NULL OR record_id = ?1 ORDER BY seq DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![record, limit as i64], |r| {
        Ok(AccessEntry {
            at: from_ms(r.get(0)?),
            user: r.get(1)?,
            device: r.get(2)?,
            record: r.get(3)?,
            action: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
