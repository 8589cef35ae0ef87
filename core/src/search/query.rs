//! Running a search: classify the query, ask FTS5 (or `LIKE` for short queries), rank.

use std::collections::HashMap;

use rusqlite::Connection;

use super::fields::SearchField;
use crate::error::Result;
use crate::ids::RecordId;
use crate::model::{RecordKind, StringEnum};
use crate::store::DeviceStore;

/// A search request.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub text: String,
    pub limit: usize,
}

impl SearchQuery {
    pub fn new(text: impl Into<String>) -> Self {
        SearchQuery {
            text: text.into(),
            limit: 50,
        }
    }
}

/// One record found, with the field that matched and how well.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub id: RecordId,
    pub kind: RecordKind,
    pub title: String,
    pub field: SearchField,
    /// The value of the field that matched.
    pub matched: String,
    /// Lower is better: field rank × 3 + (0 exact, 1 prefix, 2 inside).
    pub score: u32,
}

/// What kind of text the person typed.
fn classify(q: &str) -> (String, &'static [SearchField]) {
    use SearchField::*;
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let phone_like = q.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
    if phone_like && digits.len() >= 3 {
        return (digits, &[Phone]);
    }
    if q.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        let folded = q
            .chars()
            .filter(|c| *c != ' ')
            .collect::<String>()
            .to_lowercase();
        return (
            folded,
            &[
                Name,
                Company,
                Contact,
                PinyinFull,
                PinyinInitials,
                Code,
                Notes,
            ],
        );
    }
    (q.to_owned(), &[Name, Company, Contact, Code, Notes])
}

/// Searches customers, contacts and leads; best hits first, one per record.
pub fn search(store: &DeviceStore, query: &SearchQuery) -> Result<Vec<SearchHit>> {
    let q = query.text.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let (needle, fields) = classify(q);
    let rows = store.with_reader(|conn| candidate_rows(conn, &needle))?;
    let mut best: HashMap<RecordId, SearchHit> = HashMap::new();
    for row in rows {
        let Some(field) = SearchField::parse(&row.field).filter(|f| fields.contains(f)) else {
            continue;
        };
        let Some(class) = match_class(&row.text, &needle) else {
            continue;
        };
        let hit = SearchHit {
            id: row.id,
            kind: StringEnum::parse_str(&row.kind),
            title: row.title,
            field,
            matched: row.text,
            score: field as u32 * 3 + class,
        };
        match best.get(&hit.id) {
            Some(b) if b.score <= hit.score => {}
            _ => {
                best.insert(hit.id, hit);
            }
        }
    }
    let mut hits: Vec<SearchHit> = best.into_values().collect();
    hits.sort_by(|a, b| {
        a.score
            .cmp(&b.score)
            .then_with(|| a.title.cmp(&b.title))
            .then(a.id.cmp(&b.id))
    });
    hits.truncate(query.limit);
    Ok(hits)
}

struct Row {
    id: RecordId,
    kind: String,
    field: String,
    text: String,
    title: String,
}

fn candidate_rows(conn: &Connection, needle: &str) -> Result<Vec<Row>> {
    let (filter, arg) = if needle.chars().count() >= 3 {
        (
            "search_fts MATCH ?1",
            format!("\"{}\"", needle.replace('"', "\"\"")),
        )
    } else {
        let escaped = needle
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        ("s.text LIKE ?1 ESCAPE '\\'", format!("%{escaped}%"))
    };
    let sql = format!(
        "SELECT s.record_id, s.kind, s.field, s.text, r.title FROM search_fts s
         JOIN records r ON r.record_id = s.record_id WHERE {filter}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([arg], |r| {
        Ok(Row {
            id: r.get(0)?,
            kind: r.get(1)?,
            field: r.get(2)?,
            text: r.get(3)?,
            title: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// 0 if a value of the field equals the needle, 1 if one starts with it, 2 if one contains it.
fn match_class(text: &str, needle: &str) -> Option<u32> {
    let needle = needle.to_lowercase();
    text.split(" | ")
        .flat_map(|v| v.split(' '))
        .map(str::to_lowercase)
        .filter_map(|v| {
            if v == needle {
                Some(0)
            } else if v.starts_with(&needle) {
                Some(1)
            } else if v.contains(&needle) {
                Some(2)
            } else {
                None
            }
        })
        .min()
        .or_else(|| text.to_lowercase().contains(&needle).then_some(2))
}
