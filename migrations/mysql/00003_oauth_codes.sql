-- +goose Up
-- Authorization codes and login tickets of the OAuth pages (oauth.md §2, §4): single use, stored as SHA-256.
-- A ticket carries a sign-in through the pages; a code is what the consent yields. family_id is set when a
-- code is exchanged, so that a replayed code can revoke what it produced.
CREATE TABLE oauth_codes (
    id             BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    code_hash      CHAR(64)      NOT NULL,
    kind           VARCHAR(10)   NOT NULL,
    client_id      VARCHAR(64)   NOT NULL,
    user_id        INT           NOT NULL,
    redirect_uri   VARCHAR(2000),
    scope          VARCHAR(4000) NOT NULL DEFAULT '',
    code_challenge VARCHAR(128),
    stage          VARCHAR(10)   NOT NULL DEFAULT '',
    expires_at     DATETIME(6)   NOT NULL,
    used_at        DATETIME(6),
    family_id      BIGINT,
    created_at     DATETIME(6)   NOT NULL,
    UNIQUE KEY oauth_codes_code_hash (code_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE oauth_codes;
