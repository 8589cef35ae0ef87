//! Search over customers, contacts and leads that works for Chinese.
//!
//! - **Substring** on names, companies, contacts and notes: SQLite FTS5 with the `trigram`
//!   tokenizer (any substring of ≥ 3 characters is an index lookup). Chinese names are often
//!   two characters (张伟), below a trigram: every 1- and 2-character piece of the short fields
//!   (name, company, contacts, pinyin initials) is kept in `search_grams`, so a 1–2 character
//!   query is an index lookup too. Notes, phones and full pinyin need 3 characters or more.
//!   (Measured 2026-11-23 on 50,000 records: a `LIKE` scan took 54 ms p50 for 张伟.)
//! - **Pinyin**: each name is also indexed as full pinyin (`zhangwei`) and initials (`zw`), by
//!   the `pinyin` crate. Polyphonic characters take their most common reading (单 as "dan"): a
//!   known limit.
//! - **Phones** in any written form: indexed as digits (E.164 and national), and the query is
//!   reduced to digits, so `138-0013-8000`, `+86 138 0013 8000` and `8000` all find the number.
//!
//! The server searches its merged records in memory with [`search_docs`]: the same classes,
//! fields, matching and ranking, over [`record_fields`] instead of the SQLite tables.
//!
//! The index is rewritten in the same transaction as the document (`store/index.rs`), so a
//! search never sees a record the store does not hold. Results are ranked by field (name,
//! company, contact, phone, pinyin, initials, code, notes), then exact / prefix / inner match,
//! and say which field matched.

mod fields;
pub(crate) mod index;
mod query;

pub use fields::{SearchField, phone_digits, pinyin_full, pinyin_initials};
pub(crate) use index::STRIDE;
pub use index::fields_of as record_fields;
pub use query::{SearchDoc, SearchHit, SearchQuery, search, search_docs};
