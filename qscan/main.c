/* main.c - PLACEHOLDER: replaced by the real command line and pipeline. */
#include "config.h"
#include <stdio.h>

int main(int argc, char **argv)
{
	fprintf(stderr, "qscan: not built yet\n");
	return 2;
}
