-- Schema 3: what the rules, the rep's-day queries and search read without loading documents.
-- `body` is the typed record as JSON (a projection, rewritten with the document);
-- `match_key` is a lead's prospect key ("whoever registers first owns it", ADR 0003).
ALTER TABLE records ADD COLUMN body TEXT;
ALTER TABLE records ADD COLUMN match_key TEXT;
CREATE INDEX records_by_match_key ON records (match_key) WHERE match_key IS NOT NULL;
CREATE INDEX records_by_kind_status ON records (kind, status, owner);

-- Search: one FTS5 row per (record, field), trigram-tokenised so that any Chinese substring of
-- three or more characters is an index lookup. Row ids are `search_docs.id * 16 + field`, so a
-- record's rows are replaced by a rowid range instead of a scan.
CREATE TABLE search_docs (
    id        INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE
) STRICT;

CREATE VIRTUAL TABLE search_fts USING fts5 (
    record_id UNINDEXED,
    kind UNINDEXED,
    field UNINDEXED,
    text,
    tokenize = 'trigram'
);

-- Leads and "whoever registers first": the latest server time this device has seen.
INSERT OR IGNORE INTO store_meta (key, value) VALUES ('server_time_floor_ms', '');
