# crossfmt: the same corpus message in every queue format must get the
# same verdict; the corpus through a real Postfix must give the golden one.
check_PROGRAMS += t/qwrite-tool
t_qwrite_tool_SOURCES = t/qwrite-tool.c t/lib/qwrite.c t/lib/qwrite.h
t_qwrite_tool_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/t
t_qwrite_tool_LDADD = $(GLIB_LIBS)
dist_check_SCRIPTS += t/9101-crossfmt-verdicts.sh t/9102-crossfmt-real-postfix.sh \
	t/lib/crossfmt-compare.py t/lib/crossfmt-inject.py
TESTS += t/9101-crossfmt-verdicts.sh t/9102-crossfmt-real-postfix.sh
EXTRA_DIST += t/data/crossfmt/README t/data/crossfmt/format-expect.txt \
	t/data/crossfmt/known-issues.txt
