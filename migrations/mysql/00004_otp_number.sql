-- +goose Up
-- The mobile number as the user typed it in a 2FA opt-in: verification stores it on the user as sent
-- (saasu.md §6.6), while destination keeps the E.164 form the SMS goes to.
ALTER TABLE otps ADD COLUMN number VARCHAR(20);

-- +goose Down
ALTER TABLE otps DROP COLUMN number;
