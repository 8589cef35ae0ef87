//! Grants to customer files (seed 001 §3.6(4), ADR 0006): a customer-service manager lets one
//! person of another department read one customer's file, for a reason, for at most 30 days.
//! The rules are the core's ([`check_grant`]); here they are run against the authoritative
//! accounts, the grant is stored, and the act is written to the access log (the audit trail:
//! `grant:<grantee>` and `revoke_grant:<grantee>` by the manager, on the customer). Blocking;
//! the server runs these on the blocking pool.

use chrono::{DateTime, TimeDelta, Utc};
use fieldbook_core::access::{GrantRefusal, check_grant, may_grant};
use fieldbook_core::{RecordId, UserId};
use serde_json::Value as Json;

use super::{AccessEntry, Grant, GrantId};
use crate::error::{Result, ServerError};
use crate::store::ServerStore;

/// What a customer-service manager asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRequest {
    pub grantee: UserId,
    pub record: RecordId,
    pub reason: String,
    /// Default [`fieldbook_core::access::DEFAULT_GRANT_DAYS`].
    pub days: Option<i64>,
}

fn refused(r: GrantRefusal) -> ServerError {
    match r {
        GrantRefusal::NotCustomerService | GrantRefusal::AGrade => {
            ServerError::Forbidden(r.to_string())
        }
        GrantRefusal::NotACustomer | GrantRefusal::Reason | GrantRefusal::Days => {
            ServerError::Invalid(r.to_string())
        }
    }
}

/// Refuses `by` unless they are an enabled customer-service manager.
fn check_granter<S: ServerStore + ?Sized>(store: &S, by: &UserId) -> Result<()> {
    let role = store.account(by)?.filter(|a| a.active).map(|a| a.role);
    may_grant(role).map_err(refused)
}

fn audit<S: ServerStore + ?Sized>(
    store: &S,
    g: &Grant,
    action: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let by = g.revoked_by.as_ref().unwrap_or(&g.granted_by).clone();
    store.log_access(&[AccessEntry {
        at,
        user: by,
        device: None,
        record: g.record,
        action: format!("{action}:{}", g.grantee),
    }])
}

/// Grants `req` by `by` at `now`; `customer` is the record's merged JSON (`None`: no such
/// record). Refused (nothing stored) unless `by` is a customer-service manager, the grantee an
/// enabled account, and the grant meets [`check_grant`].
pub fn grant<S: ServerStore + ?Sized>(
    store: &S,
    now: DateTime<Utc>,
    by: &UserId,
    req: &GrantRequest,
    customer: Option<&Json>,
) -> Result<Grant> {
    check_granter(store, by)?;
    let Some(customer) = customer else {
        return Err(ServerError::NotFound(format!(
            "未找到客户 {0} / no customer {0}",
            req.record
        )));
    };
    if !store.account(&req.grantee)?.is_some_and(|a| a.active) {
        return Err(ServerError::NotFound(format!(
            "用户 {0} 不存在或已停用 / user {0} does not exist or is disabled",
            req.grantee
        )));
    }
    let days = check_grant(customer, &req.reason, req.days).map_err(refused)?;
    let mut g = Grant {
        id: GrantId(0),
        grantee: req.grantee.clone(),
        record: req.record,
        reason: req.reason.trim().to_owned(),
        granted_by: by.clone(),
        granted_at: now,
        expires_at: now + TimeDelta::days(days),
        revoked_at: None,
        revoked_by: None,
    };
    g.id = store.add_grant(&g)?;
    audit(store, &g, "grant", now)?;
    Ok(g)
}

/// Revokes grant `id` by `by` at `now` (a customer-service manager); the grant as stored.
pub fn revoke_grant<S: ServerStore + ?Sized>(
    store: &S,
    now: DateTime<Utc>,
    by: &UserId,
    id: GrantId,
) -> Result<Grant> {
    check_granter(store, by)?;
    let Some(g) = store.revoke_grant(id, by, now)? else {
        return Err(ServerError::NotFound(format!(
            "未找到授权 {id} / no grant {id}"
        )));
    };
    if g.revoked_at == Some(now) && g.revoked_by.as_ref() == Some(by) {
        audit(store, &g, "revoke_grant", now)?;
    }
    Ok(g)
}

/// The grants active at `now`.
pub fn active_grants<S: ServerStore + ?Sized>(store: &S, now: DateTime<Utc>) -> Result<Vec<Grant>> {
    let mut grants = store.grants(now)?;
    grants.retain(|g| g.is_active(now));
    Ok(grants)
}
