-- +goose Up
-- One-time codes (saasu.md §6.6), stored only as a hash bound to the user and purpose. A new code voids the
-- user's earlier unused one (consumed_at is set), so at most one row per user and purpose is unconsumed;
-- used and voided rows stay as the record of what was sent.
CREATE TABLE otps (
    id           BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id      INT         NOT NULL,
    purpose      VARCHAR(20) NOT NULL,
    destination  VARCHAR(20) NOT NULL,
    code_hash    CHAR(64)    NOT NULL,
    attempts     INT         NOT NULL DEFAULT 0,
    expires_at   DATETIME(6) NOT NULL,
    last_sent_at DATETIME(6) NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    consumed_at  DATETIME(6),
    KEY otps_user_purpose (user_id, purpose)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE otps;
