CREATE TABLE `sandbox_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`request_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`api_key_id` text NOT NULL,
	`product_id` text NOT NULL,
	`query` text NOT NULL,
	`shape_hash` text NOT NULL,
	`filter_hash` text NOT NULL,
	`state` text NOT NULL,
	`refusal_code` text,
	`result` text,
	`group_subjects` text,
	`epsilon` text,
	`compute_ms` integer DEFAULT 0 NOT NULL,
	`disclosure` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sandbox_jobs_partner_shape_idx` ON `sandbox_jobs` (`partner_id`,`shape_hash`,`at`);--> statement-breakpoint
CREATE INDEX `sandbox_jobs_subscription_at_idx` ON `sandbox_jobs` (`subscription_id`,`at`);--> statement-breakpoint
CREATE TABLE `sandbox_privacy_spends` (
	`id` text PRIMARY KEY NOT NULL,
	`subscription_id` text NOT NULL,
	`period` text NOT NULL,
	`job_id` text NOT NULL,
	`epsilon_micro` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sandbox_privacy_spends_subscription_idx` ON `sandbox_privacy_spends` (`subscription_id`,`period`);--> statement-breakpoint
CREATE UNIQUE INDEX `sandbox_privacy_spends_job_idx` ON `sandbox_privacy_spends` (`job_id`);