-- Partner agreements (ADR 0031): an acceptance is a signed record, never rewritten nor removed.
CREATE TRIGGER `agreement_acceptances_no_update` BEFORE UPDATE ON `agreement_acceptances`
BEGIN SELECT RAISE(ABORT, 'agreement_acceptances is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `agreement_acceptances_no_delete` BEFORE DELETE ON `agreement_acceptances`
BEGIN SELECT RAISE(ABORT, 'agreement_acceptances is append-only'); END;
--> statement-breakpoint
-- The hook of ADR 0027: a partner's signed agreements concern every log of the partner (null subscription) and end
-- when its exit is executed (ADR 0033); null while it has not exited (its logs are kept).
DROP VIEW `log_agreement_ends`;
--> statement-breakpoint
CREATE VIEW `log_agreement_ends` AS
SELECT `partner_id`, `id` AS `subscription_id`,
  CASE `state` WHEN 'ended' THEN `ended_at` WHEN 'rejected' THEN coalesce(`decided_at`, `created_at`) ELSE NULL END AS `ends_at`
FROM `subscriptions`
UNION ALL
SELECT a.`partner_id`, NULL AS `subscription_id`,
  (SELECT max(x.`executed_at`) FROM `partner_exits` x WHERE x.`partner_id` = a.`partner_id` AND x.`state` = 'executed') AS `ends_at`
FROM (SELECT DISTINCT `partner_id` FROM `agreement_acceptances`) a;
