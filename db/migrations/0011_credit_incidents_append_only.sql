-- Intentionally empty (its triggers are in 0013_credit_incidents_triggers.sql). A file of comments alone fails to
-- apply ("not an error"), so it runs one statement that changes nothing.
SELECT 1;
