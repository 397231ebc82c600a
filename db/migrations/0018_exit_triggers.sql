CREATE TRIGGER `destruction_records_no_update` BEFORE UPDATE ON `destruction_records` BEGIN SELECT RAISE(ABORT, 'log_retention: destruction records are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `destruction_records_no_delete` BEFORE DELETE ON `destruction_records` BEGIN SELECT RAISE(ABORT, 'log_retention: destruction records are append-only'); END;
