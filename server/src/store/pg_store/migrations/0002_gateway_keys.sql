-- A gateway's key history: each key signs the gateway's events from `from_seq` up to the
-- next key's (see GatewayKey in store/gateways.rs). The one key of version 1 becomes the
-- first of each history, signing from seq 1, added at enrolment.
CREATE TABLE gateway_keys (
    gateway_id TEXT NOT NULL REFERENCES gateways (id),
    from_seq BIGINT NOT NULL,
    public_key BYTEA NOT NULL,
    added_ms BIGINT NOT NULL,
    revoked_ms BIGINT,
    PRIMARY KEY (gateway_id, from_seq)
);

INSERT INTO gateway_keys (gateway_id, from_seq, public_key, added_ms, revoked_ms)
SELECT id, 1, public_key, enrolled_ms, NULL FROM gateways;

ALTER TABLE gateways DROP COLUMN public_key;
