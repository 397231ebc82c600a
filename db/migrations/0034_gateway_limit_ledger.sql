CREATE TABLE `gateway_limit_ledger` (
	`kind` text NOT NULL,
	`subscription_id` text NOT NULL,
	`period` integer NOT NULL,
	`taken` integer NOT NULL,
	`granted` integer DEFAULT 0 NOT NULL,
	`taken_before` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`kind`, `subscription_id`, `period`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `gateway_subject_days` (
	`subscription_id` text NOT NULL,
	`day` integer NOT NULL,
	`subject_hash` text NOT NULL,
	PRIMARY KEY(`subscription_id`, `day`, `subject_hash`)
) WITHOUT ROWID;
