# SQLite, quarantine, delete, hold, restore, stats, block lists.
libqscan_a_SOURCES += db/db.c db/db.h qscan/act.c qscan/act.h
