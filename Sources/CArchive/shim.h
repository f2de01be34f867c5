#ifndef PLEURA_CARCHIVE_SHIM_H
#define PLEURA_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>

// Swift cannot import libarchive's file-type macros; these wrap the ones Pleura checks.
static inline unsigned int pleura_ae_ifreg(void) { return AE_IFREG; }
static inline unsigned int pleura_ae_ifdir(void) { return AE_IFDIR; }
static inline unsigned int pleura_ae_iflnk(void) { return AE_IFLNK; }
static inline unsigned int pleura_ae_ifchr(void) { return AE_IFCHR; }
static inline unsigned int pleura_ae_ifblk(void) { return AE_IFBLK; }
static inline unsigned int pleura_ae_ififo(void) { return AE_IFIFO; }
static inline unsigned int pleura_ae_ifsock(void) { return AE_IFSOCK; }
static inline int pleura_archive_fatal(void) { return ARCHIVE_FATAL; }
static inline int pleura_archive_failed(void) { return ARCHIVE_FAILED; }
static inline int pleura_archive_retry(void) { return ARCHIVE_RETRY; }
static inline int pleura_archive_ok(void) { return ARCHIVE_OK; }
static inline int pleura_archive_eof(void) { return ARCHIVE_EOF; }
static inline int pleura_archive_warn(void) { return ARCHIVE_WARN; }

// Extracted bundle files are fsynced before they become blobs. Linux's sync_file_range starts
// their writeback early (without waiting); glibc declares it only under _GNU_SOURCE, which the
// Swift Glibc module is not built with. Elsewhere this does nothing and the fsync does the work.
#ifdef __linux__
int sync_file_range(int fd, long offset, long count, unsigned int flags);
static inline void pleura_start_writeback(int fd) { (void)sync_file_range(fd, 0, 0, 2 /* SYNC_FILE_RANGE_WRITE */); }
#else
static inline void pleura_start_writeback(int fd) { (void)fd; }
#endif
#endif
