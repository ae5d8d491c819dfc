/* The gnuplot driver (report/plot.h): writes each figure's data as TSV, then runs its template
 * once per format. */
#define _DEFAULT_SOURCE /* realpath */
#include "report/plot.h"
#include "analysis/facts.h"
#include "analysis/validity.h"
#include "harness/fsutil.h"
#include "harness/run.h"
#include "io/atomic_file.h"
#include "io/csv_read.h"
#include "io/message.h"
#include "kvq/text.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct plotter {
    char dir[4096];       /* <run>/plots */
    char templates[4096]; /* folder of the .gp files, absolute */
    int drawn, failed;
} plotter;

static int on_path(const char *program)
{
    const char *path = getenv("PATH");
    if (!path) return 0;
    char buf[4096];
    for (const char *p = path; *p;) {
        size_t len = strcspn(p, ":");
        snprintf(buf, sizeof buf, "%.*s/%s", (int)len, p, program);
        if (access(buf, X_OK) == 0) return 1;
        p += len + (p[len] == ':');
    }
    return 0;
}

/* s as a gnuplot string literal in buf; a text too long for buf is shown as a placeholder. */
static const char *lit(char *buf, size_t size, const char *s)
{
    if (kvq_text_gnuplot_literal(buf, size, s) >= size) snprintf(buf, size, "'(too long to show)'");
    return buf;
}

/* Runs `gnuplot -e vars common.gp template` inside the plots folder, its output appended to
 * gnuplot.log there; 0 when it exited 0. Paths reach gnuplot only as arguments and as relative
 * names the driver made, never as text it parses. gnuplot dies with kvqeval (PR_SET_PDEATHSIG):
 * a run killed while drawing leaves no gnuplot behind that would write into the folder while a
 * resumed run cleans it. */
static int run_gnuplot(const plotter *pl, const char *vars, const char *template_name)
{
    char common[4200], script[4200];
    snprintf(common, sizeof common, "%s/common.gp", pl->templates);
    snprintf(script, sizeof script, "%s/%s", pl->templates, template_name);
    char *argv[] = {"gnuplot", "-e", (char *)vars, common, script, NULL};
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int fd;
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent || chdir(pl->dir) != 0 ||
            (fd = open("gnuplot.log", O_WRONLY | O_CREAT | O_APPEND, 0644)) < 0 ||
            dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(127);
        execvp("gnuplot", argv);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* 1 when the file at fd is a whole image of its format: a PNG that ends with its IEND chunk, an
 * SVG whose last bytes close the <svg> element. A write that failed part-way (disk full, a file
 * size limit) leaves neither. */
static int image_complete(int fd, const char *fmt)
{
    static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    struct stat st;
    char tail[64];
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof tail) return 0;
    if (pread(fd, tail, sizeof tail, st.st_size - (off_t)sizeof tail) != (ssize_t)sizeof tail)
        return 0;
    if (strcmp(fmt, "png") == 0) return memcmp(tail + sizeof tail - 12, iend, 12) == 0;
    for (size_t i = 0; i + 6 <= sizeof tail; i++)
        if (memcmp(tail + i, "</svg>", 6) == 0) return 1;
    return 0;
}

/* Moves gnuplot's output tmp (in the plots folder) to final when gnuplot succeeded (drew) and it
 * is a complete image, synced; otherwise removes it and any older final. 0 when the figure is in
 * place. */
static int keep_if_complete(const plotter *pl, int drew, const char *tmp, const char *final,
                            const char *fmt)
{
    char tmp_path[4400], final_path[4400];
    snprintf(tmp_path, sizeof tmp_path, "%s/%s", pl->dir, tmp);
    snprintf(final_path, sizeof final_path, "%s/%s", pl->dir, final);
    int fd = open(tmp_path, O_RDONLY);
    int ok = drew && fd >= 0 && image_complete(fd, fmt) && fsync(fd) == 0;
    if (fd >= 0) close(fd);
    if (ok && rename(tmp_path, final_path) == 0) return 0;
    unlink(tmp_path);
    unlink(final_path);
    return -1;
}

/* Draws one figure in both formats; extra holds the template's own variables (every string in it
 * made by kvq_text_gnuplot_literal). Each image is written under a temporary name and renamed
 * only when complete. */
static void draw(plotter *pl, const char *template_name, const char *base, const char *data,
                 const char *extra, int width, int height)
{
    static const char *const formats[] = {"png", "svg"};
    int ok = 1;
    for (size_t i = 0; i < 2; i++) {
        char final[160], tmp[192], d[800], o[800];
        snprintf(final, sizeof final, "%s.%s", base, formats[i]);
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", final, (long)getpid());
        size_t size = strlen(extra) + 2048;
        char *vars = malloc(size);
        if (vars)
            snprintf(vars, size, "datafile=%s; outfile=%s; fmt='%s'; width_px=%d; height_px=%d; %s",
                     lit(d, sizeof d, data), lit(o, sizeof o, tmp), formats[i], width, height,
                     extra);
        int drew = vars && run_gnuplot(pl, vars, template_name) == 0;
        if (keep_if_complete(pl, drew, tmp, final, formats[i])) ok = 0;
        free(vars);
    }
    if (ok) {
        pl->drawn++;
        return;
    }
    pl->failed++;
    kvq_say("kvqeval: gnuplot could not complete figure %s/%s (see %s/gnuplot.log)", pl->dir, base,
            pl->dir);
}

/* The distinct codec variants of the facts, in order of first appearance. */
static size_t distinct_variants(const kvq_facts *f, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < f->count; i++) {
        const char *v = f->items[i].variant;
        if (!v[0]) continue;
        size_t k = 0;
        while (k < n && strcmp(out[k], v) != 0) k++;
        if (k == n) out[n++] = v;
    }
    return n;
}

static double fact_value(const kvq_facts *f, const char *variant, const char *population,
                         const char *metric)
{
    for (size_t i = 0; i < f->count; i++) {
        const kvq_fact *x = &f->items[i];
        if (strcmp(x->variant, variant) == 0 && strcmp(x->population, population) == 0 &&
            strcmp(x->metric, metric) == 0)
            return x->value;
    }
    return NAN;
}

/* One figure: its base name (plots/<base>.png, .svg) and its data file (<base>.tsv), open. */
typedef struct figure {
    char base[128];
    char data[136];
    kvq_afile a;
} figure;

/* columns, when not NULL, is written as the data file's first line, "# " and the columns' names
 * (gnuplot skips it); a file whose first row names its columns itself passes NULL. */
static int figure_open(figure *fig, const plotter *pl, kvq_error *err, const char *columns,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int figure_open(figure *fig, const plotter *pl, kvq_error *err, const char *columns,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fig->base, sizeof fig->base, fmt, ap);
    va_end(ap);
    snprintf(fig->data, sizeof fig->data, "%s.tsv", fig->base);
    int rc = kvq_afile_open_in(&fig->a, pl->dir, fig->data, err);
    if (!rc && columns) fprintf(fig->a.f, "# %s\n", columns);
    return rc;
}

/* Appends the first len characters of word to a space-separated list (read by gnuplot's word()). */
static void add_title(char *titles, size_t size, const char *word, int len)
{
    size_t used = strlen(titles);
    snprintf(titles + used, size - used, "%s%.*s", used ? " " : "", len, word);
}

static int heatmap(plotter *pl, const kvq_facts *f, const char **variants, size_t nv,
                   const char *metric, kvq_error *err)
{
    char extra[600], m[300];
    figure fig;
    int rc = figure_open(&fig, pl, err, NULL, "heatmap_%s", metric);
    if (rc) return rc;
    fputs("variant", fig.a.f);
    for (size_t p = 0; p < f->npopulations; p++) fprintf(fig.a.f, "\tP%zu %s", p + 1, f->roles[p]);
    fputc('\n', fig.a.f);
    for (size_t v = 0; v < nv; v++) {
        fputs(variants[v], fig.a.f);
        for (size_t p = 0; p < f->npopulations; p++)
            fprintf(fig.a.f, "\t%.6g", fact_value(f, variants[v], f->populations[p], metric));
        fputc('\n', fig.a.f);
    }
    if ((rc = kvq_afile_commit(&fig.a, err))) return rc;
    snprintf(extra, sizeof extra, "metric=%s; nrows=%zu; ncols=%zu", lit(m, sizeof m, metric), nv,
             f->npopulations);
    size_t label = 0; /* the widest variant label, for the left margin */
    for (size_t v = 0; v < nv; v++)
        if (strlen(variants[v]) > label) label = strlen(variants[v]);
    int width = 200 + 8 * (int)label + 110 * (int)f->npopulations;
    draw(pl, "heatmap.gp", fig.base, fig.data, extra, width < 640 ? 640 : width,
         160 + 22 * (int)nv);
    return KVQ_OK;
}

/* The backend name of a variant: the part before ':'. */
static size_t codec_len(const char *variant)
{
    return strcspn(variant, ":");
}

static int same_codec(const char *a, const char *b)
{
    size_t len = codec_len(a);
    return codec_len(b) == len && strncmp(a, b, len) == 0;
}

/* Reorders variants (stably) so that each codec's variants stand together, codecs in order of
 * first appearance: the heatmap's rows, the rate-distortion lines and the chain panels. */
static void group_by_codec(const char **variants, size_t nv)
{
    for (size_t i = 0; i < nv;) {
        size_t end = i + 1;
        for (size_t j = end; j < nv; j++) {
            if (!same_codec(variants[j], variants[i])) continue;
            const char *x = variants[j];
            memmove(variants + end + 1, variants + end, (j - end) * sizeof *variants);
            variants[end++] = x;
        }
        i = end;
    }
}

/* The end of the group of variants[v]'s codec (variants grouped by group_by_codec). */
static size_t codec_end(const char **variants, size_t nv, size_t v)
{
    size_t end = v + 1;
    while (end < nv && same_codec(variants[end], variants[v])) end++;
    return end;
}

static int rate_distortion(plotter *pl, const kvq_facts *f, size_t p, const char **variants,
                           size_t nv, kvq_error *err)
{
    char titles[2048] = "";
    figure fig;
    int rc = figure_open(&fig, pl, err, "bits_per_coord\tspearman\trel_mse (a block per codec)",
                         "rate_distortion_P%zu", p + 1);
    if (rc) return rc;
    size_t blocks = 0;
    int has_mse = 0;
    for (size_t v = 0, end; v < nv; v = end) {
        end = codec_end(variants, nv, v);
        int any = 0;
        for (size_t u = v; u < end; u++) {
            double bits = fact_value(f, variants[u], f->populations[p], "bits_per_coord");
            if (isnan(bits)) continue;
            double mse = fact_value(f, variants[u], f->populations[p], "rel_mse");
            fprintf(fig.a.f, "%.6g\t%.6g\t%.6g\n", bits,
                    fact_value(f, variants[u], f->populations[p], "spearman"), mse);
            has_mse |= mse > 0.0 && isfinite(mse);
            any = 1;
        }
        if (!any) continue;
        fputs("\n\n", fig.a.f);
        add_title(titles, sizeof titles, variants[v], (int)codec_len(variants[v]));
        blocks++;
    }
    if ((rc = kvq_afile_commit(&fig.a, err)) || blocks == 0) return rc;
    char extra[30000], t[8200], q[17000];
    snprintf(extra, sizeof extra, "titles=%s; population=%s; has_mse=%d", lit(t, sizeof t, titles),
             lit(q, sizeof q, f->labels[p]), has_mse);
    draw(pl, "rate_distortion.gp", fig.base, fig.data, extra, 1700, 600);
    return KVQ_OK;
}

/* Criterion validity of population p (a model population: its cells hold next_kl): each proxy
 * against next_kl, a panel per proxy (1 - value for a proxy where higher is better). */
static int validity(plotter *pl, const kvq_facts *f, size_t p, const char **variants, size_t nv,
                    kvq_error *err)
{
    const char *pop = f->populations[p];
    size_t with = 0;
    for (size_t v = 0; v < nv; v++) with += isfinite(fact_value(f, variants[v], pop, "next_kl"));
    if (with < 3) return KVQ_OK;
    figure fig;
    int rc = figure_open(&fig, pl, err, NULL, "validity_P%zu", p + 1);
    if (rc) return rc;
    char proxies[1024] = "", xlogs[128] = "";
    size_t panels = 0;
    for (const char *const *x = kvq_validity_proxies; *x; x++) {
        double lo = INFINITY, hi = 0;
        size_t count = 0;
        int flip = kvq_validity_higher_better(*x);
        char label[48];
        snprintf(label, sizeof label, "%s%s", flip ? "1-" : "", *x);
        fprintf(fig.a.f, "# %s\tnext_kl\tvariant\n", label);
        for (size_t v = 0; v < nv; v++) {
            double a = fact_value(f, variants[v], pop, *x),
                   b = fact_value(f, variants[v], pop, "next_kl");
            if (flip) a = 1.0 - a;
            if (!isfinite(a) || !isfinite(b)) continue;
            fprintf(fig.a.f, "%.6g\t%.6g\t%s\n", a, b, variants[v]);
            if (a > 0) lo = a < lo ? a : lo;
            hi = a > hi ? a : hi;
            count++;
        }
        if (!count) fputs("NaN\tNaN\t-\n", fig.a.f); /* keeps block i for panel i */
        fputs("\n\n", fig.a.f);
        add_title(proxies, sizeof proxies, label, (int)strlen(label));
        add_title(xlogs, sizeof xlogs, isfinite(lo) && hi > 10 * lo ? "1" : "0", 1);
        panels++;
    }
    if ((rc = kvq_afile_commit(&fig.a, err))) return rc;
    size_t cols = 4, rows = (panels + cols - 1) / cols;
    char extra[20000], a[1100], b[200], q[17000];
    snprintf(extra, sizeof extra, "proxies=%s; xlogs=%s; cols=%zu; rows=%zu; population=%s",
             lit(a, sizeof a, proxies), lit(b, sizeof b, xlogs), cols, rows,
             lit(q, sizeof q, f->labels[p]));
    draw(pl, "validity.gp", fig.base, fig.data, extra, 1400, 60 + 300 * (int)rows);
    return KVQ_OK;
}

/* The family of population p's label ("stories260K:k" of "stories260K:k@3") and its layer, or -1
 * when the label names no single layer. */
static long label_layer(const char *label, size_t *family_len)
{
    const char *at = strrchr(label, '@');
    *family_len = at ? (size_t)(at - label) : strlen(label);
    char *end;
    long layer = at ? strtol(at + 1, &end, 10) : -1;
    return at && at[1] && !*end ? layer : -1;
}

/* The metric by layer of each family of single-layer populations with at least two layers: a
 * figure layers_<n>, one line per variant. */
static int layer_figures(plotter *pl, const kvq_facts *f, const char **variants, size_t nv,
                         const char *metric, kvq_error *err)
{
    int rc = KVQ_OK;
    size_t figures = 0;
    for (size_t p = 0; p < f->npopulations && !rc; p++) {
        size_t flen, glen;
        if (label_layer(f->labels[p], &flen) < 0) continue;
        size_t members = 0, first = p;
        for (size_t q = 0; q < f->npopulations; q++) {
            if (label_layer(f->labels[q], &glen) < 0 || glen != flen ||
                strncmp(f->labels[q], f->labels[p], flen) != 0)
                continue;
            if (members++ == 0) first = q;
        }
        if (members < 2 || first != p) continue; /* a family once, from its first member */
        figure fig;
        if ((rc = figure_open(&fig, pl, err, "layer\tvalue (a block per variant)", "layers_%zu",
                              ++figures)))
            break;
        char titles[8192] = "";
        size_t blocks = 0;
        for (size_t v = 0; v < nv; v++) {
            size_t count = 0;
            for (size_t q = 0; q < f->npopulations; q++) {
                long layer = label_layer(f->labels[q], &glen);
                if (layer < 0 || glen != flen || strncmp(f->labels[q], f->labels[p], flen) != 0)
                    continue;
                double x = fact_value(f, variants[v], f->populations[q], metric);
                if (isnan(x)) continue;
                fprintf(fig.a.f, "%ld\t%.6g\n", layer, x);
                count++;
            }
            if (!count) continue;
            fputs("\n\n", fig.a.f);
            add_title(titles, sizeof titles, variants[v], (int)strlen(variants[v]));
            blocks++;
        }
        if ((rc = kvq_afile_commit(&fig.a, err)) || !blocks) continue;
        char family[KVQ_TEXT_MAX + 32], extra[12000], t[8300], m[300], q[600];
        snprintf(family, sizeof family, "%.*s", (int)flen, f->labels[p]);
        snprintf(extra, sizeof extra, "titles=%s; metric=%s; family=%s", lit(t, sizeof t, titles),
                 lit(m, sizeof m, metric), lit(q, sizeof q, family));
        draw(pl, "layers.gp", fig.base, fig.data, extra, 1100, 550);
    }
    return rc;
}

/* A long-format file of the run (reliability.csv, factors.csv, chain.csv), or an empty table when
 * the run has none. */
static int read_long(const char *dir, const char *name, kvq_csv_table *t, kvq_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (access(path, F_OK) != 0) {
        memset(t, 0, sizeof *t);
        return KVQ_OK;
    }
    return kvq_csv_read(path, t, err);
}

/* Column index of name in t, or -1 (also for an empty table). */
static long col(const kvq_csv_table *t, const char *name)
{
    return t->ncols ? kvq_csv_column(t, name) : -1;
}

static int field_is(const kvq_csv_table *t, size_t r, long c, const char *value)
{
    return c >= 0 && strcmp(kvq_csv_field(t, r, (size_t)c), value) == 0;
}

static double field_number(const kvq_csv_table *t, size_t r, long c)
{
    double x = NAN;
    if (c >= 0) kvq_csv_parse_number(kvq_csv_field(t, r, (size_t)c), &x);
    return x;
}

/* Scree plot of every population from factors.csv (analysis "scree", statistic eigenvalue_N). */
static int scree(plotter *pl, const kvq_facts *f, const kvq_csv_table *t, kvq_error *err)
{
    long cp = col(t, "population"), ca = col(t, "analysis"), cs = col(t, "statistic"),
         cv = col(t, "value");
    if (cp < 0 || ca < 0 || cs < 0 || cv < 0) return KVQ_OK;
    figure fig;
    int rc = figure_open(&fig, pl, err, "component\teigenvalue (a block per population)", "scree");
    if (rc) return rc;
    char titles[2048] = "";
    size_t blocks = 0;
    for (size_t p = 0; p < f->npopulations; p++) {
        size_t count = 0;
        for (size_t r = 0; r < t->nrows; r++)
            if (field_is(t, r, cp, f->populations[p]) && field_is(t, r, ca, "scree"))
                fprintf(fig.a.f, "%zu\t%.6g\n", ++count, field_number(t, r, cv));
        if (!count) continue;
        fputs("\n\n", fig.a.f);
        char title[64];
        snprintf(title, sizeof title, "P%zu_%s", p + 1, f->roles[p]);
        add_title(titles, sizeof titles, title, (int)strlen(title));
        blocks++;
    }
    if ((rc = kvq_afile_commit(&fig.a, err)) || !blocks) return rc;
    char extra[9000], l[8200];
    snprintf(extra, sizeof extra, "titles=%s", lit(l, sizeof l, titles));
    draw(pl, "scree.gp", fig.base, fig.data, extra, 900, 550);
    return KVQ_OK;
}

/* Alpha-if-deleted bars of population p from reliability.csv. */
static int alpha_deleted(plotter *pl, const kvq_facts *f, size_t p, const kvq_csv_table *t,
                         kvq_error *err)
{
    long cp = col(t, "population"), ca = col(t, "analysis"), ci = col(t, "item"),
         cs = col(t, "statistic"), cv = col(t, "value");
    if (cp < 0 || ca < 0 || ci < 0 || cs < 0 || cv < 0) return KVQ_OK;
    double alpha = NAN;
    size_t bars = 0;
    figure fig;
    int rc = figure_open(&fig, pl, err, "variant\talpha_if_deleted", "alpha_deleted_P%zu", p + 1);
    if (rc) return rc;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!field_is(t, r, cp, f->populations[p]) || !field_is(t, r, cs, "raw_alpha")) continue;
        if (field_is(t, r, ca, "alpha")) alpha = field_number(t, r, cv);
        if (!field_is(t, r, ca, "alpha_if_deleted")) continue;
        fprintf(fig.a.f, "%s\t%.6g\n", kvq_csv_field(t, r, (size_t)ci), field_number(t, r, cv));
        bars++;
    }
    if ((rc = kvq_afile_commit(&fig.a, err)) || !bars || isnan(alpha)) return rc;
    char extra[18000], q[17000];
    snprintf(extra, sizeof extra, "alpha=%.10g; population=%s; nrows=%zu", alpha,
             lit(q, sizeof q, f->labels[p]), bars);
    draw(pl, "alpha_deleted.gp", fig.base, fig.data, extra, 600 + 30 * (int)bars, 600);
    return KVQ_OK;
}

/* Chain-collapse curves of population p from chain.csv (columns variant, population, depth,
 * rho): one panel per codec, one line per variant labelled by its parameters. */
static int chain(plotter *pl, const kvq_facts *f, size_t p, const kvq_csv_table *t,
                 const char **variants, size_t nv, kvq_error *err)
{
    long cp = col(t, "population"), cvar = col(t, "variant"), cd = col(t, "depth"),
         cr = col(t, "rho");
    if (cp < 0 || cvar < 0 || cd < 0 || cr < 0) return KVQ_OK;
    char titles[4096] = "", codecs[1024] = "", firsts[512] = "", counts[512] = "";
    figure fig;
    int rc = figure_open(&fig, pl, err, "depth\trho (a block per variant)", "chain_P%zu", p + 1);
    if (rc) return rc;
    size_t blocks = 0, panels = 0, most = 0;
    for (size_t v = 0, end; v < nv; v = end) {
        end = codec_end(variants, nv, v);
        size_t first = blocks;
        for (size_t u = v; u < end; u++) {
            size_t count = 0;
            for (size_t r = 0; r < t->nrows; r++)
                if (field_is(t, r, cp, f->populations[p]) && field_is(t, r, cvar, variants[u]))
                    fprintf(fig.a.f, "%.0f\t%.6g\n", field_number(t, r, cd),
                            field_number(t, r, cr)),
                        count++;
            if (!count) continue;
            fputs("\n\n", fig.a.f);
            size_t len = codec_len(variants[u]);
            const char *label = variants[u][len] ? variants[u] + len + 1 : variants[u];
            add_title(titles, sizeof titles, label, (int)strlen(label));
            blocks++;
        }
        if (blocks == first) continue;
        char number[32];
        add_title(codecs, sizeof codecs, variants[v], (int)codec_len(variants[v]));
        snprintf(number, sizeof number, "%zu", first);
        add_title(firsts, sizeof firsts, number, (int)strlen(number));
        snprintf(number, sizeof number, "%zu", blocks - first);
        add_title(counts, sizeof counts, number, (int)strlen(number));
        if (blocks - first > most) most = blocks - first;
        panels++;
    }
    if ((rc = kvq_afile_commit(&fig.a, err)) || !blocks) return rc;
    size_t cols = panels < 5 ? panels : 5, rows = (panels + cols - 1) / cols;
    char extra[40000], l[16400], c[4100], a[2100], b[2100], q[17000];
    snprintf(extra, sizeof extra,
             "titles=%s; codecs=%s; firsts=%s; counts=%s; most=%zu; cols=%zu; rows=%zu; tau=%g; "
             "population=%s",
             lit(l, sizeof l, titles), lit(c, sizeof c, codecs), lit(a, sizeof a, firsts),
             lit(b, sizeof b, counts), most, cols, rows, KVQ_CHAIN_TAU,
             lit(q, sizeof q, f->labels[p]));
    draw(pl, "chain.gp", fig.base, fig.data, extra, 40 + 330 * (int)cols,
         60 + (260 + 12 * (int)most) * (int)rows);
    return KVQ_OK;
}

/* The templates' folder as an absolute path (gnuplot runs inside the plots folder): the
 * KVQ_PLOTS_DIR environment variable, else the source tree's plots/. */
static int templates_dir(char *buf, kvq_error *err)
{
    const char *env = getenv("KVQ_PLOTS_DIR");
    const char *dir = env && *env ? env : KVQ_PLOTS_DIR;
    if (!realpath(dir, buf))
        return kvq_fail(err, KVQ_EIO, "plot templates '%s': %s", dir, strerror(errno));
    return KVQ_OK;
}

/* Every figure that needs the long files of the run (reliability, factors, chain). */
static int long_figures(plotter *pl, const char *dir, const kvq_facts *f, const char **variants,
                        size_t nv, kvq_error *err)
{
    kvq_csv_table rel, fac, ch;
    int rc = read_long(dir, "reliability.csv", &rel, err);
    if (!rc) rc = read_long(dir, "factors.csv", &fac, err);
    if (!rc) rc = read_long(dir, "chain.csv", &ch, err);
    if (!rc) rc = scree(pl, f, &fac, err);
    for (size_t p = 0; p < f->npopulations && !rc; p++) {
        rc = alpha_deleted(pl, f, p, &rel, err);
        if (!rc) rc = chain(pl, f, p, &ch, variants, nv, err);
    }
    kvq_csv_free(&rel);
    kvq_csv_free(&fac);
    kvq_csv_free(&ch);
    return rc;
}

int kvq_plots_write(const char *dir, const char *heatmap_metric, int *drawn, kvq_error *err)
{
    *drawn = 0;
    if (!on_path("gnuplot")) {
        fputs("kvqeval: gnuplot not found on PATH; no plots drawn (Debian: apt-get install "
              "gnuplot-nox)\n",
              stderr);
        return KVQ_OK;
    }
    plotter pl = {0};
    snprintf(pl.dir, sizeof pl.dir, "%s/plots", dir);
    kvq_facts f;
    int rc = templates_dir(pl.templates, err);
    if (!rc) rc = kvq_mkdir_p(pl.dir, err);
    if (!rc) rc = kvq_facts_load(&f, dir, err);
    if (rc) return rc;
    const char **variants = malloc((f.count + 1) * sizeof *variants);
    if (!variants) {
        kvq_facts_free(&f);
        return kvq_fail(err, KVQ_ENOMEM, "out of memory plotting");
    }
    size_t nv = distinct_variants(&f, variants);
    group_by_codec(variants, nv);
    rc = heatmap(&pl, &f, variants, nv, heatmap_metric, err);
    if (!rc) rc = layer_figures(&pl, &f, variants, nv, heatmap_metric, err);
    for (size_t p = 0; p < f.npopulations && !rc; p++) {
        rc = rate_distortion(&pl, &f, p, variants, nv, err);
        if (!rc) rc = validity(&pl, &f, p, variants, nv, err);
    }
    if (!rc) rc = long_figures(&pl, dir, &f, variants, nv, err);
    free(variants);
    kvq_facts_free(&f);
    *drawn = pl.drawn;
    if (!rc && pl.failed)
        rc = kvq_fail(err, KVQ_EIO, "%d figure%s could not be completed (see %s/gnuplot.log)",
                      pl.failed, pl.failed == 1 ? "" : "s", pl.dir);
    return rc;
}
