//! MECARD (NTT docomo; what most QR generators and badge printers write):
//! `MECARD:N:Zhang,Wei;TEL:13800138000;EMAIL:z@example.cn;ORG:…;TITLE:…;;`. Fields end at an
//! unescaped `;`; `\;` `\:` `\,` `\\` are escapes. `N` is "family,given"; `SOUND` (the
//! reading), `ADR`, `URL`, `NOTE`, `BDAY` are not a lead's and are skipped.

use super::decode::{split_unescaped, unescape};
use super::vcard::join_name;
use super::{PhoneKind, RawCard};
use crate::model::CaptureFormat;

/// Reads a MECARD payload (its text, starting with `MECARD:`).
pub(super) fn parse(text: &str) -> RawCard {
    let mut card = RawCard {
        format: CaptureFormat::MeCard,
        ..RawCard::default()
    };
    let body = text.trim().get("MECARD:".len()..).unwrap_or_default();
    for field in split_unescaped(body, ';') {
        let Some((key, value)) = field.split_once(':') else {
            continue;
        };
        match key.trim().to_ascii_uppercase().as_str() {
            "N" => {
                let parts = split_unescaped(value, ',');
                let part = |i: usize| parts.get(i).map(|s| unescape(s)).unwrap_or_default();
                card.name = join_name(&part(0), &part(1));
            }
            "ORG" => card.company = unescape(value),
            "TITLE" => card.title = unescape(value),
            "TEL" => card.phones.push((unescape(value), Some(PhoneKind::Other))),
            "TEL-AV" => card.phones.push((unescape(value), Some(PhoneKind::Mobile))),
            "EMAIL" => card.emails.push(unescape(value)),
            _ => {}
        }
    }
    card
}
