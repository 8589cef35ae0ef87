-- Grants to customer files (seed 001 §3.6(4), ADR 0006): a customer-service manager lets one
-- person read one customer's file, for a reason, until it expires or is revoked.
CREATE TABLE grants (
    grant_id   BIGSERIAL PRIMARY KEY,
    grantee    TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    reason     TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    revoked_by TEXT
);
CREATE INDEX grants_by_expiry ON grants (expires_at);
