CREATE TABLE `case_events` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`actor_id` text,
	`actor_label` text NOT NULL,
	`role` text NOT NULL,
	`note` text,
	`detail` text,
	FOREIGN KEY (`case_id`) REFERENCES `rectification_cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_events_case_idx` ON `case_events` (`case_id`,`at`);--> statement-breakpoint
CREATE TABLE `case_evidence` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`file_name` text NOT NULL,
	`media_type` text NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`uploaded_by_user_id` text,
	`uploaded_by_label` text NOT NULL,
	`role` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `rectification_cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`uploaded_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_evidence_case_idx` ON `case_evidence` (`case_id`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`case_id` text,
	`params` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`read_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`case_id`) REFERENCES `rectification_cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `notifications_user_idx` ON `notifications` (`user_id`,`read_at`);--> statement-breakpoint
CREATE TABLE `rectification_cases` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`state` text DEFAULT 'reported' NOT NULL,
	`reporter_kind` text NOT NULL,
	`reporter_source_unit_id` text,
	`regulator_name` text,
	`reported_by_user_id` text,
	`report` text NOT NULL,
	`target_kind` text,
	`partner_id` text,
	`product_id` text,
	`authorization_id` text,
	`finding` text,
	`rule_breached` text,
	`deadline_on` text,
	`deadline_at` integer,
	`opened_at` integer,
	`evidence_submitted_at` integer,
	`closed_at` integer,
	`escalated_at` integer,
	`terminated_at` integer,
	`resolution` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`reporter_source_unit_id`) REFERENCES `source_units`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reported_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`authorization_id`) REFERENCES `authorizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rectification_cases_code_unique` ON `rectification_cases` (`code`);--> statement-breakpoint
CREATE INDEX `rectification_cases_state_idx` ON `rectification_cases` (`state`,`deadline_at`);--> statement-breakpoint
CREATE INDEX `rectification_cases_partner_idx` ON `rectification_cases` (`partner_id`);--> statement-breakpoint
CREATE INDEX `rectification_cases_reporter_idx` ON `rectification_cases` (`reporter_source_unit_id`);--> statement-breakpoint
CREATE TABLE `credit_records` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`kind` text NOT NULL,
	`subject_type` text NOT NULL,
	`partner_id` text,
	`severity` text NOT NULL,
	`source_type` text NOT NULL,
	`case_ref` text,
	`regulator_name` text,
	`occurred_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`description` text NOT NULL,
	`revokes_record_id` text,
	`recorded_by_user_id` text,
	`recorded_by_label` text NOT NULL,
	`recorded_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`recorded_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credit_records_code_unique` ON `credit_records` (`code`);--> statement-breakpoint
CREATE INDEX `credit_records_partner_idx` ON `credit_records` (`partner_id`);--> statement-breakpoint
CREATE INDEX `credit_records_revokes_idx` ON `credit_records` (`revokes_record_id`);--> statement-breakpoint
CREATE TABLE `drills` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`held_at` integer NOT NULL,
	`scope` text NOT NULL,
	`outcome` text NOT NULL,
	`plan_code` text,
	`plan_version` integer,
	`product_code` text,
	`stopped_at` integer,
	`stop_seen_at` integer,
	`resumed_at` integer,
	`recorded_by_user_id` text,
	`recorded_by_label` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`recorded_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `emergency_plans` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`version` integer NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`saved_by_user_id` text,
	`saved_by_label` text NOT NULL,
	`saved_at` integer NOT NULL,
	FOREIGN KEY (`saved_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `emergency_plans_code_version_idx` ON `emergency_plans` (`code`,`version`);--> statement-breakpoint
CREATE TABLE `emergency_stops` (
	`id` text PRIMARY KEY NOT NULL,
	`action_id` text NOT NULL,
	`product_code` text,
	`reason` text NOT NULL,
	`stopped_at` integer NOT NULL,
	`stopped_by_user_id` text,
	`stopped_by_label` text NOT NULL,
	`stopped_by_role` text NOT NULL,
	`drill_id` text,
	`resumed_at` integer,
	`resumed_by_label` text,
	`resume_reason` text,
	FOREIGN KEY (`stopped_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `emergency_stops_active_idx` ON `emergency_stops` (`resumed_at`);--> statement-breakpoint
CREATE TABLE `incident_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`incident_id` text NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	`text` text NOT NULL,
	`actor_user_id` text,
	`actor_label` text NOT NULL,
	`actor_role` text NOT NULL,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `incident_entries_incident_idx` ON `incident_entries` (`incident_id`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`title` text NOT NULL,
	`severity` text NOT NULL,
	`state` text NOT NULL,
	`affected` text NOT NULL,
	`opened_at` integer NOT NULL,
	`opened_by_user_id` text,
	`opened_by_label` text NOT NULL,
	`closed_at` integer,
	`closed_by_label` text,
	`closure_summary` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`opened_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `incidents_code_unique` ON `incidents` (`code`);--> statement-breakpoint
CREATE INDEX `incidents_state_idx` ON `incidents` (`state`);--> statement-breakpoint
ALTER TABLE `authorizations` ADD `suspended_at` integer;--> statement-breakpoint
ALTER TABLE `authorizations` ADD `suspended_reason` text;--> statement-breakpoint
ALTER TABLE `authorizations` ADD `suspended_case_id` text;