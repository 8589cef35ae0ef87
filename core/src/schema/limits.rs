//! Limits the types cannot say: how long a text, how many entries in a list, which numbers.
//!
//! The figures leave room for any real record (the longest note in the seed data is under
//! 2,000 characters; a busy lead has a few dozen follow-ups) and stop what no person types: a
//! 16 MB "name" that every phone would have to download, index and show.

use serde_json::Value as Json;

use super::{Flaw, Problem};

/// Characters in a short text field (names, titles, codes, ids).
pub const MAX_TEXT_CHARS: usize = 1_000;
/// Characters in a free-text field (notes, needs, what was said).
pub const MAX_LONG_TEXT_CHARS: usize = 20_000;
/// Entries in one list (contacts, follow-ups, history, materials).
pub const MAX_LIST_ITEMS: usize = 1_000;

/// Fields of free text, by name, wherever they appear.
const LONG_TEXT: &[&str] = &[
    "notes",
    "needs",
    "habits",
    "purpose",
    "after_sales_opinions",
    "said",
    "obstacles",
    "next_step",
    "guidance",
    "answer",
    "text",
    "description",
    "comment",
    "note",
    "reason",
    "decline_reason",
    "lost_reason",
    "tour_route",
    "interests",
    "hobbies",
    "traits",
    "vp_approval",
    "not_returned_reason",
    "problems",
    "next_day_plan",
];

/// Numbers with a range, by JSON pointer (`*`: every entry of a list). Amounts are never negative.
const RANGES: &[(&str, i64, i64)] = &[
    ("/budget_cny", 0, i64::MAX),
    ("/expense/amount_fen", 0, i64::MAX),
    ("/expense/budget_fen", 0, i64::MAX),
    ("/expense/spent_fen", 0, i64::MAX),
    ("/expense/over_budget_fen", 0, i64::MAX),
    ("/expense/reimbursement/amount_fen", 0, i64::MAX),
    ("/won_amount_fen", 0, i64::MAX),
    ("/invoiced_amount_fen", 0, i64::MAX),
    ("/head_count", 0, 10_000),
    ("/attendees", 0, 10_000),
    ("/outcome_amount_fen", 0, i64::MAX),
    ("/event/invitees/*/outcome_amount_fen", 0, i64::MAX),
    ("/event/invitees/*/attendees", 0, 10_000),
    ("/satisfaction/product", 0, 5),
    ("/satisfaction/service", 0, 5),
    ("/satisfaction/environment", 0, 5),
];

/// Checks every string and list of the record, and the numbers of [`RANGES`].
pub(super) fn check(json: &Json) -> Result<(), Flaw> {
    let mut path = String::new();
    sizes(json, None, &mut path)?;
    for (pattern, min, max) in RANGES {
        // `*` stands for every entry of a list (as in the vocabulary table).
        let mut found = Vec::new();
        super::vocab::matches(
            json,
            pattern.trim_start_matches('/'),
            String::new(),
            &mut found,
        );
        for (pointer, value) in found.into_iter().filter(|(_, v)| !v.is_null()) {
            // A number too large for i64 is out of range too.
            let inside = value.as_i64().is_some_and(|n| (*min..=*max).contains(&n));
            if value.is_number() && !inside {
                let range = Problem::OutOfRange {
                    min: *min,
                    max: *max,
                };
                return Err((pointer, range));
            }
        }
    }
    Ok(())
}

/// Walks the record; `field` is the name of the nearest enclosing key (list items are judged
/// by the list's name).
fn sizes(value: &Json, field: Option<&str>, path: &mut String) -> Result<(), Flaw> {
    match value {
        Json::String(s) => {
            let max = match field {
                Some(f) if LONG_TEXT.contains(&f) => MAX_LONG_TEXT_CHARS,
                _ => MAX_TEXT_CHARS,
            };
            // Counting stops past the limit: a huge string costs no more than a long one.
            if s.chars().nth(max).is_some() {
                return Err((path.clone(), Problem::TooLong { max }));
            }
            Ok(())
        }
        Json::Array(items) => {
            if items.len() > MAX_LIST_ITEMS {
                let max = MAX_LIST_ITEMS;
                return Err((path.clone(), Problem::TooMany { max }));
            }
            for (n, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("/{n}"));
                sizes(item, field, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Json::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                path.push('/');
                path.push_str(&super::typed::escape(key));
                sizes(item, Some(key), path)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
