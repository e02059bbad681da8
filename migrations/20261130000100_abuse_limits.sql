-- Abuse limits (issue 12): one table of rate events counted over sliding windows (sign-in
-- failures, now also per account and address, and sign-ups), one-time sign-in links mailed to
-- the owner of an account under attack, and indexes for what the limits on invitation mails and
-- on repeated join requests count by.

-- Events counted per scope and key over a sliding window, so every instance sees the same counts.
-- Each scope's limit and window are in the code that records it (`src/rate.rs` names them).
CREATE TABLE rate_events (
    id    bigint GENERATED ALWAYS AS IDENTITY,
    scope text NOT NULL,
    key   text NOT NULL,
    at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rate_events_pkey PRIMARY KEY (id),
    CONSTRAINT rate_events_scope CHECK (scope IN (
        'sign_in_account',          -- failed sign-ins for an account, from anywhere
        'sign_in_account_address',  -- failed sign-ins for an account from one address
        'sign_in_address',          -- failed sign-ins from one address, for any account
        'sign_up_address',          -- accounts made from one address
        'sign_up'                   -- accounts made, from anywhere
    ))
);
CREATE INDEX rate_events_lookup_idx ON rate_events (scope, key, at);
CREATE INDEX rate_events_at_idx ON rate_events (at);

-- Failures still inside their window keep counting.
INSERT INTO rate_events (scope, key, at)
SELECT 'sign_in_' || scope, key, failed_at
FROM sign_in_failures
WHERE failed_at > now() - interval '15 minutes';
-- sign_in_failures stays for instances of the previous version that are still running during a
-- rolling restart; nothing reads it any more, and a later migration drops it.

-- A one-time link that signs the owner in without a password, mailed when many wrong passwords
-- are tried for their account. Single use, short-lived, stored only as a hash of its token.
CREATE TABLE sign_in_links (
    id         uuid NOT NULL,
    member_id  uuid NOT NULL,
    token_hash bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CONSTRAINT sign_in_links_pkey PRIMARY KEY (id),
    CONSTRAINT sign_in_links_member_fkey FOREIGN KEY (member_id)
        REFERENCES members (id) ON DELETE CASCADE,
    CONSTRAINT sign_in_links_token_hash_key UNIQUE (token_hash),
    CONSTRAINT sign_in_links_expires_after_created CHECK (expires_at > created_at)
);
CREATE INDEX sign_in_links_member_idx ON sign_in_links (member_id, created_at);

-- Invitation mails are limited per CAN, per sender and per address a day: each count has its index.
CREATE INDEX invitations_mailed_by_can_idx ON invitations (can_id, created_at)
    WHERE email IS NOT NULL;
CREATE INDEX invitations_mailed_by_sender_idx ON invitations (created_by, created_at)
    WHERE email IS NOT NULL;
CREATE INDEX invitations_mailed_to_idx ON invitations (can_id, lower(email), created_at)
    WHERE email IS NOT NULL;

-- After a decline, the same person may not ask the same CAN again for a while.
CREATE INDEX join_requests_declined_idx ON join_requests (can_id, member_id, decided_at)
    WHERE status = 'declined';
