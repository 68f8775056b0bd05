-- +goose Up
-- A sender claims the messages it is about to deliver: claim marks them as its own, lease_until is when
-- another sender may take them over (the first one died, or hangs). Several senders, on several instances,
-- then deliver each message once, and none is lost.
ALTER TABLE outbox ADD COLUMN claim CHAR(32) NULL;
ALTER TABLE outbox ADD COLUMN lease_until DATETIME(6) NULL;
CREATE INDEX outbox_claim ON outbox (claim);

-- +goose Down
DROP INDEX outbox_claim ON outbox;
ALTER TABLE outbox DROP COLUMN lease_until;
ALTER TABLE outbox DROP COLUMN claim;
