//! A record without one person's data, as JSON: the customer contact or lead prospect who *is*
//! the person is blanked field by field (and marked erased, consent withdrawn, the prospect key
//! replaced by a keyed digest), and every other text of the record — notes, visitor names,
//! follow-ups, report texts, plan details, in whichever kind of record — has the person's
//! names, phones and e-mails replaced where they stand. Identifiers of the company's own
//! people, ids, times and the record's bookkeeping (`meta`) are not text and are left as they
//! are. Pure: the hub rewrites the record's history with the result.

use serde_json::{Value as Json, json};

use super::Person;
use super::digest::ErasureKey;
use super::subject::{DataSubject, ERASED};
use crate::error::Result;

/// Keys whose values are ids, user ids, times or vocabulary, never a person's text.
const NOT_TEXT: [&str; 16] = [
    "meta",
    "kind",
    "schema",
    "id",
    "code",
    "prospect_key",
    "by",
    "owner",
    "rep",
    "host",
    "dedicated_rep",
    "approved_by",
    "applied_by",
    "signed_by",
    "answered_by",
    "generation",
];

/// What to erase: the person, and which entry of the record is them if the request said so.
#[derive(Debug)]
pub struct Scrub<'a> {
    pub subject: &'a DataSubject,
    /// The contact or prospect named by a record-level request; `None`: found by identifiers.
    pub named: Option<&'a Person>,
    pub key: &'a ErasureKey,
    /// RFC 3339, for `erased_at` and the consent's `withdrawn_at`.
    pub at: &'a str,
}

impl Scrub<'_> {
    /// The record without the person's data; `None` if nothing of the person is in it.
    pub fn record(&self, record: &Json) -> Result<Option<Json>> {
        let mut out = record.clone();
        let mut changed = self.contacts(&mut out);
        // The record's own stamp: a contact carries no `erased_at` of its own (the schema
        // knows none there, and a record the schema refuses could never be edited again).
        if changed && out.get("erased_at").is_none() {
            out["erased_at"] = json!(self.at);
        }
        changed |= self.prospect(&mut out)?;
        changed |= self.texts(&mut out, None);
        Ok(changed.then_some(out))
    }

    /// Blanks the contacts who are the person; whether any changed.
    fn contacts(&self, record: &mut Json) -> bool {
        let Some(contacts) = record.get_mut("contacts").and_then(Json::as_array_mut) else {
            return false;
        };
        let mut changed = false;
        for c in contacts
            .iter_mut()
            .filter(|c| c.is_object() && self.is_contact(c))
        {
            let mut this = blank(c, &["title", "mobile", "direct_line", "email"]);
            if let Some(consent) = c.get_mut("consent").filter(|v| v.is_object())
                && consent.get("withdrawn_at").is_none_or(Json::is_null)
            {
                consent["withdrawn_at"] = json!(self.at);
                this = true;
            }
            changed |= this;
        }
        changed
    }

    fn is_contact(&self, c: &Json) -> bool {
        let text = |f: &str| c.get(f).and_then(Json::as_str).unwrap_or("");
        match self.named {
            Some(Person::Contact(id)) => text("id") == id,
            Some(Person::Prospect) => false,
            None => {
                self.subject.is_name(text("name"))
                    || self.subject.is_phone(text("mobile"))
                    || self.subject.is_phone(text("direct_line"))
                    || self.subject.is_email(text("email"))
            }
        }
    }

    /// Blanks a lead's prospect who is the person, and replaces a prospect key that identifies
    /// them by its keyed digest; whether anything changed.
    fn prospect(&self, record: &mut Json) -> Result<bool> {
        let Some(p) = record.get_mut("prospect").filter(|p| p.is_object()) else {
            return Ok(false);
        };
        let text = |f: &str| p.get(f).and_then(Json::as_str).unwrap_or("").to_owned();
        let is_them = match self.named {
            Some(Person::Prospect) => true,
            Some(Person::Contact(_)) => false,
            None => {
                self.subject.is_name(&text("name"))
                    || self.subject.is_phone(&text("phone"))
                    || self.subject.is_email(&text("email"))
            }
        };
        let mut changed = is_them && blank(p, &["phone", "email"]);
        if is_them {
            changed |= forget_card(record);
        }
        let key = record.get("prospect_key").and_then(Json::as_str);
        if let Some(key) = key.filter(|k| !k.is_empty())
            && (is_them || self.subject.redact(key).is_some())
        {
            let digest = self.key.digest(key)?;
            changed |= digest != key;
            record["prospect_key"] = json!(digest);
        }
        if changed && record.get("erased_at").is_none() {
            record["erased_at"] = json!(self.at);
        }
        Ok(changed)
    }

    /// Replaces the person's identifiers in every text below `value`; whether any changed.
    fn texts(&self, value: &mut Json, key: Option<&str>) -> bool {
        if key.is_some_and(is_not_text) {
            return false;
        }
        match value {
            Json::String(s) => match self.subject.redact(s) {
                Some(redacted) => {
                    *s = redacted;
                    true
                }
                None => false,
            },
            Json::Array(items) => items
                .iter_mut()
                .fold(false, |changed, v| self.texts(v, None) | changed),
            Json::Object(map) => map
                .iter_mut()
                .fold(false, |changed, (k, v)| self.texts(v, Some(k)) | changed),
            _ => false,
        }
    }
}

fn is_not_text(key: &str) -> bool {
    NOT_TEXT.contains(&key) || key.ends_with("_id") || key.ends_with("_at") || key.ends_with("_on")
}

/// Empties a scanned card's details (`capture`: the title, the department and every phone
/// printed on it, issue 18) of a lead whose prospect is the person: the card was theirs, and its
/// other numbers (an office line, a second mobile) identify them as well as the first; the
/// card's format stays. Whether anything changed.
fn forget_card(record: &mut Json) -> bool {
    let Some(card) = record.get_mut("capture").filter(|c| c.is_object()) else {
        return false;
    };
    let mut changed = false;
    for (field, empty) in [
        ("title", json!("")),
        ("department", json!("")),
        ("phones", json!([])),
    ] {
        let present = card.get(field).is_some_and(|v| {
            v.as_str().is_some_and(|s| !s.is_empty()) || v.as_array().is_some_and(|a| !a.is_empty())
        });
        if present {
            card[field] = empty;
            changed = true;
        }
    }
    changed
}

/// Sets `name` to [`ERASED`] and each of `fields` to `""`; whether any of them changed.
fn blank(entry: &mut Json, fields: &[&str]) -> bool {
    let mut changed = false;
    let targets = std::iter::once(("name", ERASED)).chain(fields.iter().map(|f| (*f, "")));
    for (field, value) in targets {
        if entry.get(field).and_then(Json::as_str) != Some(value) {
            entry[field] = json!(value);
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn subject() -> DataSubject {
        DataSubject::new(
            &["赵敏".into()],
            &["13987654321".into()],
            &["zhao.min@example.cn".into()],
        )
        .unwrap()
    }

    fn scrub<'a>(s: &'a DataSubject, key: &'a ErasureKey) -> Scrub<'a> {
        Scrub {
            subject: s,
            named: None,
            key,
            at: "2026-12-01T10:00:00+00:00",
        }
    }

    #[test]
    fn a_reception_loses_the_visitor_and_keeps_the_rest() {
        let (s, k) = (subject(), ErasureKey::new([1; 32]));
        let note = json!({"kind": "reception_note", "visitor_names": ["赵敏", "钱七"],
            "notes": "赵敏来访，电话 139 8765 4321", "purpose": "参观工厂",
            "meta": {"owner": "rep.li"}, "host": "rep.li"});
        let out = scrub(&s, &k).record(&note).unwrap().unwrap();
        assert_eq!(out["visitor_names"], json!([ERASED, "钱七"]));
        assert_eq!(out["notes"], json!(format!("{ERASED}来访，电话 {ERASED}")));
        assert_eq!(out["purpose"], "参观工厂");
        assert_eq!(out["host"], "rep.li");
    }

    #[test]
    fn a_contact_found_by_phone_is_blanked_and_a_stranger_kept() {
        let (s, k) = (subject(), ErasureKey::new([1; 32]));
        let c = json!({"kind": "customer", "name": "华东机械", "contacts": [
            {"id": "c1", "name": "Z. Min", "mobile": "+86 139 8765 4321", "consent": {"withdrawn_at": null}},
            {"id": "c2", "name": "钱七", "mobile": "13800138000"}]});
        let out = scrub(&s, &k).record(&c).unwrap().unwrap();
        assert_eq!(out["contacts"][0]["name"], ERASED);
        assert_eq!(out["contacts"][0]["mobile"], "");
        assert!(out["contacts"][0]["consent"]["withdrawn_at"].is_string());
        assert!(out["erased_at"].is_string() && out["contacts"][0].get("erased_at").is_none());
        assert_eq!(out["contacts"][1]["mobile"], "13800138000");
        assert_eq!(scrub(&s, &k).record(&out).unwrap(), None, "once is enough");
    }

    #[test]
    fn a_lead_whose_prospect_is_the_person_gets_a_keyed_prospect_key() {
        let (s, k) = (subject(), ErasureKey::new([1; 32]));
        let lead = json!({"kind": "lead_referral", "prospect_key": "tel:+8613987654321",
            "prospect": {"name": "赵敏", "phone": "+8613987654321", "company": "华东机械"},
            "capture": {"format": "vcard_3.0", "title": "采购总监", "department": "采购部",
                "phones": ["+8613987654321", "+862165550000"]},
            "follow_ups": [{"said": "赵敏说下周再谈", "by": "rep.li"}]});
        let out = scrub(&s, &k).record(&lead).unwrap().unwrap();
        let card = json!({"format": "vcard_3.0", "title": "", "department": "", "phones": []});
        assert_eq!(
            out["capture"], card,
            "the scanned card's details go with her"
        );
        assert_eq!(out["prospect"]["name"], ERASED);
        assert_eq!(out["prospect"]["company"], "华东机械");
        assert_eq!(out["prospect_key"], k.digest("tel:+8613987654321").unwrap());
        assert_eq!(out["follow_ups"][0]["said"], format!("{ERASED}说下周再谈"));
        assert!(out["erased_at"].is_string());
    }

    #[test]
    fn a_record_without_the_person_is_left_alone() {
        let (s, k) = (subject(), ErasureKey::new([1; 32]));
        let plan = json!({"kind": "visit_plan", "purpose": "回访钱七", "rep": "rep.li"});
        assert_eq!(scrub(&s, &k).record(&plan).unwrap(), None);
    }
}
