//! Before saving a scanned card, offline: which leads on the phone are the same prospect, and
//! who owns it by the ownership rule (ADR 0003).
//!
//! - **Certain**: a lead whose prospect phone (or a scanned phone) is one of the card's phones
//!   in E.164, or whose prospect e-mail is one of the card's, ignoring case.
//! - **Possible**: a lead with a similar name *and* a similar company. Names are similar when
//!   they are equal once folded (spaces, full-width letters, case) or have the same full pinyin
//!   (张伟 and 章伟, a common mishearing at a booth); companies when one's core (without its
//!   legal form, `rules::ownership::company_core`) contains the other's. A name alone is not
//!   enough: 张伟 is the most common name in China. Candidates come from the search index
//!   (`search/`, pinyin included), so the check stays an index lookup on a phone with thousands
//!   of leads.
//! - **Ownership**: the rule's own [`ownership::decide`] over the leads with the card's
//!   prospect key and a probe claim for this phone's user registering now, so the answer is the
//!   one the rule will give once saved — provisional until the server has every claim.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{CardFields, parse_card};
use crate::error::Result;
use crate::ids::{RecordId, UserId};
use crate::model::{LeadReferral, RecordKind, RecordMeta};
use crate::rules::ownership::{self as rule, OwnershipDecision, company_core, fold};
use crate::search::{SearchQuery, pinyin_full, search};
use crate::store::DeviceStore;

/// How sure a duplicate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Certainty {
    /// The same phone or e-mail.
    Certain,
    /// A similar name with a similar company.
    Possible,
}

/// What matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchedOn {
    Phone,
    Email,
    NameAndCompany,
}

/// A lead on the phone that may be the card's prospect.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    pub lead: RecordId,
    pub code: String,
    pub owner: UserId,
    pub name: String,
    pub company: String,
    pub certainty: Certainty,
    pub matched_on: Vec<MatchedOn>,
}

/// The ownership rule's answer for the card's prospect, on what the phone holds.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureOwnership {
    /// The prospect key the lead would have (ADR 0003).
    pub prospect_key: String,
    /// Whether a lead saved now would own the prospect.
    pub would_own: bool,
    /// The registration that owns it now, if another lead on the phone does.
    pub owner: Option<UserId>,
    pub owner_lead: Option<RecordId>,
    pub owner_code: Option<String>,
    pub owner_registered_at: Option<DateTime<Utc>>,
    /// How many registrations of this prospect the phone holds.
    pub registrations: usize,
    /// What to tell the rep, Chinese then English.
    pub explanation: String,
}

/// A parsed card with its duplicates and ownership, shown before saving.
#[derive(Debug, Clone, PartialEq)]
pub struct CardPreview {
    pub fields: CardFields,
    pub duplicates: Vec<Duplicate>,
    /// `None` if the card does not identify a prospect (no phone, nor a company and a name).
    pub ownership: Option<CaptureOwnership>,
}

/// Parses a payload and checks it against the phone's leads; nothing is written.
#[tracing::instrument(skip_all)]
pub fn preview(store: &DeviceStore, payload: &[u8]) -> Result<CardPreview> {
    let fields = parse_card(payload)?;
    Ok(CardPreview {
        duplicates: duplicates(store, &fields)?,
        ownership: ownership(store, &fields)?,
        fields,
    })
}

/// The leads on the phone that may be the card's prospect, certain ones first.
pub fn duplicates(store: &DeviceStore, card: &CardFields) -> Result<Vec<Duplicate>> {
    let mut found: BTreeMap<RecordId, Duplicate> = BTreeMap::new();
    for lead in candidates(store, card)? {
        let matched = matches(card, &lead);
        let Some(certainty) = matched.iter().map(|m| certainty_of(*m)).min() else {
            continue;
        };
        found.insert(
            lead.meta.id,
            Duplicate {
                lead: lead.meta.id,
                code: lead.code,
                owner: lead.meta.owner,
                name: lead.prospect.name,
                company: lead.prospect.company,
                certainty,
                matched_on: matched,
            },
        );
    }
    let mut out: Vec<Duplicate> = found.into_values().collect();
    out.sort_by(|a, b| a.certainty.cmp(&b.certainty).then(a.lead.cmp(&b.lead)));
    Ok(out)
}

fn certainty_of(m: MatchedOn) -> Certainty {
    match m {
        MatchedOn::Phone | MatchedOn::Email => Certainty::Certain,
        MatchedOn::NameAndCompany => Certainty::Possible,
    }
}

/// Leads that could match: by phone key, by e-mail, and the search's hits for the name.
fn candidates(store: &DeviceStore, card: &CardFields) -> Result<Vec<LeadReferral>> {
    let mut leads = Vec::new();
    for phone in &card.phones {
        leads.extend(store.leads_with_key(&format!("tel:{}", phone.number))?);
    }
    for email in &card.emails {
        leads.extend(store.leads_with_email(email)?);
    }
    if !card.name.is_empty() && !card.company.is_empty() {
        let pinyin = pinyin_full(&card.name);
        let query = if pinyin.chars().count() >= 3 {
            pinyin
        } else {
            card.name.clone()
        };
        for hit in search(store, &SearchQuery::new(query))? {
            if hit.kind == RecordKind::LeadReferral {
                leads.push(store.get(hit.id)?);
            }
        }
    }
    Ok(leads)
}

/// What of `lead`'s prospect matches the card.
fn matches(card: &CardFields, lead: &LeadReferral) -> Vec<MatchedOn> {
    let p = &lead.prospect;
    let scanned = lead.capture.iter().flat_map(|c| c.phones.iter());
    let phones: Vec<&str> = std::iter::once(&p.phone)
        .chain(scanned)
        .map(String::as_str)
        .collect();
    let mut out = Vec::new();
    if card
        .phones
        .iter()
        .any(|c| phones.contains(&c.number.as_str()))
    {
        out.push(MatchedOn::Phone);
    }
    let email = p.email.trim();
    if !email.is_empty() && card.emails.iter().any(|e| e.eq_ignore_ascii_case(email)) {
        out.push(MatchedOn::Email);
    }
    if similar_name(&card.name, &p.name) && similar_company(&card.company, &p.company) {
        out.push(MatchedOn::NameAndCompany);
    }
    out
}

fn similar_name(a: &str, b: &str) -> bool {
    let (fa, fb) = (fold(a), fold(b));
    if fa.is_empty() || fb.is_empty() {
        return false;
    }
    fa == fb || {
        let (pa, pb) = (pinyin_full(a), pinyin_full(b));
        !pa.is_empty() && pa == pb
    }
}

fn similar_company(a: &str, b: &str) -> bool {
    let (ca, cb) = (company_core(a), company_core(b));
    !ca.is_empty() && !cb.is_empty() && (ca.contains(&cb) || cb.contains(&ca))
}

/// The ownership rule's answer for the card's prospect; `None` if it names no prospect.
pub fn ownership(store: &DeviceStore, card: &CardFields) -> Result<Option<CaptureOwnership>> {
    let probe = probe(store, card)?;
    let key = probe.prospect_key.clone();
    if key.is_empty() {
        return Ok(None);
    }
    let mut leads = store.leads_with_key(&key)?;
    let registrations = leads.len();
    leads.push(probe);
    let Some(decision) = rule::decide(&leads) else {
        return Ok(None);
    };
    let mine = decision.owns(probe_id());
    let winner = (!mine).then_some(&decision.winner);
    let explanation = explain(&decision, registrations, store.user());
    Ok(Some(CaptureOwnership {
        prospect_key: key,
        would_own: mine,
        owner: winner.map(|w| w.owner.clone()),
        owner_lead: winner.map(|w| w.lead),
        owner_code: winner.map(|w| w.code.clone()),
        owner_registered_at: winner.and_then(|w| w.effective_at),
        registrations,
        explanation,
    }))
}

/// What the rep sees before saving: no registration yet, released ones, her own earlier
/// registration, or the rule's explanation of who owns it.
fn explain(d: &OwnershipDecision, registrations: usize, me: &UserId) -> String {
    let w = &d.winner;
    if registrations == 0 {
        return "本机尚无此客户的报备，保存后归您（同步后确认） / no registration of this \
                prospect on this phone: it is yours once saved (confirmed after sync)"
            .to_owned();
    }
    if d.owns(probe_id()) && !d.released.is_empty() {
        return format!(
            "此前的报备已结束或超过 {days} 天未跟进，客户已释放，保存后归您 / the earlier \
             registration was closed or not followed up for {days} days: the prospect is \
             released, and yours once saved",
            days = rule::PROTECTION.num_days()
        );
    }
    if w.owner == *me {
        return format!(
            "您已报备过此客户（线索 {code}），无需再次保存 / you registered this prospect \
             already (lead {code}): no need to save it again",
            code = w.code
        );
    }
    d.explain_to(probe_id())
}

/// The id of the probe claim: the largest a device draws, so a tie in time goes to a stored
/// lead (the rule settles ties by record id).
fn probe_id() -> RecordId {
    RecordId::from_random_bytes([0xFF; 16])
}

/// The claim a lead saved now by this phone's user would make.
fn probe(store: &DeviceStore, card: &CardFields) -> Result<LeadReferral> {
    let now = store.clock().now();
    let prospect = super::save::prospect_of(card);
    Ok(LeadReferral {
        meta: RecordMeta {
            id: probe_id(),
            created_at: now,
            created_by: store.user().clone(),
            created_on: store.device(),
            owner: store.user().clone(),
        },
        code: "—".to_owned(),
        prospect_key: rule::prospect_key(&prospect).unwrap_or_default(),
        prospect,
        registered_at: Some(now),
        clock_floor_at: store.server_time_floor()?,
        ..LeadReferral::default()
    })
}
