-- Partner agreements (ADR 0031), the log_agreement_ends hook narrowed: while a partner has not exited its subscriptions
-- already stand for its agreements (ADR 0027: an open subscription keeps its logs); a partner whose exit was executed
-- (ADR 0033) adds one row for all of its logs, ending at the exit, so nothing of it goes before 6 months after.
DROP VIEW `log_agreement_ends`;
--> statement-breakpoint
CREATE VIEW `log_agreement_ends` AS
SELECT `partner_id`, `id` AS `subscription_id`,
  CASE `state` WHEN 'ended' THEN `ended_at` WHEN 'rejected' THEN coalesce(`decided_at`, `created_at`) ELSE NULL END AS `ends_at`
FROM `subscriptions`
UNION ALL
SELECT x.`partner_id`, NULL AS `subscription_id`, max(x.`executed_at`) AS `ends_at`
FROM `partner_exits` x
WHERE x.`state` = 'executed' AND x.`executed_at` IS NOT NULL
  AND x.`partner_id` IN (SELECT `partner_id` FROM `agreement_acceptances`)
GROUP BY x.`partner_id`;
