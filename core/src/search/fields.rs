//! What of a record is searchable, field by field: names, companies, contacts and notes as
//! written; the pinyin of the names (full and initials); phone numbers as digits.

use pinyin::ToPinyin;

use crate::input::parse_phone;
use crate::model::{Customer, LeadReferral};

/// The searchable fields, in rank order (a match in an earlier field ranks higher).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SearchField {
    Name = 0,
    Company = 1,
    Contact = 2,
    Phone = 3,
    PinyinFull = 4,
    PinyinInitials = 5,
    Code = 6,
    Notes = 7,
}

impl SearchField {
    pub const ALL: [SearchField; 8] = [
        SearchField::Name,
        SearchField::Company,
        SearchField::Contact,
        SearchField::Phone,
        SearchField::PinyinFull,
        SearchField::PinyinInitials,
        SearchField::Code,
        SearchField::Notes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SearchField::Name => "name",
            SearchField::Company => "company",
            SearchField::Contact => "contact",
            SearchField::Phone => "phone",
            SearchField::PinyinFull => "pinyin",
            SearchField::PinyinInitials => "initials",
            SearchField::Code => "code",
            SearchField::Notes => "notes",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// The full pinyin of the Chinese characters in `text` ("张伟" → "zhangwei"); other letters are
/// kept lower-cased, everything else dropped.
pub fn pinyin_full(text: &str) -> String {
    pinyin_with(text, |p| p.plain())
}

/// The pinyin initials ("张伟" → "zw").
pub fn pinyin_initials(text: &str) -> String {
    pinyin_with(text, |p| p.first_letter())
}

fn pinyin_with(text: &str, f: impl Fn(pinyin::Pinyin) -> &'static str) -> String {
    text.chars()
        .zip(text.to_pinyin())
        .filter_map(|(c, p)| match p {
            Some(p) => Some(f(p).to_owned()),
            None if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase().to_string()),
            None => None,
        })
        .collect()
}

/// The digits a phone number can be searched by: E.164 without "+" and the national number.
pub fn phone_digits(phone: &str) -> String {
    match parse_phone(phone) {
        Some(n) => format!(
            "{}{} {}",
            n.code().value(),
            n.national().value(),
            n.national().value()
        ),
        None => phone.chars().filter(char::is_ascii_digit).collect(),
    }
}

/// Accumulates field texts, joining several values of one field with " | ".
#[derive(Debug, Default)]
pub struct Fields(Vec<(SearchField, String)>);

impl Fields {
    fn add(&mut self, field: SearchField, text: impl AsRef<str>) {
        let text = text.as_ref().trim();
        if text.is_empty() {
            return;
        }
        match self.0.iter_mut().find(|(f, _)| *f == field) {
            Some((_, t)) => {
                t.push_str(" | ");
                t.push_str(text);
            }
            None => self.0.push((field, text.to_owned())),
        }
    }

    fn add_person(&mut self, field: SearchField, name: &str) {
        self.add(field, name);
        self.add(SearchField::PinyinFull, pinyin_full(name));
        self.add(SearchField::PinyinInitials, pinyin_initials(name));
    }

    fn add_phone(&mut self, phone: &str) {
        if !phone.trim().is_empty() {
            self.add(SearchField::Phone, phone_digits(phone));
        }
    }

    pub fn into_vec(self) -> Vec<(SearchField, String)> {
        self.0
    }
}

/// The searchable fields of a customer and its contacts.
pub fn of_customer(c: &Customer) -> Fields {
    let mut f = Fields::default();
    f.add_person(SearchField::Name, &c.name);
    f.add(SearchField::Company, &c.company);
    f.add(SearchField::PinyinFull, pinyin_full(&c.company));
    for contact in &c.contacts {
        f.add_person(SearchField::Contact, &contact.name);
        f.add_phone(&contact.mobile);
        f.add_phone(&contact.direct_line);
    }
    f.add(
        SearchField::Notes,
        [c.notes.as_str(), &c.needs, &c.region].join(" "),
    );
    f
}

/// The searchable fields of a lead.
pub fn of_lead(l: &LeadReferral) -> Fields {
    let mut f = Fields::default();
    f.add_person(SearchField::Name, &l.prospect.name);
    f.add(SearchField::Company, &l.prospect.company);
    f.add(SearchField::PinyinFull, pinyin_full(&l.prospect.company));
    f.add_phone(&l.prospect.phone);
    f.add(SearchField::Code, &l.code);
    f.add(
        SearchField::Notes,
        [l.prospect.needs.as_str(), &l.referrer_name, &l.event].join(" "),
    );
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_of_a_chinese_name_full_and_initials() {
        assert_eq!(pinyin_full("张伟"), "zhangwei");
        assert_eq!(pinyin_initials("张伟"), "zw");
        assert_eq!(pinyin_full("王芳 Amy"), "wangfangamy");
    }

    #[test]
    fn phone_digits_hold_both_forms() {
        assert_eq!(phone_digits("138 0013 8000"), "8613800138000 13800138000");
    }
}
