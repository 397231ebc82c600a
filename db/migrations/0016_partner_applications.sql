CREATE TABLE `partner_application_documents` (
	`id` text PRIMARY KEY NOT NULL,
	`application_id` text NOT NULL,
	`file_name` text NOT NULL,
	`media_type` text NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`application_id`) REFERENCES `partner_applications`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `partner_application_documents_app_idx` ON `partner_application_documents` (`application_id`);--> statement-breakpoint
CREATE TABLE `partner_applications` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`uscc` text,
	`id_number` text,
	`contact_name` text NOT NULL,
	`contact_phone` text NOT NULL,
	`contact_email` text NOT NULL,
	`scenarios` text NOT NULL,
	`purpose` text NOT NULL,
	`state` text DEFAULT 'submitted' NOT NULL,
	`status_token_hash` text NOT NULL,
	`address` text NOT NULL,
	`review_started_at` integer,
	`decided_at` integer,
	`decided_by_user_id` text,
	`decided_by_label` text,
	`reason` text,
	`partner_id` text,
	`invite_token_sealed` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`decided_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partner_applications_number_unique` ON `partner_applications` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `partner_applications_status_token_hash_unique` ON `partner_applications` (`status_token_hash`);--> statement-breakpoint
CREATE INDEX `partner_applications_address_idx` ON `partner_applications` (`address`,`created_at`);--> statement-breakpoint
CREATE INDEX `partner_applications_uscc_idx` ON `partner_applications` (`uscc`);--> statement-breakpoint
CREATE INDEX `partner_applications_id_number_idx` ON `partner_applications` (`id_number`);--> statement-breakpoint
CREATE TABLE `user_invites` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`application_id` text,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`application_id`) REFERENCES `partner_applications`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `user_invites_user_idx` ON `user_invites` (`user_id`);--> statement-breakpoint
CREATE TABLE `agreement_acceptances` (
	`id` text PRIMARY KEY NOT NULL,
	`version_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`user_id` text,
	`user_name` text NOT NULL,
	`accepted_at` integer NOT NULL,
	`client_address` text,
	`rendered_text` text NOT NULL,
	`hash_algorithm` text NOT NULL,
	`text_hash` text NOT NULL,
	FOREIGN KEY (`version_id`) REFERENCES `agreement_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agreement_acceptances_version_partner_idx` ON `agreement_acceptances` (`version_id`,`partner_id`);--> statement-breakpoint
CREATE INDEX `agreement_acceptances_partner_idx` ON `agreement_acceptances` (`partner_id`);--> statement-breakpoint
CREATE TABLE `agreement_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`version` integer NOT NULL,
	`title_zh` text NOT NULL,
	`title_en` text NOT NULL,
	`body_zh` text NOT NULL,
	`body_en` text NOT NULL,
	`effective_at` integer NOT NULL,
	`accept_by` integer,
	`state` text DEFAULT 'draft' NOT NULL,
	`drafted_by_user_id` text,
	`drafted_at` integer NOT NULL,
	`decided_by_user_id` text,
	`decided_at` integer,
	`decision_comment` text,
	FOREIGN KEY (`drafted_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agreement_versions_kind_version_idx` ON `agreement_versions` (`kind`,`version`);--> statement-breakpoint
CREATE INDEX `agreement_versions_state_idx` ON `agreement_versions` (`state`,`kind`,`effective_at`);