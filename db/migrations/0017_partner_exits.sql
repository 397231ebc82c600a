CREATE TABLE `concentration_settings` (
	`id` text PRIMARY KEY NOT NULL,
	`hhi_threshold` integer NOT NULL,
	`set_at` integer NOT NULL,
	`set_by_user_id` text,
	`set_by_label` text NOT NULL,
	FOREIGN KEY (`set_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `destruction_records` (
	`id` text PRIMARY KEY NOT NULL,
	`exit_id` text,
	`partner_id` text,
	`what` text NOT NULL,
	`count` integer NOT NULL,
	`bytes` integer NOT NULL,
	`detail` text,
	`at` integer NOT NULL,
	`by_user_id` text,
	`by_label` text NOT NULL,
	FOREIGN KEY (`exit_id`) REFERENCES `partner_exits`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `destruction_records_partner_idx` ON `destruction_records` (`partner_id`,`at`);--> statement-breakpoint
CREATE TABLE `partner_exits` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`kind` text NOT NULL,
	`state` text DEFAULT 'noticed' NOT NULL,
	`reason` text NOT NULL,
	`source_ref` text,
	`notice_at` integer NOT NULL,
	`exit_at` integer NOT NULL,
	`executed_at` integer,
	`started_by_user_id` text,
	`started_by_label` text NOT NULL,
	`executed_by_label` text,
	`certificate_number` text,
	`final_invoice_period` text,
	`final_invoice_total_fen` integer,
	`final_invoice` text,
	`outcome` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`started_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partner_exits_certificate_number_unique` ON `partner_exits` (`certificate_number`);--> statement-breakpoint
CREATE INDEX `partner_exits_partner_idx` ON `partner_exits` (`partner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `partner_exits_due_idx` ON `partner_exits` (`state`,`exit_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `partner_exits_open_idx` ON `partner_exits` (`partner_id`) WHERE state = 'noticed';--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_plans` (
	`code` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`name_zh` text NOT NULL,
	`name_en` text NOT NULL,
	`rate_limit_per_minute` integer NOT NULL,
	`monthly_quota` integer,
	`distinct_subjects_per_day` integer DEFAULT 1000 NOT NULL,
	`max_active_keys` integer DEFAULT 5 NOT NULL,
	`allows_immediate_change` integer DEFAULT false NOT NULL,
	`created_by_user_id` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`code`, `version`),
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_plans`("code", "version", "name_zh", "name_en", "rate_limit_per_minute", "monthly_quota", "distinct_subjects_per_day", "max_active_keys", "allows_immediate_change", "created_by_user_id", "created_at") SELECT "code", 1, "name_zh", "name_en", "rate_limit_per_minute", "monthly_quota", "distinct_subjects_per_day", "max_active_keys", 0, NULL, CAST(unixepoch('subsec') * 1000 AS INTEGER) FROM `plans`;--> statement-breakpoint
DROP TABLE `plans`;--> statement-breakpoint
ALTER TABLE `__new_plans` RENAME TO `plans`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `subscription_id` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `plan_version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `scenario` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `expected_monthly_volume` integer;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `next_plan_code` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `next_plan_version` integer;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `plan_changes_at` integer;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `cancelled_at` integer;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `ends_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_live_purpose_idx` ON `subscriptions` (`partner_id`,`product_id`,`purpose`) WHERE state in ('pending', 'active');