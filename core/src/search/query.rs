//! Running a search: classify the query, ask FTS5 (or `LIKE` for short queries), rank.

use std::collections::HashMap;

use rusqlite::Connection;

use super::fields::SearchField;
use super::index;
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
    // Short queries are narrowed to `index::SHORT_QUERY_FIELDS` by the caller.
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
#[tracing::instrument(skip_all)]
pub fn search(store: &DeviceStore, query: &SearchQuery) -> Result<Vec<SearchHit>> {
    let Some((needle, _)) = needle_of(query) else {
        return Ok(Vec::new());
    };
    let rows = store.with_reader(|conn| candidate_rows(conn, &needle))?;
    Ok(rank(rows, query))
}

/// One record's searchable text, held in memory (the server's merged records).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    pub id: RecordId,
    pub kind: RecordKind,
    pub title: String,
    /// As [`super::record_fields`] gives them.
    pub fields: Vec<(SearchField, String)>,
}

/// [`search`] over records held in memory: the same query classes, fields, matching and
/// ranking as the device's SQLite index (a substring match stands in for FTS5's trigrams).
pub fn search_docs<'a>(
    docs: impl IntoIterator<Item = &'a SearchDoc>,
    query: &SearchQuery,
) -> Vec<SearchHit> {
    if needle_of(query).is_none() {
        return Vec::new();
    }
    let rows = docs.into_iter().flat_map(|d| {
        d.fields.iter().map(|(field, text)| Row {
            id: d.id,
            kind: d.kind.as_str().to_owned(),
            field: field.as_str().to_owned(),
            text: text.clone(),
            title: d.title.clone(),
        })
    });
    rank(rows, query)
}

/// The needle and the fields a query searches; `None` for a blank query.
fn needle_of(query: &SearchQuery) -> Option<(String, &'static [SearchField])> {
    let q = query.text.trim();
    if q.is_empty() {
        return None;
    }
    let (needle, mut fields) = classify(q);
    if needle.chars().count() < 3 {
        fields = &index::SHORT_QUERY_FIELDS;
    }
    Some((needle, fields))
}

/// Keeps the rows that match in a searched field, best hit per record, best first.
fn rank(rows: impl IntoIterator<Item = Row>, query: &SearchQuery) -> Vec<SearchHit> {
    let Some((needle, fields)) = needle_of(query) else {
        return Vec::new();
    };
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
    hits
}

struct Row {
    id: RecordId,
    kind: String,
    field: String,
    text: String,
    title: String,
}

fn candidate_rows(conn: &Connection, needle: &str) -> Result<Vec<Row>> {
    const COLUMNS: &str = "s.record_id, s.kind, s.field, s.text, r.title";
    let (sql, arg) = if needle.chars().count() >= 3 {
        let sql = format!(
            "SELECT {COLUMNS} FROM search_fts s
             JOIN records r ON r.record_id = s.record_id WHERE search_fts MATCH ?1"
        );
        (sql, format!("\"{}\"", needle.replace('"', "\"\"")))
    } else {
        let sql = format!(
            "SELECT {COLUMNS} FROM search_grams g
             JOIN search_fts s ON s.rowid = {}
             JOIN records r ON r.record_id = s.record_id WHERE g.gram = ?1",
            index::fts_rowid_expr()
        );
        (sql, needle.to_lowercase())
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Contact, Customer};

    fn doc(name: &str, mobile: &str) -> SearchDoc {
        let c = Customer {
            name: name.into(),
            contacts: vec![Contact {
                name: "王芳".into(),
                mobile: mobile.into(),
                ..Contact::default()
            }],
            ..Customer::default()
        };
        let json = serde_json::to_value(&c).unwrap_or_default();
        SearchDoc {
            id: RecordId::from_random_bytes([name.len() as u8; 16]),
            kind: RecordKind::Customer,
            title: name.into(),
            fields: super::super::record_fields(&RecordKind::Customer, &json),
        }
    }

    #[test]
    fn in_memory_search_finds_chinese_pinyin_and_phones_like_the_device() {
        let docs = [doc("张伟", "138 0013 8000"), doc("北京王府井百货", "")];
        let titles = |q: &str| -> Vec<String> {
            search_docs(&docs, &SearchQuery::new(q))
                .into_iter()
                .map(|h| h.title)
                .collect()
        };
        assert_eq!(titles("张伟"), ["张伟"]);
        assert_eq!(titles("zw"), ["张伟"]);
        assert_eq!(titles("zhangwei"), ["张伟"]);
        assert_eq!(titles("+86 138-0013-8000"), ["张伟"]);
        assert_eq!(titles("王府井"), ["北京王府井百货"]);
        assert_eq!(titles("王"), ["北京王府井百货", "张伟"].map(String::from));
        assert!(titles("  ").is_empty());
    }
}
