//! The accounts side of the Postgres store: teams, accounts, device tokens, enrolment codes,
//! actor bindings and the access log. Ids are stored as their text, times as `TIMESTAMPTZ`.
//! Changes other nodes must act on (the directory, revocations) add a feed entry in the same
//! transaction.

use chrono::{DateTime, Utc};
use fieldbook_core::{DeviceId, RecordId, UserId};
use postgres::{Client, Row};

use super::FeedEvent;
use super::postgres_feed::add_to_feed;
use crate::accounts::{AccessEntry, Account, DeviceToken, Enrolment, Team};
use crate::error::{Result, ServerError};

fn hash32(bytes: &[u8]) -> Result<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| ServerError::Invalid("stored hash is not 32 bytes".into()))
}

fn user(text: &str) -> Result<UserId> {
    Ok(UserId::new(text)?)
}

pub fn put_team(client: &mut Client, team: &Team) -> Result<()> {
    let mut tx = client.transaction()?;
    tx.execute(
        "INSERT INTO teams (team_id, name) VALUES ($1, $2)
         ON CONFLICT (team_id) DO UPDATE SET name = excluded.name",
        &[&team.id, &team.name],
    )?;
    add_to_feed(&mut tx, FeedEvent::Directory)?;
    tx.commit()?;
    Ok(())
}

pub fn teams(client: &mut Client) -> Result<Vec<Team>> {
    let rows = client.query("SELECT team_id, name FROM teams ORDER BY team_id", &[])?;
    Ok(rows
        .iter()
        .map(|r| Team {
            id: r.get(0),
            name: r.get(1),
        })
        .collect())
}

pub fn put_account(client: &mut Client, a: &Account) -> Result<()> {
    let mut tx = client.transaction()?;
    if let Some(team) = &a.team {
        let known = tx.query_opt("SELECT 1 FROM teams WHERE team_id = $1", &[team])?;
        if known.is_none() {
            return Err(ServerError::Invalid(format!(
                "未知团队 / unknown team `{team}`"
            )));
        }
    }
    tx.execute(
        "INSERT INTO accounts (user_id, name, role, team_id, password_hash, active)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, role = excluded.role,
            team_id = excluded.team_id, password_hash = excluded.password_hash,
            active = excluded.active",
        &[
            &a.user.as_str(),
            &a.name,
            &a.role.as_str(),
            &a.team,
            &a.password_hash,
            &a.active,
        ],
    )?;
    add_to_feed(&mut tx, FeedEvent::Directory)?;
    tx.commit()?;
    Ok(())
}

const ACCOUNT_COLUMNS: &str =
    "SELECT user_id, name, role, team_id, password_hash, active FROM accounts";

fn account_row(r: &Row) -> Result<Account> {
    Ok(Account {
        user: user(r.get(0))?,
        name: r.get(1),
        role: r.get::<_, &str>(2).parse()?,
        team: r.get(3),
        password_hash: r.get(4),
        active: r.get(5),
    })
}

pub fn account(client: &mut Client, id: &UserId) -> Result<Option<Account>> {
    let sql = format!("{ACCOUNT_COLUMNS} WHERE user_id = $1");
    let row = client.query_opt(&sql, &[&id.as_str()])?;
    row.as_ref().map(account_row).transpose()
}

pub fn accounts(client: &mut Client) -> Result<Vec<Account>> {
    let sql = format!("{ACCOUNT_COLUMNS} ORDER BY user_id");
    client.query(&sql, &[])?.iter().map(account_row).collect()
}

/// Stores a token unless its device id is already another user's. The transaction holds an
/// advisory lock on the device id, so two nodes issuing one id to two users cannot both pass.
pub fn add_device_token(client: &mut Client, t: &DeviceToken) -> Result<()> {
    let device = t.device.to_string();
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&device])?;
    let added = tx.execute(
        "INSERT INTO devices (token_hash, device_id, user_id, issued_at, expires_at, revoked_at)
         SELECT $1::bytea, $2::text, $3::text, $4::timestamptz, $5::timestamptz, $6::timestamptz
         WHERE NOT EXISTS (SELECT 1 FROM devices WHERE device_id = $2 AND user_id <> $3)",
        &[
            &&t.token_hash[..],
            &device,
            &t.user.as_str(),
            &t.issued_at,
            &t.expires_at,
            &t.revoked_at,
        ],
    )?;
    tx.commit()?;
    match added {
        0 => Err(super::device_taken(t.device)),
        _ => Ok(()),
    }
}

const TOKEN_COLUMNS: &str =
    "SELECT token_hash, device_id, user_id, issued_at, expires_at, revoked_at FROM devices";

fn token_row(r: &Row) -> Result<DeviceToken> {
    Ok(DeviceToken {
        token_hash: hash32(r.get(0))?,
        device: r.get::<_, &str>(1).parse()?,
        user: user(r.get(2))?,
        issued_at: r.get(3),
        expires_at: r.get(4),
        revoked_at: r.get(5),
    })
}

pub fn device_token(client: &mut Client, hash: &[u8; 32]) -> Result<Option<DeviceToken>> {
    let sql = format!("{TOKEN_COLUMNS} WHERE token_hash = $1");
    let row = client.query_opt(&sql, &[&&hash[..]])?;
    row.as_ref().map(token_row).transpose()
}

pub fn device_tokens(client: &mut Client) -> Result<Vec<DeviceToken>> {
    let sql = format!("{TOKEN_COLUMNS} ORDER BY issued_at DESC");
    client.query(&sql, &[])?.iter().map(token_row).collect()
}

pub fn revoke_device(client: &mut Client, device: DeviceId, at: DateTime<Utc>) -> Result<usize> {
    let mut tx = client.transaction()?;
    let n = tx.execute(
        "UPDATE devices SET revoked_at = $2 WHERE device_id = $1 AND revoked_at IS NULL",
        &[&device.to_string(), &at],
    )?;
    add_to_feed(&mut tx, FeedEvent::Revoked(device))?;
    tx.commit()?;
    Ok(n as usize)
}

pub fn add_enrolment(client: &mut Client, e: &Enrolment) -> Result<()> {
    client.execute(
        "INSERT INTO enrolments (code_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        &[&&e.code_hash[..], &e.user.as_str(), &e.expires_at],
    )?;
    Ok(())
}

pub fn redeem_enrolment(
    client: &mut Client,
    hash: &[u8; 32],
    now: DateTime<Utc>,
) -> Result<Option<UserId>> {
    // Two nodes redeeming at once: the second waits for the first's row lock, then finds the
    // code used (READ COMMITTED re-checks the row it waited for).
    let row = client.query_opt(
        "UPDATE enrolments SET used_at = $2
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id",
        &[&&hash[..], &now],
    )?;
    row.map(|r| user(r.get(0))).transpose()
}

pub fn claim_actor(client: &mut Client, actor: &[u8], device: DeviceId) -> Result<bool> {
    client.execute(
        "INSERT INTO actors (actor, device_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        &[&actor, &device.to_string()],
    )?;
    let owner = client.query_one("SELECT device_id FROM actors WHERE actor = $1", &[&actor])?;
    Ok(owner.get::<_, &str>(0).parse::<DeviceId>()? == device)
}

pub fn log_access(client: &mut Client, entries: &[AccessEntry]) -> Result<()> {
    let mut tx = client.transaction()?;
    let stmt = tx.prepare(
        "INSERT INTO access_log (at, user_id, device_id, record_id, action)
         VALUES ($1, $2, $3, $4, $5)",
    )?;
    for e in entries {
        let device = e.device.map(|d| d.to_string());
        tx.execute(
            &stmt,
            &[
                &e.at,
                &e.user.as_str(),
                &device,
                &e.record.to_string(),
                &e.action,
            ],
        )?;
    }
    tx.commit()?;
    Ok(())
}

pub fn access_log(
    client: &mut Client,
    record: Option<RecordId>,
    limit: usize,
) -> Result<Vec<AccessEntry>> {
    let record = record.map(|r| r.to_string());
    let rows = client.query(
        "SELECT at, user_id, device_id, record_id, action FROM access_log
         WHERE $1::TEXT IS NULL OR record_id = $1 ORDER BY seq DESC LIMIT $2",
        &[&record, &(limit as i64)],
    )?;
    rows.iter()
        .map(|r| {
            Ok(AccessEntry {
                at: r.get(0),
                user: user(r.get(1))?,
                device: r.get::<_, Option<&str>>(2).map(str::parse).transpose()?,
                record: r.get::<_, &str>(3).parse()?,
                action: r.get(4),
            })
        })
        .collect()
}
