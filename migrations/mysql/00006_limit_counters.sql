-- +goose Up
-- The credential limits' counters, shared by every instance of a fleet and kept across restarts. A bucket is
-- the SHA-256 of the limiter's name, the kind of key and the key (a folded username or a client address), so
-- that neither is stored in clear; window_ms is when the bucket's window opened (Unix milliseconds).
CREATE TABLE limit_counters (
    bucket    CHAR(64) NOT NULL,
    window_ms BIGINT   NOT NULL,
    n         INT      NOT NULL,
    PRIMARY KEY (bucket),
    KEY limit_counters_window (window_ms)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE limit_counters;
