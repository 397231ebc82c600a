CREATE TABLE `sandbox_export_downloads` (
	`id` text PRIMARY KEY NOT NULL,
	`export_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`downloaded_by` text NOT NULL,
	`request_id` text,
	`at` integer NOT NULL,
	`bytes` integer NOT NULL,
	`fingerprint` text NOT NULL,
	`sha256` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sandbox_export_downloads_export_idx` ON `sandbox_export_downloads` (`export_id`,`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `sandbox_export_downloads_fingerprint_idx` ON `sandbox_export_downloads` (`fingerprint`);