-- Custom SQL migration file, put your code below! --
-- ADR 0032: the table rebuild of `plans` (0017) copied the new columns from the old table, where they did not exist;
-- SQLite reads an unknown double-quoted name as a string, so an install that had plans got text in them. Repair.
UPDATE `plans` SET `version` = 1 WHERE typeof(`version`) <> 'integer';--> statement-breakpoint
UPDATE `plans` SET `allows_immediate_change` = 0 WHERE typeof(`allows_immediate_change`) <> 'integer';--> statement-breakpoint
UPDATE `plans` SET `created_by_user_id` = NULL WHERE `created_by_user_id` = 'created_by_user_id';--> statement-breakpoint
UPDATE `plans` SET `created_at` = CAST(unixepoch('subsec') * 1000 AS INTEGER) WHERE typeof(`created_at`) <> 'integer';
