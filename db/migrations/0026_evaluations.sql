CREATE TABLE `evaluation_criteria` (
	`scheme_id` text NOT NULL,
	`key` text NOT NULL,
	`ordinal` integer NOT NULL,
	`name_zh` text NOT NULL,
	`name_en` text NOT NULL,
	`weight` integer NOT NULL,
	`measures` text DEFAULT '' NOT NULL,
	PRIMARY KEY(`scheme_id`, `key`),
	FOREIGN KEY (`scheme_id`) REFERENCES `evaluation_schemes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `evaluation_evidence` (
	`id` text PRIMARY KEY NOT NULL,
	`subject_id` text NOT NULL,
	`file_name` text NOT NULL,
	`media_type` text NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`uploaded_by_user_id` text,
	`uploaded_by_label` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`subject_id`) REFERENCES `evaluation_subjects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`uploaded_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `evaluation_evidence_subject_idx` ON `evaluation_evidence` (`subject_id`);--> statement-breakpoint
CREATE TABLE `evaluation_schemes` (
	`id` text PRIMARY KEY NOT NULL,
	`subject_kind` text NOT NULL,
	`version` integer NOT NULL,
	`pass_mark` integer NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`created_by_user_id` text,
	`created_by_label` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `evaluation_schemes_version_idx` ON `evaluation_schemes` (`subject_kind`,`version`);--> statement-breakpoint
CREATE TABLE `evaluation_subjects` (
	`id` text PRIMARY KEY NOT NULL,
	`evaluation_id` text NOT NULL,
	`kind` text NOT NULL,
	`source_unit_id` text,
	`partner_id` text,
	`scheme_id` text NOT NULL,
	`state` text DEFAULT 'open' NOT NULL,
	`self_assessment` text,
	`submitted_at` integer,
	`submitted_by_label` text,
	`scores` text,
	`total_hundredths` integer,
	`passed` integer,
	`bureau_comment` text,
	`scored_at` integer,
	`scored_by_label` text,
	`measured` text,
	`published_at` integer,
	`published_by_label` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`evaluation_id`) REFERENCES `evaluations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`source_unit_id`) REFERENCES `source_units`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`scheme_id`) REFERENCES `evaluation_schemes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `evaluation_subjects_evaluation_idx` ON `evaluation_subjects` (`evaluation_id`,`kind`);--> statement-breakpoint
CREATE UNIQUE INDEX `evaluation_subjects_source_unit_idx` ON `evaluation_subjects` (`evaluation_id`,`source_unit_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `evaluation_subjects_partner_idx` ON `evaluation_subjects` (`evaluation_id`,`partner_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `evaluation_subjects_operator_idx` ON `evaluation_subjects` (`evaluation_id`) WHERE kind = 'operator';--> statement-breakpoint
CREATE INDEX `evaluation_subjects_su_idx` ON `evaluation_subjects` (`source_unit_id`);--> statement-breakpoint
CREATE INDEX `evaluation_subjects_partner_id_idx` ON `evaluation_subjects` (`partner_id`);--> statement-breakpoint
CREATE TABLE `evaluations` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`title` text NOT NULL,
	`period` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`deadline_on` text NOT NULL,
	`deadline_at` integer NOT NULL,
	`opened_at` integer NOT NULL,
	`opened_by_user_id` text,
	`opened_by_label` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`opened_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `evaluations_code_unique` ON `evaluations` (`code`);--> statement-breakpoint
CREATE TRIGGER `evaluation_schemes_no_update` BEFORE UPDATE ON `evaluation_schemes` BEGIN SELECT RAISE(ABORT, 'evaluation_scheme_versioned: a scheme version is never edited; create a new version'); END;
--> statement-breakpoint
CREATE TRIGGER `evaluation_schemes_no_delete` BEFORE DELETE ON `evaluation_schemes` BEGIN SELECT RAISE(ABORT, 'evaluation_scheme_versioned: a scheme version is never deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `evaluation_criteria_no_update` BEFORE UPDATE ON `evaluation_criteria` BEGIN SELECT RAISE(ABORT, 'evaluation_scheme_versioned: a scheme version is never edited; create a new version'); END;
--> statement-breakpoint
CREATE TRIGGER `evaluation_criteria_no_delete` BEFORE DELETE ON `evaluation_criteria` BEGIN SELECT RAISE(ABORT, 'evaluation_scheme_versioned: a scheme version is never deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `evaluation_subjects_published_final` BEFORE UPDATE ON `evaluation_subjects` WHEN OLD.`published_at` IS NOT NULL BEGIN SELECT RAISE(ABORT, 'evaluation_result_published: a published result is final'); END;
--> statement-breakpoint
CREATE TRIGGER `evaluation_subjects_no_delete` BEFORE DELETE ON `evaluation_subjects` BEGIN SELECT RAISE(ABORT, 'evaluation_result_kept: evaluation subjects are never deleted'); END;
