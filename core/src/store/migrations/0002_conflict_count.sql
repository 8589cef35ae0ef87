-- Schema 2: how many fields of a record hold concurrent values, so that "records with
-- conflicts" is a query, not a scan of every document.
ALTER TABLE records ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX records_with_conflicts ON records (conflicts) WHERE conflicts > 0;
