-- A case timeline is append-only (issue 11, ADR 0028): its steps are never edited or removed.
CREATE TRIGGER `case_events_append_only_update` BEFORE UPDATE ON `case_events`
BEGIN SELECT RAISE(ABORT, 'append_only: case_events are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `case_events_append_only_delete` BEFORE DELETE ON `case_events`
BEGIN SELECT RAISE(ABORT, 'append_only: case_events are append-only'); END;
