-- Documents as chunk logs, and the change feed that numbers every write (ADR 0009).
CREATE TABLE documents (
    record_id TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    heads_key TEXT NOT NULL,
    bytes     BIGINT NOT NULL,
    -- The feed position of the document's latest write; 0 while it is being created.
    version   BIGINT NOT NULL
);
CREATE TABLE chunks (
    record_id TEXT NOT NULL,
    -- The feed position of the write that added the chunk.
    seq       BIGINT NOT NULL,
    data      BYTEA NOT NULL,
    PRIMARY KEY (record_id, seq)
);
CREATE TABLE feed (
    seq     BIGINT PRIMARY KEY,
    event   TEXT NOT NULL,
    subject TEXT NOT NULL
);
-- One row: the last feed position handed out. Taking it by UPDATE locks it until commit, so
-- positions become visible in the order they were handed out (no reader skips a late commit).
CREATE TABLE feed_head (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    seq      BIGINT NOT NULL
);
INSERT INTO feed_head (seq) VALUES (0);
