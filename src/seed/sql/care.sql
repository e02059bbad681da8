-- Care: members who offer to welcome newcomers and the companions chosen for recent joiners, the
-- return day of some who are away, the reasons some gave when they left, and requests for a hand
-- (some met, some open, one in five private) with the neighbours who offered to help.

-- step: -
-- The third and fifth members (when active) offer to welcome newcomers.
UPDATE memberships m SET willing_to_welcome = true
FROM seed_roster r
WHERE m.can_id = r.can_id AND m.member_id = r.member_id AND r.slot IN (3, 5) AND r.status = 'active';

-- step: -
-- Everyone who joined in the last five weeks has a companion, the two taking turns.
UPDATE memberships m SET companion_id = w.member_id, companion_chosen_at = r.joined_at
FROM seed_roster r
JOIN seed_can c ON c.n = r.n
JOIN seed_roster w ON w.n = r.n AND w.slot = 3 + 2 * (r.slot % 2) AND w.status = 'active'
WHERE m.can_id = r.can_id AND m.member_id = r.member_id AND r.slot > 8
  AND r.joined_at > c.t0 - interval '35 days' AND w.member_id <> r.member_id;

-- step: -
-- Half of those away said when they would be back.
UPDATE memberships m SET away_until = c.today + 7 + (r.slot % 5) * 7
FROM seed_roster r JOIN seed_can c ON c.n = r.n
WHERE m.can_id = r.can_id AND m.member_id = r.member_id AND r.status = 'paused' AND r.slot % 2 = 0;

-- step: -
INSERT INTO departures (id, can_id, member_id, reason, left_at)
SELECT pg_temp.uuid7(r.status_changed_at), r.can_id, r.member_id,
       (ARRAY['', 'Moving across town in the spring.', 'Caring for my mother takes my evenings for now.',
              '', 'The meeting time clashes with my new shifts.'])[1 + r.slot % 5],
       r.status_changed_at
FROM seed_roster r WHERE r.status = 'left';

-- step: -
-- Requests for a hand: two per CAN and one more per eight members, over the last eight weeks.
CREATE TEMP TABLE seed_support ON COMMIT DROP AS
SELECT pg_temp.uuid7(p.at) AS id, p.* FROM (
WITH askers AS (
    SELECT r.*, row_number() OVER (PARTITION BY r.n ORDER BY pg_temp.r(41, r.n, r.slot)) AS k,
           count(*) OVER (PARTITION BY r.n) AS of
    FROM seed_roster r WHERE r.status = 'active' AND NOT r.connector
)
SELECT c.n, c.id AS can_id, q, a.member_id AS asker_id, a.slot AS asker_slot,
       (ARRAY['meal', 'ride', 'childcare', 'visit', 'talk', 'other'])[1 + (c.n + q) % 6] AS kind,
       (ARRAY['Home from hospital on Thursday; a hot meal or two would help.',
              'A lift to the clinic on Tuesday morning and back.',
              'Someone to take the little one for two hours on Saturday.',
              'My father would love a visit and a cup of tea.',
              'It has been a hard month. Someone to walk and talk with.',
              'Carrying a wardrobe up two flights of stairs.'])[1 + (c.n + q) % 6] AS details,
       q % 5 = 4 AS private,
       c.t0 - (2 + floor(pg_temp.r(42, c.n, q) * 54)::int) * interval '1 day' AS at,
       q % 3 <> 0 AS met
FROM seed_can c
CROSS JOIN LATERAL generate_series(1, 2 + c.m / 8) AS q
JOIN askers a ON a.n = c.n AND a.k = 1 + (q * 7) % a.of) p;

-- step: support_requests
INSERT INTO support_requests (id, can_id, asker_id, kind, details, needed_by, private, status, created_at, closed_at)
SELECT s.id, s.can_id, s.asker_id, s.kind, s.details,
       CASE WHEN s.q % 2 = 0 THEN (s.at AT TIME ZONE 'UTC')::date + 5 END, s.private,
       CASE WHEN s.met THEN 'met' ELSE 'open' END, s.at,
       CASE WHEN s.met THEN s.at + interval '3 days' END
FROM seed_support s;

-- step: support_offers
-- One or two neighbours offered for each (the organiser at slot 1 or 2 for private ones).
INSERT INTO support_offers (request_id, can_id, member_id, note, created_at)
SELECT s.id, s.can_id, h.member_id,
       (ARRAY['I can do that.', 'Happy to help; text me.', ''])[1 + (s.q + h.slot) % 3],
       s.at + (h.slot % 3 + 1) * interval '5 hours'
FROM seed_support s
JOIN seed_roster h ON h.n = s.n AND h.status = 'active' AND h.member_id <> s.asker_id
 AND (CASE WHEN s.private THEN h.slot IN (1, 2)
           ELSE h.slot IN (1 + (s.q * 3) % 8, 1 + (s.q * 3 + 4) % 8) END);

-- step: -
INSERT INTO seed_activity (can_id, actor_id, action, subject_type, subject_id, summary, at)
SELECT s.can_id, s.asker_id, 'support.asked', 'support_request', s.id,
       r.name || ' asked the group for a hand', s.at
FROM seed_support s JOIN seed_roster r ON r.n = s.n AND r.slot = s.asker_slot
WHERE NOT s.private;
