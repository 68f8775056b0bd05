-- +goose Up
-- The whole schema of docs/architecture.md. Ids that .NET clients read as int (files, users) fit 32 bits.
-- Case-insensitive lookups use *_key columns (the lower-cased value) so both dialects compare the same way.
CREATE TABLE files (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT CHECK (id BETWEEN 1 AND 2147483647),
    name               VARCHAR(200) NOT NULL,
    slug               VARCHAR(100) NOT NULL,
    country            VARCHAR(2)   NOT NULL DEFAULT 'AU',
    currency           VARCHAR(3)   NOT NULL DEFAULT 'AUD',
    allow_web_services BOOLEAN      NOT NULL DEFAULT 1,
    created_at         DATETIME     NOT NULL,
    updated_at         DATETIME     NOT NULL
);
CREATE UNIQUE INDEX files_slug ON files (slug);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT CHECK (id BETWEEN 1 AND 2147483647),
    username            VARCHAR(254) NOT NULL,
    username_key        VARCHAR(254) NOT NULL,
    email               VARCHAR(254),
    email_key           VARCHAR(254),
    password_hash       VARCHAR(100),
    first_name          VARCHAR(200),
    last_name           VARCHAR(200),
    nick_name           VARCHAR(200),
    display_name        VARCHAR(200),
    preferred_language  VARCHAR(35),
    gender              SMALLINT     NOT NULL DEFAULT 0,
    mobile_number       VARCHAR(20),
    is_2fa_enabled      BOOLEAN      NOT NULL DEFAULT 0,
    timezone_id         INTEGER,
    date_time_format_id SMALLINT,
    number_format_id    SMALLINT,
    user_type           SMALLINT     NOT NULL DEFAULT 0,
    owner_file_id       INTEGER,
    version             BIGINT       NOT NULL DEFAULT 1,
    changed_at          DATETIME     NOT NULL,
    created_at          DATETIME     NOT NULL,
    updated_at          DATETIME     NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (username_key);
CREATE INDEX users_email_key ON users (email_key);

CREATE TABLE memberships (
    file_id      INTEGER     NOT NULL,
    user_id      INTEGER     NOT NULL,
    access_level VARCHAR(20) NOT NULL DEFAULT 'standard',
    web_services BOOLEAN     NOT NULL DEFAULT 0,
    created_at   DATETIME    NOT NULL,
    PRIMARY KEY (file_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id, file_id);

CREATE TABLE access_keys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER     NOT NULL,
    file_id     INTEGER,
    secret_hash CHAR(64)    NOT NULL,
    prefix      VARCHAR(16) NOT NULL,
    created_at  DATETIME    NOT NULL,
    revoked_at  DATETIME
);
CREATE UNIQUE INDEX access_keys_secret_hash ON access_keys (secret_hash);
CREATE INDEX access_keys_user ON access_keys (user_id);

CREATE TABLE oauth_clients (
    client_id               VARCHAR(64)  NOT NULL PRIMARY KEY,
    secret_hash             CHAR(64),
    name                    VARCHAR(200) NOT NULL,
    redirect_uris           TEXT         NOT NULL,
    public                  BOOLEAN      NOT NULL DEFAULT 0,
    service_account_user_id INTEGER,
    created_at              DATETIME     NOT NULL
);

-- One row per issued access token; a refresh token lives on the row that issued it.
-- family_id groups everything issued from one authorization (for reuse detection).
CREATE TABLE oauth_tokens (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    access_hash        CHAR(64),
    refresh_hash       CHAR(64),
    user_id            INTEGER       NOT NULL,
    client_id          VARCHAR(64),
    family_id          BIGINT,
    scope              VARCHAR(4000) NOT NULL DEFAULT '',
    expires_at         DATETIME      NOT NULL,
    refresh_expires_at DATETIME,
    family_expires_at  DATETIME,
    created_at         DATETIME      NOT NULL,
    refresh_retired_at DATETIME,
    revoked_at         DATETIME
);
CREATE UNIQUE INDEX oauth_tokens_access_hash ON oauth_tokens (access_hash);
CREATE UNIQUE INDEX oauth_tokens_refresh_hash ON oauth_tokens (refresh_hash);
CREATE INDEX oauth_tokens_user ON oauth_tokens (user_id);
CREATE INDEX oauth_tokens_family ON oauth_tokens (family_id);

CREATE TABLE profile_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER     NOT NULL,
    version       BIGINT      NOT NULL,
    changed       TEXT        NOT NULL,
    actor_user_id INTEGER,
    via           VARCHAR(40) NOT NULL,
    at            DATETIME    NOT NULL
);
CREATE UNIQUE INDEX profile_events_user_version ON profile_events (user_id, version);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            VARCHAR(10)  NOT NULL,
    "to"            VARCHAR(254) NOT NULL,
    subject         VARCHAR(200) NOT NULL DEFAULT '',
    body            TEXT         NOT NULL,
    created_at      DATETIME     NOT NULL,
    attempts        INTEGER      NOT NULL DEFAULT 0,
    next_attempt_at DATETIME,
    last_error      VARCHAR(1000),
    sent_at         DATETIME
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);

-- +goose Down
DROP TABLE outbox;
DROP TABLE profile_events;
DROP TABLE oauth_tokens;
DROP TABLE oauth_clients;
DROP TABLE access_keys;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE files;
