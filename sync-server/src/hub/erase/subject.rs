//! The person whose data is erased (the data subject, 个人信息主体, PIPL Art. 47): named by
//! what identifies them — names, phone numbers, e-mail addresses — and found wherever one of
//! those stands, including inside free text. Phones are compared in E.164 (`phonenumber`, as
//! the core normalises them), so `139 8765 4321`, `+86 139-8765-4321` and `13987654321` are one
//! number; names and e-mails are compared as written, ASCII case folded.

use std::collections::BTreeSet;
use std::ops::Range;

use fieldbook_core::input::normalize_phone;

use crate::error::{Result, ServerError};

/// What an erased value is replaced by, in fields and inside free text.
pub const ERASED: &str = "[已删除 / erased]";

/// At most this many identifiers of each sort in one request (each is searched in every record).
const MAX_EACH: usize = 16;

/// Digit groups of one written phone number may be apart by up to this many separator chars.
const MAX_GAP: usize = 3;

/// How many digit groups one written phone number may have (`+86 10 6552 9988` has four).
const MAX_GROUPS: usize = 6;

/// A person, by what identifies them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataSubject {
    names: Vec<String>,
    /// E.164.
    phones: BTreeSet<String>,
    emails: Vec<String>,
}

fn invalid(message: &str) -> ServerError {
    ServerError::Invalid(message.to_owned())
}

impl DataSubject {
    /// A person named by a request: every phone must be a valid number, every e-mail contain
    /// `@`, every name have at least two characters; at least one identifier in all.
    pub fn new(names: &[String], phones: &[String], emails: &[String]) -> Result<Self> {
        if names.len() > MAX_EACH || phones.len() > MAX_EACH || emails.len() > MAX_EACH {
            return Err(invalid(
                "每类标识最多 16 个 / at most 16 identifiers of each sort",
            ));
        }
        let mut subject = DataSubject::default();
        for name in names.iter().map(|n| n.trim()) {
            if name.chars().count() < 2 || name == ERASED {
                return Err(invalid(
                    "姓名至少两个字 / a name has at least two characters",
                ));
            }
            subject.names.push(name.to_owned());
        }
        for phone in phones {
            subject.phones.insert(normalize_phone("phones", phone)?);
        }
        for email in emails.iter().map(|e| e.trim()) {
            if !email.contains('@') || email.len() < 3 {
                return Err(invalid("电子邮箱无效 / not an e-mail address"));
            }
            subject.emails.push(email.to_owned());
        }
        if subject.is_empty() {
            return Err(invalid(
                "请给出姓名、电话或电子邮箱 / name the person: a name, a phone or an e-mail",
            ));
        }
        Ok(subject)
    }

    /// The person behind one contact or prospect, from its fields as stored: values that are
    /// blank, erased already or not a valid phone are left out.
    pub fn of_fields(names: &[&str], phones: &[&str], emails: &[&str]) -> Self {
        let names = names
            .iter()
            .map(|n| n.trim())
            .filter(|n| n.chars().count() >= 2 && *n != ERASED)
            .map(str::to_owned)
            .collect();
        let phones = phones.iter().filter_map(|p| e164(p)).collect();
        let emails = emails
            .iter()
            .map(|e| e.trim())
            .filter(|e| e.contains('@'))
            .map(str::to_owned)
            .collect();
        DataSubject {
            names,
            phones,
            emails,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.phones.is_empty() && self.emails.is_empty()
    }

    /// Whether `text`, a whole name field, is one of the person's names.
    pub fn is_name(&self, text: &str) -> bool {
        let text = text.trim();
        self.names.iter().any(|n| n.eq_ignore_ascii_case(text))
    }

    /// Whether `text`, a whole phone field, is one of the person's numbers.
    pub fn is_phone(&self, text: &str) -> bool {
        e164(text).is_some_and(|p| self.phones.contains(&p))
    }

    /// Whether `text`, a whole e-mail field, is one of the person's addresses.
    pub fn is_email(&self, text: &str) -> bool {
        let text = text.trim();
        self.emails.iter().any(|e| e.eq_ignore_ascii_case(text))
    }

    /// `text` with every name, phone and e-mail of the person replaced by [`ERASED`]; `None`
    /// if none stands in it.
    pub fn redact(&self, text: &str) -> Option<String> {
        let spans = self.spans(text);
        if spans.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for span in spans {
            out.push_str(&text[at..span.start]);
            out.push_str(ERASED);
            at = span.end;
        }
        out.push_str(&text[at..]);
        Some(out)
    }

    /// Where the person's identifiers stand in `text`: sorted byte ranges, overlaps merged.
    fn spans(&self, text: &str) -> Vec<Range<usize>> {
        let mut spans: Vec<Range<usize>> = self
            .names
            .iter()
            .chain(&self.emails)
            .flat_map(|needle| find_all(text, needle))
            .collect();
        if !self.phones.is_empty() {
            spans.extend(phone_spans(text, &self.phones));
        }
        merge(spans)
    }
}

/// The E.164 form of a phone number written in any common form.
fn e164(text: &str) -> Option<String> {
    normalize_phone("phone", text).ok()
}

/// Every place `needle` stands in `text`, ASCII case folded. Both are UTF-8, so a match starts
/// and ends on character boundaries.
fn find_all(text: &str, needle: &str) -> Vec<Range<usize>> {
    let (hay, n) = (text.as_bytes(), needle.as_bytes());
    if n.is_empty() || n.len() > hay.len() {
        return Vec::new();
    }
    (0..=hay.len() - n.len())
        .filter(|&i| hay[i..i + n.len()].eq_ignore_ascii_case(n))
        .map(|i| i..i + n.len())
        .collect()
}

fn merge(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for span in spans {
        match out.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
    }
    out
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Maximal runs of (ASCII or full-width) digits, as byte ranges.
fn digit_groups(text: &str) -> Vec<Range<usize>> {
    let mut groups: Vec<Range<usize>> = Vec::new();
    for (i, c) in text.char_indices().filter(|(_, c)| is_digit(*c)) {
        let end = i + c.len_utf8();
        match groups.last_mut() {
            Some(last) if last.end == i => last.end = end,
            _ => groups.push(i..end),
        }
    }
    groups
}

/// Whether the text between two digit groups may sit inside one written phone number.
fn joins(gap: &str) -> bool {
    gap.chars().count() <= MAX_GAP && gap.chars().all(|c| " -.()/（）\u{a0}\u{3000}".contains(c))
}

/// A written number with its full-width digits and signs made ASCII, for the parser.
fn ascii_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' | '＋' | '（' | '）' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// Where one of `phones` (E.164) is written in `text`: runs of digit groups joined by
/// separators (a `+` before the first kept), the longest that parses to one of them.
fn phone_spans(text: &str, phones: &BTreeSet<String>) -> Vec<Range<usize>> {
    let groups = digit_groups(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < groups.len() {
        let mut last = i;
        while last + 1 < groups.len()
            && last + 1 - i < MAX_GROUPS
            && joins(&text[groups[last].end..groups[last + 1].start])
        {
            last += 1;
        }
        let start = plus_before(text, groups[i].start);
        let found = (i..=last).rev().find(|&j| {
            let written = ascii_digits(&text[start..groups[j].end]);
            e164(&written).is_some_and(|p| phones.contains(&p))
        });
        match found {
            Some(j) => {
                out.push(start..groups[j].end);
                i = j + 1;
            }
            None => i += 1,
        }
    }
    out
}

/// `at`, moved back over a `+` (or full-width `＋`) written right before it.
fn plus_before(text: &str, at: usize) -> usize {
    match text[..at].chars().next_back() {
        Some(c @ ('+' | '＋')) => at - c.len_utf8(),
        _ => at,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn zhao() -> DataSubject {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        DataSubject::new(
            &s(&["赵敏"]),
            &s(&["13987654321"]),
            &s(&["Zhao.Min@example.cn"]),
        )
        .unwrap()
    }

    #[test]
    fn a_phone_in_any_written_form_is_found_inside_free_text() {
        let z = zhao();
        for written in [
            "电话13987654321，周五回访",
            "电话 139 8765 4321，周五回访",
            "电话+86 139-8765-4321，周五回访",
            "电话008613987654321，周五回访",
            "电话（139）8765.4321，周五回访",
            "电话１３９８７６５４３２１，周五回访",
        ] {
            let out = z.redact(written).unwrap();
            assert!(!out.chars().any(is_digit), "{written} → {out}");
            assert!(out.ends_with("，周五回访"), "{out}");
        }
    }

    #[test]
    fn other_numbers_and_longer_digit_runs_are_left_alone() {
        let z = zhao();
        assert_eq!(z.redact("电话13800138000，金额 50000 元"), None);
        assert_eq!(z.redact("订单139876543210"), None);
        let two = z.redact("13800138000 13987654321").unwrap();
        assert_eq!(two, format!("13800138000 {ERASED}"));
    }

    #[test]
    fn names_and_emails_are_found_as_written_ascii_case_folded() {
        let z = zhao();
        assert_eq!(
            z.redact("与赵敏通话，邮件 zhao.min@EXAMPLE.cn").unwrap(),
            format!("与{ERASED}通话，邮件 {ERASED}")
        );
        assert!(z.is_name(" 赵敏 ") && z.is_email("ZHAO.MIN@example.cn"));
        assert!(z.is_phone("+86 139 8765 4321") && !z.is_phone("13800138000"));
    }

    #[test]
    fn a_request_must_name_the_person_with_valid_identifiers() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        for (names, phones, emails) in [
            (s(&[]), s(&[]), s(&[])),
            (s(&["赵"]), s(&[]), s(&[])),
            (s(&[]), s(&["12345"]), s(&[])),
            (s(&[]), s(&[]), s(&["zhao"])),
        ] {
            let err = DataSubject::new(&names, &phones, &emails).unwrap_err();
            assert!(err.to_string().contains(" / "), "bilingual: {err}");
        }
    }
}
