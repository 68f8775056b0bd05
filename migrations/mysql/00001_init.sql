-- +goose Up
-- The whole schema of docs/architecture.md, in MySQL/MariaDB form (also TiDB- and Vitess-friendly: every table has a
-- primary key, no foreign keys). Ids that .NET clients read as int (files, users) are signed INT.
-- utf8mb4_bin: byte comparison everywhere; case-insensitive lookups use the *_key columns, as on SQLite.
CREATE TABLE files (
    id                 INT          NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name               VARCHAR(200) NOT NULL,
    slug               VARCHAR(100) NOT NULL,
    country            VARCHAR(2)   NOT NULL DEFAULT 'AU',
    currency           VARCHAR(3)   NOT NULL DEFAULT 'AUD',
    allow_web_services BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at         DATETIME(6)  NOT NULL,
    updated_at         DATETIME(6)  NOT NULL,
    UNIQUE KEY files_slug (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE users (
    id                  INT          NOT NULL AUTO_INCREMENT PRIMARY KEY,
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
    is_2fa_enabled      BOOLEAN      NOT NULL DEFAULT FALSE,
    timezone_id         INT,
    date_time_format_id SMALLINT,
    number_format_id    SMALLINT,
    user_type           SMALLINT     NOT NULL DEFAULT 0,
    owner_file_id       INT,
    version             BIGINT       NOT NULL DEFAULT 1,
    changed_at          DATETIME(6)  NOT NULL,
    created_at          DATETIME(6)  NOT NULL,
    updated_at          DATETIME(6)  NOT NULL,
    UNIQUE KEY users_username_key (username_key),
    KEY users_email_key (email_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE memberships (
    file_id      INT         NOT NULL,
    user_id      INT         NOT NULL,
    access_level VARCHAR(20) NOT NULL DEFAULT 'standard',
    web_services BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at   DATETIME(6) NOT NULL,
    PRIMARY KEY (file_id, user_id),
    KEY memberships_user (user_id, file_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE access_keys (
    id          INT         NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id     INT         NOT NULL,
    file_id     INT,
    secret_hash CHAR(64)    NOT NULL,
    prefix      VARCHAR(16) NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    revoked_at  DATETIME(6),
    UNIQUE KEY access_keys_secret_hash (secret_hash),
    KEY access_keys_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE oauth_clients (
    client_id               VARCHAR(64)  NOT NULL PRIMARY KEY,
    secret_hash             CHAR(64),
    name                    VARCHAR(200) NOT NULL,
    redirect_uris           TEXT         NOT NULL,
    public                  BOOLEAN      NOT NULL DEFAULT FALSE,
    service_account_user_id INT,
    created_at              DATETIME(6)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per issued access token; a refresh token lives on the row that issued it.
-- family_id groups everything issued from one authorization (for reuse detection).
CREATE TABLE oauth_tokens (
    id                 BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    access_hash        CHAR(64),
    refresh_hash       CHAR(64),
    user_id            INT           NOT NULL,
    client_id          VARCHAR(64),
    family_id          BIGINT,
    scope              VARCHAR(4000) NOT NULL DEFAULT '',
    expires_at         DATETIME(6)   NOT NULL,
    refresh_expires_at DATETIME(6),
    family_expires_at  DATETIME(6),
    created_at         DATETIME(6)   NOT NULL,
    refresh_retired_at DATETIME(6),
    revoked_at         DATETIME(6),
    UNIQUE KEY oauth_tokens_access_hash (access_hash),
    UNIQUE KEY oauth_tokens_refresh_hash (refresh_hash),
    KEY oauth_tokens_user (user_id),
    KEY oauth_tokens_family (family_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE profile_events (
    id            BIGINT      NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id       INT         NOT NULL,
    version       BIGINT      NOT NULL,
    changed       TEXT        NOT NULL,
    actor_user_id INT,
    via           VARCHAR(40) NOT NULL,
    at            DATETIME(6) NOT NULL,
    UNIQUE KEY profile_events_user_version (user_id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE outbox (
    id              BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind            VARCHAR(10)   NOT NULL,
    `to`            VARCHAR(254)  NOT NULL,
    subject         VARCHAR(200)  NOT NULL DEFAULT '',
    body            TEXT          NOT NULL,
    created_at      DATETIME(6)   NOT NULL,
    attempts        INT           NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(6),
    last_error      VARCHAR(1000),
    sent_at         DATETIME(6),
    KEY outbox_pending (sent_at, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE outbox;
DROP TABLE profile_events;
DROP TABLE oauth_tokens;
DROP TABLE oauth_clients;
DROP TABLE access_keys;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE files;
