-- The deployment's secrets (ADR 0007): the key of the digest that replaces an erased lead's
-- prospect key. Created once by the first node that needs it, shared by every node.
CREATE TABLE server_secrets (
    name   TEXT PRIMARY KEY,
    secret BYTEA NOT NULL
);
