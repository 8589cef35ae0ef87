-- Teams, accounts, device tokens, enrolment codes, actor bindings and the access log.
CREATE TABLE teams (
    team_id TEXT PRIMARY KEY,
    name    TEXT NOT NULL
);
CREATE TABLE accounts (
    user_id       TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    team_id       TEXT REFERENCES teams (team_id),
    password_hash TEXT,
    active        BOOLEAN NOT NULL
);
CREATE TABLE devices (
    token_hash BYTEA PRIMARY KEY,
    device_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    issued_at  TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX devices_by_device ON devices (device_id);
CREATE TABLE enrolments (
    code_hash  BYTEA PRIMARY KEY,
    user_id    TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE TABLE actors (
    actor     BYTEA PRIMARY KEY,
    device_id TEXT NOT NULL
);
CREATE TABLE access_log (
    seq       BIGSERIAL PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    user_id   TEXT NOT NULL,
    device_id TEXT,
    record_id TEXT NOT NULL,
    action    TEXT NOT NULL
);
CREATE INDEX access_log_by_record ON access_log (record_id, seq);
