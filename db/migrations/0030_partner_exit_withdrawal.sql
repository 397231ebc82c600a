ALTER TABLE `partner_exits` ADD `withdrawn_at` integer;--> statement-breakpoint
ALTER TABLE `partner_exits` ADD `withdrawn_by_label` text;--> statement-breakpoint
ALTER TABLE `partner_exits` ADD `withdraw_reason` text;