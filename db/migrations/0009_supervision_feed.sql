CREATE TABLE `supervision_feed_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`first_seq` integer NOT NULL,
	`last_seq` integer NOT NULL,
	`records` integer NOT NULL,
	`bytes` integer NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`audit_head_seq` integer NOT NULL,
	`audit_head_hash` text NOT NULL,
	`last_status` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`last_attempt_at` integer,
	`delivered_at` integer,
	`duplicates` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `supervision_feed_batches_created_idx` ON `supervision_feed_batches` (`created_at`);--> statement-breakpoint
CREATE TABLE `supervision_feed_cursors` (
	`source` text PRIMARY KEY NOT NULL,
	`position` integer NOT NULL,
	`source_id` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `supervision_feed_records` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`payload` text NOT NULL,
	`enqueued_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `supervision_feed_records_idempotency_key_unique` ON `supervision_feed_records` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `supervision_feed_records_occurred_idx` ON `supervision_feed_records` (`occurred_at`);--> statement-breakpoint
CREATE TABLE `supervision_feed_state` (
	`id` text PRIMARY KEY NOT NULL,
	`delivered_seq` integer DEFAULT 0 NOT NULL,
	`last_success_at` integer,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`last_failure_at` integer,
	`next_attempt_at` integer DEFAULT 0 NOT NULL,
	`last_warning` text,
	`updated_at` integer NOT NULL
);
