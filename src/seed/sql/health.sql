-- Stages and health: the moves between stages (every group moved on once its vision was adopted;
-- some moved on again, some back for a renewal), organisers checking in with every other member
-- who drifts away, the load over recent weeks, this week's digest marked as sent, and finally the
-- activity log.

-- step: -
CREATE TEMP TABLE seed_move ON COMMIT DROP AS
SELECT c.n, c.id AS can_id, m.from_stage, m.to_stage, m.at, r.member_id AS moved_by, r.name, m.note
FROM seed_can c
CROSS JOIN LATERAL (VALUES
    ('visioning', 'organizing', c.org_at, 1, 'Our vision is adopted by consent and our first goals are set.', true),
    ('organizing', 'sustaining', c.sus_at, 2,
     'Meetings are steady, every responsibility has someone carrying it, and the load is shared.', c.stage = 'sustaining'),
    ('organizing', 'visioning', c.back_at, 1,
     'Renewal: many new members have joined, and the vision needs their hopes too.', c.stage = 'visioning')
) AS m (from_stage, to_stage, at, slot, note, wanted)
JOIN seed_roster r ON r.n = c.n AND r.slot = m.slot
WHERE m.wanted;

-- step: stage_transitions
INSERT INTO stage_transitions (id, can_id, from_stage, to_stage, moved_by, moved_at, note, criteria_met)
SELECT pg_temp.uuid7(at), can_id, from_stage, to_stage, moved_by, at, note, true FROM seed_move;

-- step: -
CREATE TEMP TABLE seed_reach ON COMMIT DROP AS
SELECT r.n, r.can_id, r.member_id, r.name, o.member_id AS by_id, o.name AS by_name,
       c.t0 - (1 + 4 * pg_temp.r(62, r.n, r.slot)) * interval '1 day' AS at,
       (pg_temp.w('reach_out_notes'))[1 + (r.slot + r.n) % array_length(pg_temp.w('reach_out_notes'), 1)] AS note
FROM seed_roster r JOIN seed_can c USING (n)
JOIN seed_roster o ON o.n = r.n AND o.slot = 1 + r.n % 2
WHERE r.drift_rank % 2 = 1;

-- step: reach_outs
INSERT INTO reach_outs (id, can_id, member_id, by_id, at, note)
SELECT pg_temp.uuid7(at), can_id, member_id, by_id, at, note FROM seed_reach;

-- step: load_snapshots
-- What the health view recorded on earlier visits, week by week.
INSERT INTO load_snapshots (can_id, taken_on, median, overburdened, idle, single_points)
SELECT c.id, c.today - 7 * k, CASE WHEN k > 4 THEN 0.5 ELSE 1.0 END,
       (c.n % 4 = 0 AND c.stage <> 'sustaining')::int, c.m / 4 + k % 2,
       CASE WHEN c.stage = 'sustaining' THEN 0 ELSE 1 + k % 2 END
FROM seed_can c, generate_series(1, least(6, c.w - 1)) AS k;

-- step: digests
-- This week's digest counts as sent, so that a first start does not mail every organiser at once.
INSERT INTO digests (can_id, member_id, week_of, sent_at)
SELECT DISTINCT g.can_id, r.member_id, date_trunc('week', c.t0 AT TIME ZONE 'UTC')::date, c.t0
FROM seed_grant g JOIN seed_roster r ON r.n = g.n AND r.slot = g.slot JOIN seed_can c ON c.n = g.n
WHERE g.ended_at IS NULL AND g.role IN ('organiser', 'coordinator') AND r.status = 'active';

-- step: -
-- ... and the digest clock knows it: its first pass over these CANs is next week's, not one over
-- every seeded CAN at the first tick (which would send nothing, at some cost).
UPDATE can_clocks k SET digest_due_on = date_trunc('week', c.t0 AT TIME ZONE 'UTC')::date + 7
FROM seed_can c WHERE k.can_id = c.id;

-- step: -
INSERT INTO seed_activity (can_id, actor_id, action, subject_type, subject_id, summary, at)
SELECT can_id, moved_by, 'stage.moved', 'can', can_id,
       name || ' moved the group from ' || initcap(from_stage) || ' to ' || initcap(to_stage), at
FROM seed_move
UNION ALL
SELECT can_id, by_id, 'health.reached_out', 'member', member_id, by_name || ' checked in with ' || name, at
FROM seed_reach;

-- step: activity_log
INSERT INTO activity_log (can_id, actor_id, action, subject_type, subject_id, summary, at)
SELECT can_id, actor_id, action, subject_type, subject_id, summary, at FROM seed_activity ORDER BY at;
