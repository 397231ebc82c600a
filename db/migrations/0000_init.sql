CREATE TABLE `partners` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`uscc` text,
	`state` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partners_code_unique` ON `partners` (`code`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`ended_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `source_units` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`name_zh` text NOT NULL,
	`name_en` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `source_units_code_unique` ON `source_units` (`code`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`role` text NOT NULL,
	`password_hash` text NOT NULL,
	`source_unit_id` text,
	`partner_id` text,
	`failed_attempts` integer DEFAULT 0 NOT NULL,
	`locked_until` integer,
	`last_login_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`source_unit_id`) REFERENCES `source_units`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text,
	`actor_label` text NOT NULL,
	`role` text NOT NULL,
	`action` text NOT NULL,
	`object_type` text NOT NULL,
	`object_id` text,
	`request_id` text,
	`detail` text,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `datasets` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`source_unit_id` text NOT NULL,
	`name_zh` text NOT NULL,
	`name_en` text NOT NULL,
	`domain` text NOT NULL,
	`level` text NOT NULL,
	`delivery_mode` text NOT NULL,
	`store_table` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`source_unit_id`) REFERENCES `source_units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `datasets_code_unique` ON `datasets` (`code`);--> statement-breakpoint
CREATE INDEX `datasets_source_unit_idx` ON `datasets` (`source_unit_id`);--> statement-breakpoint
CREATE TABLE `product_datasets` (
	`product_id` text NOT NULL,
	`dataset_id` text NOT NULL,
	PRIMARY KEY(`product_id`, `dataset_id`),
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `products` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`registration_code` text,
	`name_zh` text NOT NULL,
	`name_en` text NOT NULL,
	`description_zh` text DEFAULT '' NOT NULL,
	`description_en` text DEFAULT '' NOT NULL,
	`form` text NOT NULL,
	`level` text NOT NULL,
	`state` text DEFAULT 'draft' NOT NULL,
	`api_path` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `products_code_unique` ON `products` (`code`);--> statement-breakpoint
CREATE UNIQUE INDEX `products_registration_code_unique` ON `products` (`registration_code`);--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`name` text NOT NULL,
	`key_hash` text NOT NULL,
	`display_prefix` text NOT NULL,
	`created_by_user_id` text,
	`expires_at` integer,
	`revoked_at` integer,
	`last_used_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_partner_idx` ON `api_keys` (`partner_id`);--> statement-breakpoint
CREATE TABLE `rejected_calls` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`request_id` text NOT NULL,
	`api_key_id` text,
	`key_prefix` text,
	`operation` text NOT NULL,
	`status` integer NOT NULL,
	`code` text NOT NULL,
	`client_ip` text
);
--> statement-breakpoint
CREATE INDEX `rejected_calls_at_idx` ON `rejected_calls` (`at`);--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`product_id` text NOT NULL,
	`purpose` text NOT NULL,
	`purpose_statement` text,
	`state` text NOT NULL,
	`plan_code` text DEFAULT 'standard' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `subscriptions_partner_idx` ON `subscriptions` (`partner_id`);--> statement-breakpoint
CREATE TABLE `usage_events` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`request_id` text NOT NULL,
	`api_key_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`product_id` text NOT NULL,
	`purpose` text NOT NULL,
	`operation` text NOT NULL,
	`status` integer NOT NULL,
	`dataset_codes` text DEFAULT '' NOT NULL,
	`source_unit_codes` text DEFAULT '' NOT NULL,
	`calls` integer DEFAULT 1 NOT NULL,
	`records` integer DEFAULT 0 NOT NULL,
	`fields_masked` integer DEFAULT 0 NOT NULL,
	`bytes_out` integer DEFAULT 0 NOT NULL,
	`compute_ms` integer DEFAULT 0 NOT NULL,
	`export_bytes` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `usage_events_partner_at_idx` ON `usage_events` (`partner_id`,`at`);--> statement-breakpoint
CREATE INDEX `usage_events_product_at_idx` ON `usage_events` (`product_id`,`at`);--> statement-breakpoint
CREATE INDEX `usage_events_at_idx` ON `usage_events` (`at`);--> statement-breakpoint
CREATE TABLE `city_enterprises` (
	`uscc` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`legal_rep_name` text NOT NULL,
	`legal_rep_id_card` text NOT NULL,
	`legal_rep_phone` text NOT NULL,
	`registered_capital_wan` integer NOT NULL,
	`industry` text NOT NULL,
	`district_code` text NOT NULL,
	`status` text NOT NULL,
	`founded_on` text NOT NULL,
	`address` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `city_enterprises_district_idx` ON `city_enterprises` (`district_code`);--> statement-breakpoint
CREATE INDEX `city_enterprises_name_idx` ON `city_enterprises` (`name`);--> statement-breakpoint
CREATE TABLE `city_hospital_visits` (
	`district_code` text NOT NULL,
	`month` text NOT NULL,
	`outpatient_visits` integer NOT NULL,
	`inpatient_admissions` integer NOT NULL,
	`emergency_visits` integer NOT NULL,
	PRIMARY KEY(`district_code`, `month`)
);
--> statement-breakpoint
CREATE TABLE `city_medical_insurance` (
	`district_code` text NOT NULL,
	`month` text NOT NULL,
	`insured_persons` integer NOT NULL,
	`claims` integer NOT NULL,
	`claim_amount_fen` integer NOT NULL,
	`fund_paid_fen` integer NOT NULL,
	PRIMARY KEY(`district_code`, `month`)
);
--> statement-breakpoint
CREATE TABLE `city_road_segments` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`district_code` text NOT NULL,
	`lanes` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `city_social_security` (
	`id_card` text NOT NULL,
	`person_name` text NOT NULL,
	`employer_uscc` text NOT NULL,
	`month` text NOT NULL,
	`insurance_type` text NOT NULL,
	`base_fen` integer NOT NULL,
	`amount_fen` integer NOT NULL,
	PRIMARY KEY(`id_card`, `month`, `insurance_type`)
);
--> statement-breakpoint
CREATE INDEX `city_social_security_employer_idx` ON `city_social_security` (`employer_uscc`);--> statement-breakpoint
CREATE TABLE `city_tax_credit_ratings` (
	`uscc` text NOT NULL,
	`year` integer NOT NULL,
	`rating` text NOT NULL,
	PRIMARY KEY(`uscc`, `year`)
);
--> statement-breakpoint
CREATE TABLE `city_traffic_flows` (
	`segment_code` text NOT NULL,
	`hour_start` integer NOT NULL,
	`vehicles` integer NOT NULL,
	`avg_speed_kmh` integer NOT NULL,
	PRIMARY KEY(`segment_code`, `hour_start`)
);
