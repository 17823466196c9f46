/*
 * standalone.c - a main() for the fuzz targets without libFuzzer: runs
 * LLVMFuzzerTestOneInput on every file named on the command line (or on
 * stdin when there is none), which is what afl-clang-fast / afl-fuzz
 * ("@@" or stdin) and a plain gcc/clang build need. Directories are
 * read one level deep.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static int run_stream(FILE *f, const char *name)
{
	size_t cap = 1 << 16, len = 0, r;
	uint8_t *buf = malloc(cap);

	if (!buf)
		return -1;
	while ((r = fread(buf + len, 1, cap - len, f)) > 0) {
		len += r;
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				return -1;
			}
			buf = nb;
		}
	}
	if (ferror(f)) {
		perror(name);
		free(buf);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int run_path(const char *path, int depth)
{
	struct stat st;
	FILE *f;
	int rc;

	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (S_ISDIR(st.st_mode) && depth == 0) {
		DIR *d = opendir(path);
		struct dirent *de;
		rc = 0;
		if (!d) {
			perror(path);
			return -1;
		}
		while ((de = readdir(d))) {
			char sub[4096];
			if (de->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
			rc |= run_path(sub, 1);
		}
		closedir(d);
		return rc;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	rc = run_stream(f, path);
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2)
		return run_stream(stdin, "stdin") < 0;
	for (int i = 1; i < argc; i++)
		rc |= run_path(argv[i], 0) < 0;
	return rc;
}
