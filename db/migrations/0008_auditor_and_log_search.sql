ALTER TABLE `users` ADD `access_expires_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `organization` text;--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `audit_log_request_idx` ON `audit_log` (`request_id`);--> statement-breakpoint
CREATE INDEX `audit_log_object_idx` ON `audit_log` (`object_id`,`at`);--> statement-breakpoint
CREATE INDEX `dataset_loads_started_idx` ON `dataset_loads` (`started_at`);--> statement-breakpoint
CREATE INDEX `rejected_calls_request_idx` ON `rejected_calls` (`request_id`);--> statement-breakpoint
CREATE INDEX `rejected_calls_key_at_idx` ON `rejected_calls` (`api_key_id`,`at`);--> statement-breakpoint
CREATE INDEX `report_exports_created_idx` ON `report_exports` (`created_at`);--> statement-breakpoint
CREATE INDEX `report_exports_product_idx` ON `report_exports` (`product_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `usage_events_request_idx` ON `usage_events` (`request_id`);