-- t/data/reports/empty.sql: a qscan database with no rows yet
PRAGMA user_version = 1;
