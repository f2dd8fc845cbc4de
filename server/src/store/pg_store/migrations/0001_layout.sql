-- The first layout. Times are milliseconds since the Unix epoch (BIGINT); event keys and
-- chain hashes are raw bytes (BYTEA, which orders bytewise like EventKey); roles are the
-- stable codes of redb_store::codes; seqs are u64 kept bit for bit in BIGINT.
-- Only SQL that PostgreSQL, CockroachDB and YugabyteDB all run: no triggers, no
-- PL/pgSQL, no extensions.

-- Every stored event: its record is the store's event record (postcard: key, record time,
-- and the gateway's signed bytes verbatim or the captured event); the other columns are
-- what queries select and sort on.
CREATE TABLE events (
    key BYTEA PRIMARY KEY,
    recorded_ms BIGINT NOT NULL,
    event_time_ms BIGINT NOT NULL,
    gateway_id TEXT,
    seq BIGINT,
    record BYTEA NOT NULL
);
CREATE INDEX events_by_record_time ON events (recorded_ms, key);

-- Identifier -> events naming it, in the order trace reads them.
CREATE TABLE naming (
    identifier TEXT NOT NULL,
    event_time_ms BIGINT NOT NULL,
    key BYTEA NOT NULL,
    role SMALLINT NOT NULL,
    PRIMARY KEY (identifier, event_time_ms, key, role)
);

-- Read point / business location -> events there.
CREATE TABLE located (
    location TEXT NOT NULL,
    event_time_ms BIGINT NOT NULL,
    key BYTEA NOT NULL,
    role SMALLINT NOT NULL,
    PRIMARY KEY (location, event_time_ms, key, role)
);

-- Every identifier an event named, with the order the store first recorded it in
-- (a lot's instances list in that order) and the lot class it was commissioned into.
CREATE TABLE idents (
    uri TEXT PRIMARY KEY,
    first_seen BIGINT NOT NULL,
    class TEXT
);
CREATE INDEX idents_by_class ON idents (class, first_seen);
CREATE SEQUENCE commit_numbers;

-- Gateway -> chain head. A commit locks the row of each gateway whose head it moves.
CREATE TABLE heads (
    gateway_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash BYTEA NOT NULL
);

CREATE TABLE gateways (
    id TEXT PRIMARY KEY,
    public_key BYTEA NOT NULL,
    party TEXT,
    site TEXT,
    description TEXT NOT NULL,
    enrolled_ms BIGINT NOT NULL,
    revoked_ms BIGINT
);

CREATE SEQUENCE quarantine_ids;
CREATE TABLE quarantine (
    id BIGINT PRIMARY KEY,
    gateway_id TEXT NOT NULL,
    seq BIGINT,
    received_ms BIGINT NOT NULL,
    reason TEXT NOT NULL,
    bytes BYTEA NOT NULL
);

CREATE TABLE recalls (
    id TEXT PRIMARY KEY,
    issued_ms BIGINT NOT NULL,
    codes TEXT[] NOT NULL,
    reason TEXT NOT NULL,
    instructions TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    affected TEXT[] NOT NULL
);

-- Identifier -> recalls affecting it.
CREATE TABLE recall_affected (
    identifier TEXT NOT NULL,
    recall_id TEXT NOT NULL,
    PRIMARY KEY (identifier, recall_id)
);
CREATE INDEX recall_affected_by_recall ON recall_affected (recall_id);
