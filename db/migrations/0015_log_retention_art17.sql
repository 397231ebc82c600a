-- Art. 17: every log is kept at least 6 calendar months (Asia/Shanghai) after the LATER of its event and the end of
-- the agreement or authorization it concerns; no log row is ever updated. Supersedes the 180-day rule of
-- 0001_log_retention.sql (docs/decisions/0027-log-retention-art-17.md). The triggers hold whatever code runs: the
-- application, the CLI, or a hand-typed statement. UTC+8 is written here (SQL, ADR 0022's one exception besides the
-- calendar module): SQLite has no time zones, and the day boundaries must be Shanghai's.
DROP TRIGGER IF EXISTS `usage_events_retention`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `rejected_calls_retention`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `dataset_loads_retention`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `demand_item_transitions_append_only`;
--> statement-breakpoint
-- The clock: the real time, or an earlier instant a purge (or a test) set within its own transaction.
CREATE TRIGGER `retention_clock_not_ahead_insert` BEFORE INSERT ON `retention_clock`
WHEN new.`id` <> 1 OR new.`now_ms` > CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
BEGIN SELECT RAISE(ABORT, 'log_retention: the retention clock is one row and never ahead of real time'); END;
--> statement-breakpoint
CREATE TRIGGER `retention_clock_not_ahead_update` BEFORE UPDATE ON `retention_clock`
WHEN new.`id` <> 1 OR new.`now_ms` > CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
BEGIN SELECT RAISE(ABORT, 'log_retention: the retention clock is one row and never ahead of real time'); END;
--> statement-breakpoint
CREATE VIEW `retention_now` AS
SELECT coalesce(
  (SELECT `now_ms` FROM `retention_clock` WHERE `id` = 1),
  CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
) AS `ms`;
--> statement-breakpoint
-- The legal horizon: a row whose anchor (epoch ms) is at or after `keep_from_ms` is kept. With today's Shanghai date
-- T = (y, m, d), a row is kept while (its anchor's Shanghai day + 6 calendar months, the day clamped to the month's
-- end) >= T, i.e. while its anchor's day >= min((y, m-6, d) counted as day d-1 after the month's first, (y, m-5, 1)).
-- Same rule in TypeScript: supervision/retention/retention-horizon.ts (a property test compares both).
CREATE VIEW `log_retention_horizon` AS
SELECT (CAST(strftime('%s', min(
    date(`today`, 'start of month', '-6 months', '+' || (CAST(strftime('%d', `today`) AS INTEGER) - 1) || ' days'),
    date(`today`, 'start of month', '-5 months')
  )) AS INTEGER) - 28800) * 1000 AS `keep_from_ms`
FROM (SELECT date(`ms` / 1000.0 + 28800, 'unixepoch') AS `today` FROM `retention_now`);
--> statement-breakpoint
-- The agreements logs concern, per partner and subscription; `ends_at` null while it is in force (never deletable).
-- Today the subscription is the agreement (subscriptions do not end yet, so their logs are kept). HOOK (issue 12):
-- signed partner agreements join here as `UNION ALL SELECT partner_id, NULL, <end or NULL while in force> FROM …`;
-- a row with a null subscription_id concerns every log of the partner.
CREATE VIEW `log_agreement_ends` AS
SELECT `partner_id`, `id` AS `subscription_id`,
  CASE `state` WHEN 'ended' THEN `ended_at` WHEN 'rejected' THEN coalesce(`decided_at`, `created_at`) ELSE NULL END AS `ends_at`
FROM `subscriptions`;
--> statement-breakpoint
-- The end of an authorization: when it ended (terminated, expired), else its term's end.
CREATE VIEW `log_authorization_ends` AS
SELECT `id`, `code`, `dataset_id`, `demand_item_id`, coalesce(`ended_at`, `ends_at`) AS `ends_at`
FROM `authorizations`;
--> statement-breakpoint
-- One view per purgeable log table: (row_id, at, anchor). `anchor` = the later of the event and the ends of what it
-- concerns; null while an agreement it concerns is in force. The trigger and the purge read the same view.
CREATE VIEW `log_retention_usage_events` AS
SELECT e.rowid AS `row_id`, e.`at` AS `at`,
  CASE WHEN EXISTS (
    SELECT 1 FROM `log_agreement_ends` g
    WHERE g.`ends_at` IS NULL AND (g.`subscription_id` = e.`subscription_id` OR (g.`subscription_id` IS NULL AND g.`partner_id` = e.`partner_id`))
  ) THEN NULL ELSE max(
    e.`at`,
    coalesce((SELECT max(g.`ends_at`) FROM `log_agreement_ends` g
      WHERE g.`subscription_id` = e.`subscription_id` OR (g.`subscription_id` IS NULL AND g.`partner_id` = e.`partner_id`)), 0),
    coalesce((SELECT max(a.`ends_at`) FROM `log_authorization_ends` a
      WHERE instr(',' || e.`authorization_codes` || ',', ',' || a.`code` || ',') > 0), 0)
  ) END AS `anchor`
FROM `usage_events` e;
--> statement-breakpoint
CREATE VIEW `log_retention_rejected_calls` AS
SELECT r.rowid AS `row_id`, r.`at` AS `at`,
  CASE WHEN EXISTS (
    SELECT 1 FROM `api_keys` k JOIN `log_agreement_ends` g ON g.`partner_id` = k.`partner_id`
    WHERE k.`id` = r.`api_key_id` AND g.`ends_at` IS NULL
  ) THEN NULL ELSE max(
    r.`at`,
    coalesce((SELECT max(g.`ends_at`) FROM `api_keys` k JOIN `log_agreement_ends` g ON g.`partner_id` = k.`partner_id`
      WHERE k.`id` = r.`api_key_id`), 0)
  ) END AS `anchor`
FROM `rejected_calls` r;
--> statement-breakpoint
CREATE VIEW `log_retention_rejected_call_buckets` AS
SELECT b.rowid AS `row_id`, b.`minute` AS `at`, b.`minute` AS `anchor` FROM `rejected_call_buckets` b;
--> statement-breakpoint
CREATE VIEW `log_retention_dataset_loads` AS
SELECT l.rowid AS `row_id`, l.`started_at` AS `at`,
  max(
    coalesce(l.`finished_at`, l.`started_at`),
    coalesce((SELECT max(a.`ends_at`) FROM `log_authorization_ends` a WHERE a.`dataset_id` = l.`dataset_id`), 0)
  ) AS `anchor`
FROM `dataset_loads` l;
--> statement-breakpoint
CREATE VIEW `log_retention_demand_item_transitions` AS
SELECT t.rowid AS `row_id`, t.`at` AS `at`,
  max(t.`at`, coalesce((SELECT max(a.`ends_at`) FROM `log_authorization_ends` a WHERE a.`demand_item_id` = t.`item_id`), 0)) AS `anchor`
FROM `demand_item_transitions` t;
--> statement-breakpoint
CREATE VIEW `log_retention_supervision_feed_records` AS
SELECT f.rowid AS `row_id`, f.`occurred_at` AS `at`, max(f.`occurred_at`, f.`enqueued_at`) AS `anchor`
FROM `supervision_feed_records` f;
--> statement-breakpoint
-- BEFORE DELETE: refused while the anchor is within the horizon (or null: an agreement in force).
CREATE TRIGGER `usage_events_retention` BEFORE DELETE ON `usage_events`
WHEN coalesce((SELECT `anchor` FROM `log_retention_usage_events` WHERE `row_id` = old.rowid), 9223372036854775807)
  >= (SELECT `keep_from_ms` FROM `log_retention_horizon`)
BEGIN SELECT RAISE(ABORT, 'log_retention: a usage event is kept 6 calendar months after the later of its time and the end of its subscription and authorizations'); END;
--> statement-breakpoint
CREATE TRIGGER `rejected_calls_retention` BEFORE DELETE ON `rejected_calls`
WHEN coalesce((SELECT `anchor` FROM `log_retention_rejected_calls` WHERE `row_id` = old.rowid), 9223372036854775807)
  >= (SELECT `keep_from_ms` FROM `log_retention_horizon`)
BEGIN SELECT RAISE(ABORT, 'log_retention: a refusal is kept 6 calendar months after the later of its time and the end of the partner''s agreements'); END;
--> statement-breakpoint
CREATE TRIGGER `rejected_call_buckets_retention` BEFORE DELETE ON `rejected_call_buckets`
WHEN coalesce((SELECT `anchor` FROM `log_retention_rejected_call_buckets` WHERE `row_id` = old.rowid), 9223372036854775807)
  >= (SELECT `keep_from_ms` FROM `log_retention_horizon`)
BEGIN SELECT RAISE(ABORT, 'log_retention: a refusal count is kept 6 calendar months after its minute'); END;
--> statement-breakpoint
CREATE TRIGGER `dataset_loads_retention` BEFORE DELETE ON `dataset_loads`
WHEN coalesce((SELECT `anchor` FROM `log_retention_dataset_loads` WHERE `row_id` = old.rowid), 9223372036854775807)
  >= (SELECT `keep_from_ms` FROM `log_retention_horizon`)
BEGIN SELECT RAISE(ABORT, 'log_retention: a load is kept 6 calendar months after the later of its time and the end of its dataset''s authorizations'); END;
--> statement-breakpoint
CREATE TRIGGER `demand_item_transitions_retention` BEFORE DELETE ON `demand_item_transitions`
WHEN coalesce((SELECT `anchor` FROM `log_retention_demand_item_transitions` WHERE `row_id` = old.rowid), 9223372036854775807)
  >= (SELECT `keep_from_ms` FROM `log_retention_horizon`)
BEGIN SELECT RAISE(ABORT, 'log_retention: a demand-item transition is kept 6 calendar months after the later of its time and the end of the authorization granted from it'); END;
--> statement-breakpoint
CREATE TRIGGER `supervision_feed_records_retention` BEFORE DELETE ON `supervision_feed_records`
WHEN coalesce((SELECT `anchor` FROM `log_retention_supervision_feed_records` WHERE `row_id` = old.rowid), 9223372036854775807)
  >= (SELECT `keep_from_ms` FROM `log_retention_horizon`)
BEGIN SELECT RAISE(ABORT, 'log_retention: a feed record is kept 6 calendar months after it was enqueued'); END;
--> statement-breakpoint
-- BEFORE UPDATE: no log row changes (usage_events and audit_log keep their triggers of 0001).
CREATE TRIGGER `rejected_calls_no_update` BEFORE UPDATE ON `rejected_calls`
BEGIN SELECT RAISE(ABORT, 'log_retention: rejected_calls rows are never updated'); END;
--> statement-breakpoint
CREATE TRIGGER `dataset_loads_no_update` BEFORE UPDATE ON `dataset_loads`
BEGIN SELECT RAISE(ABORT, 'log_retention: dataset_loads rows are never updated'); END;
--> statement-breakpoint
CREATE TRIGGER `demand_item_transitions_no_update` BEFORE UPDATE ON `demand_item_transitions`
BEGIN SELECT RAISE(ABORT, 'log_retention: demand_item_transitions rows are never updated'); END;
--> statement-breakpoint
CREATE TRIGGER `supervision_feed_records_no_update` BEFORE UPDATE ON `supervision_feed_records`
BEGIN SELECT RAISE(ABORT, 'log_retention: supervision_feed_records rows are never updated'); END;
--> statement-breakpoint
-- An anonymous-refusal bucket is a counter of its minute (ADR 0014): its count may only grow (the recorder's upsert),
-- nothing else in it ever changes. Exception to "never updated", kept because a row per refused request is what the
-- buckets exist to avoid (ADR 0027).
CREATE TRIGGER `rejected_call_buckets_count_only` BEFORE UPDATE ON `rejected_call_buckets`
WHEN NOT (new.`minute` = old.`minute` AND new.`code` = old.`code` AND new.`status` = old.`status`
  AND new.`address_prefix` = old.`address_prefix` AND new.`count` > old.`count`)
BEGIN SELECT RAISE(ABORT, 'log_retention: a refusal bucket only counts up'); END;
