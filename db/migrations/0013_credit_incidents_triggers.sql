-- Credit records and incident timelines are append-only (Art. 28, Art. 13): a record is withdrawn only by a later
-- revocation record, an incident entry is corrected only by a later entry.
CREATE TRIGGER `credit_records_append_only_update` BEFORE UPDATE ON `credit_records`
BEGIN SELECT RAISE(ABORT, 'credit_records is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `credit_records_append_only_delete` BEFORE DELETE ON `credit_records`
BEGIN SELECT RAISE(ABORT, 'credit_records is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `incident_entries_append_only_update` BEFORE UPDATE ON `incident_entries`
BEGIN SELECT RAISE(ABORT, 'incident_entries is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `incident_entries_append_only_delete` BEFORE DELETE ON `incident_entries`
BEGIN SELECT RAISE(ABORT, 'incident_entries is append-only'); END;
