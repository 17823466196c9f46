# Postfix queue reader.
libqscan_a_SOURCES += parsers/postfix.c
