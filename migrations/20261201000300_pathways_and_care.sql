-- Pathways of engagement, welcoming newcomers, protection as care, and a sustaining stage that
-- thinks. The path itself is computed from what people did (no table); what is stored here is
-- what people say or ask.

-- 1. Invitations from the pathways view are offers. Besides carrying or backing up a
-- responsibility, an offer can now ask someone to take notes at a meeting: exactly one of the two
-- subjects is set, and only a 'note_taker' offer names a meeting.
ALTER TABLE offers ALTER COLUMN responsibility_id DROP NOT NULL;
ALTER TABLE offers ADD COLUMN meeting_id uuid;
ALTER TABLE offers ADD CONSTRAINT offers_meeting_fkey FOREIGN KEY (meeting_id, can_id)
    REFERENCES meetings (id, can_id);
ALTER TABLE offers DROP CONSTRAINT offers_kind;
ALTER TABLE offers ADD CONSTRAINT offers_kind
    CHECK (kind IN ('carrier', 'backup', 'handoff', 'note_taker'));
ALTER TABLE offers ADD CONSTRAINT offers_subject CHECK (
    (responsibility_id IS NULL) <> (meeting_id IS NULL)
    AND (kind = 'note_taker') = (meeting_id IS NOT NULL));
-- Asking twice is the same ask, for meetings as for responsibilities.
CREATE UNIQUE INDEX offers_one_open_meeting_key ON offers (meeting_id, to_member)
    WHERE status = 'open' AND meeting_id IS NOT NULL;
CREATE INDEX offers_meeting_idx ON offers (meeting_id, can_id);

-- 2. Welcoming newcomers. A member may offer to welcome newcomers; organisers choose (or rotate)
-- one welcome companion per newcomer, kept on the newcomer's membership with when it was chosen
-- (rotation picks the willing member who was chosen least recently).
ALTER TABLE memberships ADD COLUMN willing_to_welcome boolean NOT NULL DEFAULT false;
ALTER TABLE memberships ADD COLUMN companion_id uuid;
ALTER TABLE memberships ADD COLUMN companion_chosen_at timestamptz;
ALTER TABLE memberships ADD CONSTRAINT memberships_companion_fkey FOREIGN KEY (can_id, companion_id)
    REFERENCES memberships (can_id, member_id);
ALTER TABLE memberships ADD CONSTRAINT memberships_companion_not_self
    CHECK (companion_id IS NULL OR companion_id <> member_id);
ALTER TABLE memberships ADD CONSTRAINT memberships_companion_chosen
    CHECK ((companion_id IS NULL) = (companion_chosen_at IS NULL));
CREATE INDEX memberships_companion_idx ON memberships (can_id, companion_id);
-- Newcomers are the recently joined: the welcome lists and the 30-day look read joined_at.
CREATE INDEX memberships_joined_idx ON memberships (can_id, joined_at);

-- 3. "I'm away for a while" says until when; the clock returns the member on that day (in the
-- CAN's zone). Only a paused membership has a return day.
ALTER TABLE memberships ADD COLUMN away_until date;
ALTER TABLE memberships ADD CONSTRAINT memberships_away_until_paused
    CHECK (away_until IS NULL OR status = 'paused');
CREATE INDEX memberships_away_until_idx ON memberships (away_until) WHERE away_until IS NOT NULL;

-- 4. Leaving, with an optional private reason for the organisers. One row per leaving (a member
-- may leave, rejoin and leave again); only organisers read the reason.
CREATE TABLE departures (
    id         uuid PRIMARY KEY,
    can_id     uuid NOT NULL,
    member_id  uuid NOT NULL,
    reason     text NOT NULL DEFAULT '',
    left_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT departures_membership_fkey FOREIGN KEY (can_id, member_id)
        REFERENCES memberships (can_id, member_id),
    CONSTRAINT departures_reason_length CHECK (char_length(reason) <= 1000)
);
CREATE INDEX departures_membership_idx ON departures (can_id, member_id, left_at DESC);

-- 5. Protection as care: a member asks the group for a hand; others offer to help; the asker
-- marks it met (or withdraws it). A private request is seen only by the asker and the organisers.
CREATE TABLE support_requests (
    id          uuid PRIMARY KEY,
    can_id      uuid NOT NULL REFERENCES cans (id),
    asker_id    uuid NOT NULL,
    kind        text NOT NULL,
    details     text NOT NULL DEFAULT '',
    -- By when it is needed, if it is (a date in the CAN's zone).
    needed_by   date,
    private     boolean NOT NULL DEFAULT false,
    status      text NOT NULL DEFAULT 'open',
    created_at  timestamptz NOT NULL DEFAULT now(),
    closed_at   timestamptz,
    CONSTRAINT support_requests_id_can_key UNIQUE (id, can_id),
    CONSTRAINT support_requests_asker_fkey FOREIGN KEY (can_id, asker_id)
        REFERENCES memberships (can_id, member_id),
    CONSTRAINT support_requests_kind
        CHECK (kind IN ('meal', 'ride', 'childcare', 'visit', 'talk', 'other')),
    CONSTRAINT support_requests_status CHECK (status IN ('open', 'met', 'withdrawn')),
    CONSTRAINT support_requests_closed CHECK ((status = 'open') = (closed_at IS NULL)),
    CONSTRAINT support_requests_details_length CHECK (char_length(details) <= 2000)
);
CREATE INDEX support_requests_can_idx ON support_requests (can_id, created_at DESC);
CREATE INDEX support_requests_open_idx ON support_requests (can_id, created_at)
    WHERE status = 'open';
CREATE INDEX support_requests_asker_idx ON support_requests (can_id, asker_id);

-- Someone offers to help with a request (once each; they may take the offer back).
CREATE TABLE support_offers (
    request_id  uuid NOT NULL,
    can_id      uuid NOT NULL,
    member_id   uuid NOT NULL,
    note        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT support_offers_pkey PRIMARY KEY (request_id, member_id),
    CONSTRAINT support_offers_request_fkey FOREIGN KEY (request_id, can_id)
        REFERENCES support_requests (id, can_id),
    CONSTRAINT support_offers_member_fkey FOREIGN KEY (can_id, member_id)
        REFERENCES memberships (can_id, member_id),
    CONSTRAINT support_offers_note_length CHECK (char_length(note) <= 1000)
);
CREATE INDEX support_offers_member_idx ON support_offers (can_id, member_id);
CREATE INDEX support_offers_request_idx ON support_offers (request_id, can_id);

-- 6. Who hears of it: six new notification kinds.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind CHECK (kind IN (
    'join_requested', 'join_answered',
    'offer_made', 'offer_answered', 'offer_expired', 'offer_withdrawn',
    'poll_opened', 'poll_closed',
    'meeting_moved', 'meeting_cancelled', 'series_changed',
    'round_opened', 'round_closing', 'round_closed',
    'role_granted', 'role_term',
    'reach_out',
    'support_asked', 'support_offered', 'support_closed',
    'companion_chosen', 'member_left', 'away_ended'));
