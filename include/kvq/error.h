/* Status codes and the error record every fallible kvqeval function fills.
 *
 * Convention (STYLE.md §5): a fallible function returns 0 (KVQ_OK) on success and a negative
 * kvq_status on failure, and then has written a one-line, human-readable message into the caller's
 * kvq_error that names the input at fault (file, tensor, offset, flag, parameter). Library code
 * never prints, exits or aborts; only harness/ talks to the user. A NULL kvq_error is allowed: the
 * status is still returned, the message is dropped.
 */
#ifndef KVQ_ERROR_H
#define KVQ_ERROR_H

#include <stddef.h>

typedef enum kvq_status {
    KVQ_OK = 0,
    KVQ_EINVAL = -1,       /* a bad argument, spec, flag or parameter value */
    KVQ_ENOMEM = -2,       /* an allocation failed */
    KVQ_EIO = -3,          /* a file could not be opened, read, written or renamed */
    KVQ_EFORMAT = -4,      /* a file's contents are malformed */
    KVQ_ERANGE = -5,       /* a value does not fit a wire width or a documented cap */
    KVQ_EUNSUPPORTED = -6, /* well-formed input that this build does not handle */
    KVQ_EINTERNAL = -7     /* an invariant of kvqeval itself failed: a bug, please report */
} kvq_status;

#define KVQ_ERROR_MSG_MAX 512

typedef struct kvq_error {
    int code;                    /* the kvq_status of the last failure, KVQ_OK if none */
    char msg[KVQ_ERROR_MSG_MAX]; /* NUL-terminated message, truncated to fit */
} kvq_error;

/* Records a failure in err (may be NULL) with a printf-style message and returns code, so that a
 * caller can write `return kvq_fail(err, KVQ_EINVAL, "...", ...);`. code must be negative. */
int kvq_fail(kvq_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Prepends "prefix: " to the message already in err (context added on the way up the stack,
 * e.g. the population name in front of a loader message) and returns err->code. */
int kvq_error_wrap(kvq_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Resets err to "no error". */
void kvq_error_clear(kvq_error *err);

/* A short stable name for a status code ("invalid argument", "I/O error", ...). */
const char *kvq_status_name(int code);

#endif
