-- The plan of one chunk of CANs: who is in each, when things happened, and the helpers every later
-- step uses. Everything is derived from the CAN's number, the member's slot and the week, through
-- hashes (`pg_temp.r`), so the same options give the same groups; only the clock (`t0`, "now" when
-- the run started) moves them in time. `seed_params` is filled by the caller before this file.

-- step: -
-- A deterministic number in [0, 1) for (salt, a, b, c): the seed's only source of chance.
CREATE OR REPLACE FUNCTION pg_temp.r(salt int, a int, b int DEFAULT 0, c int DEFAULT 0)
RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (hashint8extended((a::bigint << 20) | (b::bigint << 10) | c::bigint, salt) & 4503599627370495)::float8
          / 4503599627370496.0 $$;

-- step: -
-- Ids are time-ordered UUIDs (version 7) like the app's `Uuid::now_v7()`: the row's own time, then
-- instead of random bits (drawing them costs more than the rest of a row) the chunk's first CAN
-- number and a counter, unique across chunks and connections.
CREATE TEMP SEQUENCE IF NOT EXISTS seed_ids;

-- step: -
SELECT setval('seed_ids', first_n::bigint << 32) FROM seed_params;

-- step: -
CREATE OR REPLACE FUNCTION pg_temp.uuid7(ts timestamptz)
RETURNS uuid LANGUAGE sql VOLATILE AS
$$ SELECT encode(int8send(((extract(epoch FROM ts) * 1000)::bigint << 16) | 28672)
                 || int8send(nextval('seed_ids') | (1::bigint << 63)), 'hex')::uuid $$;

-- step: -
-- Lines for the activity log, gathered from every step and written last in time order, so that the
-- log's ids run in the order things happened.
CREATE TEMP TABLE seed_activity (
    can_id uuid NOT NULL, actor_id uuid, action text NOT NULL, subject_type text NOT NULL,
    subject_id uuid, summary text NOT NULL, at timestamptz NOT NULL
) ON COMMIT DROP;

-- step: -
-- One row per CAN, with its time line. Meetings are weekly; `d0` is the last meeting before today
-- and `s0` the first, `w` weeks earlier. The group started five weeks before its first meeting:
-- hopes in the first two weeks, vision drafts, a consent round closing on day 30, goals on day 31,
-- the meeting series on day 32, the move to organizing on day 33.
CREATE TEMP TABLE seed_can ON COMMIT DROP AS
WITH base AS (
    SELECT n, p.m, p.w, p.t0,
           (n - 1) % 8 AS theme,
           ((n - 1) / 8) % array_length(pg_temp.w('places'), 1) AS place_i,
           (pg_temp.w('zones'))[1 + (n - 1) % array_length(pg_temp.w('zones'), 1)] AS tz,
           1 + n % 7 AS weekday
    FROM seed_params p, generate_series(p.first_n, p.last_n) AS n
), dated AS (
    SELECT b.*, (b.t0 AT TIME ZONE b.tz)::date AS today,
           CASE WHEN b.weekday >= 6 THEN time '10:30'
                ELSE (ARRAY[time '18:00', time '18:30', time '19:00', time '19:30'])[1 + b.n % 4] END AS start_time,
           (ARRAY[90, 90, 60, 120])[1 + b.n % 4] AS duration
    FROM base b
), anchored AS (
    SELECT d.*,
           (d.today - 1) - ((extract(isodow FROM d.today - 1)::int - d.weekday + 7) % 7) AS d0
    FROM dated d
), timed AS (
    SELECT a.*, a.d0 - 7 * (a.w - 1) AS s0,
           ((a.d0 - 7 * (a.w - 1) - 35) + time '10:00') AT TIME ZONE a.tz AS born,
           2 + a.n % 2 AS versions,
           CASE WHEN a.n = 1 OR a.n % 5 IN (1, 4) THEN CASE WHEN a.w >= 5 THEN 'sustaining' ELSE 'organizing' END
                WHEN a.n % 5 = 3 THEN 'visioning'
                ELSE 'organizing' END AS stage
    FROM anchored a
)
SELECT t.n, pg_temp.uuid7(t.born) AS id, 'seed-' || t.n AS slug,
       (pg_temp.w('places'))[1 + t.place_i] || ' ' || (pg_temp.w('theme_names'))[1 + t.theme]
           || CASE WHEN t.n > 8 * array_length(pg_temp.w('places'), 1)
                   THEN ' ' || (1 + (t.n - 1) / (8 * array_length(pg_temp.w('places'), 1))) ELSE '' END AS name,
       (pg_temp.w('places'))[1 + t.place_i] AS place,
       t.m, t.w, t.t0, t.theme, t.tz, t.weekday, t.start_time, t.duration, t.today, t.d0, t.s0, t.born,
       t.versions, t.stage,
       CASE WHEN t.n % 4 = 3 THEN 'invite_only' ELSE 'listed' END AS visibility,
       greatest(8, ceil(0.75 * t.m))::int AS founders,
       greatest(2, t.w / 2) AS mid,
       greatest(4, t.w / 2) AS sus_week,
       t.born + interval '30 days' AS adopted_at,
       t.born + interval '31 days' AS goals_at,
       t.born + interval '32 days' AS series_at,
       t.born + interval '33 days' AS org_at,
       ((t.s0 + 7 * (greatest(4, t.w / 2) - 1) + 1) + time '12:00') AT TIME ZONE t.tz AS sus_at,
       t.t0 - make_interval(days => 10 + t.n % 7) AS back_at,
       (ARRAY['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'])[t.weekday]
           || CASE WHEN t.weekday >= 6 THEN ' morning meeting' ELSE ' evening meeting' END AS series_title,
       (pg_temp.w('locations'))[1 + t.n % array_length(pg_temp.w('locations'), 1)] AS location,
       pg_temp.uuid7(t.born + interval '32 days') AS series_id,
       pg_temp.uuid7(t.born + interval '1 minute') AS invitation_id
FROM timed t;

-- step: -
-- Everyone in each CAN, by slot. Slots 1-8 are the group's core and always active: 1 and 2
-- organisers, 3, 4, 6 (until mid-way) and 7 (from mid-way) facilitators, 4 and 5 coordinators.
-- Founders joined while the group formed; later slots joined along the way. Among the rest a few
-- left, a few are away for a while, and some drift: they stopped coming in recent weeks.
CREATE TEMP TABLE seed_roster ON COMMIT DROP AS
WITH joined AS (
    SELECT c.n, c.id AS can_id, s AS slot, (c.n - 1) * c.m + s AS g, c.m, c.w, c.s0, c.born, c.tz,
           c.founders,
           CASE WHEN s <= c.founders THEN 0
                ELSE 2 + floor(pg_temp.r(12, c.n, s) * greatest(1, c.w - 3))::int END AS join_week,
           CASE WHEN c.m >= 12 THEN greatest(1, round(c.m * 0.05)) ELSE 0 END AS n_left,
           CASE WHEN c.m >= 10 THEN greatest(1, round(c.m * 0.08)) ELSE 0 END AS n_paused,
           -- CAN #1, the one to sign in to, has a second drifter: one reached out to, one not yet.
           CASE WHEN c.m >= 9 THEN greatest(1, round(c.m * 0.10)) + (c.n = 1 AND c.m >= 11)::int ELSE 0 END AS n_drift
    FROM seed_can c, generate_series(1, c.m) AS s
), slots AS (
    -- Those who drift away are the longest there (drifting means having come), then some leave
    -- and some pause.
    SELECT j.*,
           CASE WHEN j.slot > 8 THEN row_number() OVER (PARTITION BY j.n, j.slot > 8
                                                        ORDER BY j.join_week, pg_temp.r(11, j.n, j.slot)) END AS rank
    FROM joined j
), fated AS (
    SELECT s.*,
           CASE WHEN s.rank <= s.n_drift THEN 'active'
                WHEN s.rank <= s.n_drift + s.n_left THEN 'left'
                WHEN s.rank <= s.n_drift + s.n_left + s.n_paused THEN 'paused'
                ELSE 'active' END AS status,
           s.rank <= s.n_drift AS drifter,
           CASE WHEN s.join_week = 0
                THEN s.born + (s.slot - 1) * interval '12 days' / s.founders + ((s.slot - 1) % 5) * interval '2 hours'
                ELSE ((s.s0 + 7 * (s.join_week - 1) - 3) + time '20:00') AT TIME ZONE s.tz END AS joined_at
    FROM slots s
)
SELECT f.n, f.can_id, f.slot, f.g, false AS connector,
       (pg_temp.w('first_names'))[1 + (f.n * 13 + f.slot) % array_length(pg_temp.w('first_names'), 1)] || ' '
           || (pg_temp.w('surnames'))[1 + (f.g * 7 + f.n) % array_length(pg_temp.w('surnames'), 1)] AS name,
       'member-' || f.g || '@seed.canopy.test' AS email,
       pg_temp.uuid7(f.joined_at - interval '1 hour') AS member_id,
       f.join_week, f.joined_at, f.status,
       CASE WHEN f.status = 'active' THEN f.joined_at
            ELSE ((f.s0 + 7 * (f.join_week + floor(pg_temp.r(13, f.n, f.slot)
                                * greatest(1, f.w - 2 - f.join_week))::int) + 2) + time '18:00') AT TIME ZONE f.tz
       END AS status_changed_at,
       -- Weeks since a drifter last came: three to seven, leaving them a couple of weeks they did come.
       CASE WHEN f.drifter THEN greatest(1, least(f.w - f.join_week - 2, 3 + floor(pg_temp.r(14, f.n, f.slot) * 5)::int))
            ELSE 0 END AS drift,
       CASE WHEN f.drifter THEN f.rank END AS drift_rank,
       CASE WHEN f.slot <= 8 THEN 0.92 ELSE 0.55 + 0.4 * pg_temp.r(15, f.n, f.slot) END AS reliability
FROM fated f;

-- step: -
-- Every third CAN has a newcomer who is also a member of the CAN before it (someone in two groups).
INSERT INTO seed_roster
SELECT c.n, c.id, c.m + 1, o.g, true, o.name, o.email, o.member_id, 2,
       ((c.s0 + 4) + time '20:00') AT TIME ZONE c.tz, 'active',
       ((c.s0 + 4) + time '20:00') AT TIME ZONE c.tz, 0, NULL, 0.5
FROM seed_can c
JOIN seed_roster o ON o.n = c.n - 1 AND o.slot = c.m
WHERE c.n % 3 = 0;

-- step: -
ANALYZE seed_can;

-- step: -
ANALYZE seed_roster;
