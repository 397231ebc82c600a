CREATE TABLE `rejected_call_buckets` (
	`minute` integer NOT NULL,
	`code` text NOT NULL,
	`status` integer NOT NULL,
	`address_prefix` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`minute`, `code`, `address_prefix`)
);
