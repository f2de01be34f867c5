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

#include <stdatomic.h>

#include "lazy_library.h"
#include "shim.h"

#define PLEURA_STR(x) #x
#define PLEURA_SONAME(lib, major) "lib" lib ".so." PLEURA_STR(major)
#define PLEURA_FFMPEG(lib, major) {PLEURA_SONAME(lib, major), "install the FFmpeg libraries (see README)", NULL, NULL}

static struct pleura_lazy_library avformat = PLEURA_FFMPEG("avformat", LIBAVFORMAT_VERSION_MAJOR);
static struct pleura_lazy_library avcodec = PLEURA_FFMPEG("avcodec", LIBAVCODEC_VERSION_MAJOR);
static struct pleura_lazy_library swscale = PLEURA_FFMPEG("swscale", LIBSWSCALE_VERSION_MAJOR);
static struct pleura_lazy_library avutil = PLEURA_FFMPEG("avutil", LIBAVUTIL_VERSION_MAJOR);

// Defines `name` with the header's parameters; the first call resolves the real function.
#define PLEURA_LAZY(library, ret, name, params, args) \
  ret name params {                                   \
    PLEURA_LAZY_RESOLVE(&library, name)               \
    return function args;                             \
  }
#define PLEURA_LAZY_VOID(library, name, params, args) \
  void name params {                                  \
    PLEURA_LAZY_RESOLVE(&library, name)               \
    function args;                                    \
  }

PLEURA_LAZY(avutil, AVRational, av_d2q, (double d, int max), (d, max))
PLEURA_LAZY(avutil, int64_t, av_rescale_q, (int64_t a, AVRational bq, AVRational cq), (a, bq, cq))
PLEURA_LAZY(avutil, int64_t, av_rescale_q_rnd, (int64_t a, AVRational bq, AVRational cq, enum AVRounding rnd), (a, bq, cq, rnd))
PLEURA_LAZY_VOID(avutil, av_dict_free, (AVDictionary **m), (m))
PLEURA_LAZY(avutil, AVDictionaryEntry *, av_dict_get, (const AVDictionary *m, const char *key, const AVDictionaryEntry *prev, int flags), (m, key, prev, flags))
PLEURA_LAZY(avutil, int, av_dict_set, (AVDictionary **pm, const char *key, const char *value, int flags), (pm, key, value, flags))
PLEURA_LAZY(avformat, int, av_find_best_stream, (AVFormatContext *ic, enum AVMediaType type, int wanted_stream_nb, int related_stream, const AVCodec **decoder_ret, int flags), (ic, type, wanted_stream_nb, related_stream, decoder_ret, flags))
PLEURA_LAZY(avutil, AVFrame *, av_frame_alloc, (void), ())
PLEURA_LAZY_VOID(avutil, av_frame_free, (AVFrame **frame), (frame))
PLEURA_LAZY(avutil, int, av_frame_get_buffer, (AVFrame *frame, int align), (frame, align))
PLEURA_LAZY(avutil, int, av_frame_make_writable, (AVFrame *frame), (frame))
PLEURA_LAZY_VOID(avutil, av_frame_unref, (AVFrame *frame), (frame))
PLEURA_LAZY(avutil, const char *, av_get_pix_fmt_name, (enum AVPixelFormat pix_fmt), (pix_fmt))
PLEURA_LAZY(avformat, int, av_interleaved_write_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
PLEURA_LAZY_VOID(avutil, av_log_set_level, (int level), (level))
PLEURA_LAZY(avutil, int, av_opt_set, (void *obj, const char *name, const char *val, int search_flags), (obj, name, val, search_flags))
PLEURA_LAZY(avcodec, AVPacket *, av_packet_alloc, (void), ())
PLEURA_LAZY_VOID(avcodec, av_packet_free, (AVPacket **pkt), (pkt))
PLEURA_LAZY_VOID(avcodec, av_packet_rescale_ts, (AVPacket *pkt, AVRational tb_src, AVRational tb_dst), (pkt, tb_src, tb_dst))
PLEURA_LAZY_VOID(avcodec, av_packet_unref, (AVPacket *pkt), (pkt))
PLEURA_LAZY(avutil, const AVPixFmtDescriptor *, av_pix_fmt_desc_get, (enum AVPixelFormat pix_fmt), (pix_fmt))
PLEURA_LAZY(avformat, int, av_read_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
PLEURA_LAZY(avutil, int, av_reduce, (int *dst_num, int *dst_den, int64_t num, int64_t den, int64_t max), (dst_num, dst_den, num, den, max))
PLEURA_LAZY(avutil, int, av_strerror, (int errnum, char *errbuf, size_t errbuf_size), (errnum, errbuf, errbuf_size))
PLEURA_LAZY(avformat, int, av_write_trailer, (AVFormatContext *s), (s))
PLEURA_LAZY(avcodec, AVCodecContext *, avcodec_alloc_context3, (const AVCodec *codec), (codec))
PLEURA_LAZY(avcodec, const AVCodec *, avcodec_find_decoder, (enum AVCodecID id), (id))
PLEURA_LAZY(avcodec, const AVCodec *, avcodec_find_encoder, (enum AVCodecID id), (id))
PLEURA_LAZY(avcodec, const AVCodec *, avcodec_find_encoder_by_name, (const char *name), (name))
PLEURA_LAZY_VOID(avcodec, avcodec_free_context, (AVCodecContext **avctx), (avctx))
PLEURA_LAZY(avcodec, const char *, avcodec_get_name, (enum AVCodecID id), (id))
PLEURA_LAZY(avcodec, int, avcodec_open2, (AVCodecContext *avctx, const AVCodec *codec, AVDictionary **options), (avctx, codec, options))
PLEURA_LAZY(avcodec, int, avcodec_parameters_copy, (AVCodecParameters *dst, const AVCodecParameters *src), (dst, src))
PLEURA_LAZY(avcodec, int, avcodec_parameters_from_context, (AVCodecParameters *par, const AVCodecContext *codec), (par, codec))
PLEURA_LAZY(avcodec, int, avcodec_parameters_to_context, (AVCodecContext *codec, const AVCodecParameters *par), (codec, par))
PLEURA_LAZY(avcodec, int, avcodec_receive_frame, (AVCodecContext *avctx, AVFrame *frame), (avctx, frame))
PLEURA_LAZY(avcodec, int, avcodec_receive_packet, (AVCodecContext *avctx, AVPacket *avpkt), (avctx, avpkt))
PLEURA_LAZY(avcodec, int, avcodec_send_frame, (AVCodecContext *avctx, const AVFrame *frame), (avctx, frame))
PLEURA_LAZY(avcodec, int, avcodec_send_packet, (AVCodecContext *avctx, const AVPacket *avpkt), (avctx, avpkt))
PLEURA_LAZY(avformat, int, avformat_alloc_output_context2, (AVFormatContext **ctx, const AVOutputFormat *oformat, const char *format_name, const char *filename), (ctx, oformat, format_name, filename))
PLEURA_LAZY_VOID(avformat, avformat_close_input, (AVFormatContext **s), (s))
PLEURA_LAZY(avformat, int, avformat_find_stream_info, (AVFormatContext *ic, AVDictionary **options), (ic, options))
PLEURA_LAZY_VOID(avformat, avformat_free_context, (AVFormatContext *s), (s))
PLEURA_LAZY(avformat, AVStream *, avformat_new_stream, (AVFormatContext *s, const AVCodec *c), (s, c))
PLEURA_LAZY(avformat, int, avformat_open_input, (AVFormatContext **ps, const char *url, const AVInputFormat *fmt, AVDictionary **options), (ps, url, fmt, options))
PLEURA_LAZY(avformat, int, avformat_write_header, (AVFormatContext *s, AVDictionary **options), (s, options))
PLEURA_LAZY(avformat, int, avio_closep, (AVIOContext **s), (s))
PLEURA_LAZY(avformat, int, avio_open, (AVIOContext **s, const char *url, int flags), (s, url, flags))
PLEURA_LAZY_VOID(swscale, sws_freeContext, (struct SwsContext *swsContext), (swsContext))
PLEURA_LAZY(swscale, struct SwsContext *, sws_getContext, (int srcW, int srcH, enum AVPixelFormat srcFormat, int dstW, int dstH, enum AVPixelFormat dstFormat, int flags, SwsFilter *srcFilter, SwsFilter *dstFilter, const double *param), (srcW, srcH, srcFormat, dstW, dstH, dstFormat, flags, srcFilter, dstFilter, param))
PLEURA_LAZY(swscale, int, sws_scale, (struct SwsContext *c, const uint8_t *const srcSlice[], const int srcStride[], int srcSliceY, int srcSliceH, uint8_t *const dst[], const int dstStride[]), (c, srcSlice, srcStride, srcSliceY, srcSliceH, dst, dstStride))
