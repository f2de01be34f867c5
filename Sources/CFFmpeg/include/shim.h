#ifndef PLEURA_CFFMPEG_SHIM_H
#define PLEURA_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/mathematics.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/rational.h>
#include <libswscale/swscale.h>

// Swift cannot import FFmpeg's function-like macros; these wrap the ones Pleura needs.

static inline int pleura_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int pleura_averror_eof(void) { return AVERROR_EOF; }
static inline int pleura_averror_enomem(void) { return AVERROR(ENOMEM); }
static inline int pleura_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int64_t pleura_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline AVRational pleura_time_base_q(void) { return AV_TIME_BASE_Q; }
static inline int64_t pleura_time_base(void) { return AV_TIME_BASE; }

/// Writes FFmpeg's description of `code` into `buffer`; returns `buffer`.
static inline const char *pleura_av_strerror(int code, char *buffer, size_t size) {
  av_strerror(code, buffer, size);
  return buffer;
}

/// Silences libav*'s own stderr chatter: Pleura reports errors itself, naming the file.
static inline void pleura_av_quiet(void) { av_log_set_level(AV_LOG_QUIET); }

#endif
