# qmail, MDaemon and Merak/IceWarp queue readers, detection helpers, inventory.
libqscan_a_SOURCES += parsers/qmail.c parsers/mdaemon.c parsers/icewarp.c \
	parsers/plainmsg.c parsers/plainmsg.h
