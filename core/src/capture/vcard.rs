//! vCard 2.1 (versit), 3.0 (RFC 2426) and 4.0 (RFC 6350), the properties a lead needs: `FN`,
//! `N`, `ORG`, `TITLE`, `TEL`, `EMAIL`, `VERSION`. Read as bytes: lines are unfolded (a line
//! starting with a space or tab continues the previous one; in 2.1 a quoted-printable value
//! ending in `=` continues on the next line), then each value is decoded by its own
//! `ENCODING=` and `CHARSET=` parameters, so one card may mix UTF-8 and GBK lines.

use super::decode::{self, UNKNOWN_CHARSET};
use super::{PhoneKind, RawCard, starts_with_ignore_case};
use crate::model::CaptureFormat;

/// One content line: `[group.]NAME[;PARAM…]:value`.
#[derive(Debug, Default)]
struct Property {
    /// Upper-case, without its group.
    name: String,
    /// (upper-case name, values); a 2.1 bare parameter (`CELL`, `QUOTED-PRINTABLE`) is named
    /// `TYPE` or `ENCODING`.
    params: Vec<(String, Vec<String>)>,
    value: Vec<u8>,
}

impl Property {
    fn values(&self, param: &str) -> impl Iterator<Item = &str> {
        self.params
            .iter()
            .filter(move |(k, _)| k == param)
            .flat_map(|(_, v)| v.iter().map(String::as_str))
    }

    fn is_quoted_printable(&self) -> bool {
        self.values("ENCODING")
            .any(|v| v.eq_ignore_ascii_case("QUOTED-PRINTABLE"))
    }

    /// The value as text: quoted-printable undone, then decoded in its charset.
    fn text(&self, warnings: &mut Vec<String>) -> String {
        let bytes = if self.is_quoted_printable() {
            decode::quoted_printable(&self.value)
        } else {
            self.value.clone()
        };
        let (text, unknown) = decode::text(&bytes, self.values("CHARSET").next());
        if unknown && !warnings.iter().any(|w| w == UNKNOWN_CHARSET) {
            warnings.push(UNKNOWN_CHARSET.to_owned());
        }
        text
    }
}

/// Reads the first card of `payload` (which starts with `BEGIN:VCARD`).
pub(super) fn parse(payload: &[u8]) -> RawCard {
    let mut card = RawCard {
        format: CaptureFormat::VCard30,
        ..RawCard::default()
    };
    let (mut depth, mut names) = (0usize, (String::new(), String::new(), String::new()));
    for line in logical_lines(payload) {
        let Some(p) = property(&line) else { continue };
        match p.name.as_str() {
            "BEGIN" => depth += 1,
            "END" if depth <= 1 => break,
            "END" => depth -= 1,
            _ if depth != 1 => {}
            _ => take(&p, &mut card, &mut names),
        }
    }
    let (full, family, given) = names;
    card.name = if full.trim().is_empty() {
        join_name(&family, &given)
    } else {
        full
    };
    if ends_before_another_card(payload) {
        card.warnings.push(
            "二维码中有多张名片，只读取了第一张 / the payload holds several cards; only the first was read"
                .to_owned(),
        );
    }
    card
}

/// Records what one property says.
fn take(p: &Property, card: &mut RawCard, names: &mut (String, String, String)) {
    let text = || p.text(&mut Vec::new());
    match p.name.as_str() {
        "VERSION" => card.format = version(text().trim()),
        "FN" => names.0 = decode::unescape(&p.text(&mut card.warnings)),
        "N" => {
            let parts = decode::split_unescaped(&p.text(&mut card.warnings), ';');
            let part = |i: usize| {
                parts
                    .get(i)
                    .map(|s| decode::unescape(s))
                    .unwrap_or_default()
            };
            (names.1, names.2) = (part(0), part(1));
        }
        "ORG" => {
            let mut parts = decode::split_unescaped(&p.text(&mut card.warnings), ';')
                .into_iter()
                .map(|s| decode::unescape(&s));
            card.company = parts.next().unwrap_or_default();
            card.units = parts.collect();
        }
        "TITLE" => card.title = decode::unescape(&p.text(&mut card.warnings)),
        "TEL" => {
            let number = uri_body(&p.text(&mut card.warnings), "tel:");
            card.phones.push((number, phone_kind(p.values("TYPE"))));
        }
        "EMAIL" => {
            let email = uri_body(&p.text(&mut card.warnings), "mailto:");
            card.emails.push(decode::unescape(&email));
        }
        _ => {}
    }
}

fn version(v: &str) -> CaptureFormat {
    match v {
        "2.1" => CaptureFormat::VCard21,
        "4.0" => CaptureFormat::VCard40,
        _ => CaptureFormat::VCard30,
    }
}

/// A 4.0 `tel:`/`mailto:` URI's body, without URI parameters (`;ext=…`).
fn uri_body(value: &str, scheme: &str) -> String {
    let v = value.trim();
    let body = if starts_with_ignore_case(v.as_bytes(), scheme.as_bytes()) {
        v.get(scheme.len()..).unwrap_or_default()
    } else {
        v
    };
    body.split(';').next().unwrap_or_default().to_owned()
}

/// The kind of a `TEL` from its types; `None` for a fax.
fn phone_kind<'a>(types: impl Iterator<Item = &'a str>) -> Option<PhoneKind> {
    let types: Vec<String> = types.map(str::to_ascii_lowercase).collect();
    let has = |t: &str| types.iter().any(|x| x == t);
    if has("fax") {
        None
    } else if has("cell") || has("mobile") || has("iphone") {
        Some(PhoneKind::Mobile)
    } else if has("work") {
        Some(PhoneKind::Work)
    } else if has("home") {
        Some(PhoneKind::Home)
    } else {
        Some(PhoneKind::Other)
    }
}

/// A person's name from its parts: Chinese without a space (张 + 伟), otherwise "given family".
pub(super) fn join_name(family: &str, given: &str) -> String {
    let (f, g) = (family.trim(), given.trim());
    if f.is_empty() || g.is_empty() || has_han(f) || has_han(g) {
        format!("{f}{g}")
    } else {
        format!("{g} {f}")
    }
}

pub(super) fn has_han(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
    })
}

/// Physical lines joined into content lines.
fn logical_lines(payload: &[u8]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for line in payload.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match out.last_mut() {
            Some(last) if last.ends_with(b"=") && header_is_quoted_printable(last) => {
                last.pop();
                last.extend_from_slice(line);
            }
            Some(last) if matches!(line.first(), Some(b' ' | b'\t')) => {
                last.extend_from_slice(line.get(1..).unwrap_or_default());
            }
            _ => out.push(line.to_vec()),
        }
    }
    out
}

fn header_is_quoted_printable(line: &[u8]) -> bool {
    let header = line.split(|&b| b == b':').next().unwrap_or_default();
    header
        .windows(16)
        .any(|w| w.eq_ignore_ascii_case(b"QUOTED-PRINTABLE"))
}

/// Whether another `BEGIN:VCARD` follows the first card's end.
fn ends_before_another_card(payload: &[u8]) -> bool {
    let lines: Vec<&[u8]> = payload
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .collect();
    let begins = lines
        .iter()
        .filter(|l| l.eq_ignore_ascii_case(b"BEGIN:VCARD"))
        .count();
    begins > 1
}

/// Parses one content line; `None` for a line without a `:` outside quotes.
fn property(line: &[u8]) -> Option<Property> {
    let colon = split_outside_quotes(line, b':').first().map(|h| h.len())?;
    let value = line.get(colon + 1..)?.to_vec();
    let header = String::from_utf8_lossy(line.get(..colon)?).into_owned();
    let mut parts = split_outside_quotes(header.as_bytes(), b';').into_iter();
    let name = String::from_utf8_lossy(parts.next()?);
    let name = name.rsplit('.').next().unwrap_or_default().trim();
    let params = parts.map(param).collect();
    Some(Property {
        name: name.to_ascii_uppercase(),
        params,
        value,
    })
}

/// One parameter: `KEY=v1,v2` (values may be quoted), or a 2.1 bare value.
fn param(raw: &[u8]) -> (String, Vec<String>) {
    let raw = String::from_utf8_lossy(raw);
    match raw.split_once('=') {
        Some((key, values)) => {
            let values = values
                .split(',')
                .map(|v| v.trim().trim_matches('"').to_owned())
                .filter(|v| !v.is_empty())
                .collect();
            (key.trim().to_ascii_uppercase(), values)
        }
        None => {
            let bare = raw.trim().to_owned();
            let key = match bare.to_ascii_uppercase().as_str() {
                "QUOTED-PRINTABLE" | "BASE64" | "8BIT" | "7BIT" | "B" => "ENCODING",
                _ => "TYPE",
            };
            (key.to_owned(), vec![bare])
        }
    }
}

/// `bytes` split at each `sep` outside double quotes; the first piece ends at the first split.
/// For `:` only the header matters: the first element is everything before the first `:`, and
/// a line without one gives an empty list.
fn split_outside_quotes(bytes: &[u8], sep: u8) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            _ if b == sep && !quoted => {
                parts.push(bytes.get(start..i).unwrap_or_default());
                start = i + 1;
                if sep == b':' {
                    return parts;
                }
            }
            _ => {}
        }
    }
    if sep != b':' {
        parts.push(bytes.get(start..).unwrap_or_default());
    }
    parts
}
