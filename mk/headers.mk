# Received-chain parser.
libqscan_a_SOURCES += qscan/received.c qscan/received.h
