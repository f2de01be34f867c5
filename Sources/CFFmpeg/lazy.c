// FFmpeg, loaded on first use.
//
// Linking libavformat and friends makes every `pleura` process load about 130 shared libraries
// (FFmpeg's codecs and their dependencies) before main: ~30 ms of a 50 ms start, paid by
// commands that never touch a video (status, export, import...). Instead, each FFmpeg function
// Pleura calls is defined here as a small forwarder that opens the library with dlopen on the
// first call and then jumps to the real function. The library names carry the major versions
// of the headers we compiled against, exactly what the linker would have recorded.
//
// A function missing here is a link error (nothing links FFmpeg any more), never a silent gap.
// Regenerate a line from the header's declaration when Pleura starts calling a new function.

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "shim.h"

#define PLEURA_STR(x) #x
#define PLEURA_SONAME(lib, major) "lib" lib ".so." PLEURA_STR(major)

enum pleura_ffmpeg_library { AVFORMAT, AVCODEC, SWSCALE, AVUTIL };

static void *pleura_ffmpeg_symbol(enum pleura_ffmpeg_library library, const char *name) {
  static const char *const sonames[] = {
    PLEURA_SONAME("avformat", LIBAVFORMAT_VERSION_MAJOR),
    PLEURA_SONAME("avcodec", LIBAVCODEC_VERSION_MAJOR),
    PLEURA_SONAME("swscale", LIBSWSCALE_VERSION_MAJOR),
    PLEURA_SONAME("avutil", LIBAVUTIL_VERSION_MAJOR),
  };
  static void *_Atomic handles[4];
  void *handle = atomic_load_explicit(&handles[library], memory_order_acquire);
  if (handle == NULL) {
    // dlopen is thread-safe and returns the same handle for a library already loaded.
    handle = dlopen(sonames[library], RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
      fprintf(stderr, "pleura: cannot load %s (%s); install the FFmpeg libraries (see README)\n",
              sonames[library], dlerror());
      exit(70);
    }
    atomic_store_explicit(&handles[library], handle, memory_order_release);
  }
  void *symbol = dlsym(handle, name);
  if (symbol == NULL) {
    fprintf(stderr, "pleura: %s has no %s; it does not match the headers Pleura was built with\n",
            sonames[library], name);
    exit(70);
  }
  return symbol;
}

// Defines `name` with the header's parameters; the first call resolves the real function.
#define PLEURA_LAZY(library, ret, name, params, args)                                   \
  ret name params {                                                                     \
    static __typeof__(name) *_Atomic real;                                              \
    __typeof__(name) *function = atomic_load_explicit(&real, memory_order_acquire);     \
    if (function == NULL) {                                                             \
      function = (__typeof__(name) *)pleura_ffmpeg_symbol(library, #name);              \
      atomic_store_explicit(&real, function, memory_order_release);                     \
    }                                                                                   \
    return function args;                                                               \
  }
#define PLEURA_LAZY_VOID(library, name, params, args)                                   \
  void name params {                                                                    \
    static __typeof__(name) *_Atomic real;                                              \
    __typeof__(name) *function = atomic_load_explicit(&real, memory_order_acquire);     \
    if (function == NULL) {                                                             \
      function = (__typeof__(name) *)pleura_ffmpeg_symbol(library, #name);              \
      atomic_store_explicit(&real, function, memory_order_release);                     \
    }                                                                                   \
    function args;                                                                      \
  }

PLEURA_LAZY(AVUTIL, AVRational, av_d2q, (double d, int max), (d, max))
PLEURA_LAZY(AVUTIL, int64_t, av_rescale_q, (int64_t a, AVRational bq, AVRational cq), (a, bq, cq))
PLEURA_LAZY(AVUTIL, int64_t, av_rescale_q_rnd, (int64_t a, AVRational bq, AVRational cq, enum AVRounding rnd), (a, bq, cq, rnd))
PLEURA_LAZY_VOID(AVUTIL, av_dict_free, (AVDictionary **m), (m))
PLEURA_LAZY(AVUTIL, AVDictionaryEntry *, av_dict_get, (const AVDictionary *m, const char *key, const AVDictionaryEntry *prev, int flags), (m, key, prev, flags))
PLEURA_LAZY(AVUTIL, int, av_dict_set, (AVDictionary **pm, const char *key, const char *value, int flags), (pm, key, value, flags))
PLEURA_LAZY(AVFORMAT, int, av_find_best_stream, (AVFormatContext *ic, enum AVMediaType type, int wanted_stream_nb, int related_stream, const AVCodec **decoder_ret, int flags), (ic, type, wanted_stream_nb, related_stream, decoder_ret, flags))
PLEURA_LAZY(AVUTIL, AVFrame *, av_frame_alloc, (void), ())
PLEURA_LAZY_VOID(AVUTIL, av_frame_free, (AVFrame **frame), (frame))
PLEURA_LAZY(AVUTIL, int, av_frame_get_buffer, (AVFrame *frame, int align), (frame, align))
PLEURA_LAZY(AVUTIL, int, av_frame_make_writable, (AVFrame *frame), (frame))
PLEURA_LAZY_VOID(AVUTIL, av_frame_unref, (AVFrame *frame), (frame))
PLEURA_LAZY(AVUTIL, const char *, av_get_pix_fmt_name, (enum AVPixelFormat pix_fmt), (pix_fmt))
PLEURA_LAZY(AVFORMAT, int, av_interleaved_write_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
PLEURA_LAZY_VOID(AVUTIL, av_log_set_level, (int level), (level))
PLEURA_LAZY(AVUTIL, int, av_opt_set, (void *obj, const char *name, const char *val, int search_flags), (obj, name, val, search_flags))
PLEURA_LAZY(AVCODEC, AVPacket *, av_packet_alloc, (void), ())
PLEURA_LAZY_VOID(AVCODEC, av_packet_free, (AVPacket **pkt), (pkt))
PLEURA_LAZY_VOID(AVCODEC, av_packet_rescale_ts, (AVPacket *pkt, AVRational tb_src, AVRational tb_dst), (pkt, tb_src, tb_dst))
PLEURA_LAZY_VOID(AVCODEC, av_packet_unref, (AVPacket *pkt), (pkt))
PLEURA_LAZY(AVUTIL, const AVPixFmtDescriptor *, av_pix_fmt_desc_get, (enum AVPixelFormat pix_fmt), (pix_fmt))
PLEURA_LAZY(AVFORMAT, int, av_read_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
PLEURA_LAZY(AVUTIL, int, av_reduce, (int *dst_num, int *dst_den, int64_t num, int64_t den, int64_t max), (dst_num, dst_den, num, den, max))
PLEURA_LAZY(AVUTIL, int, av_strerror, (int errnum, char *errbuf, size_t errbuf_size), (errnum, errbuf, errbuf_size))
PLEURA_LAZY(AVFORMAT, int, av_write_trailer, (AVFormatContext *s), (s))
PLEURA_LAZY(AVCODEC, AVCodecContext *, avcodec_alloc_context3, (const AVCodec *codec), (codec))
PLEURA_LAZY(AVCODEC, const AVCodec *, avcodec_find_decoder, (enum AVCodecID id), (id))
PLEURA_LAZY(AVCODEC, const AVCodec *, avcodec_find_encoder, (enum AVCodecID id), (id))
PLEURA_LAZY(AVCODEC, const AVCodec *, avcodec_find_encoder_by_name, (const char *name), (name))
PLEURA_LAZY_VOID(AVCODEC, avcodec_free_context, (AVCodecContext **avctx), (avctx))
PLEURA_LAZY(AVCODEC, const char *, avcodec_get_name, (enum AVCodecID id), (id))
PLEURA_LAZY(AVCODEC, int, avcodec_open2, (AVCodecContext *avctx, const AVCodec *codec, AVDictionary **options), (avctx, codec, options))
PLEURA_LAZY(AVCODEC, int, avcodec_parameters_copy, (AVCodecParameters *dst, const AVCodecParameters *src), (dst, src))
PLEURA_LAZY(AVCODEC, int, avcodec_parameters_from_context, (AVCodecParameters *par, const AVCodecContext *codec), (par, codec))
PLEURA_LAZY(AVCODEC, int, avcodec_parameters_to_context, (AVCodecContext *codec, const AVCodecParameters *par), (codec, par))
PLEURA_LAZY(AVCODEC, int, avcodec_receive_frame, (AVCodecContext *avctx, AVFrame *frame), (avctx, frame))
PLEURA_LAZY(AVCODEC, int, avcodec_receive_packet, (AVCodecContext *avctx, AVPacket *avpkt), (avctx, avpkt))
PLEURA_LAZY(AVCODEC, int, avcodec_send_frame, (AVCodecContext *avctx, const AVFrame *frame), (avctx, frame))
PLEURA_LAZY(AVCODEC, int, avcodec_send_packet, (AVCodecContext *avctx, const AVPacket *avpkt), (avctx, avpkt))
PLEURA_LAZY(AVFORMAT, int, avformat_alloc_output_context2, (AVFormatContext **ctx, const AVOutputFormat *oformat, const char *format_name, const char *filename), (ctx, oformat, format_name, filename))
PLEURA_LAZY_VOID(AVFORMAT, avformat_close_input, (AVFormatContext **s), (s))
PLEURA_LAZY(AVFORMAT, int, avformat_find_stream_info, (AVFormatContext *ic, AVDictionary **options), (ic, options))
PLEURA_LAZY_VOID(AVFORMAT, avformat_free_context, (AVFormatContext *s), (s))
PLEURA_LAZY(AVFORMAT, AVStream *, avformat_new_stream, (AVFormatContext *s, const AVCodec *c), (s, c))
PLEURA_LAZY(AVFORMAT, int, avformat_open_input, (AVFormatContext **ps, const char *url, const AVInputFormat *fmt, AVDictionary **options), (ps, url, fmt, options))
PLEURA_LAZY(AVFORMAT, int, avformat_write_header, (AVFormatContext *s, AVDictionary **options), (s, options))
PLEURA_LAZY(AVFORMAT, int, avio_closep, (AVIOContext **s), (s))
PLEURA_LAZY(AVFORMAT, int, avio_open, (AVIOContext **s, const char *url, int flags), (s, url, flags))
PLEURA_LAZY_VOID(SWSCALE, sws_freeContext, (struct SwsContext *swsContext), (swsContext))
PLEURA_LAZY(SWSCALE, struct SwsContext *, sws_getContext, (int srcW, int srcH, enum AVPixelFormat srcFormat, int dstW, int dstH, enum AVPixelFormat dstFormat, int flags, SwsFilter *srcFilter, SwsFilter *dstFilter, const double *param), (srcW, srcH, srcFormat, dstW, dstH, dstFormat, flags, srcFilter, dstFilter, param))
PLEURA_LAZY(SWSCALE, int, sws_scale, (struct SwsContext *c, const uint8_t *const srcSlice[], const int srcStride[], int srcSliceY, int srcSliceH, uint8_t *const dst[], const int dstStride[]), (c, srcSlice, srcStride, srcSliceY, srcSliceH, dst, dstStride))
