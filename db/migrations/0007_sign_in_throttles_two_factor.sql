-- Sign-in throttles per (account, address), address and account; the second factor (TOTP, recovery codes); password age
-- and first-sign-in change (docs/decisions/0020-sign-in-throttling-and-two-factor.md). Locks held in the dropped users
-- columns are not carried over: a lock lasted 15 minutes.
CREATE TABLE `recovery_codes` (
	`user_id` text NOT NULL,
	`code_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`used_at` integer,
	PRIMARY KEY(`user_id`, `code_hash`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `sign_in_throttles` (
	`scope` text NOT NULL,
	`subject` text NOT NULL,
	`username` text,
	`address` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`refused` integer DEFAULT 0 NOT NULL,
	`window_started_at` integer NOT NULL,
	`last_attempt_at` integer NOT NULL,
	`blocked_until` integer,
	`last_success_at` integer,
	PRIMARY KEY(`scope`, `subject`)
);
--> statement-breakpoint
CREATE INDEX `sign_in_throttles_blocked_idx` ON `sign_in_throttles` (`blocked_until`);--> statement-breakpoint
ALTER TABLE `sessions` ADD `stage` text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE `sessions` ADD `failed_codes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sessions` ADD `two_factor_verified_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `must_change_password` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `password_changed_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `totp_secret` text;--> statement-breakpoint
ALTER TABLE `users` ADD `totp_enabled_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `totp_pending_secret` text;--> statement-breakpoint
ALTER TABLE `users` ADD `totp_last_time_step` integer;--> statement-breakpoint
ALTER TABLE `users` DROP COLUMN `failed_attempts`;--> statement-breakpoint
ALTER TABLE `users` DROP COLUMN `locked_until`;