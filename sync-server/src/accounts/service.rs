//! What the accounts do: issue and check device tokens, sign in with a password, enrol a
//! device with a one-time code. Blocking (Argon2 and SQLite); the server runs them on the
//! blocking pool.

use chrono::{DateTime, TimeDelta, Utc};
use fieldbook_core::access::{Directory, Role};
use fieldbook_core::{Clock, DeviceId, Entropy, UserId};
use sha2::{Digest, Sha256};

use super::{Account, DeviceToken, Enrolment, hash_password, verify_dummy, verify_password};
use crate::error::{Result, ServerError};
use crate::store::{DeviceAuth, ServerStore};

/// How long a device token lives.
pub const TOKEN_TTL: TimeDelta = TimeDelta::days(90);
/// How long an enrolment code may wait to be used.
pub const CODE_TTL: TimeDelta = TimeDelta::days(7);

/// Why a token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("未授权：缺少设备令牌 / unauthorized: no device token")]
    Missing,
    #[error("未授权：设备令牌无效 / unauthorized: invalid device token")]
    Unknown,
    #[error("未授权：设备令牌已过期 / unauthorized: the device token has expired")]
    Expired,
    #[error("未授权：设备令牌已被吊销 / unauthorized: the device token was revoked")]
    Revoked,
    #[error("未授权：账户已停用 / unauthorized: the account is disabled")]
    Inactive,
}

/// A freshly issued token, shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub device: DeviceId,
    pub user: UserId,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// SHA-256 of a token or code.
pub fn secret_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.trim().as_bytes()).into()
}

fn random_secret(entropy: &dyn Entropy) -> String {
    let mut bytes = [0u8; 32];
    entropy.fill(&mut bytes);
    hex::encode(bytes)
}

/// Issues a token for `device` of `user`, valid for `ttl`: only for a user that exists and is
/// enabled, and a device id that is not reserved and not another user's (issue 15, finding 4).
pub fn issue_token<S: ServerStore + ?Sized>(
    store: &S,
    clock: &dyn Clock,
    entropy: &dyn Entropy,
    device: DeviceId,
    user: UserId,
    ttl: TimeDelta,
) -> Result<Credentials> {
    may_issue(store, device, &user)?;
    let token = random_secret(entropy);
    let now = clock.now();
    let record = DeviceToken {
        token_hash: secret_hash(&token),
        device,
        user: user.clone(),
        issued_at: now,
        expires_at: now + ttl,
        revoked_at: None,
    };
    store.add_device_token(&record)?;
    Ok(Credentials {
        device,
        user,
        token,
        expires_at: record.expires_at,
    })
}

fn reserved_device(device: DeviceId) -> ServerError {
    ServerError::Invalid(format!(
        "设备编号 {device} 为保留编号（服务器自用）/ device id {device} is reserved for the server"
    ))
}

/// Refuses a token for a reserved device id or a user who does not exist or is disabled (a
/// device id of another user is refused by the store, atomically with the insert).
fn may_issue<S: ServerStore + ?Sized>(store: &S, device: DeviceId, user: &UserId) -> Result<()> {
    if device.is_reserved() {
        return Err(reserved_device(device));
    }
    match store.account(user)? {
        None => Err(ServerError::NotFound(format!(
            "用户 {user} 不存在 / user {user} does not exist"
        ))),
        Some(a) if !a.active => Err(ServerError::Forbidden(format!(
            "用户 {user} 已停用 / user {user} is disabled"
        ))),
        Some(_) => Ok(()),
    }
}

/// The device a token belongs to, if the token is valid now.
pub fn authenticate<S: ServerStore + ?Sized>(
    store: &S,
    now: DateTime<Utc>,
    token: Option<&str>,
) -> Result<std::result::Result<DeviceAuth, AuthError>> {
    let Some(token) = token else {
        return Ok(Err(AuthError::Missing));
    };
    let Some(found) = store.device_token(&secret_hash(token))? else {
        return Ok(Err(AuthError::Unknown));
    };
    if found.revoked_at.is_some() {
        return Ok(Err(AuthError::Revoked));
    }
    if found.expires_at <= now {
        return Ok(Err(AuthError::Expired));
    }
    if store.account(&found.user)?.is_some_and(|a| !a.active) {
        return Ok(Err(AuthError::Inactive));
    }
    Ok(Ok(DeviceAuth {
        device: found.device,
        user: found.user,
        expires_at: Some(found.expires_at),
    }))
}

/// Signs `user` in with a password and issues a token for `device` (a new device id if none).
pub fn login<S: ServerStore + ?Sized>(
    store: &S,
    clock: &dyn Clock,
    entropy: &dyn Entropy,
    user: &UserId,
    password: &str,
    device: Option<DeviceId>,
) -> Result<Credentials> {
    login_for(store, clock, entropy, user, password, device, TOKEN_TTL)
}

/// [`login`] with a token valid for `ttl` (a browser session is shorter than a phone's).
pub fn login_for<S: ServerStore + ?Sized>(
    store: &S,
    clock: &dyn Clock,
    entropy: &dyn Entropy,
    user: &UserId,
    password: &str,
    device: Option<DeviceId>,
    ttl: TimeDelta,
) -> Result<Credentials> {
    let account = store.account(user)?;
    let hash = account
        .as_ref()
        .filter(|a| a.active)
        .and_then(|a| a.password_hash.as_deref());
    // One Argon2 verification on every path, so that no answer is faster for a name that
    // does not exist (or is disabled) than for one that does.
    let ok = match hash {
        Some(h) => verify_password(password, h),
        None => verify_dummy(password),
    };
    if !ok {
        return Err(ServerError::Unauthorized(
            "用户名或密码错误 / wrong user name or password".into(),
        ));
    }
    let device = device.unwrap_or_else(|| DeviceId::from_random_bytes(entropy.bytes16()));
    issue_token(store, clock, entropy, device, user.clone(), ttl)
}

/// A one-time enrolment code for a new device of `user`.
pub fn enrol_code<S: ServerStore + ?Sized>(
    store: &S,
    clock: &dyn Clock,
    entropy: &dyn Entropy,
    user: &UserId,
) -> Result<String> {
    if store.account(user)?.is_none() {
        return Err(ServerError::NotFound(format!("用户 / user {user}")));
    }
    let code = random_secret(entropy)[..20].to_owned();
    store.add_enrolment(&Enrolment {
        code_hash: secret_hash(&code),
        user: user.clone(),
        expires_at: clock.now() + CODE_TTL,
    })?;
    Ok(code)
}

/// Exchanges an enrolment code (once) for a device token.
pub fn redeem_code<S: ServerStore + ?Sized>(
    store: &S,
    clock: &dyn Clock,
    entropy: &dyn Entropy,
    code: &str,
    device: Option<DeviceId>,
) -> Result<Credentials> {
    if let Some(device) = device.filter(DeviceId::is_reserved) {
        // Before the code is used: a reserved id can never be enrolled.
        return Err(reserved_device(device));
    }
    let Some(user) = store.redeem_enrolment(&secret_hash(code), clock.now())? else {
        return Err(ServerError::Unauthorized(
            "注册码无效、已用或已过期 / the enrolment code is invalid, used or expired".into(),
        ));
    };
    let device = device.unwrap_or_else(|| DeviceId::from_random_bytes(entropy.bytes16()));
    issue_token(store, clock, entropy, device, user, TOKEN_TTL)
}

/// Creates or updates a user, hashing the password if one is given (an existing password is
/// kept when none is).
pub fn create_user<S: ServerStore + ?Sized>(
    store: &S,
    entropy: &dyn Entropy,
    user: &UserId,
    name: &str,
    role: Role,
    team: Option<String>,
    password: Option<&str>,
) -> Result<Account> {
    let existing = store.account(user)?;
    let password_hash = match password {
        Some(p) => Some(hash_password(p, entropy)?),
        None => existing.and_then(|a| a.password_hash),
    };
    let account = Account {
        user: user.clone(),
        name: name.to_owned(),
        role,
        team,
        password_hash,
        active: true,
    };
    store.put_account(&account)?;
    Ok(account)
}

/// The directory the access rules read, from the accounts and the grants active at `now`
/// (which are also returned: the hub sweeps them when they expire).
pub fn directory<S: ServerStore + ?Sized>(
    store: &S,
    now: DateTime<Utc>,
) -> Result<(Directory, Vec<super::Grant>)> {
    let mut dir = Directory::new();
    for a in store.accounts()? {
        dir.insert(a.user, a.role, a.team.as_deref());
    }
    let grants = super::active_grants(store, now)?;
    dir.set_grants(grants.iter().map(|g| (g.record, g.grantee.clone())));
    Ok((dir, grants))
}
