//! 客户档案 — the customer file: basics, contacts (with PIPL consent), grade, reception card;
//! an A-grade customer below marketing manager arrives as its redacted view (`redacted`).

use std::time::SystemTime;

use fieldbook_core::model as core;

use super::{RecordMeta, StatusChange, try_vec, vec_into};
use crate::convert::{dt, dt_opt, ts, ts_opt, user, user_opt, user_opt_text};
use crate::enums::{CallOutcome, CustomerGrade, FollowUpChannel, VisitorCategory};
use crate::error::{FieldbookError, Result};

/// A customer (company or person) and what the reps know about it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Customer {
    #[uniffi(default)]
    pub meta: RecordMeta,
    #[uniffi(default)]
    pub name: String,
    #[uniffi(default)]
    pub company: String,
    #[uniffi(default)]
    pub region: String,
    #[uniffi(default)]
    pub address: String,
    #[uniffi(default)]
    pub industry: String,
    /// 决策角色
    #[uniffi(default)]
    pub decision_role: String,
    #[uniffi(default)]
    pub needs: String,
    /// Budget in whole yuan.
    #[uniffi(default)]
    pub budget_cny: Option<i64>,
    /// 消费习惯
    #[uniffi(default)]
    pub habits: String,
    pub grade: CustomerGrade,
    pub visitor_category: VisitorCategory,
    #[uniffi(default)]
    pub contacts: Vec<Contact>,
    /// 顾客接待卡, for important customers.
    #[uniffi(default)]
    pub reception_card: Option<ReceptionCard>,
    #[uniffi(default)]
    pub last_purchase_at: Option<SystemTime>,
    #[uniffi(default)]
    pub dedicated_rep: Option<String>,
    #[uniffi(default)]
    pub notes: String,
    /// Every change of grade (append-only; `gradeCustomer` adds to it).
    #[uniffi(default)]
    pub grade_history: Vec<StatusChange>,
    /// Every contact made with the customer (append-only; `logCustomerContact` adds to it).
    #[uniffi(default)]
    pub contact_log: Vec<ContactLogEntry>,
    /// An A-grade customer's read-only view (seed 001 §3.6, ADR 0013): the user is below
    /// marketing manager, so contacts, budget, needs, habits, the reception card, the notes
    /// and the contact log are withheld; `meta.id` is the view's id. Ignored when writing.
    #[uniffi(default)]
    pub redacted: bool,
}

/// One contact made with a customer (a call to a dormant customer, the weekly contact of a key
/// customer) and what came of it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ContactLogEntry {
    #[uniffi(default)]
    pub id: String,
    pub at: SystemTime,
    #[uniffi(default)]
    pub by: String,
    /// The `Contact.id` of the person reached (or tried).
    pub contact_id: String,
    pub channel: FollowUpChannel,
    pub outcome: CallOutcome,
    #[uniffi(default)]
    pub note: String,
}

/// A person at the customer. An empty `id` gets a fresh one when stored.
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
pub struct Contact {
    #[uniffi(default)]
    pub id: String,
    #[uniffi(default)]
    pub name: String,
    #[uniffi(default)]
    pub title: String,
    #[uniffi(default)]
    pub mobile: String,
    #[uniffi(default)]
    pub direct_line: String,
    #[uniffi(default)]
    pub email: String,
    /// Consent to be contacted (PIPL Art. 14).
    #[uniffi(default)]
    pub consent: Option<Consent>,
}

/// A person's consent to the processing of their contact data.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Consent {
    pub given_at: SystemTime,
    #[uniffi(default)]
    pub channel: String,
    #[uniffi(default)]
    pub purpose: String,
    #[uniffi(default)]
    pub withdrawn_at: Option<SystemTime>,
}

/// 顾客接待卡: interests, hobbies and traits of an important customer.
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
pub struct ReceptionCard {
    #[uniffi(default)]
    pub interests: String,
    #[uniffi(default)]
    pub hobbies: String,
    #[uniffi(default)]
    pub traits: String,
}

impl From<core::Customer> for Customer {
    fn from(c: core::Customer) -> Self {
        Customer {
            redacted: c.meta.id.is_reserved(),
            meta: c.meta.into(),
            name: c.name,
            company: c.company,
            region: c.region,
            address: c.address,
            industry: c.industry,
            decision_role: c.decision_role,
            needs: c.needs,
            budget_cny: c.budget_cny,
            habits: c.habits,
            grade: c.grade.into(),
            visitor_category: c.visitor_category.into(),
            contacts: vec_into(c.contacts),
            reception_card: c.reception_card.map(Into::into),
            last_purchase_at: ts_opt(c.last_purchase_at),
            dedicated_rep: user_opt_text(c.dedicated_rep),
            notes: c.notes,
            grade_history: vec_into(c.grade_history),
            contact_log: vec_into(c.contact_log),
        }
    }
}

impl TryFrom<Customer> for core::Customer {
    type Error = FieldbookError;
    fn try_from(c: Customer) -> Result<Self> {
        Ok(core::Customer {
            meta: c.meta.try_into()?,
            name: c.name,
            company: c.company,
            region: c.region,
            address: c.address,
            industry: c.industry,
            decision_role: c.decision_role,
            needs: c.needs,
            budget_cny: c.budget_cny,
            habits: c.habits,
            grade: c.grade.into(),
            visitor_category: c.visitor_category.into(),
            contacts: try_vec(c.contacts)?,
            reception_card: c.reception_card.map(Into::into),
            last_purchase_at: dt_opt("last_purchase_at", c.last_purchase_at)?,
            dedicated_rep: user_opt("dedicated_rep", c.dedicated_rep)?,
            notes: c.notes,
            grade_history: try_vec(c.grade_history)?,
            contact_log: try_vec(c.contact_log)?,
        })
    }
}

impl From<core::Contact> for Contact {
    fn from(c: core::Contact) -> Self {
        Contact {
            id: c.id,
            name: c.name,
            title: c.title,
            mobile: c.mobile,
            direct_line: c.direct_line,
            email: c.email,
            consent: c.consent.map(Into::into),
        }
    }
}

impl TryFrom<Contact> for core::Contact {
    type Error = FieldbookError;
    fn try_from(c: Contact) -> Result<Self> {
        Ok(core::Contact {
            id: c.id,
            name: c.name,
            title: c.title,
            mobile: c.mobile,
            direct_line: c.direct_line,
            email: c.email,
            consent: c.consent.map(TryInto::try_into).transpose()?,
        })
    }
}

impl From<core::Consent> for Consent {
    fn from(c: core::Consent) -> Self {
        Consent {
            given_at: ts(c.given_at),
            channel: c.channel,
            purpose: c.purpose,
            withdrawn_at: ts_opt(c.withdrawn_at),
        }
    }
}

impl TryFrom<Consent> for core::Consent {
    type Error = FieldbookError;
    fn try_from(c: Consent) -> Result<Self> {
        Ok(core::Consent {
            given_at: dt("contacts.consent.given_at", c.given_at)?,
            channel: c.channel,
            purpose: c.purpose,
            withdrawn_at: dt_opt("contacts.consent.withdrawn_at", c.withdrawn_at)?,
        })
    }
}

impl From<core::ReceptionCard> for ReceptionCard {
    fn from(c: core::ReceptionCard) -> Self {
        ReceptionCard {
            interests: c.interests,
            hobbies: c.hobbies,
            traits: c.traits,
        }
    }
}

impl From<ReceptionCard> for core::ReceptionCard {
    fn from(c: ReceptionCard) -> Self {
        core::ReceptionCard {
            interests: c.interests,
            hobbies: c.hobbies,
            traits: c.traits,
        }
    }
}

impl From<core::ContactLogEntry> for ContactLogEntry {
    fn from(e: core::ContactLogEntry) -> Self {
        ContactLogEntry {
            id: e.id,
            at: ts(e.at),
            by: e.by.to_string(),
            contact_id: e.contact_id,
            channel: e.channel.into(),
            outcome: e.outcome.into(),
            note: e.note,
        }
    }
}

impl TryFrom<ContactLogEntry> for core::ContactLogEntry {
    type Error = FieldbookError;
    fn try_from(e: ContactLogEntry) -> Result<Self> {
        Ok(core::ContactLogEntry {
            id: e.id,
            at: dt("contact_log.at", e.at)?,
            by: user("contact_log.by", e.by)?,
            contact_id: e.contact_id,
            channel: e.channel.into(),
            outcome: e.outcome.into(),
            note: e.note,
        })
    }
}
