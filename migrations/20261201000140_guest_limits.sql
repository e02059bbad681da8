-- "I'll come" sign-ups are also limited per CAN, so that many networks together cannot use one
-- group's open meetings to send confirmation mails to any number of addresses.
ALTER TABLE rate_events DROP CONSTRAINT rate_events_scope;
ALTER TABLE rate_events ADD CONSTRAINT rate_events_scope CHECK (scope IN (
    'sign_in_account',          -- failed sign-ins for an account, from anywhere
    'sign_in_account_address',  -- failed sign-ins for an account from one address
    'sign_in_address',          -- failed sign-ins from one address, for any account
    'sign_up_address',          -- accounts made from one address
    'sign_up',                  -- accounts made, from anywhere
    'guest_address',            -- "I'll come" sign-ups from one client address (IPv6: its /64)
    'guest_email',              -- "I'll come" sign-ups for one email address
    'guest_can'                 -- "I'll come" sign-ups for one CAN's meetings, from anywhere
));
