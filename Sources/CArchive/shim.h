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
#endif
