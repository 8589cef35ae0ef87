//! 来访接待 — receiving a visiting customer (seed 001 §1–2): the visiting party, category,
//! purpose, host, senior escort, hospitality, the visit voucher approved in advance, and the
//! reception expense with its two approvals and receipts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::customer::VisitorCategory;
use super::enums::string_enum;
use super::visit_plan::StatusChange;
use super::{IndexEntry, RecordKind, RecordMeta, StringEnum, impl_record};
use crate::ids::{RecordId, UserId};

string_enum! {
    /// Where a reception stands.
    pub enum ReceptionStatus {
        Planned = "planned",
        Held = "held",
        Cancelled = "cancelled",
    } default Planned
}

/// A customer's visit to the company and how it was received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ReceptionNote {
    pub meta: RecordMeta,
    pub customer_id: Option<RecordId>,
    pub visitor_names: Vec<String>,
    pub head_count: u32,
    pub category: VisitorCategory,
    pub purpose: String,
    pub visit_at: Option<DateTime<Utc>>,
    pub host: UserId,
    /// A senior colleague who accompanies important customers.
    pub senior_escort: String,
    pub meals: String,
    pub refreshments: String,
    pub souvenirs: String,
    pub tour_route: String,
    /// Photos are forbidden unless permitted.
    pub photos_permitted: bool,
    /// 来访凭证: no voucher, no visit.
    pub voucher: Option<VisitVoucher>,
    pub status: ReceptionStatus,
    pub held_at: Option<DateTime<Utc>>,
    pub expense: Option<ExpenseApplication>,
    pub notes: String,
    pub history: Vec<StatusChange>,
}

/// The visit voucher, approved before the visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct VisitVoucher {
    pub number: String,
    pub approved_by: UserId,
    pub approved_at: DateTime<Utc>,
}

/// The reception expense application (接待费用申请).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ExpenseApplication {
    /// Requested amount in fen (1/100 yuan), written by the applicant.
    pub amount_fen: i64,
    /// The budget in fen, set by the customer-service manager when she approves (never by the
    /// applicant); `0` until then, and then not written at all, so an application never
    /// touches the field the write rule table gives the customer-service manager.
    #[serde(skip_serializing_if = "no_budget")]
    pub budget_fen: i64,
    pub purpose: String,
    pub applied_by: UserId,
    pub applied_at: DateTime<Utc>,
    /// Customer-service manager's decision.
    pub cs_manager: Option<Approval>,
    /// Finance manager's decision.
    pub finance_manager: Option<Approval>,
    pub spent_fen: Option<i64>,
    /// The part of the spending above the budget: recorded, not reimbursed, borne by the
    /// staff member (seed 001 §2 3(7)②).
    pub over_budget_fen: i64,
    pub receipts_submitted_at: Option<DateTime<Utc>>,
    /// Finance's reimbursement, once the receipts are in.
    pub reimbursement: Option<Reimbursement>,
}

fn no_budget(fen: &i64) -> bool {
    *fen == 0
}

/// Finance paying back what was spent within the budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Reimbursement {
    pub by: UserId,
    pub at: DateTime<Utc>,
    /// What was paid back: the spending within the budget.
    pub amount_fen: i64,
}

/// One approver's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Approval {
    pub approved: bool,
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub comment: String,
    /// What was decided: the approved fields as they stood when the approver decided
    /// (`access::decision_covers`). An approval whose record has changed since is void.
    pub covers: String,
}

impl_record!(ReceptionNote, RecordKind::ReceptionNote, |r| IndexEntry {
    title: r.purpose.clone(),
    customer_id: r.customer_id,
    status: Some(r.status.as_str().to_owned()),
    grade: Some(r.category.as_str().to_owned()),
    key_at: r.visit_at,
});
