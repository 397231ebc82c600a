CREATE TABLE `usage_event_contexts` (
	`id` integer PRIMARY KEY NOT NULL,
	`api_key_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`product_id` text NOT NULL,
	`purpose` text NOT NULL,
	`operation` text NOT NULL,
	`status` integer NOT NULL,
	`dataset_codes` text NOT NULL,
	`source_unit_codes` text NOT NULL,
	`authorization_codes` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `usage_event_contexts_all_idx` ON `usage_event_contexts` (`api_key_id`,`subscription_id`,`partner_id`,`product_id`,`purpose`,`operation`,`status`,`dataset_codes`,`source_unit_codes`,`authorization_codes`);--> statement-breakpoint
CREATE INDEX `usage_event_contexts_subscription_idx` ON `usage_event_contexts` (`subscription_id`);--> statement-breakpoint
CREATE INDEX `usage_event_contexts_partner_idx` ON `usage_event_contexts` (`partner_id`);--> statement-breakpoint
CREATE INDEX `usage_event_contexts_product_idx` ON `usage_event_contexts` (`product_id`);--> statement-breakpoint
CREATE TABLE `usage_event_log` (
	`seq` integer PRIMARY KEY NOT NULL,
	`ctx` integer NOT NULL,
	`at` integer NOT NULL,
	`request_key` blob NOT NULL,
	`legacy_id` text,
	`subject` blob,
	`calls` integer DEFAULT 1 NOT NULL,
	`records` integer DEFAULT 0 NOT NULL,
	`fields_masked` integer DEFAULT 0 NOT NULL,
	`bytes_out` integer DEFAULT 0 NOT NULL,
	`compute_ms` integer DEFAULT 0 NOT NULL,
	`export_bytes` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `usage_event_log_at_idx` ON `usage_event_log` (`at`);--> statement-breakpoint
CREATE INDEX `usage_event_log_ctx_at_idx` ON `usage_event_log` (`ctx`,`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `usage_event_log_request_idx` ON `usage_event_log` (`request_key`, ifnull(`legacy_id`, ''));--> statement-breakpoint
CREATE UNIQUE INDEX `usage_event_log_legacy_idx` ON `usage_event_log` (`legacy_id`) WHERE "legacy_id" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `usage_hourly_rollups` (
	`hour` integer NOT NULL,
	`ctx` integer NOT NULL,
	`events` integer NOT NULL,
	`calls` integer NOT NULL,
	`records` integer NOT NULL,
	`fields_masked` integer NOT NULL,
	`bytes_out` integer NOT NULL,
	`compute_ms` integer NOT NULL,
	`export_bytes` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `usage_hourly_rollups_key_idx` ON `usage_hourly_rollups` (`hour`,`ctx`);--> statement-breakpoint
CREATE TABLE `usage_rollup_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`last_seq` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
DROP INDEX `usage_events_partner_at_idx`;--> statement-breakpoint
DROP INDEX `usage_events_product_at_idx`;--> statement-breakpoint
DROP INDEX `usage_events_at_idx`;--> statement-breakpoint
DROP INDEX `usage_events_subscription_at_idx`;--> statement-breakpoint
DROP INDEX `usage_events_request_idx`;
--> statement-breakpoint
-- Issue 15 (ADR 0047): usage_events becomes a VIEW over usage_event_log + usage_event_contexts. Existing rows move with
-- their rowid (every watermark counts in it), their ids and request ids as they were (lossless: see the view).
DROP TRIGGER IF EXISTS `usage_events_append_only_update`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `usage_events_retention`;
--> statement-breakpoint
DROP VIEW IF EXISTS `log_retention_usage_events`;
--> statement-breakpoint
INSERT INTO `usage_event_contexts` (`api_key_id`, `subscription_id`, `partner_id`, `product_id`, `purpose`, `operation`, `status`, `dataset_codes`, `source_unit_codes`, `authorization_codes`)
SELECT DISTINCT `api_key_id`, `subscription_id`, `partner_id`, `product_id`, `purpose`, `operation`, `status`, `dataset_codes`, `source_unit_codes`, `authorization_codes`
FROM `usage_events`;
--> statement-breakpoint
INSERT INTO `usage_event_log` (`seq`, `ctx`, `at`, `request_key`, `legacy_id`, `subject`, `calls`, `records`, `fields_masked`, `bytes_out`, `compute_ms`, `export_bytes`)
SELECT u.rowid, c.`id`, u.`at`,
  CASE WHEN length(u.`request_id`) = 36 AND substr(u.`request_id`, 1, 4) = 'req_' AND substr(u.`request_id`, 5) NOT GLOB '*[^0-9a-f]*'
    THEN unhex(substr(u.`request_id`, 5)) ELSE u.`request_id` END,
  CASE WHEN length(u.`request_id`) = 36 AND substr(u.`request_id`, 1, 4) = 'req_' AND substr(u.`request_id`, 5) NOT GLOB '*[^0-9a-f]*'
    AND u.`id` = substr(u.`request_id`, 5) THEN NULL ELSE u.`id` END,
  CASE WHEN length(u.`subject_hash`) = 64 AND u.`subject_hash` NOT GLOB '*[^0-9a-f]*' THEN unhex(u.`subject_hash`) ELSE u.`subject_hash` END,
  u.`calls`, u.`records`, u.`fields_masked`, u.`bytes_out`, u.`compute_ms`, u.`export_bytes`
FROM `usage_events` u JOIN `usage_event_contexts` c
  ON c.`api_key_id` = u.`api_key_id` AND c.`subscription_id` = u.`subscription_id` AND c.`partner_id` = u.`partner_id`
  AND c.`product_id` = u.`product_id` AND c.`purpose` = u.`purpose` AND c.`operation` = u.`operation` AND c.`status` = u.`status`
  AND c.`dataset_codes` = u.`dataset_codes` AND c.`source_unit_codes` = u.`source_unit_codes` AND c.`authorization_codes` = u.`authorization_codes`
ORDER BY u.rowid;
--> statement-breakpoint
DROP TABLE `usage_events`;
--> statement-breakpoint
-- Every column as it was; `rowid` is the event's seq (views have no rowid of their own).
CREATE VIEW `usage_events` AS
SELECT e.`seq` AS `rowid`,
  coalesce(e.`legacy_id`, lower(hex(e.`request_key`))) AS `id`,
  e.`at` AS `at`,
  CASE WHEN typeof(e.`request_key`) = 'blob' THEN 'req_' || lower(hex(e.`request_key`)) ELSE e.`request_key` END AS `request_id`,
  c.`api_key_id` AS `api_key_id`, c.`subscription_id` AS `subscription_id`, c.`partner_id` AS `partner_id`,
  c.`product_id` AS `product_id`, c.`purpose` AS `purpose`, c.`operation` AS `operation`, c.`status` AS `status`,
  c.`dataset_codes` AS `dataset_codes`, c.`source_unit_codes` AS `source_unit_codes`, c.`authorization_codes` AS `authorization_codes`,
  CASE WHEN typeof(e.`subject`) = 'blob' THEN lower(hex(e.`subject`)) ELSE e.`subject` END AS `subject_hash`,
  e.`calls` AS `calls`, e.`records` AS `records`, e.`fields_masked` AS `fields_masked`, e.`bytes_out` AS `bytes_out`,
  e.`compute_ms` AS `compute_ms`, e.`export_bytes` AS `export_bytes`
FROM `usage_event_log` e JOIN `usage_event_contexts` c ON c.`id` = e.`ctx`;
--> statement-breakpoint
-- An insert through the view: the context on first sight, then the compact row (the gateway inserts compact rows itself).
CREATE TRIGGER `usage_events_insert` INSTEAD OF INSERT ON `usage_events`
BEGIN
  INSERT INTO `usage_event_contexts` (`api_key_id`, `subscription_id`, `partner_id`, `product_id`, `purpose`, `operation`, `status`, `dataset_codes`, `source_unit_codes`, `authorization_codes`)
  VALUES (new.`api_key_id`, new.`subscription_id`, new.`partner_id`, new.`product_id`, new.`purpose`, new.`operation`, new.`status`,
    coalesce(new.`dataset_codes`, ''), coalesce(new.`source_unit_codes`, ''), coalesce(new.`authorization_codes`, ''))
  ON CONFLICT DO NOTHING;
  INSERT INTO `usage_event_log` (`ctx`, `at`, `request_key`, `legacy_id`, `subject`, `calls`, `records`, `fields_masked`, `bytes_out`, `compute_ms`, `export_bytes`)
  VALUES (
    (SELECT `id` FROM `usage_event_contexts` WHERE `api_key_id` = new.`api_key_id` AND `subscription_id` = new.`subscription_id`
      AND `partner_id` = new.`partner_id` AND `product_id` = new.`product_id` AND `purpose` = new.`purpose` AND `operation` = new.`operation`
      AND `status` = new.`status` AND `dataset_codes` = coalesce(new.`dataset_codes`, '') AND `source_unit_codes` = coalesce(new.`source_unit_codes`, '')
      AND `authorization_codes` = coalesce(new.`authorization_codes`, '')),
    new.`at`,
    CASE WHEN length(new.`request_id`) = 36 AND substr(new.`request_id`, 1, 4) = 'req_' AND substr(new.`request_id`, 5) NOT GLOB '*[^0-9a-f]*'
      THEN unhex(substr(new.`request_id`, 5)) ELSE new.`request_id` END,
    CASE WHEN length(new.`request_id`) = 36 AND substr(new.`request_id`, 1, 4) = 'req_' AND substr(new.`request_id`, 5) NOT GLOB '*[^0-9a-f]*'
      AND new.`id` = substr(new.`request_id`, 5) THEN NULL ELSE new.`id` END,
    CASE WHEN length(new.`subject_hash`) = 64 AND new.`subject_hash` NOT GLOB '*[^0-9a-f]*' THEN unhex(new.`subject_hash`) ELSE new.`subject_hash` END,
    coalesce(new.`calls`, 1), coalesce(new.`records`, 0), coalesce(new.`fields_masked`, 0), coalesce(new.`bytes_out`, 0),
    coalesce(new.`compute_ms`, 0), coalesce(new.`export_bytes`, 0));
END;
--> statement-breakpoint
CREATE TRIGGER `usage_events_delete` INSTEAD OF DELETE ON `usage_events`
BEGIN DELETE FROM `usage_event_log` WHERE `seq` = old.`rowid`; END;
--> statement-breakpoint
CREATE TRIGGER `usage_events_update` INSTEAD OF UPDATE ON `usage_events`
BEGIN SELECT RAISE(ABORT, 'log_retention: usage_events are append-only'); END;
--> statement-breakpoint
CREATE VIEW `log_retention_usage_event_log` AS
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
CREATE TRIGGER `usage_event_log_no_update` BEFORE UPDATE ON `usage_event_log`
BEGIN SELECT RAISE(ABORT, 'log_retention: usage_events are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `usage_event_log_retention` BEFORE DELETE ON `usage_event_log`
WHEN coalesce((SELECT `anchor` FROM `log_retention_usage_event_log` WHERE `row_id` = old.`seq`), 9223372036854775807)
  >= (SELECT `keep_from_ms` FROM `log_retention_horizon`)
BEGIN SELECT RAISE(ABORT, 'log_retention: a usage event is kept 6 calendar months after the later of its time and the end of its subscription and authorizations'); END;
--> statement-breakpoint
-- A context is what the events of years say they were: never changed, never deleted.
CREATE TRIGGER `usage_event_contexts_no_update` BEFORE UPDATE ON `usage_event_contexts`
BEGIN SELECT RAISE(ABORT, 'log_retention: usage event contexts are never changed'); END;
--> statement-breakpoint
CREATE TRIGGER `usage_event_contexts_no_delete` BEFORE DELETE ON `usage_event_contexts`
BEGIN SELECT RAISE(ABORT, 'log_retention: usage event contexts are never deleted'); END;
--> statement-breakpoint
INSERT INTO `usage_rollup_state` (`id`, `last_seq`, `updated_at`) VALUES (1, 0, 0);
