//! 客户回访报告表 — a face-to-face return visit report, its proposals, review and expense.

use std::time::SystemTime;

use fieldbook_core::model as core;

use super::{RecordMeta, try_vec, vec_into};
use crate::convert::{
    CalendarDate, date, dt, dt_opt, id_text, naive_date, record_id_opt, ts, ts_opt, user, user_opt,
    user_opt_text,
};
use crate::enums::{Department, ProposalChannel, ProposalOutcome};
use crate::error::{FieldbookError, Result};

/// A return-visit report, filed by the next day and reviewed by the supervisor.
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
pub struct ReturnVisitReport {
    #[uniffi(default)]
    pub meta: RecordMeta,
    #[uniffi(default)]
    pub customer_id: Option<String>,
    #[uniffi(default)]
    pub visit_plan_id: Option<String>,
    #[uniffi(default)]
    pub rep: String,
    #[uniffi(default)]
    pub visited_on: Option<CalendarDate>,
    #[uniffi(default)]
    pub place: String,
    #[uniffi(default)]
    pub purpose: String,
    #[uniffi(default)]
    pub needs: String,
    #[uniffi(default)]
    pub after_sales_opinions: String,
    #[uniffi(default)]
    pub satisfaction: Option<Satisfaction>,
    #[uniffi(default)]
    pub materials_returned: bool,
    /// The company's materials carried to the visit, each returned or explained.
    #[uniffi(default)]
    pub materials: Vec<CarriedMaterial>,
    #[uniffi(default)]
    pub proposals: Vec<Proposal>,
    #[uniffi(default)]
    pub expense: Option<VisitExpense>,
    #[uniffi(default)]
    pub filed_at: Option<SystemTime>,
    #[uniffi(default)]
    pub review: Option<Review>,
}

/// Satisfaction scores (product, service, environment).
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
pub struct Satisfaction {
    #[uniffi(default)]
    pub product: u8,
    #[uniffi(default)]
    pub service: u8,
    #[uniffi(default)]
    pub environment: u8,
}

/// A customer proposal (客户提案), answered within 10–15 days (≤30 when complex).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Proposal {
    #[uniffi(default)]
    pub id: String,
    #[uniffi(default)]
    pub text: String,
    #[uniffi(default)]
    pub complex: bool,
    pub received_at: SystemTime,
    #[uniffi(default)]
    pub channel: Option<ProposalChannel>,
    #[uniffi(default)]
    pub department: Option<Department>,
    #[uniffi(default)]
    pub routed_by: Option<String>,
    #[uniffi(default)]
    pub routed_at: Option<SystemTime>,
    #[uniffi(default)]
    pub extension: Option<ProposalExtension>,
    pub outcome: ProposalOutcome,
    #[uniffi(default)]
    pub answer: String,
    #[uniffi(default)]
    pub answered_at: Option<SystemTime>,
    #[uniffi(default)]
    pub answered_by: Option<String>,
}

/// A proposal's deadline extended to 20 days with the vice-president's approval.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ProposalExtension {
    #[uniffi(default)]
    pub by: String,
    pub at: SystemTime,
    #[uniffi(default)]
    pub vp_approval: String,
}

/// A company material the rep carried to the visit.
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
pub struct CarriedMaterial {
    #[uniffi(default)]
    pub id: String,
    #[uniffi(default)]
    pub item: String,
    #[uniffi(default)]
    pub returned_at: Option<SystemTime>,
    #[uniffi(default)]
    pub not_returned_reason: String,
}

/// The supervisor's review and guidance (主管审核并指导).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Review {
    #[uniffi(default)]
    pub by: String,
    pub at: SystemTime,
    #[uniffi(default)]
    pub guidance: String,
}

/// The visit's expense, reimbursed after the supervisor signs; amounts in fen.
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
pub struct VisitExpense {
    #[uniffi(default)]
    pub amount_fen: i64,
    #[uniffi(default)]
    pub description: String,
    #[uniffi(default)]
    pub signed_by: Option<String>,
    #[uniffi(default)]
    pub signed_at: Option<SystemTime>,
}

impl From<core::ReturnVisitReport> for ReturnVisitReport {
    fn from(r: core::ReturnVisitReport) -> Self {
        ReturnVisitReport {
            meta: r.meta.into(),
            customer_id: id_text(r.customer_id),
            visit_plan_id: id_text(r.visit_plan_id),
            rep: r.rep.to_string(),
            visited_on: r.visited_on.map(date),
            place: r.place,
            purpose: r.purpose,
            needs: r.needs,
            after_sales_opinions: r.after_sales_opinions,
            satisfaction: r.satisfaction.map(Into::into),
            materials_returned: r.materials_returned,
            materials: vec_into(r.materials),
            proposals: vec_into(r.proposals),
            expense: r.expense.map(Into::into),
            filed_at: ts_opt(r.filed_at),
            review: r.review.map(Into::into),
        }
    }
}

impl TryFrom<ReturnVisitReport> for core::ReturnVisitReport {
    type Error = FieldbookError;
    fn try_from(r: ReturnVisitReport) -> Result<Self> {
        Ok(core::ReturnVisitReport {
            meta: r.meta.try_into()?,
            customer_id: record_id_opt("customer_id", r.customer_id)?,
            visit_plan_id: record_id_opt("visit_plan_id", r.visit_plan_id)?,
            rep: user("rep", r.rep)?,
            visited_on: r
                .visited_on
                .map(|d| naive_date("visited_on", d))
                .transpose()?,
            place: r.place,
            purpose: r.purpose,
            needs: r.needs,
            after_sales_opinions: r.after_sales_opinions,
            satisfaction: r.satisfaction.map(Into::into),
            materials_returned: r.materials_returned,
            materials: try_vec(r.materials)?,
            proposals: try_vec(r.proposals)?,
            expense: r.expense.map(TryInto::try_into).transpose()?,
            filed_at: dt_opt("filed_at", r.filed_at)?,
            review: r.review.map(TryInto::try_into).transpose()?,
        })
    }
}

impl From<core::Satisfaction> for Satisfaction {
    fn from(s: core::Satisfaction) -> Self {
        Satisfaction {
            product: s.product,
            service: s.service,
            environment: s.environment,
        }
    }
}

impl From<Satisfaction> for core::Satisfaction {
    fn from(s: Satisfaction) -> Self {
        core::Satisfaction {
            product: s.product,
            service: s.service,
            environment: s.environment,
        }
    }
}

impl From<core::Proposal> for Proposal {
    fn from(p: core::Proposal) -> Self {
        Proposal {
            id: p.id,
            text: p.text,
            complex: p.complex,
            received_at: ts(p.received_at),
            channel: Some(p.channel.into()),
            department: p.department.map(Into::into),
            routed_by: user_opt_text(p.routed_by),
            routed_at: ts_opt(p.routed_at),
            extension: p.extension.map(Into::into),
            outcome: p.outcome.into(),
            answer: p.answer,
            answered_at: ts_opt(p.answered_at),
            answered_by: user_opt_text(p.answered_by),
        }
    }
}

impl TryFrom<Proposal> for core::Proposal {
    type Error = FieldbookError;
    fn try_from(p: Proposal) -> Result<Self> {
        Ok(core::Proposal {
            id: p.id,
            text: p.text,
            complex: p.complex,
            received_at: dt("proposals.received_at", p.received_at)?,
            channel: p.channel.map(Into::into).unwrap_or_default(),
            department: p.department.map(Into::into),
            routed_by: user_opt("proposals.routed_by", p.routed_by)?,
            routed_at: dt_opt("proposals.routed_at", p.routed_at)?,
            extension: p.extension.map(TryInto::try_into).transpose()?,
            outcome: p.outcome.into(),
            answer: p.answer,
            answered_at: dt_opt("proposals.answered_at", p.answered_at)?,
            answered_by: user_opt("proposals.answered_by", p.answered_by)?,
        })
    }
}

impl From<core::Review> for Review {
    fn from(r: core::Review) -> Self {
        Review {
            by: r.by.to_string(),
            at: ts(r.at),
            guidance: r.guidance,
        }
    }
}

impl TryFrom<Review> for core::Review {
    type Error = FieldbookError;
    fn try_from(r: Review) -> Result<Self> {
        Ok(core::Review {
            by: user("review.by", r.by)?,
            at: dt("review.at", r.at)?,
            guidance: r.guidance,
        })
    }
}

impl From<core::VisitExpense> for VisitExpense {
    fn from(e: core::VisitExpense) -> Self {
        VisitExpense {
            amount_fen: e.amount_fen,
            description: e.description,
            signed_by: user_opt_text(e.signed_by),
            signed_at: ts_opt(e.signed_at),
        }
    }
}

impl TryFrom<VisitExpense> for core::VisitExpense {
    type Error = FieldbookError;
    fn try_from(e: VisitExpense) -> Result<Self> {
        Ok(core::VisitExpense {
            amount_fen: e.amount_fen,
            description: e.description,
            signed_by: user_opt("expense.signed_by", e.signed_by)?,
            signed_at: dt_opt("expense.signed_at", e.signed_at)?,
        })
    }
}

impl From<core::ProposalExtension> for ProposalExtension {
    fn from(x: core::ProposalExtension) -> Self {
        ProposalExtension {
            by: x.by.to_string(),
            at: ts(x.at),
            vp_approval: x.vp_approval,
        }
    }
}

impl TryFrom<ProposalExtension> for core::ProposalExtension {
    type Error = FieldbookError;
    fn try_from(x: ProposalExtension) -> Result<Self> {
        Ok(core::ProposalExtension {
            by: user("proposals.extension.by", x.by)?,
            at: dt("proposals.extension.at", x.at)?,
            vp_approval: x.vp_approval,
        })
    }
}

impl From<core::CarriedMaterial> for CarriedMaterial {
    fn from(m: core::CarriedMaterial) -> Self {
        CarriedMaterial {
            id: m.id,
            item: m.item,
            returned_at: ts_opt(m.returned_at),
            not_returned_reason: m.not_returned_reason,
        }
    }
}

impl TryFrom<CarriedMaterial> for core::CarriedMaterial {
    type Error = FieldbookError;
    fn try_from(m: CarriedMaterial) -> Result<Self> {
        Ok(core::CarriedMaterial {
            id: m.id,
            item: m.item,
            returned_at: dt_opt("materials.returned_at", m.returned_at)?,
            not_returned_reason: m.not_returned_reason,
        })
    }
}
