CREATE TABLE `billing_closes` (
	`id` text PRIMARY KEY NOT NULL,
	`period` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`watermark` integer NOT NULL,
	`watermark_event_id` text,
	`previous_close_id` text,
	`events_rated` integer NOT NULL,
	`late_events` integer NOT NULL,
	`unpriced_events` integer NOT NULL,
	`invoice_count` integer NOT NULL,
	`closed_by_label` text NOT NULL,
	`closed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `billing_closes_period_unique` ON `billing_closes` (`period`);--> statement-breakpoint
CREATE TABLE `cost_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`period` text NOT NULL,
	`category` text NOT NULL,
	`gross_fen` integer NOT NULL,
	`subsidy_fen` integer DEFAULT 0 NOT NULL,
	`net_fen` integer NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`recorded_by_user_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`recorded_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cost_entries_period_idx` ON `cost_entries` (`period`,`category`,`created_at`);--> statement-breakpoint
CREATE TABLE `credit_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`invoice_id` text NOT NULL,
	`number_year` integer NOT NULL,
	`number_seq` integer NOT NULL,
	`number` text NOT NULL,
	`reason` text NOT NULL,
	`subtotal_fen` integer NOT NULL,
	`vat_fen` integer NOT NULL,
	`total_fen` integer NOT NULL,
	`created_by_user_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_invoice_id_unique` ON `credit_notes` (`invoice_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_number_unique` ON `credit_notes` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_number_seq_idx` ON `credit_notes` (`number_year`,`number_seq`);--> statement-breakpoint
CREATE TABLE `invoice_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`invoice_id` text NOT NULL,
	`line_no` integer NOT NULL,
	`kind` text NOT NULL,
	`subscription_id` text NOT NULL,
	`product_id` text NOT NULL,
	`charge_unit` text NOT NULL,
	`purpose` text NOT NULL,
	`usage_period` text NOT NULL,
	`window_from` integer NOT NULL,
	`window_to` integer NOT NULL,
	`price_book_id` text,
	`price_book_version` integer,
	`model` text,
	`pricing` text,
	`capped_at_ceiling` integer DEFAULT false NOT NULL,
	`events` integer NOT NULL,
	`quantity` text NOT NULL,
	`unit_price` text NOT NULL,
	`precise_fen` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`waived_fen` integer DEFAULT 0 NOT NULL,
	`unpriced` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`price_book_id`) REFERENCES `price_books`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `invoice_lines_invoice_idx` ON `invoice_lines` (`invoice_id`,`line_no`);--> statement-breakpoint
CREATE INDEX `invoice_lines_usage_idx` ON `invoice_lines` (`subscription_id`,`charge_unit`,`usage_period`);--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`close_id` text NOT NULL,
	`period` text NOT NULL,
	`state` text DEFAULT 'draft' NOT NULL,
	`number_year` integer,
	`number_seq` integer,
	`number` text,
	`vat_rate` text NOT NULL,
	`subtotal_fen` integer NOT NULL,
	`vat_fen` integer NOT NULL,
	`total_fen` integer NOT NULL,
	`waived_fen` integer NOT NULL,
	`events` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`finalized_at` integer,
	`finalized_by_user_id` text,
	`voided_at` integer,
	`paid_at` integer,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`close_id`) REFERENCES `billing_closes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`finalized_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_number_unique` ON `invoices` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_partner_period_idx` ON `invoices` (`partner_id`,`period`);--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_number_seq_idx` ON `invoices` (`number_year`,`number_seq`);--> statement-breakpoint
CREATE INDEX `invoices_period_idx` ON `invoices` (`period`);--> statement-breakpoint
CREATE TABLE `model_releases` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`product_id` text NOT NULL,
	`subscription_id` text NOT NULL,
	`purpose` text NOT NULL,
	`released_at` integer NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`recorded_by_user_id` text,
	`billed_close_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`recorded_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `model_releases_unbilled_idx` ON `model_releases` (`billed_close_id`,`released_at`);--> statement-breakpoint
CREATE TABLE `price_book_charges` (
	`price_book_id` text NOT NULL,
	`charge_unit` text NOT NULL,
	`model` text NOT NULL,
	`properties` text NOT NULL,
	PRIMARY KEY(`price_book_id`, `charge_unit`),
	FOREIGN KEY (`price_book_id`) REFERENCES `price_books`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `price_books` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`version` integer NOT NULL,
	`state` text DEFAULT 'pending_review' NOT NULL,
	`is_trial` integer DEFAULT false NOT NULL,
	`effective_from` integer NOT NULL,
	`in_force_from` integer,
	`note` text DEFAULT '' NOT NULL,
	`cost_basis` text,
	`proposed_by_user_id` text,
	`proposed_at` integer NOT NULL,
	`decided_by_user_id` text,
	`decided_at` integer,
	`review_comment` text,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`proposed_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `price_books_product_version_idx` ON `price_books` (`product_id`,`version`);--> statement-breakpoint
CREATE INDEX `price_books_state_idx` ON `price_books` (`state`,`product_id`);--> statement-breakpoint
CREATE TABLE `price_ceilings` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`charge_unit` text NOT NULL,
	`max_unit_price` text NOT NULL,
	`effective_from` integer NOT NULL,
	`basis` text DEFAULT '' NOT NULL,
	`set_by_user_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`set_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `price_ceilings_product_idx` ON `price_ceilings` (`product_id`,`charge_unit`,`effective_from`);--> statement-breakpoint
CREATE TABLE `vat_rates` (
	`id` text PRIMARY KEY NOT NULL,
	`rate` text NOT NULL,
	`effective_from` integer NOT NULL,
	`note` text,
	`set_by_user_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`set_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
-- Billing records are versioned or immutable (docs/decisions/0010-billing-rating-and-periods.md): ceilings, charges,
-- cost entries, closes, invoice lines and credit notes are never edited; a price book changes only by its decision;
-- an invoice's amounts never change, and a voided invoice never changes again.
CREATE TRIGGER `price_ceilings_immutable_update` BEFORE UPDATE ON `price_ceilings`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: price ceilings are versioned, never edited'); END;
--> statement-breakpoint
CREATE TRIGGER `price_ceilings_immutable_delete` BEFORE DELETE ON `price_ceilings`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: price ceilings are versioned, never deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `price_book_charges_immutable_update` BEFORE UPDATE ON `price_book_charges`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: price book charges are never edited'); END;
--> statement-breakpoint
CREATE TRIGGER `price_book_charges_immutable_delete` BEFORE DELETE ON `price_book_charges`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: price book charges are never deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `price_books_decided_once` BEFORE UPDATE ON `price_books`
WHEN old.`state` != 'pending_review' OR new.`product_id` != old.`product_id` OR new.`version` != old.`version`
  OR new.`effective_from` != old.`effective_from` OR new.`is_trial` != old.`is_trial`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: a price book is decided once and never edited'); END;
--> statement-breakpoint
CREATE TRIGGER `price_books_immutable_delete` BEFORE DELETE ON `price_books`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: price books are versioned, never deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `cost_entries_immutable_update` BEFORE UPDATE ON `cost_entries`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: cost entries are versioned, never edited'); END;
--> statement-breakpoint
CREATE TRIGGER `cost_entries_immutable_delete` BEFORE DELETE ON `cost_entries`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: cost entries are versioned, never deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `billing_closes_immutable_update` BEFORE UPDATE ON `billing_closes`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: a closed period is never edited'); END;
--> statement-breakpoint
CREATE TRIGGER `billing_closes_immutable_delete` BEFORE DELETE ON `billing_closes`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: a closed period is never reopened'); END;
--> statement-breakpoint
CREATE TRIGGER `invoice_lines_immutable_update` BEFORE UPDATE ON `invoice_lines`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: invoice lines are never edited'); END;
--> statement-breakpoint
CREATE TRIGGER `invoice_lines_immutable_delete` BEFORE DELETE ON `invoice_lines`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: invoice lines are never deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `invoices_immutable_delete` BEFORE DELETE ON `invoices`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: invoices are voided by a credit note, never deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `invoices_immutable_update` BEFORE UPDATE ON `invoices`
WHEN old.`state` = 'voided'
  OR new.`subtotal_fen` != old.`subtotal_fen` OR new.`vat_fen` != old.`vat_fen` OR new.`total_fen` != old.`total_fen`
  OR new.`waived_fen` != old.`waived_fen` OR new.`vat_rate` != old.`vat_rate` OR new.`partner_id` != old.`partner_id`
  OR new.`period` != old.`period` OR new.`close_id` != old.`close_id`
  OR (old.`state` = 'finalized' AND (new.`state` NOT IN ('finalized', 'voided') OR new.`number` IS NOT old.`number`
    OR new.`finalized_at` IS NOT old.`finalized_at`))
  OR (old.`state` = 'draft' AND new.`state` = 'voided')
BEGIN SELECT RAISE(ABORT, 'billing_immutable: a finalized invoice is immutable; it is voided only by a credit note'); END;
--> statement-breakpoint
CREATE TRIGGER `credit_notes_immutable_update` BEFORE UPDATE ON `credit_notes`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: credit notes are never edited'); END;
--> statement-breakpoint
CREATE TRIGGER `credit_notes_immutable_delete` BEFORE DELETE ON `credit_notes`
BEGIN SELECT RAISE(ABORT, 'billing_immutable: credit notes are never deleted'); END;
