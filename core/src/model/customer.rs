//! 客户档案 — the customer file (seeds 001, 003): basic information, contacts, ABC grade, visitor
//! category for receptions and the reception card for important customers; the grade's history
//! and the log of calls made to the customer (dormant-customer calls, seed 001 §6; the weekly
//! contact of key customers, seed 002), both append-only (ADR 0012).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::enums::string_enum;
use super::lead::FollowUpChannel;
use super::visit_plan::StatusChange;
use super::{IndexEntry, RecordKind, RecordMeta, StringEnum, impl_record};
use crate::ids::UserId;

string_enum! {
    /// ABC classification by value (关键/主要/普通客户), seed 001 §3.
    pub enum CustomerGrade { A = "A", B = "B", C = "C" } default C
}

string_enum! {
    /// Visitor category for receptions, seed 001 §1.
    pub enum VisitorCategory {
        /// 机关/组织
        Government = "government",
        /// 大客户
        KeyAccount = "key_account",
        /// 重要客户
        Important = "important",
        /// 一般客户
        General = "general",
    } default General
}

string_enum! {
    /// What came of a call to a customer (the outcome the dedicated rep logs, seed 001 §6).
    pub enum CallOutcome {
        /// Reached; the customer will order again.
        WillOrder = "will_order",
        /// Reached; no order planned for now.
        NoOrderYet = "no_order_yet",
        /// Reached; the customer has moved to another supplier or stopped buying.
        Lost = "lost",
        /// Not reached (no answer, wrong number); try again.
        NotReached = "not_reached",
    } default NotReached
}

/// A customer (company or person) and everything the reps know about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Customer {
    pub meta: RecordMeta,
    pub name: String,
    pub company: String,
    pub region: String,
    pub address: String,
    pub industry: String,
    /// 决策角色: the customer's role in the buying decision.
    pub decision_role: String,
    pub needs: String,
    /// Budget in whole yuan.
    pub budget_cny: Option<i64>,
    /// 消费习惯
    pub habits: String,
    pub grade: CustomerGrade,
    pub visitor_category: VisitorCategory,
    pub contacts: Vec<Contact>,
    /// 顾客接待卡, for important customers.
    pub reception_card: Option<ReceptionCard>,
    pub last_purchase_at: Option<DateTime<Utc>>,
    /// The dedicated rep who calls dormant customers (seed 001 §6).
    pub dedicated_rep: Option<UserId>,
    pub notes: String,
    /// Every change of `grade`: from, to, when, by which supervisor, why. Append-only.
    pub grade_history: Vec<StatusChange>,
    /// Every contact made with the customer (calls to a dormant customer, the weekly contact of
    /// a key customer). Append-only; each names a contact who consented.
    pub contact_log: Vec<ContactLogEntry>,
}

/// One contact made with a customer, and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ContactLogEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub by: UserId,
    /// The `Contact::id` of the person reached (or tried).
    pub contact_id: String,
    pub channel: FollowUpChannel,
    pub outcome: CallOutcome,
    pub note: String,
}

/// A person at the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Contact {
    /// Stable id of the entry, so that edits on two devices meet on the same contact.
    pub id: String,
    pub name: String,
    pub title: String,
    pub mobile: String,
    pub direct_line: String,
    pub email: String,
    /// Consent to be contacted (PIPL Art. 14): when, how, for what.
    pub consent: Option<Consent>,
}

/// A record of a person's consent to the processing of their contact data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Consent {
    pub given_at: DateTime<Utc>,
    pub channel: String,
    pub purpose: String,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// 顾客接待卡: interests, hobbies and traits of an important customer (seed 001 §2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ReceptionCard {
    pub interests: String,
    pub hobbies: String,
    pub traits: String,
}

impl_record!(Customer, RecordKind::Customer, |c| IndexEntry {
    title: if c.company.is_empty() || c.company == c.name {
        c.name.clone()
    } else {
        format!("{} ({})", c.name, c.company)
    },
    customer_id: Some(c.meta.id),
    status: None,
    grade: Some(c.grade.as_str().to_owned()),
    key_at: c.last_purchase_at,
});
