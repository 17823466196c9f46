# SQLite, quarantine, delete, hold, restore (the store work).
libqscan_a_SOURCES += db/db.c db/db.h db/db-int.h db/runs.c db/journal.c db/journal.h \
	qscan/act.c qscan/act.h qscan/act-actor.h qscan/act_flight.c
EXTRA_DIST += db/schema.sql

# db/schema.sql is embedded in the binary as a C string literal.
db/schema-sql.h: $(top_srcdir)/db/schema.sql
	$(AM_V_GEN)$(MKDIR_P) db && sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' \
		$(top_srcdir)/db/schema.sql > $@.tmp && mv $@.tmp $@
db/db.$(OBJEXT): db/schema-sql.h
CLEANFILES += db/schema-sql.h
libqscan_a_SOURCES += qscan/act-int.h qscan/act_postfix.c qscan/act_qmail.c qscan/move.c \
	qscan/reconcile.c qscan/store.c
libqscan_a_SOURCES += qscan/quarantine.c qscan/quarantine.h qscan/quarantine_act.c

check_PROGRAMS += t/5001-db-schema t/5002-db-counts
t_5001_db_schema_SOURCES = t/5001-db-schema.c
t_5001_db_schema_LDADD = $(T_LIBS)
t_5002_db_counts_SOURCES = t/5002-db-counts.c
t_5002_db_counts_LDADD = $(T_LIBS)
TESTS += t/5001-db-schema t/5002-db-counts

check_PROGRAMS += t/6001-act-quarantine
t_6001_act_quarantine_SOURCES = t/6001-act-quarantine.c t/storeutil.c t/storeutil.h
t_6001_act_quarantine_LDADD = $(T_LIBS)
TESTS += t/6001-act-quarantine
check_PROGRAMS += t/6003-act-lock
t_6003_act_lock_SOURCES = t/6003-act-lock.c t/storeutil.c t/storeutil.h
t_6003_act_lock_LDADD = $(T_LIBS)
TESTS += t/6003-act-lock
check_PROGRAMS += t/6002-act-crash
t_6002_act_crash_SOURCES = t/6002-act-crash.c t/storeutil.c t/storeutil.h
t_6002_act_crash_LDADD = $(T_LIBS)
TESTS += t/6002-act-crash
check_PROGRAMS += t/6004-act-qmail-live
t_6004_act_qmail_live_SOURCES = t/6004-act-qmail-live.c t/storeutil.c t/storeutil.h
t_6004_act_qmail_live_LDADD = $(T_LIBS)
TESTS += t/6004-act-qmail-live
check_PROGRAMS += t/6005-act-postsuper
t_6005_act_postsuper_SOURCES = t/6005-act-postsuper.c t/storeutil.c t/storeutil.h
t_6005_act_postsuper_LDADD = $(T_LIBS)
TESTS += t/6005-act-postsuper
check_PROGRAMS += t/6006-act-fixtures
t_6006_act_fixtures_SOURCES = t/6006-act-fixtures.c t/storeutil.c t/storeutil.h
t_6006_act_fixtures_LDADD = $(T_LIBS)
TESTS += t/6006-act-fixtures
check_PROGRAMS += t/6007-act-order
t_6007_act_order_SOURCES = t/6007-act-order.c t/storeutil.c t/storeutil.h
t_6007_act_order_LDADD = $(T_LIBS)
TESTS += t/6007-act-order
check_PROGRAMS += t/6008-act-store-layout
t_6008_act_store_layout_SOURCES = t/6008-act-store-layout.c t/storeutil.c t/storeutil.h
t_6008_act_store_layout_LDADD = $(T_LIBS)
TESTS += t/6008-act-store-layout
