-- t/data/reports/fixture.sql: rows for the 70xx-72xx report tests,
-- loaded after db/schema.sql. The tests run with now = 2026-11-22
-- 12:00:00 UTC, so `stats` covers 2026-11-16..22 and the default block
-- window 2026-11-20..22. Expected values are in the *.ref files.
PRAGMA user_version = 1;

INSERT INTO runs (id, started, finished, queue_root, format, action, options,
	scanned, relay, legit, unsure, errors, acted, elapsed_s) VALUES
 (1, 1794279600, 1794279601, '/var/spool/postfix', 'postfix', 'quarantine', 'qscan --yes', 1, 1, 0, 0, 0, 1, 0.5),
 (2, 1795143600, 1795143601, '/var/spool/postfix', 'postfix', 'quarantine', 'qscan --yes', 4, 2, 1, 1, 0, 2, 0.25),
 (3, 1795230000, 1795230002, '/var/spool/postfix', 'postfix', 'quarantine', 'qscan --yes', 5, 3, 1, 1, 0, 3, 1.75),
 (4, 1795316400, NULL, '/q/<script>alert(1)</script>&"x"', 'qmail', 'delete', NULL, 3, 2, 0, 1, 1, 0, NULL);

INSERT INTO messages (run_id, queue_id, queue, arrival, day, verdict, reasons,
	origin_ip, auth_user, sender_domain, action) VALUES
 (1, 'OLD1', 'deferred', 1794270000, '2026-11-10', 'relay', 'open-relay', '192.0.2.200', NULL, 'old.example', 'quarantined'),
 (2, 'A1', 'deferred', 1795140000, '2026-11-20', 'relay', 'open-relay', '203.0.113.7', NULL, 'spam.example', 'quarantined'),
 (2, 'A2', 'deferred', 1795140001, '2026-11-20', 'relay', 'auth-abuse', '203.0.113.7', 'webmaster', 'spam.example', 'none'),
 (2, 'A3', 'deferred', 1795140002, '2026-11-20', 'legit', 'local-recipient', '198.51.100.9', NULL, 'partner.example', 'none'),
 (2, 'A4', 'deferred', 1795050000, '2026-11-19', 'unsure', 'bounce', NULL, NULL, NULL, 'none'),
 -- seen again by run 3: counted once, with the first verdict
 (3, 'A1', 'deferred', 1795140000, '2026-11-20', 'relay', 'open-relay', '203.0.113.7', NULL, 'spam.example', 'quarantined'),
 (3, 'A2', 'deferred', 1795140001, '2026-11-20', 'unsure', 'no-rule', '203.0.113.7', 'webmaster', 'spam.example', 'none'),
 (3, 'B1', 'active', 1795226400, '2026-11-21', 'relay', 'auth-abuse', '2001:db8::7', 'webmaster', 'spam.example', 'quarantined'),
 (3, 'B2', 'deferred', 1795226401, '2026-11-21', 'relay', 'open-relay', '203.0.113.7', NULL, 'evil<b>.example', 'quarantined'),
 (3, 'B3', 'deferred', 1795226402, '2026-11-21', 'legit', 'authenticated', NULL, 'alice', 'example.com', 'none'),
 (4, 'C1', 'mess/1', 1795312800, '2026-11-22', 'relay', 'auth-abuse', '203.0.113.8', 'admin"<x>', 'spam.example', 'deleted'),
 (4, 'C2', 'mess/2', 1795312801, '2026-11-22', 'relay', 'open-relay', '203.0.113.7', NULL, 'spam.example', 'failed'),
 (4, 'C3', 'mess/3', NULL, '2026-11-22', 'unsure', 'no-rule', NULL, NULL, 'example.com', 'none'),
 -- the same queue id and arrival in another queue is another message
 (4, 'A1', 'mess/4', 1795140000, '2026-11-20', 'legit', 'trusted-network', '127.0.0.1', NULL, 'example.com', 'none');

INSERT INTO ip_counts (day, ip, verdict, count) VALUES
 ('2026-11-10', '192.0.2.200', 'relay', 1000),
 ('2026-11-19', '203.0.113.7', 'relay', 100),
 ('2026-11-20', '203.0.113.7', 'relay', 10),
 ('2026-11-21', '203.0.113.7', 'relay', 8),
 ('2026-11-22', '203.0.113.7', 'relay', 7),
 ('2026-11-22', '203.0.113.7', 'unsure', 1),
 ('2026-11-21', '198.51.100.9', 'relay', 19),
 ('2026-11-21', '198.51.100.9', 'legit', 3),
 ('2026-11-21', '2001:DB8::7', 'relay', 15),
 ('2026-11-22', '2001:db8::7', 'relay', 5),
 ('2026-11-22', '127.0.0.1', 'relay', 100),
 ('2026-11-22', '::ffff:192.0.2.99', 'relay', 20),
 ('2026-11-22', 'not-an-ip<x>', 'relay', 50),
 ('2026-11-21', '10.1.1.1', 'relay', 40),
 ('2026-11-22', '2001:db8:ffff::1', 'relay', 22),
 ('2026-11-20', '192.0.2.5', 'relay', 20),
 ('2026-11-21', '9.9.9.9', 'relay', 21),
 ('2026-11-22', '203.0.113.8', 'relay', 1),
 ('2026-11-23', '203.0.113.9', 'relay', 500);
