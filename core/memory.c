/* Memory needs against the limits in force (include/kvq/memory.h). */
#include "kvq/memory.h"

#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

void kvq_memory_format(double bytes, char *buf, size_t size)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    size_t u = 0;
    while (bytes >= 1024.0 && u + 1 < sizeof units / sizeof *units) bytes /= 1024.0, u++;
    if (u == 0)
        snprintf(buf, size, "%.0f B", bytes);
    else
        snprintf(buf, size, "%.1f %s", bytes, units[u]);
}

/* What the process maps now (/proc/self/statm's first field), or 0 when it cannot be read. */
static double mapped_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0.0;
    unsigned long pages = 0;
    int got = fscanf(f, "%lu", &pages);
    fclose(f);
    return got == 1 ? (double)pages * (double)sysconf(_SC_PAGESIZE) : 0.0;
}

static int refuse(double bytes, const char *what, const char *limit, double limit_bytes,
                  kvq_error *err)
{
    char need[32], have[32];
    kvq_memory_format(bytes, need, sizeof need);
    kvq_memory_format(limit_bytes, have, sizeof have);
    return kvq_fail(err, KVQ_ERANGE, "%s needs %s, more than %s (%s, less %.0f MiB kept free)",
                    what, need, limit, have, KVQ_MEMORY_RESERVE / (1024.0 * 1024.0));
}

int kvq_memory_check(double bytes, const char *what, kvq_error *err)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        double left = (double)rl.rlim_cur - mapped_bytes();
        if (bytes + KVQ_MEMORY_RESERVE > left)
            return refuse(bytes, what, "the address space left under ulimit -v", left, err);
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) {
        double phys = (double)pages * (double)page;
        if (bytes + KVQ_MEMORY_RESERVE > phys)
            return refuse(bytes, what, "this machine's memory", phys, err);
    }
    return KVQ_OK;
}
