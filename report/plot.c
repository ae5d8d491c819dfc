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
#include "kvq/backend.h"
#include "kvq/population.h"
#include "kvq/text.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
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
    char dir[4096];       /* the figures' folder */
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

/* What the options select from the facts: the variants (grouped by codec) and the populations. */
typedef struct selection {
    const kvq_facts *f;
    const kvq_plot_options *o;
    const char **variants;
    size_t nv;
    size_t *pops; /* indices into f->populations */
    size_t np;
} selection;

static int matches(const char *const *globs, size_t n, const char *a, const char *b)
{
    if (!n) return 1;
    for (size_t i = 0; i < n; i++)
        if (fnmatch(globs[i], a, 0) == 0 || (b && fnmatch(globs[i], b, 0) == 0)) return 1;
    return 0;
}

static int wants(const selection *s, unsigned kind)
{
    return !s->o->kinds || (s->o->kinds & kind);
}

/* The distinct codec variants of the facts the options select, in order of first appearance. */
static size_t distinct_variants(const kvq_facts *f, const kvq_plot_options *o, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < f->count; i++) {
        const char *v = f->items[i].variant;
        if (!v[0] || !matches(o->codecs, o->ncodecs, v, NULL)) continue;
        size_t k = 0;
        while (k < n && strcmp(out[k], v) != 0) k++;
        if (k == n) out[n++] = v;
    }
    return n;
}

/* One figure: its base name (<base>.png, .svg) and its data file (<base>.tsv), open. */
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

/* Appends the first len characters of word to a space-separated list (read by gnuplot's word()),
 * a space inside the word shown as '_'. */
static void add_word(char *list, size_t size, const char *word, size_t len)
{
    size_t used = strlen(list);
    if (used && used + 1 < size) list[used++] = ' ';
    for (size_t i = 0; i < len && word[i] && used + 1 < size; i++)
        list[used++] = word[i] == ' ' ? '_' : word[i];
    list[used] = '\0';
}

/* The lines of a figure: each line's title, colour, point shape and dash pattern, as
 * space-separated lists the templates read with word(). */
typedef struct series {
    char titles[8192], colors[4096], points[1024], dashes[1024];
    size_t n;
} series;

/* The Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"): distinguishable with any
 * common colour-vision deficiency. Style k is colour k % 8 and point shape k / 8, so 64 codecs
 * get 64 distinct pairs before one repeats. */
static const char *const palette[8] = {"#000000", "#e69f00", "#56b4e9", "#009e73",
                                       "#f0e442", "#0072b2", "#d55e00", "#cc79a7"};
static const char *const shapes[8] = {"7", "5", "9", "13", "11", "15", "6", "4"};

static void series_add(series *s, const char *title, size_t title_len, size_t style, int dash)
{
    char d[16];
    add_word(s->titles, sizeof s->titles, title, title_len);
    add_word(s->colors, sizeof s->colors, palette[style % 8], 7);
    add_word(s->points, sizeof s->points, shapes[(style / 8) % 8], 2);
    snprintf(d, sizeof d, "%d", dash);
    add_word(s->dashes, sizeof s->dashes, d, strlen(d));
    s->n++;
}

/* The template variables of s, appended to extra. */
static void series_vars(const series *s, char *extra, size_t size)
{
    char t[8300], c[4200], p[1100], d[1100];
    size_t used = strlen(extra);
    snprintf(extra + used, size - used, "%stitles=%s; colors=%s; points=%s; dashes=%s",
             used ? "; " : "", lit(t, sizeof t, s->titles), lit(c, sizeof c, s->colors),
             lit(p, sizeof p, s->points), lit(d, sizeof d, s->dashes));
}

/* The backend name of a variant: the part before ':'. */
static size_t codec_len(const char *variant)
{
    return strcspn(variant, ":");
}

/* A codec's style: its place in the registry, so that a codec looks the same in every figure of
 * every run of this build; a name the registry lacks gets one from its characters. */
static size_t codec_style(const char *variant)
{
    size_t len = codec_len(variant), k = 0;
    for (; kvq_backends[k]; k++)
        if (strlen(kvq_backends[k]->name) == len &&
            strncmp(kvq_backends[k]->name, variant, len) == 0)
            return k;
    size_t h = 0;
    for (size_t i = 0; i < len; i++) h = h * 31 + (unsigned char)variant[i];
    return k + h % 64;
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

/* A label as a TSV field: escaped (no control byte, so no tab or newline). */
static void put_label(FILE *f, const char *label)
{
    char buf[4 * KVQ_TEXT_MAX + 1];
    kvq_text_escape(buf, sizeof buf, label);
    fputs(buf, f);
}

static int heatmap(plotter *pl, const selection *s, kvq_error *err)
{
    const kvq_facts *f = s->f;
    const char *metric = s->o->metric;
    char extra[600], m[300];
    figure fig;
    int rc = figure_open(&fig, pl, err, NULL, "heatmap_%s", metric);
    if (rc) return rc;
    fputs("variant", fig.a.f);
    size_t label = 0; /* the widest column label, for the bottom margin */
    for (size_t i = 0; i < s->np; i++) {
        fprintf(fig.a.f, "\tP%zu ", s->pops[i] + 1);
        put_label(fig.a.f, f->labels[s->pops[i]]);
        if (strlen(f->labels[s->pops[i]]) > label) label = strlen(f->labels[s->pops[i]]);
    }
    fputc('\n', fig.a.f);
    size_t width_v = 0; /* the widest variant, for the left margin */
    for (size_t v = 0; v < s->nv; v++) {
        fputs(s->variants[v], fig.a.f);
        for (size_t i = 0; i < s->np; i++)
            fprintf(fig.a.f, "\t%.6g",
                    kvq_facts_value(f, s->variants[v], f->populations[s->pops[i]], metric));
        fputc('\n', fig.a.f);
        if (strlen(s->variants[v]) > width_v) width_v = strlen(s->variants[v]);
    }
    if ((rc = kvq_afile_commit(&fig.a, err))) return rc;
    snprintf(extra, sizeof extra, "metric=%s; nrows=%zu; ncols=%zu", lit(m, sizeof m, metric),
             s->nv, s->np);
    int width = 200 + 8 * (int)width_v + 90 * (int)s->np;
    draw(pl, "heatmap.gp", fig.base, fig.data, extra, width < 640 ? 640 : width,
         200 + 6 * (int)(label < 60 ? label : 60) + 22 * (int)s->nv);
    return KVQ_OK;
}

/* 1 when the cell of variant on population is degenerate (harness/cell_eval.c). */
static int degenerate(const kvq_facts *f, const char *variant, const char *population)
{
    return kvq_facts_value(f, variant, population, "degenerate") == 1.0;
}

/* Rate-distortion of population p: a line per codec through its variants, bits per coordinate
 * with the shared bytes included against the metric and rel_mse; a degenerate cell is drawn
 * hollow, off its codec's line. */
static int rate_distortion(plotter *pl, const selection *s, size_t p, kvq_error *err)
{
    const kvq_facts *f = s->f;
    const char *metric = s->o->rate_metric ? s->o->rate_metric : "spearman";
    char columns[400];
    snprintf(columns, sizeof columns,
             "bits_per_coord_total\t%s\trel_mse\tdegenerate (a block per codec)", metric);
    figure fig;
    int rc = figure_open(&fig, pl, err, columns, "rate_distortion_P%zu", p + 1);
    if (rc) return rc;
    series lines = {0};
    char only[1024] = ""; /* per codec, 1 when every point of it is degenerate */
    int has_mse = 0, has_degenerate = 0;
    for (size_t v = 0, end; v < s->nv; v = end) {
        end = codec_end(s->variants, s->nv, v);
        int any = 0, live = 0;
        for (size_t u = v; u < end; u++) {
            const char *variant = s->variants[u], *pop = f->populations[p];
            double bits = kvq_facts_value(f, variant, pop, "bits_per_coord_total");
            if (isnan(bits)) continue;
            double mse = kvq_facts_value(f, variant, pop, "rel_mse");
            int degen = degenerate(f, variant, pop);
            fprintf(fig.a.f, "%.6g\t%.6g\t%.6g\t%d\n", bits,
                    kvq_facts_value(f, variant, pop, metric), mse, degen);
            has_mse |= mse > 0.0 && isfinite(mse);
            has_degenerate |= degen;
            live |= !degen;
            any = 1;
        }
        if (!any) continue;
        fputs("\n\n", fig.a.f);
        add_word(only, sizeof only, live ? "0" : "1", 1);
        series_add(&lines, s->variants[v], codec_len(s->variants[v]), codec_style(s->variants[v]),
                   1);
    }
    if ((rc = kvq_afile_commit(&fig.a, err)) || lines.n == 0) return rc;
    char extra[40000], q[17000], m[300], o[1100];
    snprintf(extra, sizeof extra,
             "population=%s; metric=%s; has_mse=%d; has_degenerate=%d; degenerate_only=%s",
             lit(q, sizeof q, f->labels[p]), lit(m, sizeof m, metric), has_mse, has_degenerate,
             lit(o, sizeof o, only));
    series_vars(&lines, extra, sizeof extra);
    draw(pl, "rate_distortion.gp", fig.base, fig.data, extra, 1700, 620);
    return KVQ_OK;
}

/* A variant's point in a Pareto figure: its cost and its loss, both to be small. */
typedef struct pareto_point {
    double bits; /* bits_per_coord_total */
    double loss; /* 1 - spearman */
    int degenerate;
    const char *variant;
} pareto_point;

/* 1 when a is no worse than b on both axes and better on one. */
static int dominates(const pareto_point *a, const pareto_point *b)
{
    return a->bits <= b->bits && a->loss <= b->loss && (a->bits < b->bits || a->loss < b->loss);
}

static int by_bits(const void *a, const void *b)
{
    const pareto_point *x = a, *y = b;
    if (x->bits != y->bits) return x->bits < y->bits ? -1 : 1;
    if (x->loss != y->loss) return x->loss < y->loss ? -1 : 1;
    return strcmp(x->variant, y->variant);
}

/* The Pareto frontier of the n points into front, by increasing bits: every point that is not
 * degenerate and that no other such point dominates. Returns its size. */
static size_t pareto_frontier(const pareto_point *pts, size_t n, pareto_point *front)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int beaten = pts[i].degenerate;
        for (size_t j = 0; j < n && !beaten; j++)
            beaten = !pts[j].degenerate && dominates(&pts[j], &pts[i]);
        if (!beaten) front[m++] = pts[i];
    }
    qsort(front, m, sizeof *front, by_bits);
    return m;
}

/* Writes the points of population p, a block per codec, into pts and the figure's data; the
 * codecs' styles go to points, "1" or "0" to only (every point of the codec degenerate or not),
 * and *lowest gets the smallest positive loss. Returns the count. */
static size_t pareto_points(const selection *s, size_t p, FILE *out, pareto_point *pts,
                            series *points, char *only, size_t size, double *lowest)
{
    const kvq_facts *f = s->f;
    const char *pop = f->populations[p];
    size_t n = 0;
    *lowest = INFINITY;
    for (size_t v = 0, end; v < s->nv; v = end) {
        end = codec_end(s->variants, s->nv, v);
        size_t first = n;
        int live = 0;
        for (size_t u = v; u < end; u++) {
            pareto_point *x = &pts[n];
            x->variant = s->variants[u];
            x->bits = kvq_facts_value(f, x->variant, pop, "bits_per_coord_total");
            x->loss = 1.0 - kvq_facts_value(f, x->variant, pop, "spearman");
            x->degenerate = degenerate(f, x->variant, pop);
            if (!(x->bits > 0) || !isfinite(x->bits) || !isfinite(x->loss)) continue;
            fprintf(out, "%.6g\t%.6g\t%d\t", x->bits, x->loss, x->degenerate);
            put_label(out, x->variant);
            fputc('\n', out);
            if (x->loss > 0 && x->loss < *lowest) *lowest = x->loss;
            live |= !x->degenerate;
            n++;
        }
        if (n == first) continue;
        fputs("\n\n", out);
        add_word(only, size, live ? "0" : "1", 1);
        series_add(points, s->variants[v], codec_len(s->variants[v]), codec_style(s->variants[v]),
                   1);
    }
    return n;
}

/* The Pareto figure of population p: every variant a point in its codec's colour and shape at
 * (bits_per_coord_total, 1 - spearman), log axes, and the frontier (the variants no other beats
 * on both axes) as a step line with each of its variants named. A degenerate cell is drawn hollow
 * and kept off the frontier. The data: a block per codec, then the frontier's block. */
static int pareto(plotter *pl, const selection *s, size_t p, kvq_error *err)
{
    pareto_point *pts = malloc((2 * s->nv + 1) * sizeof *pts), *front = pts + s->nv;
    if (!pts) return kvq_fail(err, KVQ_ENOMEM, "out of memory plotting");
    figure fig;
    int rc = figure_open(&fig, pl, err,
                         "bits_per_coord_total\tone_minus_spearman\tdegenerate\tvariant (a block "
                         "per codec, then the frontier: bits, loss, variant)",
                         "pareto_P%zu", p + 1);
    series points = {0};
    char only[1024] = "";
    double lowest = INFINITY;
    size_t n = rc ? 0 : pareto_points(s, p, fig.a.f, pts, &points, only, sizeof only, &lowest);
    if (!rc && !n) kvq_afile_abort(&fig.a);
    if (rc || !n) {
        free(pts);
        return rc;
    }
    size_t m = pareto_frontier(pts, n, front);
    for (size_t i = 0; i < m; i++) {
        fprintf(fig.a.f, "%.6g\t%.6g\t", front[i].bits, front[i].loss);
        put_label(fig.a.f, front[i].variant);
        fputc('\n', fig.a.f);
    }
    int degenerates = 0;
    for (size_t i = 0; i < n; i++) degenerates += pts[i].degenerate;
    free(pts);
    if ((rc = kvq_afile_commit(&fig.a, err))) return rc;
    /* a loss of 0 (an exact codec) sits at a quarter of the smallest positive one */
    char extra[40000], q[17000], o[1100];
    snprintf(extra, sizeof extra,
             "population=%s; yfloor=%.6g; has_frontier=%d; has_degenerate=%d; degenerate_only=%s",
             lit(q, sizeof q, s->f->labels[p]), isfinite(lowest) ? lowest / 4 : 1e-6, m > 0,
             degenerates > 0, lit(o, sizeof o, only));
    series_vars(&points, extra, sizeof extra);
    draw(pl, "pareto.gp", fig.base, fig.data, extra, 1400, 760);
    return KVQ_OK;
}

/* Criterion validity of population p (a model population: its cells hold next_kl): each proxy
 * against next_kl, a panel per proxy with points (1 - value for a proxy where higher is better);
 * a proxy no variant has a point for gets no panel. */
static int validity(plotter *pl, const selection *s, size_t p, kvq_error *err)
{
    const kvq_facts *f = s->f;
    const char *pop = f->populations[p];
    size_t with = 0;
    for (size_t v = 0; v < s->nv; v++)
        with += isfinite(kvq_facts_value(f, s->variants[v], pop, "next_kl"));
    if (with < 3) return KVQ_OK;
    figure fig;
    int rc = figure_open(&fig, pl, err, NULL, "validity_P%zu", p + 1);
    if (rc) return rc;
    char proxies[1024] = "", xlogs[128] = "";
    size_t panels = 0;
    for (const char *const *x = kvq_validity_proxies; *x; x++) {
        int flip = kvq_validity_higher_better(*x);
        double lo = INFINITY, hi = 0, a[2];
        size_t count = 0;
        for (int pass = 0; pass < 2; pass++) { /* count the points, then write them */
            if (pass == 1) {
                if (!count) break;
                fprintf(fig.a.f, "# %s%s\tnext_kl\tvariant\n", flip ? "1-" : "", *x);
            }
            for (size_t v = 0; v < s->nv; v++) {
                a[0] = kvq_facts_value(f, s->variants[v], pop, *x);
                a[1] = kvq_facts_value(f, s->variants[v], pop, "next_kl");
                if (flip) a[0] = 1.0 - a[0];
                if (!isfinite(a[0]) || !isfinite(a[1]) || a[1] <= 0) continue;
                if (pass == 0) {
                    count++;
                    if (a[0] > 0) lo = a[0] < lo ? a[0] : lo;
                    hi = a[0] > hi ? a[0] : hi;
                } else {
                    fprintf(fig.a.f, "%.6g\t%.6g\t%s\n", a[0], a[1], s->variants[v]);
                }
            }
        }
        if (!count) continue;
        fputs("\n\n", fig.a.f);
        char label[48];
        snprintf(label, sizeof label, "%s%s", flip ? "1-" : "", *x);
        add_word(proxies, sizeof proxies, label, strlen(label));
        add_word(xlogs, sizeof xlogs, isfinite(lo) && hi > 10 * lo ? "1" : "0", 1);
        panels++;
    }
    if ((rc = kvq_afile_commit(&fig.a, err)) || !panels) return rc;
    size_t cols = panels < 4 ? panels : 4, rows = (panels + cols - 1) / cols;
    char extra[20000], a[1100], b[200], q[17000];
    snprintf(extra, sizeof extra, "proxies=%s; xlogs=%s; cols=%zu; rows=%zu; population=%s",
             lit(a, sizeof a, proxies), lit(b, sizeof b, xlogs), cols, rows,
             lit(q, sizeof q, f->labels[p]));
    draw(pl, "validity.gp", fig.base, fig.data, extra, 40 + 340 * (int)cols, 60 + 300 * (int)rows);
    return KVQ_OK;
}

/* 1 when population q (an index of f) is a layer of the family of label p: the same label before
 * '@'. */
static int same_family(const kvq_facts *f, size_t p, size_t q, long *layer)
{
    size_t flen, glen;
    kvq_label_layer(f->labels[p], &flen);
    *layer = kvq_label_layer(f->labels[q], &glen);
    return *layer >= 0 && glen == flen && strncmp(f->labels[q], f->labels[p], flen) == 0;
}

/* The metric by layer of each family of single-layer populations with at least two layers: a
 * figure layers_<n>, one line per variant (a codec's colour and shape, a dash pattern per
 * variant of the codec). */
static int layer_figures(plotter *pl, const selection *s, kvq_error *err)
{
    const kvq_facts *f = s->f;
    int rc = KVQ_OK;
    size_t figures = 0;
    long layer;
    for (size_t i = 0; i < s->np && !rc; i++) {
        size_t p = s->pops[i], members = 0, first = p;
        if (!same_family(f, p, p, &layer)) continue;
        for (size_t j = 0; j < s->np; j++)
            if (same_family(f, p, s->pops[j], &layer) && members++ == 0) first = s->pops[j];
        if (members < 2 || first != p) continue; /* a family once, from its first member */
        figure fig;
        if ((rc = figure_open(&fig, pl, err, "layer\tvalue (a block per variant)", "layers_%zu",
                              ++figures)))
            break;
        series lines = {0};
        for (size_t v = 0, k = 0; v < s->nv; v++) {
            k = v > 0 && same_codec(s->variants[v], s->variants[v - 1]) ? k + 1 : 0;
            size_t count = 0;
            for (size_t j = 0; j < s->np; j++) {
                if (!same_family(f, p, s->pops[j], &layer)) continue;
                double x =
                    kvq_facts_value(f, s->variants[v], f->populations[s->pops[j]], s->o->metric);
                if (isnan(x)) continue;
                fprintf(fig.a.f, "%ld\t%.6g\n", layer, x);
                count++;
            }
            if (!count) continue;
            fputs("\n\n", fig.a.f);
            series_add(&lines, s->variants[v], strlen(s->variants[v]), codec_style(s->variants[v]),
                       (int)(k % 5) + 1);
        }
        if ((rc = kvq_afile_commit(&fig.a, err)) || !lines.n) continue;
        size_t flen;
        kvq_label_layer(f->labels[p], &flen);
        char family[KVQ_TEXT_MAX + 32], extra[40000], m[300], q[600];
        snprintf(family, sizeof family, "%.*s", (int)flen, f->labels[p]);
        snprintf(extra, sizeof extra, "metric=%s; family=%s", lit(m, sizeof m, s->o->metric),
                 lit(q, sizeof q, family));
        series_vars(&lines, extra, sizeof extra);
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

/* Scree plot of every selected population from factors.csv (analysis "scree", statistic
 * eigenvalue_N). */
static int scree(plotter *pl, const selection *s, const kvq_csv_table *t, kvq_error *err)
{
    long cp = col(t, "population"), ca = col(t, "analysis"), cv = col(t, "value");
    if (cp < 0 || ca < 0 || cv < 0) return KVQ_OK;
    figure fig;
    int rc = figure_open(&fig, pl, err, "component\teigenvalue (a block per population)", "scree");
    if (rc) return rc;
    series lines = {0};
    size_t most = 0;
    for (size_t i = 0; i < s->np; i++) {
        size_t p = s->pops[i], count = 0;
        for (size_t r = 0; r < t->nrows; r++)
            if (field_is(t, r, cp, s->f->populations[p]) && field_is(t, r, ca, "scree"))
                fprintf(fig.a.f, "%zu\t%.6g\n", ++count, field_number(t, r, cv));
        if (!count) continue;
        fputs("\n\n", fig.a.f);
        char title[KVQ_TEXT_MAX + 32];
        snprintf(title, sizeof title, "P%zu %s", p + 1, s->f->labels[p]);
        series_add(&lines, title, strlen(title), lines.n, 1);
        most = count > most ? count : most;
    }
    if ((rc = kvq_afile_commit(&fig.a, err)) || !lines.n) return rc;
    char extra[40000];
    snprintf(extra, sizeof extra, "ncomp=%zu", most);
    series_vars(&lines, extra, sizeof extra);
    int height = 80 + 17 * (int)lines.n; /* the legend in one column */
    draw(pl, "scree.gp", fig.base, fig.data, extra, 1000, height < 560 ? 560 : height);
    return KVQ_OK;
}

/* Alpha-if-deleted of population p from reliability.csv: one point per codec variant. */
static int alpha_deleted(plotter *pl, const selection *s, size_t p, const kvq_csv_table *t,
                         kvq_error *err)
{
    long cp = col(t, "population"), ca = col(t, "analysis"), ci = col(t, "item"),
         cs = col(t, "statistic"), cv = col(t, "value");
    if (cp < 0 || ca < 0 || ci < 0 || cs < 0 || cv < 0) return KVQ_OK;
    double alpha = NAN, lo = 1.0, shift = 0.0;
    size_t points = 0, widest = 0;
    figure fig;
    int rc = figure_open(&fig, pl, err, "variant\talpha_if_deleted", "alpha_deleted_P%zu", p + 1);
    if (rc) return rc;
    for (size_t r = 0; r < t->nrows; r++) {
        if (!field_is(t, r, cp, s->f->populations[p]) || !field_is(t, r, cs, "raw_alpha")) continue;
        if (field_is(t, r, ca, "alpha")) alpha = field_number(t, r, cv);
        const char *item = kvq_csv_field(t, r, (size_t)ci);
        if (!field_is(t, r, ca, "alpha_if_deleted") ||
            !matches(s->o->codecs, s->o->ncodecs, item, NULL))
            continue;
        double x = field_number(t, r, cv);
        fprintf(fig.a.f, "%s\t%.6g\n", item, x);
        if (x < lo) lo = x;
        if (strlen(item) > widest) widest = strlen(item);
        points++;
    }
    if ((rc = kvq_afile_commit(&fig.a, err)) || !points || isnan(alpha)) return rc;
    for (size_t r = 0; r < t->nrows; r++) /* the largest change deleting one codec makes */
        if (field_is(t, r, cp, s->f->populations[p]) && field_is(t, r, cs, "raw_alpha") &&
            field_is(t, r, ca, "alpha_if_deleted") &&
            fabs(field_number(t, r, cv) - alpha) > fabs(shift))
            shift = field_number(t, r, cv) - alpha;
    /* The y axis from 0.7 (the usual floor of an acceptable alpha) or below the lowest point, to
     * 1: a change of 0.001 looks as small as it is. */
    double ymin = lo - 0.02 < 0.7 ? lo - 0.02 : 0.7;
    if (ymin < -1.0) ymin = -1.0;
    char extra[18000], q[17000];
    snprintf(extra, sizeof extra, "alpha=%.10g; shift=%.3g; ymin=%.4g; population=%s; nrows=%zu",
             alpha, shift, ymin, lit(q, sizeof q, s->f->labels[p]), points);
    draw(pl, "alpha_deleted.gp", fig.base, fig.data, extra, 600 + 24 * (int)points,
         460 + 6 * (int)(widest < 40 ? widest : 40));
    return KVQ_OK;
}

/* Chain-collapse curves of population p from chain.csv (columns variant, population, depth, rho,
 * ci_low, ci_high): one panel per codec in its colour, one line per variant labelled by its
 * parameters, with its interval as a band. */
static int chain(plotter *pl, const selection *s, size_t p, const kvq_csv_table *t, kvq_error *err)
{
    long cp = col(t, "population"), cvar = col(t, "variant"), cd = col(t, "depth"),
         cr = col(t, "rho"), clo = col(t, "ci_low"), chi = col(t, "ci_high");
    if (cp < 0 || cvar < 0 || cd < 0 || cr < 0) return KVQ_OK;
    char codecs[1024] = "", firsts[512] = "", counts[512] = "";
    figure fig;
    int rc = figure_open(&fig, pl, err, "depth\trho\tci_low\tci_high (a block per variant)",
                         "chain_P%zu", p + 1);
    if (rc) return rc;
    series lines = {0};
    size_t panels = 0, most = 0;
    for (size_t v = 0, end; v < s->nv; v = end) {
        end = codec_end(s->variants, s->nv, v);
        size_t first = lines.n;
        for (size_t u = v; u < end; u++) {
            size_t count = 0;
            for (size_t r = 0; r < t->nrows; r++)
                if (field_is(t, r, cp, s->f->populations[p]) &&
                    field_is(t, r, cvar, s->variants[u]))
                    fprintf(fig.a.f, "%.0f\t%.6g\t%.6g\t%.6g\n", field_number(t, r, cd),
                            field_number(t, r, cr), clo < 0 ? NAN : field_number(t, r, clo),
                            chi < 0 ? NAN : field_number(t, r, chi)),
                        count++;
            if (!count) continue;
            fputs("\n\n", fig.a.f);
            size_t len = codec_len(s->variants[u]);
            const char *label = s->variants[u][len] ? s->variants[u] + len + 1 : s->variants[u];
            series_add(&lines, label, strlen(label), codec_style(s->variants[u]),
                       (int)((lines.n - first) % 5) + 1);
        }
        if (lines.n == first) continue;
        char number[32];
        add_word(codecs, sizeof codecs, s->variants[v], codec_len(s->variants[v]));
        snprintf(number, sizeof number, "%zu", first);
        add_word(firsts, sizeof firsts, number, strlen(number));
        snprintf(number, sizeof number, "%zu", lines.n - first);
        add_word(counts, sizeof counts, number, strlen(number));
        if (lines.n - first > most) most = lines.n - first;
        panels++;
    }
    if ((rc = kvq_afile_commit(&fig.a, err)) || !lines.n) return rc;
    size_t cols = panels < 5 ? panels : 5, rows = (panels + cols - 1) / cols;
    char extra[40000], c[4100], a[2100], b[2100], q[17000];
    snprintf(extra, sizeof extra,
             "codecs=%s; firsts=%s; counts=%s; most=%zu; cols=%zu; rows=%zu; tau=%g; "
             "population=%s",
             lit(c, sizeof c, codecs), lit(a, sizeof a, firsts), lit(b, sizeof b, counts), most,
             cols, rows, KVQ_CHAIN_TAU, lit(q, sizeof q, s->f->labels[p]));
    series_vars(&lines, extra, sizeof extra);
    draw(pl, "chain.gp", fig.base, fig.data, extra, 40 + 330 * (int)cols,
         60 + (260 + 12 * (int)most) * (int)rows);
    return KVQ_OK;
}

/* The error structure of one population as factors.csv holds it (analysis/error_structure.h):
 * the codecs' names by their number, the place of each in the dendrogram's leaf order, the
 * correlations, the tree. */
typedef struct error_tree {
    size_t k;
    const char **name; /* k: by number - 1 */
    size_t *place;     /* k: each codec's place in the leaf order */
    double *corr;      /* k x k */
    long *merge;       /* (k - 1) x 2, R's convention */
    double *height;    /* k - 1 */
    double *x, *y;     /* k + k - 1: each node's height and place, leaves first, then the steps */
    double cut;
} error_tree;

static void error_tree_free(error_tree *e)
{
    free(e->name), free(e->place), free(e->corr), free(e->merge), free(e->height), free(e->x);
    free(e->y);
}

/* The number of the codec named item, or 0. */
static size_t error_codec(const error_tree *e, const char *item)
{
    for (size_t i = 0; i < e->k; i++)
        if (e->name[i] && strcmp(e->name[i], item) == 0) return i + 1;
    return 0;
}

/* Reads one row of pop's error_cluster, error_correlation or error_summary into e. */
static void error_tree_row(error_tree *e, const char *analysis, const char *item,
                           const char *statistic, double v)
{
    size_t i = error_codec(e, item), j;
    char part;
    if (!strcmp(analysis, "error_cluster") && !strcmp(statistic, "order") && i && v >= 1 &&
        v <= (double)e->k)
        e->place[i - 1] = (size_t)v - 1;
    else if (!strcmp(analysis, "error_correlation") && i && sscanf(statistic, "r_%zu", &j) == 1 &&
             j >= 1 && j <= e->k)
        e->corr[(i - 1) * e->k + j - 1] = e->corr[(j - 1) * e->k + i - 1] = v;
    else if (!strcmp(analysis, "error_cluster") &&
             sscanf(statistic, "merge_%zu_%c", &j, &part) == 2 && j >= 1 && j < e->k)
        e->merge[2 * (j - 1) + (part == 'b')] = (long)v;
    else if (!strcmp(analysis, "error_cluster") && sscanf(statistic, "height_%zu", &j) == 1 &&
             j >= 1 && j < e->k)
        e->height[j - 1] = v;
    else if (!strcmp(analysis, "error_summary") && !strcmp(statistic, "cut_height"))
        e->cut = v;
}

/* Pop's error structure from factors.csv t; 0 when it has one (two codecs or more). */
static int error_tree_read(const kvq_csv_table *t, const char *pop, error_tree *e)
{
    long cp = col(t, "population"), ca = col(t, "analysis"), ci = col(t, "item"),
         cs = col(t, "statistic"), cv = col(t, "value");
    memset(e, 0, sizeof *e);
    if (cp < 0 || ca < 0 || ci < 0 || cs < 0 || cv < 0) return -1;
    for (size_t r = 0; r < t->nrows; r++)
        e->k += field_is(t, r, cp, pop) && field_is(t, r, ca, "error_cluster") &&
                field_is(t, r, cs, "item");
    size_t k = e->k;
    if (k < 2) return -1;
    e->name = calloc(k, sizeof *e->name), e->place = calloc(k, sizeof *e->place);
    e->corr = calloc(k * k, sizeof *e->corr), e->merge = calloc(2 * k, sizeof *e->merge);
    e->height = calloc(k, sizeof *e->height), e->x = calloc(2 * k, sizeof *e->x);
    e->y = calloc(2 * k, sizeof *e->y);
    if (!e->name || !e->place || !e->corr || !e->merge || !e->height || !e->x || !e->y) return -1;
    for (size_t r = 0; r < t->nrows; r++) { /* the numbers first: the other rows name codecs */
        double v = field_number(t, r, cv);
        if (field_is(t, r, cp, pop) && field_is(t, r, ca, "error_cluster") &&
            field_is(t, r, cs, "item") && v >= 1 && v <= (double)k)
            e->name[(size_t)v - 1] = kvq_csv_field(t, r, (size_t)ci);
    }
    for (size_t i = 0; i < k; i++) {
        if (!e->name[i]) return -1;
        e->corr[i * k + i] = 1.0;
    }
    for (size_t r = 0; r < t->nrows; r++)
        if (field_is(t, r, cp, pop))
            error_tree_row(e, kvq_csv_field(t, r, (size_t)ca), kvq_csv_field(t, r, (size_t)ci),
                           kvq_csv_field(t, r, (size_t)cs), field_number(t, r, cv));
    return 0;
}

/* A part of a merge (R's convention) as a node: leaves 0..k-1, step s at k + s - 1. */
static size_t error_node(const error_tree *e, long part)
{
    return part < 0 ? (size_t)(-part - 1) : e->k + (size_t)part - 1;
}

/* The figure's data: the correlations in leaf order, then the tree's segments. */
static void error_tree_write(FILE *f, error_tree *e)
{
    size_t k = e->k, *leaf = malloc(k * sizeof *leaf);
    if (!leaf) return;
    for (size_t i = 0; i < k; i++) leaf[e->place[i] < k ? e->place[i] : 0] = i;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            fprintf(f, "%zu\t%zu\t%.6g\n", a, b, e->corr[leaf[a] * k + leaf[b]]);
    fputs("\n\n", f);
    for (size_t i = 0; i < k; i++) e->x[i] = 0.0, e->y[i] = (double)e->place[i];
    for (size_t s = 0; s + 1 < k; s++) {
        size_t a = error_node(e, e->merge[2 * s]), b = error_node(e, e->merge[2 * s + 1]);
        if (a >= k + s || b >= k + s) break; /* a part not made yet: a damaged file */
        double h = e->height[s];
        e->x[k + s] = h, e->y[k + s] = (e->y[a] + e->y[b]) / 2;
        fprintf(f, "%.6g\t%.6g\t%.6g\t%.6g\n", e->x[a], e->y[a], h, e->y[a]);
        fprintf(f, "%.6g\t%.6g\t%.6g\t%.6g\n", e->x[b], e->y[b], h, e->y[b]);
        fprintf(f, "%.6g\t%.6g\t%.6g\t%.6g\n", h, e->y[a], h, e->y[b]);
    }
    free(leaf);
}

/* The codecs' names in leaf order as a gnuplot literal of space-separated words (NULL: no
 * memory). */
static char *error_names(const error_tree *e, size_t *widest)
{
    size_t len = 1;
    for (size_t i = 0; i < e->k; i++) len += strlen(e->name[i]) + 1;
    char *words = calloc(len, 1), *out = malloc(4 * len + 8);
    for (size_t p = 0; words && out && p < e->k; p++)
        for (size_t i = 0; i < e->k; i++)
            if (e->place[i] == p) {
                add_word(words, len, e->name[i], strlen(e->name[i]));
                if (strlen(e->name[i]) > *widest) *widest = strlen(e->name[i]);
            }
    if (words && out) kvq_text_gnuplot_literal(out, 4 * len + 8, words);
    free(words);
    if (!words) free(out);
    return words ? out : NULL;
}

/* Which codecs err together in population p (factors.csv t): the error correlations in the
 * dendrogram's leaf order beside the tree on 1 - r. */
static int error_cluster(plotter *pl, const selection *s, size_t p, const kvq_csv_table *t,
                         kvq_error *err)
{
    error_tree e;
    if (error_tree_read(t, s->f->populations[p], &e)) {
        error_tree_free(&e);
        return KVQ_OK;
    }
    figure fig;
    int rc = figure_open(&fig, pl, err,
                         "row\tcolumn\tr (the codecs by their place in the leaf order), then the "
                         "tree: x1\ty1\tx2\ty2 (x the height 1 - r, y the place)",
                         "error_cluster_P%zu", p + 1);
    if (!rc) error_tree_write(fig.a.f, &e);
    if (!rc) rc = kvq_afile_commit(&fig.a, err);
    size_t widest = 0;
    char *names = rc ? NULL : error_names(&e, &widest), q[17000];
    double hmax = 0.0;
    for (size_t i = 0; i + 1 < e.k; i++) hmax = e.height[i] > hmax ? e.height[i] : hmax;
    size_t size = names ? strlen(names) + 18000 : 0;
    char *extra = names ? malloc(size) : NULL;
    if (extra) {
        int label_px = 7 * (int)(widest < 60 ? widest : 60), cells = 26 * (int)e.k;
        snprintf(extra, size,
                 "names=%s; ncodecs=%zu; cut=%g; hmax=%.6g; label_px=%d; population=%s", names, e.k,
                 e.cut, hmax, label_px, lit(q, sizeof q, s->f->labels[p]));
        draw(pl, "error_cluster.gp", fig.base, fig.data, extra,
             cells + 2 * label_px + 420 < 800 ? 800 : cells + 2 * label_px + 420,
             cells + label_px + 160 < 560 ? 560 : cells + label_px + 160);
    } else if (!rc) {
        rc = kvq_fail(err, KVQ_ENOMEM, "out of memory plotting");
    }
    free(names), free(extra);
    error_tree_free(&e);
    return rc;
}

/* Tucker's phi between the selected populations for one factor of congruence.csv t (factor,
 * population_a, population_b, phi), as a matrix; undefined pairs and the diagonal NaN. */
static int congruence_figure(plotter *pl, const selection *s, const kvq_csv_table *t,
                             const char *factor, const char *what, kvq_error *err)
{
    long cf = col(t, "factor"), ca = col(t, "population_a"), cb = col(t, "population_b"),
         cphi = col(t, "phi");
    if (cf < 0 || ca < 0 || cb < 0 || cphi < 0 || s->np < 2) return KVQ_OK;
    figure fig;
    int rc = figure_open(&fig, pl, err,
                         "population\tphi (a matrix: the next row and the first column name the "
                         "populations)",
                         "congruence_%s", factor);
    if (rc) return rc;
    fputs("population", fig.a.f);
    for (size_t i = 0; i < s->np; i++) {
        fprintf(fig.a.f, "\tP%zu ", s->pops[i] + 1);
        put_label(fig.a.f, s->f->labels[s->pops[i]]);
    }
    for (size_t i = 0; i < s->np; i++) {
        fprintf(fig.a.f, "\nP%zu ", s->pops[i] + 1);
        put_label(fig.a.f, s->f->labels[s->pops[i]]);
        for (size_t j = 0; j < s->np; j++) {
            const char *a = s->f->populations[s->pops[i]], *b = s->f->populations[s->pops[j]];
            double phi = NAN;
            for (size_t r = 0; r < t->nrows && i != j; r++)
                if (field_is(t, r, cf, factor) &&
                    ((field_is(t, r, ca, a) && field_is(t, r, cb, b)) ||
                     (field_is(t, r, ca, b) && field_is(t, r, cb, a))))
                    phi = field_number(t, r, cphi);
            if (isnan(phi))
                fputs("\tNaN", fig.a.f); /* the spelling gnuplot is told is missing */
            else
                fprintf(fig.a.f, "\t%.6g", phi);
        }
    }
    fputc('\n', fig.a.f);
    if ((rc = kvq_afile_commit(&fig.a, err))) return rc;
    char extra[600], w[300];
    snprintf(extra, sizeof extra, "what=%s; npops=%zu", lit(w, sizeof w, what), s->np);
    int side = 260 + 110 * (int)s->np;
    draw(pl, "congruence.gp", fig.base, fig.data, extra, side < 700 ? 700 : side,
         side < 600 ? 600 : side);
    return KVQ_OK;
}

/* The templates' folder as an absolute path (gnuplot runs inside the figures' folder): the
 * KVQ_PLOTS_DIR environment variable, else the source tree's plots/. */
static int templates_dir(char *buf, kvq_error *err)
{
    const char *env = getenv("KVQ_PLOTS_DIR");
    const char *dir = env && *env ? env : KVQ_PLOTS_DIR;
    if (!realpath(dir, buf))
        return kvq_fail(err, KVQ_EIO, "plot templates '%s': %s", dir, strerror(errno));
    return KVQ_OK;
}

/* Every figure that needs the long files of the run (reliability, factors, chain, congruence);
 * the error-structure and congruence figures go with the scree, the factor structure's kind. */
static int long_figures(plotter *pl, const char *dir, const selection *s, kvq_error *err)
{
    kvq_csv_table rel, fac, ch, con;
    int rc = read_long(dir, "reliability.csv", &rel, err);
    if (!rc) rc = read_long(dir, "factors.csv", &fac, err);
    if (!rc) rc = read_long(dir, "chain.csv", &ch, err);
    if (!rc) rc = read_long(dir, "congruence.csv", &con, err);
    if (!rc && wants(s, KVQ_PLOT_SCREE)) rc = scree(pl, s, &fac, err);
    for (size_t i = 0; i < s->np && !rc; i++) {
        if (wants(s, KVQ_PLOT_ALPHA)) rc = alpha_deleted(pl, s, s->pops[i], &rel, err);
        if (!rc && wants(s, KVQ_PLOT_CHAIN)) rc = chain(pl, s, s->pops[i], &ch, err);
        if (!rc && wants(s, KVQ_PLOT_SCREE)) rc = error_cluster(pl, s, s->pops[i], &fac, err);
    }
    if (!rc && wants(s, KVQ_PLOT_SCREE))
        rc = congruence_figure(pl, s, &con, "score_factor1", "first score factor", err);
    if (!rc && wants(s, KVQ_PLOT_SCREE))
        rc = congruence_figure(pl, s, &con, "error_factor1", "first error factor", err);
    kvq_csv_free(&rel);
    kvq_csv_free(&fac);
    kvq_csv_free(&ch);
    kvq_csv_free(&con);
    return rc;
}

unsigned kvq_plot_kind_parse(const char *name)
{
    static const char *const names[] = {"heatmap", "rate",  "layers",   "chain",
                                        "scree",   "alpha", "validity", "pareto"};
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(name, names[i]) == 0) return 1u << i;
    return 0;
}

static int figures(plotter *pl, const char *dir, selection *s, kvq_error *err)
{
    int rc = KVQ_OK;
    if (wants(s, KVQ_PLOT_HEATMAP)) rc = heatmap(pl, s, err);
    if (!rc && wants(s, KVQ_PLOT_LAYERS)) rc = layer_figures(pl, s, err);
    for (size_t i = 0; i < s->np && !rc; i++) {
        if (wants(s, KVQ_PLOT_RATE)) rc = rate_distortion(pl, s, s->pops[i], err);
        if (!rc && wants(s, KVQ_PLOT_PARETO)) rc = pareto(pl, s, s->pops[i], err);
        if (!rc && wants(s, KVQ_PLOT_VALIDITY)) rc = validity(pl, s, s->pops[i], err);
    }
    return rc ? rc : long_figures(pl, dir, s, err);
}

int kvq_plots_draw(const char *dir, const kvq_plot_options *opt, int *drawn, kvq_error *err)
{
    *drawn = 0;
    if (!on_path("gnuplot")) {
        fputs("kvqeval: gnuplot not found on PATH; no plots drawn (Debian: apt-get install "
              "gnuplot-nox)\n",
              stderr);
        return KVQ_OK;
    }
    plotter pl = {0};
    if (opt->out)
        snprintf(pl.dir, sizeof pl.dir, "%s", opt->out);
    else
        snprintf(pl.dir, sizeof pl.dir, "%s/plots", dir);
    kvq_facts f;
    int rc = templates_dir(pl.templates, err);
    if (!rc) rc = kvq_mkdir_p(pl.dir, err);
    if (!rc) rc = kvq_facts_load(&f, dir, err);
    if (rc) return rc;
    selection s = {.f = &f, .o = opt};
    s.variants = malloc((f.count + 1) * sizeof *s.variants);
    s.pops = malloc((f.npopulations + 1) * sizeof *s.pops);
    if (!s.variants || !s.pops) {
        rc = kvq_fail(err, KVQ_ENOMEM, "out of memory plotting");
    } else {
        s.nv = distinct_variants(&f, opt, s.variants);
        group_by_codec(s.variants, s.nv);
        for (size_t p = 0; p < f.npopulations; p++)
            if (matches(opt->populations, opt->npopulations, f.labels[p], f.populations[p]))
                s.pops[s.np++] = p;
        rc = figures(&pl, dir, &s, err);
    }
    free(s.variants);
    free(s.pops);
    kvq_facts_free(&f);
    *drawn = pl.drawn;
    if (!rc && pl.failed)
        rc = kvq_fail(err, KVQ_EIO, "%d figure%s could not be completed (see %s/gnuplot.log)",
                      pl.failed, pl.failed == 1 ? "" : "s", pl.dir);
    return rc;
}
