CREATE TABLE `dataset_gradings` (
	`id` text PRIMARY KEY NOT NULL,
	`dataset_id` text NOT NULL,
	`kind` text NOT NULL,
	`level` text NOT NULL,
	`previous_level` text,
	`usage_requirements` text,
	`note` text,
	`suspended_products` text,
	`actor_id` text,
	`actor_label` text NOT NULL,
	`role` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `dataset_gradings_dataset_idx` ON `dataset_gradings` (`dataset_id`,`at`);--> statement-breakpoint
ALTER TABLE `product_datasets` ADD `output_kind` text;--> statement-breakpoint
-- The personal-data floor (ADR 0037): a dataset with any field tagged as personal information is never graded below
-- L2. The domain operations refuse it with `personal_data_below_l2`; these triggers hold it whoever writes. Rows graded
-- L1 before this migration are lifted, with an audit entry, by catalog/grading/apply-personal-data-floor.ts at start.
CREATE TRIGGER `datasets_personal_floor_insert` BEFORE INSERT ON `datasets`
WHEN NEW.`level` = 'L1' AND EXISTS (SELECT 1 FROM `dataset_fields` f WHERE f.`dataset_id` = NEW.`id` AND f.`pi_tag` IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'personal_data_below_l2'); END;--> statement-breakpoint
CREATE TRIGGER `datasets_personal_floor_update` BEFORE UPDATE OF `level` ON `datasets`
WHEN NEW.`level` = 'L1' AND EXISTS (SELECT 1 FROM `dataset_fields` f WHERE f.`dataset_id` = NEW.`id` AND f.`pi_tag` IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'personal_data_below_l2'); END;--> statement-breakpoint
CREATE TRIGGER `dataset_fields_personal_floor_insert` BEFORE INSERT ON `dataset_fields`
WHEN NEW.`pi_tag` IS NOT NULL AND (SELECT d.`level` FROM `datasets` d WHERE d.`id` = NEW.`dataset_id`) = 'L1'
BEGIN SELECT RAISE(ABORT, 'personal_data_below_l2'); END;--> statement-breakpoint
CREATE TRIGGER `dataset_fields_personal_floor_update` BEFORE UPDATE OF `pi_tag`, `dataset_id` ON `dataset_fields`
WHEN NEW.`pi_tag` IS NOT NULL AND (SELECT d.`level` FROM `datasets` d WHERE d.`id` = NEW.`dataset_id`) = 'L1'
BEGIN SELECT RAISE(ABORT, 'personal_data_below_l2'); END;--> statement-breakpoint
-- The grading history is never edited or deleted.
CREATE TRIGGER `dataset_gradings_no_update` BEFORE UPDATE ON `dataset_gradings`
BEGIN SELECT RAISE(ABORT, 'dataset_gradings is append-only'); END;--> statement-breakpoint
CREATE TRIGGER `dataset_gradings_no_delete` BEFORE DELETE ON `dataset_gradings`
BEGIN SELECT RAISE(ABORT, 'dataset_gradings is append-only'); END;--> statement-breakpoint
-- The seeded credit profile lets out only a verdict over the tax ratings (its form, a service, would say records).
UPDATE `product_datasets` SET `output_kind` = 'verdict'
WHERE `product_id` IN (SELECT `id` FROM `products` WHERE `code` = 'enterprise-credit-profile')
  AND `dataset_id` IN (SELECT `id` FROM `datasets` WHERE `code` = 'DS-SW-0001');
