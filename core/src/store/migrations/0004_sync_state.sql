-- Sync state per document and server (peer): the persisted Automerge sync state (its shared
-- heads), so that a reconnect resumes instead of starting over, and the heads the server last
-- reported after storing them durably ("acked"), so that the device knows which local changes
-- are safe on the server and which records still need a sync.
CREATE TABLE sync_state (
    record_id   TEXT NOT NULL,
    peer        TEXT NOT NULL,
    state       BLOB NOT NULL,
    acked_heads BLOB,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (record_id, peer)
) STRICT, WITHOUT ROWID;
