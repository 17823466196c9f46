# qmail, MDaemon and Merak/IceWarp queue readers.
libqscan_a_SOURCES += parsers/qmail.c parsers/mdaemon.c parsers/icewarp.c
