CREATE TABLE `operation_report_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`report_id` text NOT NULL,
	`version` integer NOT NULL,
	`state` text DEFAULT 'draft' NOT NULL,
	`figures` text NOT NULL,
	`generated_at` integer NOT NULL,
	`narrative` text DEFAULT '{}' NOT NULL,
	`submitted_at` integer,
	`submitted_by_label` text,
	`decided_at` integer,
	`decided_by_label` text,
	`bureau_comment` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`report_id`) REFERENCES `operation_reports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `operation_report_versions_report_version_idx` ON `operation_report_versions` (`report_id`,`version`);--> statement-breakpoint
CREATE INDEX `operation_report_versions_state_idx` ON `operation_report_versions` (`state`);--> statement-breakpoint
CREATE TABLE `operation_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`period` text NOT NULL,
	`kind` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`latest_version` integer DEFAULT 1 NOT NULL,
	`state` text DEFAULT 'draft' NOT NULL,
	`created_by_user_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `operation_reports_period_unique` ON `operation_reports` (`period`);--> statement-breakpoint
-- A version's figures and narrative are frozen once it leaves draft (Art. 25; ADR 0035): the bureau reads what was submitted.
CREATE TRIGGER `operation_report_versions_frozen` BEFORE UPDATE ON `operation_report_versions`
WHEN OLD.`state` <> 'draft' AND (NEW.`figures` IS NOT OLD.`figures` OR NEW.`narrative` IS NOT OLD.`narrative`
  OR NEW.`generated_at` IS NOT OLD.`generated_at` OR NEW.`version` IS NOT OLD.`version` OR NEW.`report_id` IS NOT OLD.`report_id`)
BEGIN SELECT RAISE(ABORT, 'operation_report_version_frozen'); END;--> statement-breakpoint
-- Versions are kept: none is ever deleted.
CREATE TRIGGER `operation_report_versions_kept` BEFORE DELETE ON `operation_report_versions`
BEGIN SELECT RAISE(ABORT, 'operation_report_versions_kept'); END;
--> statement-breakpoint
-- The workflow's only moves (ADR 0035): draft → submitted → acknowledged | returned. A second decision racing the
-- first fails here, and its audit entry with it (one batch).
CREATE TRIGGER `operation_report_versions_moves` BEFORE UPDATE OF `state` ON `operation_report_versions`
WHEN NEW.`state` IS NOT OLD.`state` AND NOT (
  (OLD.`state` = 'draft' AND NEW.`state` = 'submitted') OR
  (OLD.`state` = 'submitted' AND NEW.`state` IN ('returned', 'acknowledged')))
BEGIN SELECT RAISE(ABORT, 'operation_report_version_move'); END;
