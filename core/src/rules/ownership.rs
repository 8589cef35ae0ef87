//! Lead ownership: whoever registers first owns it (未备案的信息谁先备案算谁的) — seed 003 报备.
//! The rule, its limits and the alternatives are in `docs/adr/0003-lead-ownership.md`.
//!
//! Ownership is **computed, never written**: [`decide`] is a pure function of the set of lead
//! documents with the same prospect key, so any device or the server holding the same set
//! derives the same owner, whatever order the documents arrived in. Writing the outcome into
//! the documents would make two devices write it concurrently (a visible conflict) and could
//! freeze a decision taken on partial knowledge.
//!
//! "First" is the claimed registration time (the device clock), checked against evidence a
//! device cannot make up: the latest server time the device had seen before registering
//! (`clock_floor_at`) and the time the server first received the lead (`server_received_at`).
//! A claim earlier than the floor (beyond [`CLOCK_SKEW_ALLOWANCE`]) proves a clock set back:
//! the claim is discarded and the server's receipt time is used instead — the latest moment
//! the lead certainly existed. A claim later than the receipt is capped at the receipt. Ties,
//! and claims nobody can check yet, fall back to the record id (random, so no one can aim).
//!
//! A tampered app can write any `registered_at` and `clock_floor_at` (both are set once, at
//! creation, by the write rules; issue 15). So once the server has the lead, the effective time
//! is also clamped by evidence the *server* holds and stamps into the lead: never earlier than
//! the device's previous completed sync as the server recorded it (`contact_floor_at`), nor
//! than [`OFFLINE_WINDOW`] before the receipt; never later than the receipt.
//!
//! A registration protects its prospect while it is worked (issue 17): a lead that was lost
//! or marked a duplicate, or left open with no registration or follow-up by its owner for
//! [`PROTECTION`], *releases* the prospect, and the next registration made after that owns
//! it. Whether a claim had released the prospect is judged at the time of the next claim, from
//! the documents alone, so the decision stays a pure function of the set. A won lead keeps it.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::ids::{RecordId, UserId};
use crate::input::parse_phone;
use crate::model::{LeadReferral, LeadStatus, Prospect, StringEnum};

/// Clock differences up to this much below the floor are taken as ordinary drift, not a lie.
pub const CLOCK_SKEW_ALLOWANCE: TimeDelta = TimeDelta::minutes(5);

/// The longest a registration may precede the server's receipt of it. Rationale: a trade show
/// is a day without signal (seed 002 篇3; ADR 0003): a rep who registers at the booth at 08:00
/// syncs at the hotel that night. A claim older than this before the receipt is not believed.
pub const OFFLINE_WINDOW: TimeDelta = TimeDelta::hours(24);

/// How long a registration protects its prospect without a follow-up by its owner: the
/// slowest cadence (C, monthly; seed 003) — a lead not called even once a month is abandoned.
pub const PROTECTION: TimeDelta = TimeDelta::days(30);

/// Legal-form suffixes dropped when comparing company names.
const COMPANY_SUFFIXES: &[&str] = &["股份有限公司", "有限责任公司", "有限公司", "集团", "公司"];

/// The key that makes two leads "the same prospect": the phone number in E.164 if it is valid,
/// otherwise the company (without its legal form) and the contact name, both with spaces and
/// case folded away. `None` if the prospect cannot be identified.
pub fn prospect_key(p: &Prospect) -> Option<String> {
    if let Some(n) = parse_phone(&p.phone) {
        return Some(format!("tel:{}", n.format().mode(phonenumber::Mode::E164)));
    }
    let company = company_core(&p.company);
    let name = fold(&p.name);
    (!company.is_empty() && !name.is_empty()).then(|| format!("org:{company}|{name}"))
}

/// A company name as compared: folded, without its legal form (北京华科有限公司 → 北京华科).
pub fn company_core(company: &str) -> String {
    let company = fold(company);
    COMPANY_SUFFIXES
        .iter()
        .find_map(|s| company.strip_suffix(s).filter(|c| !c.is_empty()))
        .map(str::to_owned)
        .unwrap_or(company)
}

/// Drops whitespace, folds full-width ASCII to half-width, lower-cases.
pub fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// How much a claimed registration time could be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClaimBasis {
    /// The device's time agrees with the evidence.
    DeviceClock,
    /// The device's clock ran ahead of the server's receipt; the receipt time is used.
    ServerReceiptClockAhead,
    /// The device's clock was behind a server time it had already seen; the receipt is used.
    ServerReceiptClockBehind,
    /// The clock was proven wrong and the server has not received the lead yet: ranked last.
    Unverifiable,
    /// The claim was earlier than the server's evidence allows (the device's previous completed
    /// sync, or [`OFFLINE_WINDOW`] before the receipt): that bound is used.
    ServerEvidence,
}

/// One lead's claim to a prospect.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub lead: RecordId,
    pub code: String,
    pub owner: UserId,
    /// The time the claim is ranked by (`None`: after every dated claim).
    pub effective_at: Option<DateTime<Utc>>,
    pub basis: ClaimBasis,
}

/// The claim of one lead, from the evidence in its document.
pub fn claim_of(lead: &LeadReferral) -> Claim {
    let (effective_at, basis) = effective_time(lead);
    Claim {
        lead: lead.meta.id,
        code: lead.code.clone(),
        owner: lead.meta.owner.clone(),
        effective_at,
        basis,
    }
}

fn effective_time(lead: &LeadReferral) -> (Option<DateTime<Utc>>, ClaimBasis) {
    let (at, basis) = device_time(lead);
    match (at, server_bounds(lead)) {
        (Some(t), Some((lower, _))) if t < lower => (Some(lower), ClaimBasis::ServerEvidence),
        _ => (at, basis),
    }
}

/// The earliest and latest effective time the server's evidence allows, once it has the lead:
/// `[max(contact_floor_at, server_received_at - OFFLINE_WINDOW), server_received_at]`.
pub fn server_bounds(lead: &LeadReferral) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let received = lead.server_received_at?;
    let window = received - OFFLINE_WINDOW;
    let contact = lead.contact_floor_at.filter(|c| *c <= received);
    Some((contact.map_or(window, |c| c.max(window)), received))
}

/// The time the device's own evidence supports (its clock, checked against its floor).
fn device_time(lead: &LeadReferral) -> (Option<DateTime<Utc>>, ClaimBasis) {
    let claimed = lead.registered_at.unwrap_or(lead.meta.created_at);
    let received = lead.server_received_at;
    let floor = lead.clock_floor_at;
    if floor.is_some_and(|f| claimed < f - CLOCK_SKEW_ALLOWANCE) {
        return match received {
            Some(r) => (Some(r), ClaimBasis::ServerReceiptClockBehind),
            None => (None, ClaimBasis::Unverifiable),
        };
    }
    let claimed = lead.clock_floor_at.map_or(claimed, |f| claimed.max(f));
    match received {
        Some(r) if claimed > r => (Some(r), ClaimBasis::ServerReceiptClockAhead),
        _ => (Some(claimed), ClaimBasis::DeviceClock),
    }
}

/// Who owns a prospect, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnershipDecision {
    pub prospect_key: String,
    pub winner: Claim,
    /// The other claims that lost to an earlier one, in rank order.
    pub others: Vec<Claim>,
    /// Earlier claims that had released the prospect (closed, or not followed up for
    /// [`PROTECTION`]) before a later registration, in rank order.
    pub released: Vec<Claim>,
}

/// Decides ownership among leads; those whose key differs from the first lead's are ignored.
/// Order-independent: the same set in any order gives the same decision.
pub fn decide(leads: &[LeadReferral]) -> Option<OwnershipDecision> {
    let key = leads
        .iter()
        .map(|l| l.prospect_key.as_str())
        .filter(|k| !k.is_empty())
        .min()?;
    let mut claims: BTreeMap<(bool, Option<DateTime<Utc>>, RecordId), Claim> = BTreeMap::new();
    for lead in leads.iter().filter(|l| l.prospect_key == key) {
        let c = claim_of(lead);
        claims.insert((c.effective_at.is_none(), c.effective_at, c.lead), c);
    }
    let ranked: Vec<Claim> = claims.into_values().collect();
    let lead_of = |c: &Claim| leads.iter().find(|l| l.meta.id == c.lead);
    let mut holder = 0;
    let mut released = Vec::new();
    for (i, c) in ranked.iter().enumerate().skip(1) {
        let current = &ranked[holder];
        let freed = c.effective_at.is_some_and(|t| {
            lead_of(current).is_some_and(|l| released_by(l, current.effective_at, t))
        });
        if freed {
            released.push(holder);
            holder = i;
        }
    }
    let mut winner = None;
    let (mut others, mut gave_up) = (Vec::new(), Vec::new());
    for (i, c) in ranked.into_iter().enumerate() {
        match i {
            _ if i == holder => winner = Some(c),
            _ if released.contains(&i) => gave_up.push(c),
            _ => others.push(c),
        }
    }
    Some(OwnershipDecision {
        prospect_key: key.to_owned(),
        winner: winner?,
        others,
        released: gave_up,
    })
}

/// Whether `lead`, ranked at `effective`, had released its prospect by `t`: closed (lost or a
/// duplicate) by then, or open with no registration or follow-up by its owner within
/// [`PROTECTION`] before `t`. A lead won by then keeps its prospect.
pub fn released_by(
    lead: &LeadReferral,
    effective: Option<DateTime<Utc>>,
    t: DateTime<Utc>,
) -> bool {
    let reached = |s: &str| lead.history.iter().any(|h| h.to == s && h.at <= t);
    if reached(LeadStatus::Won.as_str()) {
        return false;
    }
    if matches!(lead.status, LeadStatus::Lost | LeadStatus::Duplicate)
        && reached(lead.status.as_str())
    {
        return true;
    }
    let last = lead
        .follow_ups
        .iter()
        .filter(|f| f.by == lead.meta.owner && f.at <= t)
        .map(|f| f.at)
        .chain(effective)
        .max();
    last.is_some_and(|at| at + PROTECTION < t)
}

impl OwnershipDecision {
    /// Whether `lead` is the owning registration.
    pub fn owns(&self, lead: RecordId) -> bool {
        self.winner.lead == lead
    }

    /// Whether `lead` lost to the winner on priority (its rep registered a protected prospect),
    /// as opposed to having released it or owning it.
    pub fn lost_to_winner(&self, lead: RecordId) -> bool {
        self.others.iter().any(|c| c.lead == lead)
    }

    /// What the rep of `lead` sees: who owns the prospect and why (Chinese, then English).
    pub fn explain_to(&self, lead: RecordId) -> String {
        let w = &self.winner;
        let when = w.effective_at.map_or_else(
            || "—".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
        );
        if self.owns(lead) {
            return format!(
                "您最先报备此客户（{}），线索归您 / you registered this prospect first ({}): the lead is yours",
                w.code, when
            );
        }
        if self.released.iter().any(|c| c.lead == lead) {
            return format!(
                "您的报备已结束或超过 {days} 天未跟进，客户已释放，现由 {owner} 于 {when} 报备（线索 {code}）/ \
                 your registration was closed or not followed up for {days} days, so the prospect \
                 was released; {owner} registered it at {when} (lead {code})",
                days = PROTECTION.num_days(),
                owner = w.owner,
                code = w.code,
            );
        }
        let mine = self.others.iter().find(|c| c.lead == lead);
        let why = match mine.map(|c| c.basis) {
            Some(ClaimBasis::ServerReceiptClockBehind) | Some(ClaimBasis::Unverifiable) => {
                "本机时钟早于上次同步的服务器时间，登记时间不可信，以服务器收到时间为准 / \
                 this device's clock was behind a server time it had already seen, so the server's receipt time counts"
            }
            Some(ClaimBasis::ServerEvidence) => {
                "登记时间早于服务器掌握的证据（本机上次同步或一天离线上限），以该时间为准 / \
                 the registration time was earlier than the server's evidence allows (this \
                 device's previous sync, or a day offline at most), so that bound counts"
            }
            Some(ClaimBasis::ServerReceiptClockAhead) => {
                "本机时钟偏快，以服务器收到时间为准 / this device's clock ran fast, so the server's receipt time counts"
            }
            _ if mine.and_then(|c| c.effective_at) == w.effective_at => {
                "登记时间相同，按记录编号决定 / same registration time, decided by record id"
            }
            _ => "对方报备时间更早 / their registration came first",
        };
        format!(
            "此客户已由 {owner} 于 {when} 先行报备（线索 {code}），按“谁先报备算谁的”归其所有；{why} / \
             {owner} registered this prospect first at {when} (lead {code}); whoever registers first owns it",
            owner = w.owner,
            code = w.code,
        )
    }
}

#[cfg(test)]
#[path = "ownership_tests.rs"]
mod tests;
