-- Logs are kept (Art. 17, 24): the audit trail is append-only, and no log younger than 180 days can be deleted,
-- whoever asks (the application, the CLI or a hand-typed DELETE). See docs/decisions/0007-log-retention.md.
CREATE TRIGGER `audit_log_append_only_update` BEFORE UPDATE ON `audit_log`
BEGIN SELECT RAISE(ABORT, 'log_retention: audit_log is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_append_only_delete` BEFORE DELETE ON `audit_log`
BEGIN SELECT RAISE(ABORT, 'log_retention: audit_log is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `usage_events_append_only_update` BEFORE UPDATE ON `usage_events`
BEGIN SELECT RAISE(ABORT, 'log_retention: usage_events are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `usage_events_retention` BEFORE DELETE ON `usage_events`
WHEN old.`at` > (CAST(strftime('%s', 'now') AS INTEGER) - 180 * 86400) * 1000
BEGIN SELECT RAISE(ABORT, 'log_retention: usage events younger than 180 days cannot be deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `rejected_calls_retention` BEFORE DELETE ON `rejected_calls`
WHEN old.`at` > (CAST(strftime('%s', 'now') AS INTEGER) - 180 * 86400) * 1000
BEGIN SELECT RAISE(ABORT, 'log_retention: rejected-call logs younger than 180 days cannot be deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `dataset_loads_retention` BEFORE DELETE ON `dataset_loads`
WHEN old.`started_at` > (CAST(strftime('%s', 'now') AS INTEGER) - 180 * 86400) * 1000
BEGIN SELECT RAISE(ABORT, 'log_retention: load logs younger than 180 days cannot be deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `demand_item_transitions_append_only` BEFORE DELETE ON `demand_item_transitions`
BEGIN SELECT RAISE(ABORT, 'log_retention: demand-item transitions are append-only'); END;
