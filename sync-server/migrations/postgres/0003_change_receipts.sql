-- Who brought each Automerge change to the server, from which device, and when: the history
-- of a record in the back office (ADR 0008). The first receipt of a change is kept.
CREATE TABLE change_receipts (
    change_hash BYTEA PRIMARY KEY,
    record_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    device_id   TEXT,
    received_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX change_receipts_by_record ON change_receipts (record_id);
CREATE INDEX change_receipts_by_time ON change_receipts (received_at);
