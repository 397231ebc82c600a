CREATE TABLE `log_retention_policies` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`keep_months` integer NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`set_by_user_id` text,
	`set_by_label` text NOT NULL,
	`set_at` integer NOT NULL,
	FOREIGN KEY (`set_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `log_retention_policies_kind_idx` ON `log_retention_policies` (`kind`,`set_at`);--> statement-breakpoint
CREATE TABLE `retention_clock` (
	`id` integer PRIMARY KEY NOT NULL,
	`now_ms` integer NOT NULL
);
