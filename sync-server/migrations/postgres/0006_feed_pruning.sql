-- Pruning the feed (issue 16, ADR 0009): each node notes the cursor its follower has reached;
-- entries below the lowest cursor of the nodes seen recently are deleted, and the floor they
-- were deleted up to is kept, so that a node coming back from below it reloads what it holds.
CREATE TABLE feed_readers (
    reader  TEXT PRIMARY KEY,
    -- The cursor: a transaction id (as a number) and a feed position.
    xid     BIGINT NOT NULL,
    seq     BIGINT NOT NULL,
    seen_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE feed_floor (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    xid      BIGINT NOT NULL,
    seq      BIGINT NOT NULL
);
INSERT INTO feed_floor (xid, seq) VALUES (0, 0);
