//! A small vCard writer for the round-trip tests (test-only): what a card app would write, in
//! 2.1 (quoted-printable UTF-8 with soft line breaks), 3.0 or 4.0 (escapes, lines folded at 75
//! octets on character boundaries).

use crate::model::CaptureFormat;

/// A card to write.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCard {
    pub name: String,
    pub company: String,
    pub units: Vec<String>,
    pub title: String,
    /// (national mobile or fixed number, is a mobile)
    pub phones: Vec<(String, bool)>,
    pub emails: Vec<String>,
}

/// `card` as a vCard of `format` (a vCard format; anything else writes 3.0).
pub fn write(card: &TestCard, format: &CaptureFormat) -> String {
    let v21 = *format == CaptureFormat::VCard21;
    let version = match format {
        CaptureFormat::VCard21 => "2.1",
        CaptureFormat::VCard40 => "4.0",
        _ => "3.0",
    };
    let mut lines = vec!["BEGIN:VCARD".to_owned(), format!("VERSION:{version}")];
    let org: Vec<String> = std::iter::once(&card.company)
        .chain(&card.units)
        .map(|s| escape(s))
        .collect();
    lines.push(text_line("FN", &escape(&card.name), v21));
    lines.push(text_line("ORG", &org.join(";"), v21));
    lines.push(text_line("TITLE", &escape(&card.title), v21));
    for (number, mobile) in &card.phones {
        let kind = if *mobile { "CELL" } else { "WORK" };
        lines.push(match format {
            CaptureFormat::VCard21 => format!("TEL;{kind}:{number}"),
            CaptureFormat::VCard40 => format!("TEL;VALUE=uri;TYPE={kind}:tel:{number}"),
            _ => format!("TEL;TYPE={kind},VOICE:{number}"),
        });
    }
    for email in &card.emails {
        lines.push(format!("EMAIL;TYPE=INTERNET:{email}"));
    }
    lines.push("END:VCARD".to_owned());
    let folded: Vec<String> = lines
        .iter()
        .map(|l| if v21 { l.clone() } else { fold(l) })
        .collect();
    folded.join("\r\n") + "\r\n"
}

/// A text property; in 2.1 as quoted-printable UTF-8 (the encoder's own soft line breaks).
fn text_line(name: &str, value: &str, v21: bool) -> String {
    if v21 {
        let qp = quoted_printable::encode_to_str(value.as_bytes());
        format!("{name};CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp}")
    } else {
        format!("{name}:{value}")
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(';', "\\;")
        .replace('\n', "\\n")
}

/// Folds a line at 75 octets, never inside a character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out
}
