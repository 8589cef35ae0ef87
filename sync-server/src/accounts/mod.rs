//! Accounts: users with roles, teams, passwords, device enrolment codes and device tokens.
//!
//! Secrets are never stored: passwords as Argon2id hashes (PHC strings), tokens and
//! enrolment codes as SHA-256 of 256-bit random values (they are long and random, so a fast
//! hash suffices; passwords are short and human, so they get a slow one). A token expires and
//! can be revoked; revoking also ends the device's live connection (see [`crate::DocHub`]).

mod grants;
mod password;
mod service;

use chrono::{DateTime, Utc};
use fieldbook_core::access::Role;
use fieldbook_core::{DeviceId, RecordId, UserId};

pub use grants::{GrantRequest, active_grants, grant, revoke_grant};
pub use password::{dummy_verifications, hash_password, verify_dummy, verify_password};
pub use service::{
    AuthError, CODE_TTL, Credentials, TOKEN_TTL, authenticate, create_user, directory, enrol_code,
    issue_token, login, login_for, redeem_code, secret_hash,
};

/// A team of reps under a supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: String,
    pub name: String,
}

/// A person who may sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user: UserId,
    /// Display name (personal data: never logged).
    pub name: String,
    pub role: Role,
    pub team: Option<String>,
    /// Argon2id PHC string; `None` for device-only accounts.
    pub password_hash: Option<String>,
    pub active: bool,
}

/// A device token as stored: only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceToken {
    pub token_hash: [u8; 32],
    pub device: DeviceId,
    pub user: UserId,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A one-time enrolment code an admin gives a rep for a new phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub code_hash: [u8; 32],
    pub user: UserId,
    pub expires_at: DateTime<Utc>,
}

/// One line of the access log: who read or changed what, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub at: DateTime<Utc>,
    pub user: UserId,
    pub device: Option<DeviceId>,
    pub record: RecordId,
    /// `sync_read`, `view`, `erase`, `refused_write`, …
    pub action: String,
}

/// The number of a grant (its row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GrantId(pub i64);

impl std::fmt::Display for GrantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for GrantId {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        s.parse().map(GrantId)
    }
}

/// A customer-service manager's grant: `grantee` may read the customer file `record` from
/// `granted_at` until `expires_at` or until it is revoked (seed 001 §3.6(4), ADR 0006).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Given by the store when the grant is added.
    pub id: GrantId,
    pub grantee: UserId,
    pub record: RecordId,
    /// The business reason (personal data may be in it: never logged).
    pub reason: String,
    pub granted_by: UserId,
    pub granted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<UserId>,
}

impl Grant {
    /// Whether the grant lets its holder read at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.granted_at <= now && now < self.expires_at
    }
}
