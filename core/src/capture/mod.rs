//! Trade-show capture (issue 18 §2; seeds 002 篇3, 003 报备): a badge's or business card's QR
//! payload becomes a lead's prospect in one step, offline.
//!
//! 1. [`parse_card`] reads the payload — a vCard 2.1, 3.0 or 4.0, a MECARD, or a plain text
//!    block — into [`CardFields`]: name, company (and its units), title, phones in E.164 (the
//!    `phonenumber` crate, region CN by default, as [`crate::input`] does), e-mails.
//! 2. [`preview`] adds, before anything is saved and without the network, the duplicates among
//!    the leads on the phone ([`Duplicate`]: same phone or e-mail is *certain*, a similar name
//!    with a similar company *possible*) and the ownership rule's answer for this prospect
//!    ([`CaptureOwnership`], ADR 0003: who registered it first, among the leads the phone holds).
//! 3. [`save`] registers the lead through the normal path (`rules::lead::register`: the lead
//!    rules, the schema and the judge run as for any lead), with `source = trade_show` by default
//!    and the card's format, title, department and phones in [`crate::model::LeadReferral::capture`].
//!
//! Choices (2026-12-04):
//! - **Our own small parser**, not a vCard crate: `vcard4` reads RFC 6350 (4.0) only, and the
//!   crates that claim 2.1 + 3.0 + 4.0 were 0.x releases months old with a changing API. The
//!   pieces that are well kept are used: `quoted_printable` (RFC 2045, robust mode) and
//!   `encoding_rs` (`CHARSET=GBK`/`GB2312`/`GB18030`/`BIG5`… by WHATWG label). The parser works
//!   on bytes, never indexes blindly, and is fuzzed (`fuzz/fuzz_targets/parse_card.rs`) and
//!   property-tested (never panics; generated cards round-trip).
//! - **Text without a charset** is read as UTF-8, else as GB18030 (a superset of GBK and
//!   GB2312): Chinese phones and card printers that write no `CHARSET=` write GBK.
//! - **Payloads over [`MAX_PAYLOAD_BYTES`]** are refused: a QR code holds at most 2,953 bytes.
//! - **Name**: `FN` as printed; `N` (family, given) only when `FN` is missing or blank, joined
//!   without a space when it is Chinese (张 + 伟 → 张伟) and as "given family" otherwise.
//!   MECARD's `N:Family,Given` likewise.
//! - **Phones**: fax numbers are left out (nobody calls a fax to follow a lead up); a number
//!   that is not valid is dropped with a warning (never echoed: it may be personal). The
//!   prospect's phone is the first mobile, else the first number.
//! - **Only the first card** of a payload holding several is read (a warning says so).
//! - A card with none of name, company, phone and e-mail is refused, in Chinese and English.
//! - `LeadReferral::capture` is edited like the prospect (a rep may correct a title later).
//!
//! Erasure: when the server erases a lead's prospect (ADR 0007, `sync-server/src/hub/erase/
//! scrub.rs`), the card's title, department and every phone on it go too; its format stays.

mod decode;
mod dedupe;
mod mecard;
mod save;
mod text;
mod vcard;

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod writer;

use crate::error::{Error, Result};
use crate::input::{parse_phone, validate_email};
use crate::model::CaptureFormat;

pub use dedupe::{
    CaptureOwnership, CardPreview, Certainty, Duplicate, MatchedOn, duplicates, ownership, preview,
};
pub use save::{CaptureLead, prospect_of, save};

/// The largest payload read: a QR code (version 40, binary mode) holds 2,953 bytes.
pub const MAX_PAYLOAD_BYTES: usize = 4096;

/// What kind of number a card's phone is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhoneKind {
    Mobile,
    Work,
    Home,
    Other,
}

/// One phone of a card, in E.164.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardPhone {
    pub number: String,
    pub kind: PhoneKind,
}

/// What a card says about the prospect, checked and normalised.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CardFields {
    pub format: CaptureFormat,
    pub name: String,
    pub company: String,
    /// ORG's units (department, section), joined with " / ".
    pub department: String,
    pub title: String,
    /// Phones in card order, E.164, without duplicates or faxes.
    pub phones: Vec<CardPhone>,
    /// Valid e-mail addresses in card order.
    pub emails: Vec<String>,
    /// What was skipped, bilingual (never the skipped value).
    pub warnings: Vec<String>,
}

impl CardFields {
    /// The phone a lead is keyed by: the first mobile, else the first number.
    pub fn main_phone(&self) -> Option<&str> {
        self.phones
            .iter()
            .find(|p| p.kind == PhoneKind::Mobile)
            .or(self.phones.first())
            .map(|p| p.number.as_str())
    }

    /// Whether the card names nobody that could be followed up.
    fn is_empty(&self) -> bool {
        self.name.is_empty()
            && self.company.is_empty()
            && self.phones.is_empty()
            && self.emails.is_empty()
    }
}

/// What a parser found, before checking: texts as written, phones as written.
#[derive(Debug, Default)]
pub(crate) struct RawCard {
    pub format: CaptureFormat,
    pub name: String,
    pub company: String,
    pub units: Vec<String>,
    pub title: String,
    /// (number as written, kind); `None` kind: a fax, left out.
    pub phones: Vec<(String, Option<PhoneKind>)>,
    pub emails: Vec<String>,
    pub warnings: Vec<String>,
}

/// Reads a QR payload into card fields; never panics. Bad input is a bilingual
/// [`Error::InvalidInput`] on the field `card`.
#[tracing::instrument(skip_all, fields(bytes = payload.len()))]
pub fn parse_card(payload: &[u8]) -> Result<CardFields> {
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(card_error(
            "二维码内容过长，不像名片 / the QR payload is too long to be a card",
        ));
    }
    let payload = payload.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(payload);
    let start = trim_ascii_start(payload);
    if start.is_empty() {
        return Err(card_error("二维码内容为空 / the QR payload is empty"));
    }
    let raw = if starts_with_ignore_case(start, b"BEGIN:VCARD") {
        vcard::parse(start)
    } else if starts_with_ignore_case(start, b"MECARD:") {
        mecard::parse(&decode::text(start, None).0)
    } else {
        text::parse(&decode::text(start, None).0)
    };
    let fields = finish(raw);
    if fields.is_empty() {
        return Err(card_error(
            "名片中没有可识别的姓名、公司、电话或电子邮箱 / \
             the card has no name, company, phone or e-mail that could be read",
        ));
    }
    Ok(fields)
}

/// Checks and normalises what a parser found.
fn finish(raw: RawCard) -> CardFields {
    let mut out = CardFields {
        format: raw.format,
        name: squash(&raw.name),
        company: squash(&raw.company),
        department: raw
            .units
            .iter()
            .map(|u| squash(u))
            .filter(|u| !u.is_empty())
            .collect::<Vec<_>>()
            .join(" / "),
        title: squash(&raw.title),
        warnings: raw.warnings,
        ..CardFields::default()
    };
    for (written, kind) in raw.phones {
        let Some(kind) = kind else { continue };
        match parse_phone(&written) {
            Some(n) => {
                let number = n.format().mode(phonenumber::Mode::E164).to_string();
                if !out.phones.iter().any(|p| p.number == number) {
                    out.phones.push(CardPhone { number, kind });
                }
            }
            None => out.warnings.push(
                "一个无法识别的电话号码已略过 / a phone number that could not be read was skipped"
                    .to_owned(),
            ),
        }
    }
    for written in raw.emails {
        match validate_email("email", &written) {
            Ok(e) if !out.emails.iter().any(|x| x.eq_ignore_ascii_case(&e)) => out.emails.push(e),
            Ok(_) => {}
            Err(_) => out.warnings.push(
                "一个无效的电子邮箱已略过 / an e-mail address that is not valid was skipped"
                    .to_owned(),
            ),
        }
    }
    out
}

/// Trims and collapses runs of whitespace (line breaks included) to one space.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn card_error(message: &str) -> Error {
    Error::invalid("card", message)
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    b.get(n..).unwrap_or_default()
}

pub(crate) fn starts_with_ignore_case(b: &[u8], prefix: &[u8]) -> bool {
    b.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}
