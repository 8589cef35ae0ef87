//! Search over customers, contacts and leads that works for Chinese.
//!
//! - **Substring** on names, companies, contacts and notes: SQLite FTS5 with the `trigram`
//!   tokenizer (any substring of ≥ 3 characters is an index lookup). Chinese names are often
//!   two characters (张伟), below a trigram: queries of 1–2 characters use `LIKE` over the same
//!   indexed text (FTS5 answers it with a scan of the text, still inside SQLite).
//! - **Pinyin**: each name is also indexed as full pinyin (`zhangwei`) and initials (`zw`), by
//!   the `pinyin` crate. Polyphonic characters take their most common reading (单 as "dan"): a
//!   known limit.
//! - **Phones** in any written form: indexed as digits (E.164 and national), and the query is
//!   reduced to digits, so `138-0013-8000`, `+86 138 0013 8000` and `8000` all find the number.
//!
//! The index is rewritten in the same transaction as the document (`store/index.rs`), so a
//! search never sees a record the store does not hold. Results are ranked by field (name,
//! company, contact, phone, pinyin, initials, code, notes), then exact / prefix / inner match,
//! and say which field matched.

mod fields;
pub(crate) mod index;
mod query;

pub use fields::{SearchField, phone_digits, pinyin_full, pinyin_initials};
pub use query::{SearchHit, SearchQuery, search};
