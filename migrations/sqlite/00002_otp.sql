-- +goose Up
-- One-time codes (saasu.md §6.6), stored only as a hash bound to the user and purpose. A new code voids the
-- user's earlier unused one (consumed_at is set), so at most one row per user and purpose is unconsumed;
-- used and voided rows stay as the record of what was sent.
CREATE TABLE otps (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER     NOT NULL,
    purpose      VARCHAR(20) NOT NULL,
    destination  VARCHAR(20) NOT NULL,
    code_hash    CHAR(64)    NOT NULL,
    attempts     INTEGER     NOT NULL DEFAULT 0,
    expires_at   DATETIME    NOT NULL,
    last_sent_at DATETIME    NOT NULL,
    created_at   DATETIME    NOT NULL,
    consumed_at  DATETIME
);
CREATE INDEX otps_user_purpose ON otps (user_id, purpose);

-- +goose Down
DROP TABLE otps;
