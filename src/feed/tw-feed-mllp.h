#pragma once

#include <glib.h>

#include "tw-feed-params.h"

G_BEGIN_DECLS

/* Unacknowledged messages in flight per connection: enough to keep a
 * loopback link busy, few enough that a resend after a drop is small. */
#define TW_FEED_MLLP_WINDOW 32

typedef struct _TwFeedMllp TwFeedMllp;

typedef void (*TwFeedMllpDoneFunc) (gpointer user_data);

TwFeedMllp *tw_feed_mllp_new             (const TwFeedParams  *params,
                                          const char          *state_path,
                                          GError             **error);
gboolean    tw_feed_mllp_listen          (TwFeedMllp          *self,
                                          guint                port,
                                          GError             **error);
guint       tw_feed_mllp_get_port        (TwFeedMllp          *self);
gboolean    tw_feed_mllp_send_to         (TwFeedMllp          *self,
                                          const char          *address,
                                          TwFeedMllpDoneFunc   done_func,
                                          gpointer             user_data,
                                          GError             **error);
guint64     tw_feed_mllp_get_n_accepted  (TwFeedMllp          *self);
char       *tw_feed_mllp_describe_totals (TwFeedMllp          *self);
gboolean    tw_feed_mllp_save_state      (TwFeedMllp          *self,
                                          GError             **error);
void        tw_feed_mllp_free            (TwFeedMllp          *self);

TwFeedMllp *tw_feed_mllp_start           (const TwFeedParams  *params,
                                          gint64               port,
                                          const char          *send_to,
                                          const char          *state_path,
                                          GMainLoop           *loop,
                                          GError             **error);
void        tw_feed_mllp_finish          (TwFeedMllp          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TwFeedMllp, tw_feed_mllp_free)

G_END_DECLS
