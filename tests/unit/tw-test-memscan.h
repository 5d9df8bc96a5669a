#pragma once

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Looks for a 32-byte secret (raw, and as lowercase or uppercase hex) in
 * the memory of a process, by reading /proc/PID/maps and /proc/PID/mem.
 *
 * The scanner must not find itself: the needle is kept XOR-masked (the
 * secret's bytes exist only as mask ^ masked, never side by side), and
 * the pages read from the process land in one buffer of its own mapping,
 * which is wiped after every chunk and skipped by the scan. */

#define TW_MEMSCAN_SECRET_BYTES 32
#define TW_MEMSCAN_HEX_CHARS    (2 * TW_MEMSCAN_SECRET_BYTES)
#define TW_MEMSCAN_CHUNK        (1024 * 1024)
/* Consecutive chunks overlap so that a copy across a boundary is found. */
#define TW_MEMSCAN_OVERLAP      (TW_MEMSCAN_HEX_CHARS - 1)
#define TW_MEMSCAN_MAX_REPORTED 20
/* glibc's default thread stack; a key alone on a page between guard
 * pages is sodium_malloc()'s layout. */
#define TW_MEMSCAN_THREAD_STACK (8 * 1024 * 1024)
#define TW_MEMSCAN_PAGE         4096

typedef enum
{
  TW_MEMSCAN_RAW,
  TW_MEMSCAN_HEX_LOWER,
  TW_MEMSCAN_HEX_UPPER,
  TW_MEMSCAN_N_FORMS,
} TwMemscanForm;

typedef struct
{
  guint8 mask[TW_MEMSCAN_N_FORMS][TW_MEMSCAN_HEX_CHARS];
  guint8 masked[TW_MEMSCAN_N_FORMS][TW_MEMSCAN_HEX_CHARS];
  gsize  len[TW_MEMSCAN_N_FORMS];
} TwMemscanNeedle;

typedef struct
{
  guint    hits;               /* copies and half copies found, all forms */
  guint    hits_by_form[TW_MEMSCAN_N_FORMS];
  guint64  bytes_scanned;
  GString *where;              /* one line per hit (the first few) */
} TwMemscanResult;

static inline const char *
tw_memscan_form_name (TwMemscanForm form)
{
  static const char *names[] = { "raw", "hex", "HEX" };

  return names[form];
}

/* Masks @secret into @needle. The caller wipes its own copy right after. */
static inline void
tw_memscan_needle_init (TwMemscanNeedle *needle,
                        const guint8    *secret)
{
  static const char lower[] = "0123456789abcdef";
  static const char upper[] = "0123456789ABCDEF";

  memset (needle, 0, sizeof *needle);
  randombytes_buf (needle->mask, sizeof needle->mask);
  needle->len[TW_MEMSCAN_RAW] = TW_MEMSCAN_SECRET_BYTES;
  needle->len[TW_MEMSCAN_HEX_LOWER] = TW_MEMSCAN_HEX_CHARS;
  needle->len[TW_MEMSCAN_HEX_UPPER] = TW_MEMSCAN_HEX_CHARS;
  for (guint i = 0; i < TW_MEMSCAN_SECRET_BYTES; i++)
    {
      guint hi = secret[i] >> 4;
      guint lo = secret[i] & 0xf;

      needle->masked[TW_MEMSCAN_RAW][i] = secret[i] ^ needle->mask[TW_MEMSCAN_RAW][i];
      needle->masked[TW_MEMSCAN_HEX_LOWER][2 * i] =
        lower[hi] ^ needle->mask[TW_MEMSCAN_HEX_LOWER][2 * i];
      needle->masked[TW_MEMSCAN_HEX_LOWER][2 * i + 1] =
        lower[lo] ^ needle->mask[TW_MEMSCAN_HEX_LOWER][2 * i + 1];
      needle->masked[TW_MEMSCAN_HEX_UPPER][2 * i] =
        upper[hi] ^ needle->mask[TW_MEMSCAN_HEX_UPPER][2 * i];
      needle->masked[TW_MEMSCAN_HEX_UPPER][2 * i + 1] =
        upper[lo] ^ needle->mask[TW_MEMSCAN_HEX_UPPER][2 * i + 1];
    }
}

static inline gboolean
tw_memscan_match (const TwMemscanNeedle *needle,
                  TwMemscanForm          form,
                  gsize                  from,
                  gsize                  n,
                  const guint8          *at)
{
  for (gsize i = 0; i < n; i++)
    if ((guint8) (at[i] ^ needle->mask[form][from + i]) != needle->masked[form][from + i])
      return FALSE;
  return TRUE;
}

static inline void
tw_memscan_note (TwMemscanResult *result,
                 TwMemscanForm    form,
                 const char      *what,
                 guint64          address,
                 const char      *mapping)
{
  result->hits++;
  result->hits_by_form[form]++;
  /* sodium_malloc() puts a key at the very end of a page of its own. */
  if (result->hits <= TW_MEMSCAN_MAX_REPORTED)
    g_string_append_printf (result->where, "  %s %s at 0x%" G_GINT64_MODIFIER "x in %s%s\n",
                            tw_memscan_form_name (form), what, address, mapping,
                            form == TW_MEMSCAN_RAW && g_str_equal (what, "copy")
                            && address % TW_MEMSCAN_PAGE == TW_MEMSCAN_PAGE
                                                           - TW_MEMSCAN_SECRET_BYTES
                            ? ": a TwKey (sodium_malloc)" : "");
}

/* Where the first byte of the needle's part starting at @from occurs. */
static inline const guint8 *
tw_memscan_find (const TwMemscanNeedle *needle,
                 TwMemscanForm          form,
                 gsize                  from,
                 const guint8          *p,
                 const guint8          *end)
{
  /* Only one byte is ever unmasked, and only in a register. */
  int first = needle->masked[form][from] ^ needle->mask[form][from];

  return p < end ? memchr (p, first, (gsize) (end - p)) : NULL;
}

/* Scans @len bytes of @buf, read from @base. Each half of the needle is
 * looked for on its own as well: free() reuses the first bytes of a freed
 * block, so an unwiped copy on the heap often survives only in part, and
 * half the key (or 32 of its hex digits) is 128 bits of it. A copy or
 * half counts once: first halves where they start in [0, @limit),
 * second halves in [@tail_from, @limit + half) — consecutive chunks
 * overlap by more than a whole needle and continue where these end. */
static inline void
tw_memscan_buffer (const TwMemscanNeedle *needle,
                   const guint8          *buf,
                   gsize                  len,
                   gsize                  limit,
                   gboolean               first_chunk,
                   guint64                base,
                   const char            *mapping,
                   TwMemscanResult       *result)
{
  const guint8 *end = buf + len;

  for (TwMemscanForm form = 0; form < TW_MEMSCAN_N_FORMS; form++)
    {
      gsize half = needle->len[form] / 2;
      const guint8 *head_end = buf + MIN (limit, len >= half ? len - half + 1 : 0);
      const guint8 *tail_end = buf + MIN (limit + half, len >= half ? len - half + 1 : 0);
      const guint8 *p;

      for (p = buf; (p = tw_memscan_find (needle, form, 0, p, head_end)) != NULL; p++)
        {
          if (!tw_memscan_match (needle, form, 0, half, p))
            continue;
          if (p + 2 * half <= end && tw_memscan_match (needle, form, half, half, p + half))
            tw_memscan_note (result, form, "copy", base + (guint64) (p - buf), mapping);
          else
            tw_memscan_note (result, form, "first half", base + (guint64) (p - buf), mapping);
        }
      for (p = buf + (first_chunk ? 0 : half);
           (p = tw_memscan_find (needle, form, half, p, tail_end)) != NULL; p++)
        {
          if (!tw_memscan_match (needle, form, half, half, p))
            continue;
          if (p - buf >= (gssize) half && tw_memscan_match (needle, form, 0, half, p - half))
            continue;  /* a whole copy, counted above */
          tw_memscan_note (result, form, "second half", base + (guint64) (p - buf), mapping);
        }
    }
}

/* The part of a maps line after the inode: a path, [heap], [stack], or
 * nothing (anonymous: malloc arenas, thread stacks, sodium_malloc). */
static inline char *
tw_memscan_mapping_name (const char *line,
                         const char *perms,
                         guint64     size)
{
  const char *p = line;

  for (guint field = 0; field < 5 && p != NULL; field++)
    {
      p = strchr (p, ' ');
      while (p != NULL && *p == ' ')
        p++;
    }
  /* Anonymous memory has no name; its size says what it most likely is. */
  if (p == NULL || *p == '\0')
    return g_strdup_printf ("an anonymous mapping of %" G_GUINT64_FORMAT " KiB (%s; %s)",
                            size >> 10, perms,
                            size == TW_MEMSCAN_THREAD_STACK ? "probably a thread's stack"
                            : "malloc arena, sodium_malloc() or other anonymous memory");
  return g_strdup_printf ("%s (%s)", p, perms);
}

/* Scans [@start, @end) of the process behind @fd through @buf. */
static inline void
tw_memscan_range (int                    fd,
                  guint8                *buf,
                  guint64                start,
                  guint64                end,
                  const char            *mapping,
                  const TwMemscanNeedle *needle,
                  TwMemscanResult       *result)
{
  for (guint64 at = start; at < end;)
    {
      gsize want = (gsize) MIN ((guint64) TW_MEMSCAN_CHUNK, end - at);
      ssize_t got = pread (fd, buf, want, (off_t) at);
      gboolean last;

      if (got <= 0)
        {
          /* Unreadable (an I/O mapping, a guard page): on to the next page. */
          at = (at | 4095) + 1;
          continue;
        }
      last = at + (guint64) got >= end || (gsize) got <= TW_MEMSCAN_OVERLAP;
      result->bytes_scanned += (guint64) got;
      tw_memscan_buffer (needle, buf, (gsize) got,
                         last ? (gsize) got : (gsize) got - TW_MEMSCAN_OVERLAP,
                         at == start, at, mapping, result);
      sodium_memzero (buf, (gsize) got);
      at += last ? (guint64) got : (guint64) got - TW_MEMSCAN_OVERLAP;
    }
}

/**
 * tw_memscan_pid:
 * @pid: 0 for this process
 *
 * Scans every mapping of @pid (except the kernel's [vvar]/[vsyscall]) for
 * the needle in all its forms. Returns FALSE when the memory could not be
 * read at all (then the scan proves nothing).
 */
static inline gboolean
tw_memscan_pid (pid_t                  pid,
                const TwMemscanNeedle *needle,
                TwMemscanResult       *result)
{
  g_autofree char *maps_path = NULL;
  g_autofree char *mem_path = NULL;
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;
  guint8 *buf;
  guint64 hole_start, hole_end;
  int fd;

  memset (result, 0, sizeof *result);
  result->where = g_string_new (NULL);
  maps_path = pid == 0 ? g_strdup ("/proc/self/maps") : g_strdup_printf ("/proc/%d/maps", pid);
  mem_path = pid == 0 ? g_strdup ("/proc/self/mem") : g_strdup_printf ("/proc/%d/mem", pid);
  buf = mmap (NULL, TW_MEMSCAN_CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (buf == MAP_FAILED)
    return FALSE;
  /* Our own buffer holds copies of what it read elsewhere: a hole in the
   * scan of this process (the kernel may merge it with a neighbour). */
  hole_start = pid == 0 ? (guint64) (guintptr) buf : 0;
  hole_end = pid == 0 ? hole_start + TW_MEMSCAN_CHUNK : 0;
  fd = open (mem_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || !g_file_get_contents (maps_path, &maps, NULL, NULL))
    {
      if (fd >= 0)
        close (fd);
      munmap (buf, TW_MEMSCAN_CHUNK);
      return FALSE;
    }

  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 start, end;
      char perms[5] = { 0 };
      g_autofree char *name = NULL;

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %4s",
                  &start, &end, perms) != 3)
        continue;
      if (strstr (lines[i], "[vvar]") != NULL || strstr (lines[i], "[vsyscall]") != NULL)
        continue;
      name = tw_memscan_mapping_name (lines[i], perms, end - start);
      if (hole_end > start && hole_start < end)
        {
          tw_memscan_range (fd, buf, start, MAX (start, hole_start), name, needle, result);
          tw_memscan_range (fd, buf, MIN (end, hole_end), end, name, needle, result);
        }
      else
        {
          tw_memscan_range (fd, buf, start, end, name, needle, result);
        }
    }
  close (fd);
  munmap (buf, TW_MEMSCAN_CHUNK);
  return result->bytes_scanned > 0;
}

static inline void
tw_memscan_result_clear (TwMemscanResult *result)
{
  if (result->where != NULL)
    g_string_free (result->where, TRUE);
  result->where = NULL;
}
