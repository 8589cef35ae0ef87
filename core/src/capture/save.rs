//! Saving a scanned card as a lead, through the normal registration (`rules::lead::register`):
//! the source and prospect checks, the code (识别码), the registration time and clock floor
//! (ADR 0003), the schema and the judge, exactly as for a lead typed in. A duplicate does not
//! stop the save: the rep has seen the preview, and a second registration is what the
//! ownership rule is for (it owns nothing while the first is protected).

use super::CardFields;
use crate::error::Result;
use crate::input::normalize_phone;
use crate::model::{LeadGrade, LeadReferral, LeadSource, Prospect, ScannedCard};
use crate::rules::lead;
use crate::store::DeviceStore;

/// What the rep adds to a scanned card when saving it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureLead {
    /// `trade_show` unless the rep says otherwise.
    pub source: LeadSource,
    /// The trade show (required for a trade-show lead by the lead rules).
    pub event: String,
    pub grade: LeadGrade,
    /// What the prospect asked for at the booth.
    pub needs: String,
}

impl Default for CaptureLead {
    fn default() -> Self {
        CaptureLead {
            source: LeadSource::TradeShow,
            event: String::new(),
            grade: LeadGrade::default(),
            needs: String::new(),
        }
    }
}

/// The prospect a card gives: the name, the company, the main phone, the first e-mail.
pub fn prospect_of(card: &CardFields) -> Prospect {
    Prospect {
        name: card.name.clone(),
        company: card.company.clone(),
        phone: card.main_phone().unwrap_or_default().to_owned(),
        email: card.emails.first().cloned().unwrap_or_default(),
        needs: String::new(),
    }
}

/// Registers the card as a lead of this phone's user; durable when it returns.
#[tracing::instrument(skip_all)]
pub fn save(store: &DeviceStore, card: &CardFields, details: &CaptureLead) -> Result<LeadReferral> {
    // The card may have been corrected by the rep since it was read: check its phones again.
    let mut phones = Vec::new();
    for written in card
        .main_phone()
        .into_iter()
        .chain(card.phones.iter().map(|p| p.number.as_str()))
    {
        let number = normalize_phone("capture.phones", written)?;
        if !phones.contains(&number) {
            phones.push(number);
        }
    }
    let lead = LeadReferral {
        source: details.source.clone(),
        event: details.event.clone(),
        grade: details.grade.clone(),
        prospect: Prospect {
            needs: details.needs.trim().to_owned(),
            ..prospect_of(card)
        },
        capture: Some(ScannedCard {
            format: card.format.clone(),
            title: card.title.clone(),
            department: card.department.clone(),
            phones,
        }),
        ..LeadReferral::default()
    };
    lead::register(store, lead)
}
