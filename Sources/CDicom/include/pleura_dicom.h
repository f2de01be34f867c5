#ifndef PLEURA_DICOM_H
#define PLEURA_DICOM_H

// A small C interface to DCMTK (C++), enough for Pleura to read ultrasound DICOM frame by frame,
// de-identify its header and write it back with new pixel data. Policy (what to remove, how to
// mask) lives in Swift; this layer only does what DCMTK is needed for. It is built as its own
// shared library (libPleuraDicom) and opened on first use (Sources/CDicomLazy/lazy.c).
//
// Every function that can fail returns 0 on success and -1 on failure, with one sentence in
// `error` (never a header value: messages may reach logs). No C++ exception crosses this API.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One opened DICOM file: its header in memory, large values (pixel data) read when needed.
typedef struct pleura_dicom pleura_dicom;

/// Opens `path`; NULL with a reason in `error` when it is not DICOM or cannot be parsed.
pleura_dicom *pleura_dicom_open(const char *path, char *error, size_t error_size);
void pleura_dicom_close(pleura_dicom *dicom);

/// The transfer syntax as DCMTK read it: its UID and name (static strings).
const char *pleura_dicom_transfer_syntax_uid(pleura_dicom *dicom);
const char *pleura_dicom_transfer_syntax_name(pleura_dicom *dicom);
/// 1 when DCMTK can decode pixel data in this transfer syntax (native, or a registered codec).
int pleura_dicom_transfer_syntax_decodable(pleura_dicom *dicom);

/// The value of a top-level element as text (all values, joined by '\'). Returns the length,
/// or -1 when the element is absent. Writes at most `size - 1` bytes and a NUL.
long pleura_dicom_string(pleura_dicom *dicom, uint16_t group, uint16_t element, char *out, size_t size);
/// The same inside item `item` of the top-level sequence (`sequence_group`, `sequence_element`).
long pleura_dicom_item_string(pleura_dicom *dicom, uint16_t sequence_group, uint16_t sequence_element,
                              unsigned long item, uint16_t group, uint16_t element, char *out, size_t size);
/// Items in a top-level sequence (0 when absent).
unsigned long pleura_dicom_item_count(pleura_dicom *dicom, uint16_t sequence_group, uint16_t sequence_element);
/// The first value of a top-level US/SS/UL/SL/IS element as an integer; 0 absent, 1 found.
int pleura_dicom_integer(pleura_dicom *dicom, uint16_t group, uint16_t element, long *value);
/// The value of (7FE0,0010) as stored: native length in bytes, or for encapsulated pixel data the
/// number of fragments (without the offset table) and `*encapsulated` = 1. -1 when absent.
long pleura_dicom_pixel_data_extent(pleura_dicom *dicom, int *encapsulated);

// MARK: - Frames

/// Sets up frame-by-frame decoding through DCMTK's image toolkit (one frame in memory at a time).
/// Reports the frame size, the number of frames and the samples of the rendered output: 1 for
/// monochrome (MONOCHROME1 is inverted to display order), 3 for colour (RGB, YBR_*, PALETTE COLOR
/// become RGB). Output is 8 bits per sample.
int pleura_dicom_frames_begin(pleura_dicom *dicom, int *width, int *height, long *frames, int *samples,
                              char *error, size_t error_size);
/// Decodes frame `index` (they must be asked for in increasing order) into `out`, which holds
/// width * height * samples bytes (interleaved).
int pleura_dicom_frame(pleura_dicom *dicom, long index, uint8_t *out, size_t size, char *error,
                       size_t error_size);

/// Integer BT.601 luma of interleaved 8-bit RGB: (77 R + 150 G + 29 B + 128) >> 8.
void pleura_dicom_rgb_to_luma(const uint8_t *rgb, uint8_t *luma, size_t pixels);

// MARK: - Rewriting the header

enum {
  PLEURA_DICOM_KEEP = 0,
  PLEURA_DICOM_REMOVE = 1,
  /// Replace the value with the text written into `replacement` (empty text empties it).
  PLEURA_DICOM_REPLACE = 2,
};

/// Called for every element of the dataset, depth first (`depth` 0 at the top, 1 inside a
/// top-level sequence's items, ...). `vr` is the two-letter VR; `value` is the text of string
/// VRs and NULL for binary values and sequences. A sequence kept is visited item by item.
typedef int (*pleura_dicom_visitor)(void *context, int depth, uint16_t group, uint16_t element,
                                    const char *vr, const char *value, char *replacement,
                                    size_t replacement_size);

/// Visits every element and applies the visitor's decisions. The file meta information is
/// dropped: DCMTK writes a new one.
int pleura_dicom_rewrite(pleura_dicom *dicom, pleura_dicom_visitor visitor, void *context, char *error,
                         size_t error_size);
/// Sets a top-level element to `value` (creating it), with the VR of the data dictionary.
int pleura_dicom_put(pleura_dicom *dicom, uint16_t group, uint16_t element, const char *value, char *error,
                     size_t error_size);
/// Removes a top-level element if present.
void pleura_dicom_remove(pleura_dicom *dicom, uint16_t group, uint16_t element);
/// Appends a code item (Code Value, Coding Scheme Designator, Code Meaning) to a top-level sequence.
int pleura_dicom_append_code(pleura_dicom *dicom, uint16_t sequence_group, uint16_t sequence_element,
                             const char *value, const char *scheme, const char *meaning, char *error,
                             size_t error_size);

// MARK: - Writing

/// A file being written: the header through DCMTK, then RLE Lossless frames one at a time.
typedef struct pleura_dicom_writer pleura_dicom_writer;

/// Writes the dataset of `dicom` (without any pixel data) to `path` as RLE Lossless, ready for
/// `frames` frames of width x height x samples 8-bit values. The caller has set the Image Pixel
/// attributes to match.
pleura_dicom_writer *pleura_dicom_writer_begin(pleura_dicom *dicom, const char *path, int width, int height,
                                               int samples, long frames, char *error, size_t error_size);
/// RLE-encodes one interleaved frame and appends it as one fragment.
int pleura_dicom_writer_add(pleura_dicom_writer *writer, const uint8_t *pixels, char *error,
                            size_t error_size);
/// Closes the pixel data (offset table filled in), syncs and closes the file; frees `writer`.
int pleura_dicom_writer_finish(pleura_dicom_writer *writer, char *error, size_t error_size);
/// Abandons a writer (the file stays; the caller removes it); frees `writer`.
void pleura_dicom_writer_abandon(pleura_dicom_writer *writer);

/// PackBits (DICOM PS3.5 G.3.1) of `count` bytes read `stride` apart; returns the bytes written to
/// `out`, which must hold at least count + count / 128 + 1 bytes.
size_t pleura_dicom_packbits(const uint8_t *in, size_t count, size_t stride, uint8_t *out);

// MARK: - DICOMDIR

typedef void (*pleura_dicom_file_visitor)(void *context, const char *referenced_file_id);
/// Calls `visitor` with the Referenced File ID (components joined by '/') of every record of a
/// DICOMDIR that names a file.
int pleura_dicomdir_files(const char *path, pleura_dicom_file_visitor visitor, void *context, char *error,
                          size_t error_size);

#ifdef __cplusplus
}
#endif
#endif
