-- Schema 5: changes the server refused (ADR 0006). The device keeps the refused edit and shows
-- it; it does not resend it until the user edits the record again (new heads) or discards the
-- unsynced edits, so a refusal never loops.
CREATE TABLE refusals (
    record_id  TEXT PRIMARY KEY NOT NULL,
    reason     TEXT NOT NULL,
    heads      BLOB NOT NULL,
    refused_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
