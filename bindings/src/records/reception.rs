//! 来访接待 — a reception of visiting customers, its voucher and its expense application.

use std::time::SystemTime;

use fieldbook_core::model as core;

use super::{RecordMeta, StatusChange, try_vec, vec_into};
use crate::convert::{dt, dt_opt, id_text, record_id_opt, ts, ts_opt, user};
use crate::enums::{ReceptionStatus, VisitorCategory};
use crate::error::{FieldbookError, Result};

/// A reception of visiting customers.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReceptionNote {
    #[uniffi(default)]
    pub meta: RecordMeta,
    #[uniffi(default)]
    pub customer_id: Option<String>,
    #[uniffi(default)]
    pub visitor_names: Vec<String>,
    #[uniffi(default)]
    pub head_count: u32,
    pub category: VisitorCategory,
    #[uniffi(default)]
    pub purpose: String,
    #[uniffi(default)]
    pub visit_at: Option<SystemTime>,
    #[uniffi(default)]
    pub host: String,
    #[uniffi(default)]
    pub senior_escort: String,
    #[uniffi(default)]
    pub meals: String,
    #[uniffi(default)]
    pub refreshments: String,
    #[uniffi(default)]
    pub souvenirs: String,
    #[uniffi(default)]
    pub tour_route: String,
    #[uniffi(default)]
    pub photos_permitted: bool,
    /// The visit voucher approved in advance (no voucher, no visit).
    #[uniffi(default)]
    pub voucher: Option<VisitVoucher>,
    pub status: ReceptionStatus,
    #[uniffi(default)]
    pub held_at: Option<SystemTime>,
    #[uniffi(default)]
    pub expense: Option<ExpenseApplication>,
    #[uniffi(default)]
    pub notes: String,
    #[uniffi(default)]
    pub history: Vec<StatusChange>,
}

/// The visit voucher.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct VisitVoucher {
    #[uniffi(default)]
    pub number: String,
    #[uniffi(default)]
    pub approved_by: String,
    pub approved_at: SystemTime,
}

/// A reception expense application; amounts in fen (0.01 yuan).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ExpenseApplication {
    #[uniffi(default)]
    pub amount_fen: i64,
    #[uniffi(default)]
    pub budget_fen: i64,
    #[uniffi(default)]
    pub purpose: String,
    #[uniffi(default)]
    pub applied_by: String,
    pub applied_at: SystemTime,
    #[uniffi(default)]
    pub cs_manager: Option<Approval>,
    #[uniffi(default)]
    pub finance_manager: Option<Approval>,
    #[uniffi(default)]
    pub spent_fen: Option<i64>,
    /// The spending above the budget: recorded, not reimbursed, borne by the staff member.
    #[uniffi(default)]
    pub over_budget_fen: i64,
    #[uniffi(default)]
    pub receipts_submitted_at: Option<SystemTime>,
    /// Finance's reimbursement, once the receipts are in.
    #[uniffi(default)]
    pub reimbursement: Option<Reimbursement>,
}

/// Finance paying back the spending within the budget.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Reimbursement {
    #[uniffi(default)]
    pub by: String,
    pub at: SystemTime,
    #[uniffi(default)]
    pub amount_fen: i64,
}

/// One manager's decision on an expense.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Approval {
    #[uniffi(default)]
    pub approved: bool,
    #[uniffi(default)]
    pub by: String,
    pub at: SystemTime,
    #[uniffi(default)]
    pub comment: String,
    /// What the approval covers (the approved fields when it was given). Read-only.
    #[uniffi(default)]
    pub covers: String,
}

impl From<core::ReceptionNote> for ReceptionNote {
    fn from(r: core::ReceptionNote) -> Self {
        ReceptionNote {
            meta: r.meta.into(),
            customer_id: id_text(r.customer_id),
            visitor_names: r.visitor_names,
            head_count: r.head_count,
            category: r.category.into(),
            purpose: r.purpose,
            visit_at: ts_opt(r.visit_at),
            host: r.host.to_string(),
            senior_escort: r.senior_escort,
            meals: r.meals,
            refreshments: r.refreshments,
            souvenirs: r.souvenirs,
            tour_route: r.tour_route,
            photos_permitted: r.photos_permitted,
            voucher: r.voucher.map(Into::into),
            status: r.status.into(),
            held_at: ts_opt(r.held_at),
            expense: r.expense.map(Into::into),
            notes: r.notes,
            history: vec_into(r.history),
        }
    }
}

impl TryFrom<ReceptionNote> for core::ReceptionNote {
    type Error = FieldbookError;
    fn try_from(r: ReceptionNote) -> Result<Self> {
        Ok(core::ReceptionNote {
            meta: r.meta.try_into()?,
            customer_id: record_id_opt("customer_id", r.customer_id)?,
            visitor_names: r.visitor_names,
            head_count: r.head_count,
            category: r.category.into(),
            purpose: r.purpose,
            visit_at: dt_opt("visit_at", r.visit_at)?,
            host: user("host", r.host)?,
            senior_escort: r.senior_escort,
            meals: r.meals,
            refreshments: r.refreshments,
            souvenirs: r.souvenirs,
            tour_route: r.tour_route,
            photos_permitted: r.photos_permitted,
            voucher: r.voucher.map(TryInto::try_into).transpose()?,
            status: r.status.into(),
            held_at: dt_opt("held_at", r.held_at)?,
            expense: r.expense.map(TryInto::try_into).transpose()?,
            notes: r.notes,
            history: try_vec(r.history)?,
        })
    }
}

impl From<core::VisitVoucher> for VisitVoucher {
    fn from(v: core::VisitVoucher) -> Self {
        VisitVoucher {
            number: v.number,
            approved_by: v.approved_by.to_string(),
            approved_at: ts(v.approved_at),
        }
    }
}

impl TryFrom<VisitVoucher> for core::VisitVoucher {
    type Error = FieldbookError;
    fn try_from(v: VisitVoucher) -> Result<Self> {
        Ok(core::VisitVoucher {
            number: v.number,
            approved_by: user("voucher.approved_by", v.approved_by)?,
            approved_at: dt("voucher.approved_at", v.approved_at)?,
        })
    }
}

impl From<core::ExpenseApplication> for ExpenseApplication {
    fn from(e: core::ExpenseApplication) -> Self {
        ExpenseApplication {
            amount_fen: e.amount_fen,
            budget_fen: e.budget_fen,
            purpose: e.purpose,
            applied_by: e.applied_by.to_string(),
            applied_at: ts(e.applied_at),
            cs_manager: e.cs_manager.map(Into::into),
            finance_manager: e.finance_manager.map(Into::into),
            spent_fen: e.spent_fen,
            over_budget_fen: e.over_budget_fen,
            receipts_submitted_at: ts_opt(e.receipts_submitted_at),
            reimbursement: e.reimbursement.map(Into::into),
        }
    }
}

impl TryFrom<ExpenseApplication> for core::ExpenseApplication {
    type Error = FieldbookError;
    fn try_from(e: ExpenseApplication) -> Result<Self> {
        Ok(core::ExpenseApplication {
            amount_fen: e.amount_fen,
            budget_fen: e.budget_fen,
            purpose: e.purpose,
            applied_by: user("expense.applied_by", e.applied_by)?,
            applied_at: dt("expense.applied_at", e.applied_at)?,
            cs_manager: e.cs_manager.map(TryInto::try_into).transpose()?,
            finance_manager: e.finance_manager.map(TryInto::try_into).transpose()?,
            spent_fen: e.spent_fen,
            over_budget_fen: e.over_budget_fen,
            receipts_submitted_at: dt_opt(
                "expense.receipts_submitted_at",
                e.receipts_submitted_at,
            )?,
            reimbursement: e.reimbursement.map(TryInto::try_into).transpose()?,
        })
    }
}

impl From<core::Approval> for Approval {
    fn from(a: core::Approval) -> Self {
        Approval {
            approved: a.approved,
            by: a.by.to_string(),
            at: ts(a.at),
            comment: a.comment,
            covers: a.covers,
        }
    }
}

impl TryFrom<Approval> for core::Approval {
    type Error = FieldbookError;
    fn try_from(a: Approval) -> Result<Self> {
        Ok(core::Approval {
            approved: a.approved,
            by: user("expense.approval.by", a.by)?,
            at: dt("expense.approval.at", a.at)?,
            comment: a.comment,
            covers: a.covers,
        })
    }
}

impl From<core::Reimbursement> for Reimbursement {
    fn from(r: core::Reimbursement) -> Self {
        Reimbursement {
            by: r.by.to_string(),
            at: ts(r.at),
            amount_fen: r.amount_fen,
        }
    }
}

impl TryFrom<Reimbursement> for core::Reimbursement {
    type Error = FieldbookError;
    fn try_from(r: Reimbursement) -> Result<Self> {
        Ok(core::Reimbursement {
            by: user("expense.reimbursement.by", r.by)?,
            at: dt("expense.reimbursement.at", r.at)?,
            amount_fen: r.amount_fen,
        })
    }
}
