//! 线索 / 转介绍 — a lead referral (seeds 002, 003, 004): where it came from, its identifying code,
//! the prospect, its grade and cadence, its owner, and every follow-up until won or lost.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::enums::string_enum;
use super::visit_plan::StatusChange;
use super::{IndexEntry, RecordKind, RecordMeta, StringEnum, impl_record};
use crate::ids::{RecordId, UserId};

string_enum! {
    /// Where a lead came from.
    pub enum LeadSource {
        /// 转介绍: referred by an existing customer.
        Referral = "referral",
        /// 展会
        TradeShow = "trade_show",
        /// Phone or the 400 line.
        Phone = "phone",
        Web = "web",
        Partner = "partner",
        WalkIn = "walk_in",
    } default WalkIn
}

string_enum! {
    /// Intent grade (seed 003): H today, A this month, B, C some intent, D none.
    pub enum LeadGrade { H = "H", A = "A", B = "B", C = "C", D = "D" } default C
}

string_enum! {
    /// Where a lead stands.
    pub enum LeadStatus {
        Open = "open",
        /// 成交: the deal is signed, tracked until invoiced (seed 002 篇3).
        Won = "won",
        /// 开票: the won deal is invoiced; the lead's tracking ends.
        Invoiced = "invoiced",
        /// 战败: confirmed lost by the rep's supervisor (seed 003).
        Lost = "lost",
        /// Registered second: another rep owns the same prospect.
        Duplicate = "duplicate",
    } default Open
}

string_enum! {
    /// 跟进流程 (seed 003): 初次接触确认 → 需求了解 → 方案提供 → 价格协商 → 合同签署.
    pub enum PipelineStage {
        Contact = "contact",
        Needs = "needs",
        Proposal = "proposal",
        Price = "price",
        Contract = "contract",
    } default Contact
}

impl PipelineStage {
    /// The stage after this one, if any.
    pub fn next(&self) -> Option<PipelineStage> {
        match self {
            PipelineStage::Contact => Some(PipelineStage::Needs),
            PipelineStage::Needs => Some(PipelineStage::Proposal),
            PipelineStage::Proposal => Some(PipelineStage::Price),
            PipelineStage::Price => Some(PipelineStage::Contract),
            PipelineStage::Contract | PipelineStage::Other(_) => None,
        }
    }
}

string_enum! {
    /// How a follow-up was made.
    pub enum FollowUpChannel {
        Phone = "phone",
        Visit = "visit",
        Sms = "sms",
        Email = "email",
        WeChat = "wechat",
        Misc = "other",
    } default Phone
}

/// A lead and its follow-up log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct LeadReferral {
    pub meta: RecordMeta,
    /// 识别码: tells the lead apart from ordinary customer data; unique without coordination.
    pub code: String,
    pub source: LeadSource,
    /// The referring customer, for referrals.
    pub referrer_id: Option<RecordId>,
    pub referrer_name: String,
    /// The trade show or event, for trade-show leads.
    pub event: String,
    pub prospect: Prospect,
    pub grade: LeadGrade,
    pub status: LeadStatus,
    pub registered_at: Option<DateTime<Utc>>,
    pub lost_reason: String,
    pub customer_id: Option<RecordId>,
    pub invoiced_at: Option<DateTime<Utc>>,
    pub follow_ups: Vec<FollowUp>,
    pub history: Vec<StatusChange>,
    /// Where the deal stands in the pipeline (seed 003 跟进流程); moves forward one stage at a
    /// time, each move justified by a follow-up.
    pub stage: PipelineStage,
    /// Every stage move, append-only.
    pub stage_changes: Vec<StageChange>,
    /// The rep's request to mark the lead lost, until her supervisor confirms or declines it.
    pub lost_request: Option<LostRequest>,
    /// The deal's amount when won, in fen (分).
    pub won_amount_fen: Option<i64>,
    /// The invoiced amount, in fen (分).
    pub invoiced_amount_fen: Option<i64>,
    /// Who the prospect is, for "whoever registers first owns it" (ADR 0003): `tel:+86…` or
    /// `org:company|name`, set at registration.
    pub prospect_key: String,
    /// The latest server time this device had seen when it registered the lead: a registration
    /// cannot have happened before it (ADR 0003).
    pub clock_floor_at: Option<DateTime<Utc>>,
    /// When the server first received the lead, stamped by the server (ADR 0003).
    pub server_received_at: Option<DateTime<Utc>>,
    /// The server's own record, stamped with `server_received_at`, of the registering device's
    /// previous completed sync: the registration cannot count from before it (ADR 0003).
    pub contact_floor_at: Option<DateTime<Utc>>,
    /// What a scanned card or badge said beyond the prospect (`crate::capture`); `None` for a
    /// lead typed in. Absent from the document when `None`, so typed leads are unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture: Option<ScannedCard>,
}

string_enum! {
    /// The kind of QR payload a lead was scanned from.
    pub enum CaptureFormat {
        VCard21 = "vcard_2.1",
        VCard30 = "vcard_3.0",
        VCard40 = "vcard_4.0",
        MeCard = "mecard",
        /// A plain text block (name, company, phones… one per line).
        Text = "text",
    } default Text
}

/// A lead scanned from a card's or badge's QR code (trade-show capture, issue 18 §2): the
/// format, and the card's title, department and phones, which [`Prospect`] has no place for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ScannedCard {
    pub format: CaptureFormat,
    /// 职位: the prospect's job title as printed.
    pub title: String,
    /// 部门: the units of the card's organisation, joined with " / ".
    pub department: String,
    /// Every phone on the card in E.164 (faxes left out); the first is `prospect.phone`.
    pub phones: Vec<String>,
}

/// The person or company behind a lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Prospect {
    pub name: String,
    pub company: String,
    pub phone: String,
    pub email: String,
    pub needs: String,
}

/// One follow-up (跟踪情况及合作障碍).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct FollowUp {
    pub id: String,
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub channel: FollowUpChannel,
    pub said: String,
    pub obstacles: String,
    pub next_step: String,
}

/// One move of the pipeline stage, and the follow-up that justifies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct StageChange {
    pub id: String,
    pub from: PipelineStage,
    pub to: PipelineStage,
    pub at: DateTime<Utc>,
    pub by: UserId,
    /// The id of the follow-up (in `follow_ups`) that moved the deal forward.
    pub follow_up_id: String,
}

/// A rep's request to mark a lead lost (战败申请), which her supervisor confirms or declines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct LostRequest {
    pub id: String,
    pub reason: String,
    pub at: DateTime<Utc>,
    pub by: UserId,
}

impl_record!(LeadReferral, RecordKind::LeadReferral, |l| IndexEntry {
    title: if l.prospect.company.is_empty() {
        l.prospect.name.clone()
    } else {
        format!("{} ({})", l.prospect.name, l.prospect.company)
    },
    customer_id: l.customer_id,
    status: Some(l.status.as_str().to_owned()),
    grade: Some(l.grade.as_str().to_owned()),
    key_at: l.registered_at,
});
