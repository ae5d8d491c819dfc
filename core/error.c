/* kvq_error: the message record of every fallible function (include/kvq/error.h). */
#include "kvq/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int kvq_fail(kvq_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

int kvq_error_wrap(kvq_error *err, const char *fmt, ...)
{
    if (!err) return KVQ_EINTERNAL;
    char prefix[KVQ_ERROR_MSG_MAX];
    char old[KVQ_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    old[sizeof old - 1] = '\0';
    snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
    return err->code;
}

void kvq_error_clear(kvq_error *err)
{
    if (!err) return;
    err->code = KVQ_OK;
    err->msg[0] = '\0';
}

const char *kvq_status_name(int code)
{
    switch (code) {
    case KVQ_OK:
        return "ok";
    case KVQ_EINVAL:
        return "invalid argument";
    case KVQ_ENOMEM:
        return "out of memory";
    case KVQ_EIO:
        return "I/O error";
    case KVQ_EFORMAT:
        return "malformed input";
    case KVQ_ERANGE:
        return "out of range";
    case KVQ_EUNSUPPORTED:
        return "unsupported";
    case KVQ_EINTERNAL:
        return "internal error";
    default:
        return "unknown error";
    }
}
