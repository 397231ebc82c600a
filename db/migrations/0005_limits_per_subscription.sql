DROP INDEX `usage_events_key_subject_idx`;--> statement-breakpoint
DROP INDEX `usage_events_subscription_at_idx`;--> statement-breakpoint
CREATE INDEX `usage_events_subscription_at_idx` ON `usage_events` (`subscription_id`,`at`,`subject_hash`);--> statement-breakpoint
ALTER TABLE `plans` ADD `max_active_keys` integer DEFAULT 5 NOT NULL;