-- Schema 6: records whose document does not match their typed model (written by an older
-- server or a stock client before the server checked schemas, ADR 0011). Their document is
-- stored and synced like any other, so that a later fix merges in; they are kept out of
-- `records` and search until it does, and listed here for the app to show.
CREATE TABLE quarantine (
    record_id      TEXT PRIMARY KEY NOT NULL,
    kind           TEXT NOT NULL,
    field          TEXT NOT NULL,
    reason         TEXT NOT NULL,
    quarantined_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
