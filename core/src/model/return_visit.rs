//! 客户回访报告表 — the face-to-face return-visit report (seed 001 §4, §5, §7; seed 002): what the
//! customer needs and thinks, satisfaction scores, proposals collected, expenses, and the
//! supervisor's review with guidance.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::enums::string_enum;
use super::{IndexEntry, RecordKind, RecordMeta, impl_record};
use crate::ids::{RecordId, UserId};

string_enum! {
    /// What became of a customer proposal (客户提案), seed 001 §4.
    pub enum ProposalOutcome {
        Pending = "pending",
        Accepted = "accepted",
        /// 保留: kept for later.
        Kept = "kept",
        Rejected = "rejected",
    } default Pending
}

string_enum! {
    /// How a proposal reached the company (当面、电话、电子邮件), seed 001 §4.4.
    pub enum ProposalChannel {
        InPerson = "in_person",
        Phone = "phone",
        Email = "email",
    } default InPerson
}

string_enum! {
    /// The department a proposal is routed to; its manager answers (seed 001 §4.5; the mapping
    /// is in `rules::return_visit_proposals`).
    pub enum Department {
        /// 营销部: products, prices, promotions, the sales teams.
        Marketing = "marketing",
        /// 客服部: service, delivery, installation, after-sales, complaints.
        CustomerService = "customer_service",
        /// 财务部: invoices, payment terms, billing.
        Finance = "finance",
    } default CustomerService
}

/// A return visit and its report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ReturnVisitReport {
    pub meta: RecordMeta,
    pub customer_id: Option<RecordId>,
    pub visit_plan_id: Option<RecordId>,
    pub rep: UserId,
    pub visited_on: Option<NaiveDate>,
    pub place: String,
    pub purpose: String,
    pub needs: String,
    pub after_sales_opinions: String,
    pub satisfaction: Option<Satisfaction>,
    /// Materials lent to the customer were returned (all of `materials`, when listed).
    pub materials_returned: bool,
    /// The company's materials the rep carried to the visit, each returned to the company or
    /// explained (seed 001 §7.4(3)); filing the report does not wait for them.
    pub materials: Vec<CarriedMaterial>,
    pub proposals: Vec<Proposal>,
    pub expense: Option<VisitExpense>,
    /// When the rep filed the report (due by the end of the calendar day after the visit).
    pub filed_at: Option<DateTime<Utc>>,
    pub review: Option<Review>,
}

/// Satisfaction scores, 1 (poor) to 5 (excellent), seed 001 §5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Satisfaction {
    pub product: u8,
    pub service: u8,
    pub environment: u8,
}

/// A proposal made by the customer, routed and answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Proposal {
    pub id: String,
    pub text: String,
    /// Complex proposals may take up to 30 days to answer.
    pub complex: bool,
    pub received_at: DateTime<Utc>,
    /// How it was taken: in person, by phone or by e-mail.
    pub channel: ProposalChannel,
    /// The department it is routed to (whose manager answers), once routed.
    pub department: Option<Department>,
    pub routed_by: Option<UserId>,
    pub routed_at: Option<DateTime<Utc>>,
    /// The vice-president's approval of up to 20 days (recorded by the routed manager).
    pub extension: Option<ProposalExtension>,
    pub outcome: ProposalOutcome,
    pub answer: String,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<UserId>,
}

/// An answer deadline extended to 20 days with the vice-president's approval (副总裁批准).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ProposalExtension {
    /// The routed department's manager who recorded it.
    pub by: UserId,
    pub at: DateTime<Utc>,
    /// Whose approval and its reference (the vice-president has no Fieldbook account).
    pub vp_approval: String,
}

/// A company material the rep carried to the visit (brochures, samples, the customer's file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CarriedMaterial {
    pub id: String,
    pub item: String,
    /// When it was handed back to the company.
    pub returned_at: Option<DateTime<Utc>>,
    /// Why it could not be returned (reported to the company instead).
    pub not_returned_reason: String,
}

/// The supervisor's review and guidance (主管审核并指导).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Review {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub guidance: String,
}

/// Expenses of the visit, reimbursed after the supervisor signs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct VisitExpense {
    pub amount_fen: i64,
    pub description: String,
    pub signed_by: Option<UserId>,
    pub signed_at: Option<DateTime<Utc>>,
}

impl_record!(ReturnVisitReport, RecordKind::ReturnVisitReport, |r| {
    IndexEntry {
        title: r.purpose.clone(),
        customer_id: r.customer_id,
        status: Some(
            match (&r.filed_at, &r.review) {
                (_, Some(_)) => "reviewed",
                (Some(_), None) => "filed",
                (None, None) => "draft",
            }
            .to_owned(),
        ),
        grade: None,
        key_at: r
            .visited_on
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc()),
    }
});
