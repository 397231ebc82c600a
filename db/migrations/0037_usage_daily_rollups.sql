CREATE TABLE `usage_daily_rollups` (
	`day` integer NOT NULL,
	`ctx` integer NOT NULL,
	`events` integer NOT NULL,
	`calls` integer NOT NULL,
	`records` integer NOT NULL,
	`fields_masked` integer NOT NULL,
	`bytes_out` integer NOT NULL,
	`compute_ms` integer NOT NULL,
	`export_bytes` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `usage_daily_rollups_key_idx` ON `usage_daily_rollups` (`day`,`ctx`);--> statement-breakpoint
CREATE TABLE `usage_late_events` (
	`seq` integer PRIMARY KEY NOT NULL
);
