-- Feed positions come from a sequence instead of the one `feed_head` row, whose lock queued
-- every commit in the database behind the one before (ADR 0009). Positions of different
-- transactions may now commit out of order, so each entry keeps its transaction's id and
-- readers take the feed in that order, only below the oldest transaction still running.
ALTER TABLE feed ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX feed_by_transaction ON feed (xid, seq);
CREATE SEQUENCE feed_seq;
SELECT setval('feed_seq', (SELECT seq FROM feed_head) + 1, false);
DROP TABLE feed_head;
