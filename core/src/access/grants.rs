//! Grants to customer files (seed 001 §3.6(4), ADR 0006): 其他部门人员因业务原因需要查询客户档案
//! 信息的，须经客户服务部批准后方可进行. A customer-service manager lets one person read one
//! customer's file for a stated reason, for a limited time; the server keeps the grants and
//! puts the active ones into the [`super::Directory`]. These are the rules a grant must meet
//! before it is stored, shared so that a device could tell its user up front.
//!
//! Choices where the seed is silent: a grant lasts 7 days unless asked otherwise and at most
//! 30 (a month's business reason; longer needs a new grant, so the reason is asked again); a
//! reason is required (the approval is for a business reason) and kept with the grant.

use serde_json::Value as Json;

use super::directory::Role;
use super::scope::is_a_grade_customer;
use super::view::is_view;

/// How long a grant lasts when the request does not say.
pub const DEFAULT_GRANT_DAYS: i64 = 7;
/// The longest grant.
pub const MAX_GRANT_DAYS: i64 = 30;
/// The longest reason kept.
pub const MAX_GRANT_REASON_CHARS: usize = 500;

/// Why a grant was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantRefusal {
    /// Only a customer-service manager approves access to customer files.
    #[error(
        "只有客户服务部经理可以批准或撤销客户档案查询 / only a customer-service manager may grant or revoke access to customer files (seed 001 §3.6(4))"
    )]
    NotCustomerService,
    /// The record is not a customer file.
    #[error("只能授权查询客户档案 / only customer files can be granted")]
    NotACustomer,
    /// A-grade customers are for the marketing manager's level only.
    #[error(
        "A级客户信息仅限营销经理级以上人员查询，不能授权 / an A-grade customer is for marketing managers and above only: it cannot be granted (seed 001 §3.6(3))"
    )]
    AGrade,
    /// No business reason given, or one too long.
    #[error("须填写查询原因（1–500 字）/ a reason is required (1–500 characters)")]
    Reason,
    /// A duration outside 1–30 days.
    #[error("授权期限须为 1–30 天 / a grant lasts 1 to 30 days")]
    Days,
}

/// Whether `granter` may grant or revoke access to customer files.
pub fn may_grant(granter: Option<Role>) -> Result<(), GrantRefusal> {
    match granter {
        Some(Role::CustomerServiceManager) => Ok(()),
        _ => Err(GrantRefusal::NotCustomerService),
    }
}

/// Checks a grant of `record` (its merged JSON) for `days` with `reason`; the days to use
/// (the default when `None`).
pub fn check_grant(record: &Json, reason: &str, days: Option<i64>) -> Result<i64, GrantRefusal> {
    if record.get("kind").and_then(Json::as_str) != Some("customer") || is_view(record) {
        return Err(GrantRefusal::NotACustomer);
    }
    if is_a_grade_customer(record) {
        return Err(GrantRefusal::AGrade);
    }
    let chars = reason.trim().chars().count();
    if chars == 0 || chars > MAX_GRANT_REASON_CHARS {
        return Err(GrantRefusal::Reason);
    }
    let days = days.unwrap_or(DEFAULT_GRANT_DAYS);
    if !(1..=MAX_GRANT_DAYS).contains(&days) {
        return Err(GrantRefusal::Days);
    }
    Ok(days)
}
