DROP INDEX `partner_applications_id_number_idx`;--> statement-breakpoint
ALTER TABLE `partner_applications` ADD `id_number_bidx` text;--> statement-breakpoint
CREATE INDEX `partner_applications_id_number_bidx_idx` ON `partner_applications` (`id_number_bidx`);