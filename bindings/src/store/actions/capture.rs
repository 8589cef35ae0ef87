//! Trade-show capture (issue 18 §2): a scanned QR payload → a preview (the card's fields, the
//! duplicates on this phone, who owns the prospect) → a lead. Offline; see `core::capture`.

use std::sync::Arc;
use std::time::SystemTime;

use fieldbook_core::capture as core;

use crate::background::run;
use crate::convert::ts_opt;
use crate::enums::{CaptureFormat, LeadGrade, LeadSource};
use crate::error::Result;
use crate::observer::ChangeOrigin;
use crate::records::LeadReferral;
use crate::store::FieldbookStore;

/// What kind of number a card's phone is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PhoneKind {
    Mobile,
    Work,
    Home,
    Other,
}

/// One phone of a card, in E.164.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CardPhone {
    pub number: String,
    pub kind: PhoneKind,
}

/// What a card says about the prospect; the app may let the rep correct it before saving.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CardFields {
    pub format: CaptureFormat,
    #[uniffi(default)]
    pub name: String,
    #[uniffi(default)]
    pub company: String,
    #[uniffi(default)]
    pub department: String,
    #[uniffi(default)]
    pub title: String,
    #[uniffi(default)]
    pub phones: Vec<CardPhone>,
    #[uniffi(default)]
    pub emails: Vec<String>,
    /// What was skipped while reading, bilingual.
    #[uniffi(default)]
    pub warnings: Vec<String>,
}

/// How sure a duplicate is: `Certain` (same phone or e-mail), `Possible` (similar name and
/// company).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DuplicateCertainty {
    Certain,
    Possible,
}

/// A lead on this phone that may be the card's prospect.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CardDuplicate {
    pub lead_id: String,
    pub code: String,
    pub owner: String,
    pub name: String,
    pub company: String,
    pub certainty: DuplicateCertainty,
    /// "phone", "email", "name_and_company".
    pub matched_on: Vec<String>,
}

/// The ownership rule's answer for the card's prospect, among the leads on this phone.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CardOwnership {
    pub would_own: bool,
    pub owner: Option<String>,
    pub owner_lead_id: Option<String>,
    pub owner_code: Option<String>,
    pub owner_registered_at: Option<SystemTime>,
    pub registrations: u32,
    /// What to tell the rep, Chinese then English.
    pub explanation: String,
}

/// A scanned card before saving.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CardPreview {
    pub fields: CardFields,
    pub duplicates: Vec<CardDuplicate>,
    /// `None` when the card identifies no prospect (no phone, nor a company and a name).
    pub ownership: Option<CardOwnership>,
}

/// What the rep adds when saving a card.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CaptureDetails {
    /// The trade show (required for `TradeShow`, the default source).
    pub event: String,
    #[uniffi(default)]
    pub source: Option<LeadSource>,
    #[uniffi(default)]
    pub grade: Option<LeadGrade>,
    #[uniffi(default)]
    pub needs: String,
}

#[uniffi::export]
impl FieldbookStore {
    /// Reads a scanned QR payload (vCard 2.1/3.0/4.0, MECARD or a text block) and checks it
    /// against the leads on this phone, offline; nothing is written. A payload that is not a
    /// card is `InvalidInput` on the field `card`.
    pub async fn parse_card(self: Arc<Self>, payload: Vec<u8>) -> Result<CardPreview> {
        run(move || Ok(core::preview(&self.store, &payload)?.into())).await
    }

    /// Saves a (possibly corrected) card as a lead through the normal registration: the lead
    /// rules, its code and registration time. Durable when it returns.
    pub async fn save_card(
        self: Arc<Self>,
        fields: CardFields,
        details: CaptureDetails,
    ) -> Result<LeadReferral> {
        run(move || {
            let defaults = core::CaptureLead::default();
            let details = core::CaptureLead {
                source: details.source.map_or(defaults.source, Into::into),
                grade: details.grade.map_or(defaults.grade, Into::into),
                event: details.event,
                needs: details.needs,
            };
            let stored = core::save(&self.store, &fields.into(), &details)?;
            self.changed(stored.meta.id.to_string(), ChangeOrigin::Local);
            Ok(stored.into())
        })
        .await
    }
}

impl From<core::CardPreview> for CardPreview {
    fn from(p: core::CardPreview) -> Self {
        CardPreview {
            fields: p.fields.into(),
            duplicates: p.duplicates.into_iter().map(Into::into).collect(),
            ownership: p.ownership.map(Into::into),
        }
    }
}

impl From<core::CardFields> for CardFields {
    fn from(f: core::CardFields) -> Self {
        CardFields {
            format: f.format.into(),
            name: f.name,
            company: f.company,
            department: f.department,
            title: f.title,
            phones: f.phones.into_iter().map(Into::into).collect(),
            emails: f.emails,
            warnings: f.warnings,
        }
    }
}

impl From<CardFields> for core::CardFields {
    fn from(f: CardFields) -> Self {
        core::CardFields {
            format: f.format.into(),
            name: f.name,
            company: f.company,
            department: f.department,
            title: f.title,
            phones: f
                .phones
                .into_iter()
                .map(|p| core::CardPhone {
                    number: p.number,
                    kind: p.kind.into(),
                })
                .collect(),
            emails: f.emails,
            warnings: f.warnings,
        }
    }
}

impl From<core::CardPhone> for CardPhone {
    fn from(p: core::CardPhone) -> Self {
        let kind = match p.kind {
            core::PhoneKind::Mobile => PhoneKind::Mobile,
            core::PhoneKind::Work => PhoneKind::Work,
            core::PhoneKind::Home => PhoneKind::Home,
            core::PhoneKind::Other => PhoneKind::Other,
        };
        CardPhone {
            number: p.number,
            kind,
        }
    }
}

impl From<PhoneKind> for core::PhoneKind {
    fn from(k: PhoneKind) -> Self {
        match k {
            PhoneKind::Mobile => core::PhoneKind::Mobile,
            PhoneKind::Work => core::PhoneKind::Work,
            PhoneKind::Home => core::PhoneKind::Home,
            PhoneKind::Other => core::PhoneKind::Other,
        }
    }
}

impl From<core::Duplicate> for CardDuplicate {
    fn from(d: core::Duplicate) -> Self {
        let matched_on = d.matched_on.iter().map(|m| matched_name(*m).to_owned());
        CardDuplicate {
            lead_id: d.lead.to_string(),
            code: d.code,
            owner: d.owner.to_string(),
            name: d.name,
            company: d.company,
            certainty: match d.certainty {
                core::Certainty::Certain => DuplicateCertainty::Certain,
                core::Certainty::Possible => DuplicateCertainty::Possible,
            },
            matched_on: matched_on.collect(),
        }
    }
}

fn matched_name(m: core::MatchedOn) -> &'static str {
    match m {
        core::MatchedOn::Phone => "phone",
        core::MatchedOn::Email => "email",
        core::MatchedOn::NameAndCompany => "name_and_company",
    }
}

impl From<core::CaptureOwnership> for CardOwnership {
    fn from(o: core::CaptureOwnership) -> Self {
        CardOwnership {
            would_own: o.would_own,
            owner: o.owner.map(|u| u.to_string()),
            owner_lead_id: o.owner_lead.map(|id| id.to_string()),
            owner_code: o.owner_code,
            owner_registered_at: ts_opt(o.owner_registered_at),
            registrations: u32::try_from(o.registrations).unwrap_or(u32::MAX),
            explanation: o.explanation,
        }
    }
}
