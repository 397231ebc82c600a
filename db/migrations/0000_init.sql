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
CREATE TABLE `authorizations` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`dataset_id` text NOT NULL,
	`demand_item_id` text,
	`delivery_mode` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`state` text DEFAULT 'active' NOT NULL,
	`granted_by_user_id` text,
	`ended_at` integer,
	`ended_reason` text,
	`data_deleted_at` integer,
	`rows_deleted` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`demand_item_id`) REFERENCES `demand_items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`granted_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `authorizations_code_unique` ON `authorizations` (`code`);--> statement-breakpoint
CREATE INDEX `authorizations_dataset_idx` ON `authorizations` (`dataset_id`,`state`);--> statement-breakpoint
CREATE TABLE `dataset_fields` (
	`dataset_id` text NOT NULL,
	`ordinal` integer NOT NULL,
	`name` text NOT NULL,
	`label_zh` text DEFAULT '' NOT NULL,
	`type` text NOT NULL,
	`required` integer DEFAULT false NOT NULL,
	`pi_tag` text,
	PRIMARY KEY(`dataset_id`, `name`),
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `dataset_loads` (
	`id` text PRIMARY KEY NOT NULL,
	`dataset_id` text NOT NULL,
	`mode` text NOT NULL,
	`trigger` text NOT NULL,
	`actor_label` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`state` text NOT NULL,
	`rows_total` integer DEFAULT 0 NOT NULL,
	`rows_loaded` integer DEFAULT 0 NOT NULL,
	`rows_rejected` integer DEFAULT 0 NOT NULL,
	`checksum` text,
	`file_name` text,
	`attempts` integer DEFAULT 1 NOT NULL,
	`error` text,
	`report` text,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `dataset_loads_dataset_idx` ON `dataset_loads` (`dataset_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `dataset_records` (
	`dataset_id` text NOT NULL,
	`row_no` integer NOT NULL,
	`load_id` text NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`dataset_id`, `row_no`)
);
--> statement-breakpoint
CREATE TABLE `datasets` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`registration_code` text,
	`source_unit_id` text NOT NULL,
	`name_zh` text NOT NULL,
	`name_en` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`domain` text NOT NULL,
	`level` text NOT NULL,
	`delivery_mode` text NOT NULL,
	`update_frequency` text DEFAULT 'monthly' NOT NULL,
	`store_table` text,
	`interface_url` text,
	`pull_every_minutes` integer DEFAULT 0 NOT NULL,
	`registered_by_user_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`source_unit_id`) REFERENCES `source_units`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`registered_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `datasets_code_unique` ON `datasets` (`code`);--> statement-breakpoint
CREATE UNIQUE INDEX `datasets_registration_code_unique` ON `datasets` (`registration_code`);--> statement-breakpoint
CREATE INDEX `datasets_source_unit_idx` ON `datasets` (`source_unit_id`);--> statement-breakpoint
CREATE TABLE `demand_item_transitions` (
	`id` text PRIMARY KEY NOT NULL,
	`item_id` text NOT NULL,
	`at` integer NOT NULL,
	`from_state` text NOT NULL,
	`to_state` text NOT NULL,
	`actor_id` text,
	`actor_label` text NOT NULL,
	`role` text NOT NULL,
	`comment` text,
	FOREIGN KEY (`item_id`) REFERENCES `demand_items`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `demand_item_transitions_item_idx` ON `demand_item_transitions` (`item_id`,`at`);--> statement-breakpoint
CREATE TABLE `demand_items` (
	`id` text PRIMARY KEY NOT NULL,
	`list_id` text NOT NULL,
	`dataset_id` text,
	`source_unit_id` text NOT NULL,
	`data_description` text NOT NULL,
	`retrieval_method` text NOT NULL,
	`usage_scenario` text NOT NULL,
	`requested_term_months` integer DEFAULT 12 NOT NULL,
	`state` text DEFAULT 'draft' NOT NULL,
	`bureau_comment` text,
	`granted_delivery_mode` text,
	`refusal_citation` text,
	`refusal_explanation` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`list_id`) REFERENCES `demand_lists`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`source_unit_id`) REFERENCES `source_units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `demand_items_list_idx` ON `demand_items` (`list_id`);--> statement-breakpoint
CREATE INDEX `demand_items_state_idx` ON `demand_items` (`state`,`source_unit_id`);--> statement-breakpoint
CREATE TABLE `demand_lists` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`title` text NOT NULL,
	`state` text DEFAULT 'draft' NOT NULL,
	`created_by_user_id` text,
	`submitted_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `demand_lists_code_unique` ON `demand_lists` (`code`);--> statement-breakpoint
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
	`domain` text DEFAULT 'other' NOT NULL,
	`state` text DEFAULT 'draft' NOT NULL,
	`api_path` text,
	`example_request` text,
	`example_response` text,
	`review_comment` text,
	`suspended_at` integer,
	`suspension_reason` text,
	`published_at` integer,
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
	`revoked_reason` text,
	`replaced_by_key_id` text,
	`ip_allowlist` text,
	`last_used_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_partner_idx` ON `api_keys` (`partner_id`);--> statement-breakpoint
CREATE TABLE `plans` (
	`code` text PRIMARY KEY NOT NULL,
	`name_zh` text NOT NULL,
	`name_en` text NOT NULL,
	`rate_limit_per_minute` integer NOT NULL,
	`monthly_quota` integer,
	`distinct_subjects_per_day` integer DEFAULT 1000 NOT NULL
);
--> statement-breakpoint
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
CREATE TABLE `report_exports` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`api_key_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`product_id` text NOT NULL,
	`params` text NOT NULL,
	`format` text NOT NULL,
	`state` text NOT NULL,
	`progress` integer DEFAULT 0 NOT NULL,
	`bytes` integer,
	`content` blob,
	`error` text,
	`created_at` integer NOT NULL,
	`completed_at` integer,
	`downloads` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `report_exports_partner_idx` ON `report_exports` (`partner_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`product_id` text NOT NULL,
	`purpose` text NOT NULL,
	`purpose_statement` text,
	`state` text NOT NULL,
	`plan_code` text DEFAULT 'standard' NOT NULL,
	`created_by_user_id` text,
	`decided_by_user_id` text,
	`decided_at` integer,
	`decision_comment` text,
	`ended_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
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
	`authorization_codes` text DEFAULT '' NOT NULL,
	`subject_hash` text,
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
CREATE INDEX `usage_events_subscription_at_idx` ON `usage_events` (`subscription_id`,`at`);--> statement-breakpoint
CREATE INDEX `usage_events_key_subject_idx` ON `usage_events` (`api_key_id`,`at`,`subject_hash`);--> statement-breakpoint
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
