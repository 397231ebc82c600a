CREATE TABLE `sandbox_exports` (
	`id` text PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`requested_by_user_id` text NOT NULL,
	`requested_at` integer NOT NULL,
	`level` text NOT NULL,
	`reviews_required` integer NOT NULL,
	`state` text NOT NULL,
	`first_reviewer_user_id` text,
	`first_reviewed_at` integer,
	`second_reviewer_user_id` text,
	`second_reviewed_at` integer,
	`rejected_reason` text,
	`content` text,
	`bytes` integer
);
--> statement-breakpoint
CREATE INDEX `sandbox_exports_partner_idx` ON `sandbox_exports` (`partner_id`,`requested_at`);--> statement-breakpoint
CREATE INDEX `sandbox_exports_state_idx` ON `sandbox_exports` (`state`,`requested_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `sandbox_exports_job_idx` ON `sandbox_exports` (`job_id`);