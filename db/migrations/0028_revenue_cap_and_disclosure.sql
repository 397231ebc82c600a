CREATE TABLE `ceiling_reminders` (
	`ceiling_id` text NOT NULL,
	`stage` text NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`ceiling_id`, `stage`),
	FOREIGN KEY (`ceiling_id`) REFERENCES `price_ceilings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `revenue_cap_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`year` integer NOT NULL,
	`threshold` integer NOT NULL,
	`used_share` text NOT NULL,
	`crossed_at` integer NOT NULL,
	`cleared_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `revenue_cap_alerts_open_idx` ON `revenue_cap_alerts` (`year`,`threshold`) WHERE cleared_at IS NULL;--> statement-breakpoint
CREATE TABLE `disclosure_editions` (
	`id` text PRIMARY KEY NOT NULL,
	`year` integer NOT NULL,
	`state` text DEFAULT 'draft' NOT NULL,
	`published_version_id` text,
	`published_at` integer,
	`published_by_user_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`published_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `disclosure_editions_year_unique` ON `disclosure_editions` (`year`);--> statement-breakpoint
CREATE TABLE `disclosure_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`edition_id` text NOT NULL,
	`version` integer NOT NULL,
	`figures` text NOT NULL,
	`narrative` text NOT NULL,
	`figures_at` integer NOT NULL,
	`prepared_by_user_id` text,
	`prepared_by_label` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`edition_id`) REFERENCES `disclosure_editions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`prepared_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `disclosure_versions_edition_version_idx` ON `disclosure_versions` (`edition_id`,`version`);--> statement-breakpoint
CREATE INDEX `disclosure_versions_edition_idx` ON `disclosure_versions` (`edition_id`);--> statement-breakpoint
ALTER TABLE `cost_entries` ADD `supply` text DEFAULT 'shared' NOT NULL;--> statement-breakpoint
ALTER TABLE `cost_entries` ADD `amortization_years` integer;--> statement-breakpoint
ALTER TABLE `price_ceilings` ADD `reevaluate_by` integer;--> statement-breakpoint
-- ADR 0036: every ceiling carries a re-evaluation date. Existing ceilings get the default, three years after their
-- effective date (start of that Shanghai day: +8 h, the one place outside platform/calendar that knows it, as in
-- calendar-sql.ts). Ceilings are never edited (0002), so the guard steps aside for this one back-fill only.
DROP TRIGGER `price_ceilings_immutable_update`;
--> statement-breakpoint
UPDATE `price_ceilings` SET `reevaluate_by` =
  (CAST(strftime('%s', `effective_from` / 1000 + 28800, 'unixepoch', 'start of day', '+3 years') AS INTEGER) - 28800) * 1000
WHERE `reevaluate_by` IS NULL;
--> statement-breakpoint
CREATE TRIGGER `price_ceilings_immutable_update` BEFORE UPDATE ON `price_ceilings`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: price ceilings are versioned, never edited'); END;
--> statement-breakpoint
-- Platform construction carries its amortization years (1–20); no other category does.
CREATE TRIGGER `cost_entries_amortization_insert` BEFORE INSERT ON `cost_entries`
WHEN (new.`category` = 'platform_construction' AND (new.`amortization_years` IS NULL OR new.`amortization_years` NOT BETWEEN 1 AND 20))
  OR (new.`category` != 'platform_construction' AND new.`amortization_years` IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'cost_amortization_invalid: platform construction is amortized over 1–20 years, nothing else'); END;
--> statement-breakpoint
-- A disclosure version is what was prepared at its time: never edited, never deleted.
CREATE TRIGGER `disclosure_versions_immutable_update` BEFORE UPDATE ON `disclosure_versions`
BEGIN SELECT RAISE(ABORT, 'disclosure_immutable: a disclosure version is never edited'); END;
--> statement-breakpoint
CREATE TRIGGER `disclosure_versions_immutable_delete` BEFORE DELETE ON `disclosure_versions`
BEGIN SELECT RAISE(ABORT, 'disclosure_immutable: a disclosure version is never deleted'); END;
--> statement-breakpoint
-- A published edition is public record: it never changes again and is never deleted.
CREATE TRIGGER `disclosure_editions_published_final` BEFORE UPDATE ON `disclosure_editions`
WHEN old.`state` = 'published'
BEGIN SELECT RAISE(ABORT, 'disclosure_immutable: a published disclosure never changes'); END;
--> statement-breakpoint
CREATE TRIGGER `disclosure_editions_immutable_delete` BEFORE DELETE ON `disclosure_editions`
BEGIN SELECT RAISE(ABORT, 'disclosure_immutable: a disclosure edition is never deleted'); END;
