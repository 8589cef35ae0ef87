-- Fieldbook device store, schema 1.
-- Documents are stored as chunks: one snapshot (a full `save`) plus incremental change chunks
-- appended by each write; compaction replaces them all with one new snapshot, in one transaction.
CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE documents (
    record_id         TEXT PRIMARY KEY NOT NULL,
    kind              TEXT NOT NULL,
    heads             BLOB NOT NULL,
    chunk_count       INTEGER NOT NULL,
    incremental_bytes INTEGER NOT NULL,
    snapshot_bytes    INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;

CREATE TABLE chunks (
    record_id TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    snapshot  INTEGER NOT NULL,
    data      BLOB NOT NULL,
    PRIMARY KEY (record_id, seq)
) STRICT, WITHOUT ROWID;

-- The projection: one row per readable record, updated in the same transaction as its document.
CREATE TABLE records (
    record_id   TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    owner       TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    customer_id TEXT,
    title       TEXT NOT NULL,
    status      TEXT,
    grade       TEXT,
    key_at      INTEGER,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX records_by_kind ON records (kind, key_at);
CREATE INDEX records_by_owner ON records (owner, kind);
CREATE INDEX records_by_customer ON records (customer_id);
