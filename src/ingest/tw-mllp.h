#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* HL7 v2 Minimal Lower Layer Protocol: 0x0B, the message, 0x1C 0x0D. */
#define TW_MLLP_START_BLOCK     '\x0b'
#define TW_MLLP_END_BLOCK       '\x1c'
#define TW_MLLP_CARRIAGE_RETURN '\r'

/* Bytes of an oversize frame, a truncated frame or a run of garbage that
 * an event still carries: enough for the MSH segment (to address an
 * ACK) and for a person looking at quarantine. */
#define TW_MLLP_KEEP_BYTES (64 * 1024)

typedef enum
{
  TW_MLLP_EVENT_FRAME,      /* one complete message, framing removed */
  TW_MLLP_EVENT_OVERSIZE,   /* a frame longer than the limit: skipped, its start kept */
  TW_MLLP_EVENT_TRUNCATED,  /* a frame cut short by a new start block or the end of input */
  TW_MLLP_EVENT_GARBAGE,    /* bytes outside any frame (not counting blank ones) */
} TwMllpEventType;

/**
 * TwMllpEvent:
 * @type: what was found
 * @data: the frame (FRAME), else its first bytes (at most
 *   %TW_MLLP_KEEP_BYTES); valid only during the callback
 * @len: bytes in @data
 * @total: bytes the frame or run really had (≥ @len)
 */
typedef struct
{
  TwMllpEventType type;
  const char     *data;
  gsize           len;
  gsize           total;
} TwMllpEvent;

typedef void (*TwMllpEventFunc) (const TwMllpEvent *event,
                                 gpointer           user_data);

typedef struct _TwMllpDeframer TwMllpDeframer;

TwMllpDeframer *tw_mllp_deframer_new    (gsize            max_frame);
void            tw_mllp_deframer_free   (TwMllpDeframer  *self);
void            tw_mllp_deframer_push   (TwMllpDeframer  *self,
                                         const void      *data,
                                         gsize            len,
                                         TwMllpEventFunc  func,
                                         gpointer         user_data);
void            tw_mllp_deframer_finish (TwMllpDeframer  *self,
                                         TwMllpEventFunc  func,
                                         gpointer         user_data);
char           *tw_mllp_deframer_describe (TwMllpDeframer    *self,
                                          const TwMllpEvent *event);

void            tw_mllp_append_frame    (GString         *out,
                                         const char      *message,
                                         gsize            len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwMllpDeframer, tw_mllp_deframer_free)

/* Writes as much of @unsent as @output takes without blocking and drops
 * it from @unsent. FALSE with @error when the peer is gone; otherwise
 * *@out_blocked says whether bytes remain (wait until it is writable).
 * Both ends of MLLP use it: the listener for ACKs, the feed for frames. */
gboolean tw_mllp_write_some (GPollableOutputStream  *output,
                             GString                *unsent,
                             gboolean               *out_blocked,
                             GError                **error);

G_END_DECLS
