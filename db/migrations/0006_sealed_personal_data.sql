-- Personal data sealed at rest (docs/decisions/0019-sm4-personal-data-at-rest.md). Rows stored in clear by earlier
-- versions keep their values here and get placeholder indexes ('' and 'plain:<id>', unique like the old key);
-- `npm run platform -- crypto:rotate-key` seals them and computes their blind indexes.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_city_social_security` (
	`id_card` text NOT NULL,
	`id_card_bidx` text NOT NULL,
	`person_name` text NOT NULL,
	`employer_uscc` text NOT NULL,
	`month` text NOT NULL,
	`insurance_type` text NOT NULL,
	`base_fen` integer NOT NULL,
	`amount_fen` integer NOT NULL,
	PRIMARY KEY(`id_card_bidx`, `month`, `insurance_type`)
);
--> statement-breakpoint
INSERT INTO `__new_city_social_security`("id_card", "id_card_bidx", "person_name", "employer_uscc", "month", "insurance_type", "base_fen", "amount_fen") SELECT "id_card", 'plain:' || "id_card", "person_name", "employer_uscc", "month", "insurance_type", "base_fen", "amount_fen" FROM `city_social_security`;--> statement-breakpoint
DROP TABLE `city_social_security`;--> statement-breakpoint
ALTER TABLE `__new_city_social_security` RENAME TO `city_social_security`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `city_social_security_employer_idx` ON `city_social_security` (`employer_uscc`);--> statement-breakpoint
ALTER TABLE `city_enterprises` ADD `legal_rep_name_bidx` text NOT NULL DEFAULT '';--> statement-breakpoint
ALTER TABLE `city_enterprises` ADD `legal_rep_id_card_bidx` text NOT NULL DEFAULT '';