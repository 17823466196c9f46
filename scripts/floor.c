/*
 * floor - the I/O floor that qscan's speed is measured against.
 *
 *   floor DIR...
 *
 * One thread walks each DIR (readdir, d_type; no stat unless the file
 * system does not report types), and for every regular file does the
 * least a queue scanner must do: open, read the first 16 KiB, close.
 * No parsing.  Prints "files N bytes B seconds S".  Symlinks are not
 * followed (O_NOFOLLOW); FIFOs and sockets are skipped.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READ_SIZE (16 * 1024)

static unsigned long files;
static unsigned long long bytes;
static int noatime = O_NOATIME;
static char buf[READ_SIZE];

static void
read_one(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | noatime);
	ssize_t n;

	if (fd < 0 && errno == EPERM && noatime) {	/* not the owner */
		noatime = 0;
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return;		/* vanished or unreadable: a scanner moves on */
	if ((n = read(fd, buf, sizeof(buf))) > 0)
		bytes += (unsigned long long) n;
	files++;
	close(fd);
}

static void
walk(int dirfd, int depth)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;

	if (d == NULL) {
		close(dirfd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		unsigned char type = e->d_type;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (type == DT_UNKNOWN) {
			struct stat st;

			if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		if (type == DT_REG) {
			read_one(dirfd, e->d_name);
		} else if (type == DT_DIR && depth < 16) {
			int fd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (fd >= 0)
				walk(fd, depth + 1);
		}
	}
	closedir(d);
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;

	if (argc < 2) {
		fputs("usage: floor DIR...\n", stderr);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0) {
			fprintf(stderr, "floor: cannot open directory %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		walk(fd, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("files %lu bytes %llu seconds %.4f\n", files, bytes,
	       (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
