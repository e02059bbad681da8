-- People: members (all with the one password hash), the CANs, an invitation link each, memberships
-- and role grants over time, with their lines in the activity log.

-- step: members
INSERT INTO members (id, email, display_name, password_hash, pronouns, neighbourhood, skills, time_zone,
                     created_at, updated_at)
SELECT r.member_id, r.email, r.name, p.pw,
       CASE WHEN pg_temp.r(16, r.g) < 0.15 THEN 'she/her' WHEN pg_temp.r(16, r.g) < 0.30 THEN 'he/him'
            WHEN pg_temp.r(16, r.g) < 0.36 THEN 'they/them' ELSE '' END,
       c.place,
       (pg_temp.w('skills'))[1 + (r.g * 3) % array_length(pg_temp.w('skills'), 1)] || ', '
           || (pg_temp.w('skills'))[1 + (r.g * 7 + 5) % array_length(pg_temp.w('skills'), 1)],
       c.tz, r.joined_at - interval '1 hour', r.joined_at - interval '1 hour'
FROM seed_roster r JOIN seed_can c USING (n) CROSS JOIN seed_params p
WHERE NOT r.connector;

-- step: cans
INSERT INTO cans (id, slug, name, place, purpose, rationale, rules, time_zone, visibility, stage,
                  created_by, created_at, updated_at)
SELECT c.id, c.slug, c.name, c.place, (pg_temp.w('purposes'))[1 + c.theme],
       (pg_temp.w('rationales'))[1 + c.n % array_length(pg_temp.w('rationales'), 1)],
       (pg_temp.w('rules'))[1 + c.n % array_length(pg_temp.w('rules'), 1)],
       c.tz, c.visibility, c.stage, r.member_id, c.born, c.born
FROM seed_can c JOIN seed_roster r ON r.n = c.n AND r.slot = 1;

-- step: invitations
-- The link everyone after the founder joined through; its token is random and never shown.
INSERT INTO invitations (id, can_id, token_hash, note, max_uses, uses, expires_at, created_by, created_at)
SELECT c.invitation_id, c.id,
       sha256(convert_to('seed invitation ' || gen_random_uuid()::text, 'UTF8')),
       'For everyone on the street', least(500, c.m + 20),
       (SELECT count(*) FROM seed_roster r WHERE r.n = c.n AND r.slot > 1),
       c.t0 + interval '14 days', o.member_id, c.born + interval '1 minute'
FROM seed_can c JOIN seed_roster o ON o.n = c.n AND o.slot = 1;

-- step: memberships
INSERT INTO memberships (id, can_id, member_id, status, joined_at, rules_acknowledged_at, invitation_id,
                         status_changed_at)
SELECT pg_temp.uuid7(r.joined_at), r.can_id, r.member_id, r.status, r.joined_at, r.joined_at,
       CASE WHEN r.slot > 1 THEN c.invitation_id END, r.status_changed_at
FROM seed_roster r JOIN seed_can c USING (n);

-- step: -
-- Who held which role when: slot, role, granted, ended (NULL: still held), term end.
CREATE TEMP TABLE seed_grant ON COMMIT DROP AS
SELECT c.n, c.id AS can_id, g.slot, g.role, g.granted_at, g.ended_at, g.term_ends_on
FROM seed_can c
CROSS JOIN LATERAL (VALUES
    (1, 'organiser', c.born, NULL::timestamptz, NULL::date),
    (2, 'organiser', c.adopted_at + interval '1 day', NULL, NULL),
    (2, 'coordinator', c.org_at, ((c.s0 + 7 * (c.mid - 1) + 1) + time '12:00') AT TIME ZONE c.tz, NULL),
    (3, 'facilitator', c.series_at - interval '1 hour', NULL, NULL),
    (4, 'facilitator', c.series_at - interval '1 hour', NULL, NULL),
    (4, 'coordinator', ((c.s0 + 7 * (c.mid - 1) + 1) + time '12:00') AT TIME ZONE c.tz, NULL, NULL),
    (5, 'coordinator', c.org_at, NULL,
        CASE WHEN c.n % 6 = 0 THEN c.today - 10 WHEN c.n % 2 = 0 THEN c.today + 120 END),
    (6, 'facilitator', c.series_at - interval '1 hour', ((c.s0 + 7 * (c.mid - 1) + 1) + time '12:00') AT TIME ZONE c.tz, NULL),
    (7, 'facilitator', ((c.s0 + 7 * (c.mid - 1) + 1) + time '12:00') AT TIME ZONE c.tz, NULL, NULL)
) AS g (slot, role, granted_at, ended_at, term_ends_on);

-- step: role_grants
INSERT INTO role_grants (id, can_id, member_id, role, granted_by, granted_at, term_ends_on, ended_at, ended_by)
SELECT pg_temp.uuid7(g.granted_at), g.can_id, r.member_id, g.role, o.member_id, g.granted_at, g.term_ends_on,
       g.ended_at, CASE WHEN g.ended_at IS NOT NULL THEN r.member_id END
FROM seed_grant g
JOIN seed_roster r ON r.n = g.n AND r.slot = g.slot
JOIN seed_roster o ON o.n = g.n AND o.slot = 1;

-- step: -
INSERT INTO seed_activity (can_id, actor_id, action, subject_type, subject_id, summary, at)
SELECT c.id, r.member_id, 'can.created', 'can', c.id, r.name || ' started ' || c.name, c.born
FROM seed_can c JOIN seed_roster r ON r.n = c.n AND r.slot = 1
UNION ALL
SELECT c.id, r.member_id, 'invitation.created', 'invitation', c.invitation_id,
       r.name || ' made an invitation link', c.born + interval '1 minute'
FROM seed_can c JOIN seed_roster r ON r.n = c.n AND r.slot = 1
UNION ALL
SELECT r.can_id, r.member_id, 'membership.joined', 'member', r.member_id,
       r.name || ' joined through an invitation and acknowledged the rules', r.joined_at
FROM seed_roster r WHERE r.slot > 1
UNION ALL
SELECT r.can_id, r.member_id, 'membership.' || r.status, 'member', r.member_id,
       r.name || CASE r.status WHEN 'left' THEN ' left the CAN' ELSE ' is away for a while' END,
       r.status_changed_at
FROM seed_roster r WHERE r.status <> 'active'
UNION ALL
SELECT g.can_id, o.member_id, 'role.granted', 'member', r.member_id,
       o.name || ' named ' || r.name || ' ' || g.role, g.granted_at
FROM seed_grant g
JOIN seed_roster r ON r.n = g.n AND r.slot = g.slot
JOIN seed_roster o ON o.n = g.n AND o.slot = 1
UNION ALL
SELECT g.can_id, r.member_id, 'role.ended', 'member', r.member_id,
       r.name || ' stepped back as ' || g.role, g.ended_at
FROM seed_grant g JOIN seed_roster r ON r.n = g.n AND r.slot = g.slot
WHERE g.ended_at IS NOT NULL;
