CREATE TABLE `compensation_formulas` (
	`id` text PRIMARY KEY NOT NULL,
	`share_per_call` text NOT NULL,
	`frequency_weights` text NOT NULL,
	`quality_weight` text NOT NULL,
	`effective_from` integer NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`set_by_user_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`set_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `compensation_statements` (
	`id` text PRIMARY KEY NOT NULL,
	`period` text NOT NULL,
	`source_unit_id` text NOT NULL,
	`formula_id` text NOT NULL,
	`calls` integer NOT NULL,
	`amount_fen` integer NOT NULL,
	`precise_fen` text NOT NULL,
	`detail` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `compensation_statements_period_unit_idx` ON `compensation_statements` (`period`,`source_unit_id`);--> statement-breakpoint
CREATE TABLE `lago_cursors` (
	`name` text PRIMARY KEY NOT NULL,
	`position` integer NOT NULL,
	`event_id` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `lago_mirror` (
	`kind` text NOT NULL,
	`our_id` text NOT NULL,
	`lago_code` text NOT NULL,
	`fingerprint` text NOT NULL,
	`lago_id` text,
	`synced_at` integer NOT NULL,
	PRIMARY KEY(`kind`, `our_id`)
);
--> statement-breakpoint
CREATE TABLE `lago_outbox` (
	`transaction_id` text PRIMARY KEY NOT NULL,
	`usage_event_id` text NOT NULL,
	`seq` integer NOT NULL,
	`code` text NOT NULL,
	`external_subscription_id` text NOT NULL,
	`timestamp` text NOT NULL,
	`properties` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`enqueued_at` integer NOT NULL,
	`delivered_at` integer
);
--> statement-breakpoint
CREATE INDEX `lago_outbox_pending_idx` ON `lago_outbox` (`state`,`next_attempt_at`,`seq`);--> statement-breakpoint
CREATE INDEX `lago_outbox_event_idx` ON `lago_outbox` (`usage_event_id`);--> statement-breakpoint
CREATE TABLE `revenue_cap_settings` (
	`id` text PRIMARY KEY NOT NULL,
	`year` integer NOT NULL,
	`profit_rate` text NOT NULL,
	`tax_rate` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`set_by_user_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`set_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `revenue_cap_settings_year_idx` ON `revenue_cap_settings` (`year`,`created_at`);