CREATE TABLE `reapply_rule_settings` (
	`id` text PRIMARY KEY NOT NULL,
	`months_by_kind` text NOT NULL,
	`set_at` integer NOT NULL,
	`set_by_user_id` text,
	`set_by_label` text NOT NULL,
	FOREIGN KEY (`set_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
