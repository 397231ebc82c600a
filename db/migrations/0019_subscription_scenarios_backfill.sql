-- Custom SQL migration file, put your code below! ---- ADR 0032: a subscription of before scenarios gets a scenario derived from its purpose (its statement, if any).
UPDATE `subscriptions` SET `scenario` = CASE
  WHEN `purpose` = 'public_interest' THEN coalesce(`purpose_statement`, '公益用途（场景功能上线前的订阅）')
  ELSE '产业用途（场景功能上线前的订阅）'
END WHERE `scenario` IS NULL;
