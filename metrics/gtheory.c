/* G studies (include/kvq/gtheory.h): ANOVA estimates of the variance components of the balanced,
 * all-random (p:q) x (r:c) design and of one codec's s x r design, with G and Phi for a D study of
 * the same sizes. Reference: R. L. Brennan, Generalizability Theory (2001), sec. 3.4 and 7.1.
 *
 * Sums of squares from the marginal means (y_A: the mean over the indices not in A, g the grand
 * mean), on the degrees of freedom at the right:
 *     SS(q)    = np nc nr sum (y_q - g)^2                        nq - 1
 *     SS(p:q)  = nc nr sum (y_qp - y_q)^2                        nq (np - 1)
 *     SS(c)    = nq np nr sum (y_c - g)^2                        nc - 1
 *     SS(r:c)  = nq np sum (y_cr - y_c)^2                        nc (nr - 1)
 *     SS(qc)   = np nr sum (y_qc - y_q - y_c + g)^2              (nq - 1)(nc - 1)
 *     SS(pc:q) = nr sum (y_qpc - y_qp - y_qc + y_q)^2            nq (np - 1)(nc - 1)
 *     SS(qr:c) = np sum (y_qcr - y_qc - y_cr + y_c)^2            (nq - 1) nc (nr - 1)
 *     SS(res)  = sum (y - y_qpc - y_qcr + y_qc)^2                nq (np - 1) nc (nr - 1)
 * Expected mean squares (Cornfield-Tukey: EMS(a) sums, over every effect b whose indices include
 * a's, s2(b) times the sample sizes of the indices not in b), E = s2(res):
 *     EMS(q)    = np nc nr s2(q) + nc nr s2(p:q) + np nr s2(qc) + nr s2(pc:q) + np s2(qr:c) + E
 *     EMS(p:q)  = nc nr s2(p:q) + nr s2(pc:q) + s2(res)
 *     EMS(c)    = nq np nr s2(c) + nq np s2(r:c) + np nr s2(qc) + nr s2(pc:q) + np s2(qr:c) + E
 *     EMS(r:c)  = nq np s2(r:c) + np s2(qr:c) + s2(res)
 *     EMS(qc)   = np nr s2(qc) + nr s2(pc:q) + np s2(qr:c) + s2(res)
 *     EMS(pc:q) = nr s2(pc:q) + s2(res)
 *     EMS(qr:c) = np s2(qr:c) + s2(res)
 *     EMS(res)  = s2(res)
 * solved from the residual up, each with the signed estimates of those below it, e.g.
 *     s2(q) = (MS(q) - MS(p:q) - MS(qc) + MS(pc:q)) / (np nc nr).
 * nr == 1 leaves the (p:q) x c design, SS(res) being the former SS(pc:q):
 *     EMS(q) = np nc s2(q) + nc s2(p:q) + np s2(qc) + s2(res)     EMS(p:q) = nc s2(p:q) + s2(res)
 *     EMS(c) = nq np s2(c) + np s2(qc) + s2(res)                   EMS(qc)  = np s2(qc) + s2(res)
 *
 * Only y_qcr (summed over p in a first pass) is stored; coarser means are its averages (the design
 * is balanced) and y_qp, y_qpc are formed per subject in the second pass, whose nc nr values lie
 * together. Known answer (tests/test_metrics_gtheory.c, from tests/golden/gen_gtheory.py with
 * statsmodels): the 4 x 3 x 3 x 2 set "small" gives s2(p:q) = 3.50087, a raw s2(q) of -0.04581
 * (reported as 0, flagged), G = 0.88360 and Phi = 0.62434.
 */
#include "kvq/gtheory.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

const char *kvq_gtheory_effect_name(kvq_gtheory_effect e)
{
    static const char *const names[KVQ_GT_EFFECTS] = {"q",  "p:q",  "c",    "r:c",
                                                      "qc", "pc:q", "qr:c", "res"};
    return e < KVQ_GT_EFFECTS ? names[e] : "?";
}

/* Marginal means of the full design; qcr owns the one allocation. */
typedef struct gtheory_means {
    double *qcr, *qc, *cr, *q, *c;
    double g;
} gtheory_means;

static int gtheory_sizes_ok(const char *what, size_t nq, size_t np, size_t nc, size_t nr,
                            kvq_error *err)
{
    if (nq == 0 || np == 0 || nc == 0 || nr == 0)
        return kvq_fail(err, KVQ_EINVAL,
                        "%s: a size is 0 (nq %zu queries, np %zu subjects per query, nc %zu "
                        "codecs, nr %zu replicates)",
                        what, nq, np, nc, nr);
    if (np > SIZE_MAX / nq || nc > SIZE_MAX / (nq * np) || nr > SIZE_MAX / (nq * np * nc))
        return kvq_fail(err, KVQ_EINVAL, "%s: nq %zu x np %zu x nc %zu x nr %zu overflows", what,
                        nq, np, nc, nr);
    return KVQ_OK;
}

static int gtheory_not_finite(const char *what, size_t i, size_t np, size_t nc, size_t nr,
                              kvq_error *err)
{
    size_t r = i % nr, c = i / nr % nc, p = i / nr / nc % np, q = i / nr / nc / np;
    return kvq_fail(err, KVQ_EINVAL, "%s: value at q %zu, p %zu, c %zu, r %zu is not finite", what,
                    q + 1, p + 1, c + 1, r + 1);
}

/* First pass: m->qcr = means over p, checking every value; then the coarser means from it. */
static int gtheory_means_fill(const double *y, size_t nq, size_t np, size_t nc, size_t nr,
                              gtheory_means *m, kvq_error *err)
{
    size_t ncr = nc * nr;
    for (size_t i = 0; i < nq * ncr; i++) m->qcr[i] = 0.0;
    for (size_t q = 0; q < nq; q++)
        for (size_t p = 0; p < np; p++) {
            size_t base = (q * np + p) * ncr;
            for (size_t j = 0; j < ncr; j++) {
                if (!isfinite(y[base + j]))
                    return gtheory_not_finite("G study", base + j, np, nc, nr, err);
                m->qcr[q * ncr + j] += y[base + j];
            }
        }
    for (size_t i = 0; i < nq * ncr; i++) m->qcr[i] /= (double)np;
    for (size_t i = 0; i < nq * nc; i++) m->qc[i] = 0.0;
    for (size_t j = 0; j < ncr; j++) m->cr[j] = 0.0;
    for (size_t q = 0; q < nq; q++)
        for (size_t j = 0; j < ncr; j++) {
            m->qc[q * nc + j / nr] += m->qcr[q * ncr + j] / (double)nr;
            m->cr[j] += m->qcr[q * ncr + j] / (double)nq;
        }
    for (size_t c = 0; c < nc; c++) m->c[c] = 0.0;
    m->g = 0.0;
    for (size_t q = 0; q < nq; q++) {
        m->q[q] = 0.0;
        for (size_t c = 0; c < nc; c++) m->q[q] += m->qc[q * nc + c] / (double)nc;
        for (size_t c = 0; c < nc; c++) m->c[c] += m->qc[q * nc + c] / (double)nq;
        m->g += m->q[q] / (double)nq;
    }
    for (size_t i = 0; i < nq * ncr; i++)
        if (!isfinite(m->qcr[i]))
            return kvq_fail(err, KVQ_EINVAL, "G study: the sum over subjects overflows");
    return KVQ_OK;
}

/* SS of q, c, r:c, qc and qr:c, from the stored means alone. */
static void gtheory_ss_tables(const gtheory_means *m, size_t nq, size_t np, size_t nc, size_t nr,
                              double ss[KVQ_GT_EFFECTS])
{
    double sq = 0.0, sc = 0.0, src = 0.0, sqc = 0.0, sqrc = 0.0;
    for (size_t q = 0; q < nq; q++) sq += (m->q[q] - m->g) * (m->q[q] - m->g);
    for (size_t c = 0; c < nc; c++) {
        sc += (m->c[c] - m->g) * (m->c[c] - m->g);
        for (size_t r = 0; r < nr; r++) {
            double d = m->cr[c * nr + r] - m->c[c];
            src += d * d;
        }
    }
    for (size_t q = 0; q < nq; q++)
        for (size_t c = 0; c < nc; c++) {
            double qc = m->qc[q * nc + c], d = qc - m->q[q] - m->c[c] + m->g;
            sqc += d * d;
            for (size_t r = 0; r < nr; r++) {
                double e = m->qcr[(q * nc + c) * nr + r] - qc - m->cr[c * nr + r] + m->c[c];
                sqrc += e * e;
            }
        }
    double dq = (double)nq, dp = (double)np, dc = (double)nc, dr = (double)nr;
    ss[KVQ_GT_Q] = dp * dc * dr * sq;
    ss[KVQ_GT_C] = dq * dp * dr * sc;
    ss[KVQ_GT_R_C] = dq * dp * src;
    ss[KVQ_GT_QC] = dp * dr * sqc;
    ss[KVQ_GT_QR_C] = dp * sqrc;
}

/* Second pass: SS of p:q, pc:q and the residual, one subject's nc x nr block at a time. */
static void gtheory_ss_subjects(const double *y, const gtheory_means *m, size_t nq, size_t np,
                                size_t nc, size_t nr, double ss[KVQ_GT_EFFECTS])
{
    double spq = 0.0, spcq = 0.0, sres = 0.0, ncr = (double)(nc * nr);
    for (size_t q = 0; q < nq; q++)
        for (size_t p = 0; p < np; p++) {
            const double *b = y + (q * np + p) * nc * nr;
            double qp = 0.0;
            for (size_t j = 0; j < nc * nr; j++) qp += b[j];
            qp /= ncr;
            spq += (qp - m->q[q]) * (qp - m->q[q]);
            for (size_t c = 0; c < nc; c++) {
                double qpc = 0.0, qc = m->qc[q * nc + c];
                for (size_t r = 0; r < nr; r++) qpc += b[c * nr + r];
                qpc /= (double)nr;
                double d = qpc - qp - qc + m->q[q];
                spcq += d * d;
                for (size_t r = 0; r < nr; r++) {
                    double e = b[c * nr + r] - qpc - m->qcr[(q * nc + c) * nr + r] + qc;
                    sres += e * e;
                }
            }
        }
    ss[KVQ_GT_P_Q] = ncr * spq;
    ss[KVQ_GT_PC_Q] = (double)nr * spcq;
    ss[KVQ_GT_RES] = sres;
}

static void gtheory_mean_squares(kvq_gtheory *o, const double ss[KVQ_GT_EFFECTS])
{
    double q = (double)o->nq, p = (double)o->np, c = (double)o->nc, r = (double)o->nr;
    double df[KVQ_GT_EFFECTS] = {
        [KVQ_GT_Q] = q - 1.0,
        [KVQ_GT_P_Q] = q * (p - 1.0),
        [KVQ_GT_C] = c - 1.0,
        [KVQ_GT_R_C] = c * (r - 1.0),
        [KVQ_GT_QC] = (q - 1.0) * (c - 1.0),
        [KVQ_GT_PC_Q] = q * (p - 1.0) * (c - 1.0),
        [KVQ_GT_QR_C] = (q - 1.0) * c * (r - 1.0),
        [KVQ_GT_RES] = q * (p - 1.0) * c * (r - 1.0),
    };
    double s[KVQ_GT_EFFECTS];
    for (size_t e = 0; e < KVQ_GT_EFFECTS; e++) s[e] = ss[e];
    if (o->nr == 1) {
        /* The residual is (p:q)c,e: pc:q moves there, and SS(res) is 0 on 0 df. */
        df[KVQ_GT_RES] = df[KVQ_GT_PC_Q], s[KVQ_GT_RES] = s[KVQ_GT_PC_Q];
        df[KVQ_GT_PC_Q] = 0.0;
    }
    for (size_t e = 0; e < KVQ_GT_EFFECTS; e++) {
        o->row[e].df = df[e];
        o->row[e].ms = df[e] > 0.0 ? s[e] / df[e] : NAN;
    }
}

/* Raw components, nr >= 2: the EMS system of the file comment solved bottom-up. */
static void gtheory_solve_full(kvq_gtheory *o)
{
    double q = (double)o->nq, p = (double)o->np, c = (double)o->nc, r = (double)o->nr;
    kvq_gtheory_row *w = o->row;
    double ms_q = w[KVQ_GT_Q].ms, ms_pq = w[KVQ_GT_P_Q].ms, ms_c = w[KVQ_GT_C].ms;
    double ms_rc = w[KVQ_GT_R_C].ms, ms_qc = w[KVQ_GT_QC].ms, ms_pcq = w[KVQ_GT_PC_Q].ms;
    double ms_qrc = w[KVQ_GT_QR_C].ms, ms_res = w[KVQ_GT_RES].ms;
    w[KVQ_GT_RES].raw = ms_res;
    w[KVQ_GT_PC_Q].raw = (ms_pcq - ms_res) / r;
    w[KVQ_GT_QR_C].raw = (ms_qrc - ms_res) / p;
    w[KVQ_GT_QC].raw = (ms_qc - ms_qrc - ms_pcq + ms_res) / (p * r);
    w[KVQ_GT_R_C].raw = (ms_rc - ms_qrc) / (q * p);
    w[KVQ_GT_P_Q].raw = (ms_pq - ms_pcq) / (c * r);
    w[KVQ_GT_C].raw = (ms_c - ms_rc - ms_qc + ms_qrc) / (q * p * r);
    w[KVQ_GT_Q].raw = (ms_q - ms_pq - ms_qc + ms_pcq) / (p * c * r);
}

/* Raw components, nr == 1: the (p:q) x c system; r:c, pc:q and qr:c are NaN. */
static void gtheory_solve_one_replicate(kvq_gtheory *o)
{
    double q = (double)o->nq, p = (double)o->np, c = (double)o->nc;
    kvq_gtheory_row *w = o->row;
    double ms_q = w[KVQ_GT_Q].ms, ms_pq = w[KVQ_GT_P_Q].ms, ms_c = w[KVQ_GT_C].ms;
    double ms_qc = w[KVQ_GT_QC].ms, ms_res = w[KVQ_GT_RES].ms;
    w[KVQ_GT_R_C].raw = w[KVQ_GT_PC_Q].raw = w[KVQ_GT_QR_C].raw = NAN;
    w[KVQ_GT_RES].raw = ms_res;
    w[KVQ_GT_QC].raw = (ms_qc - ms_res) / p;
    w[KVQ_GT_P_Q].raw = (ms_pq - ms_res) / c;
    w[KVQ_GT_C].raw = (ms_c - ms_qc) / (q * p);
    w[KVQ_GT_Q].raw = (ms_q - ms_pq - ms_qc + ms_res) / (p * c);
}

/* sigma2 = raw with a negative raw set to 0 and flagged; NaN stays NaN, unflagged. */
static void gtheory_report(kvq_gtheory_row *rows, size_t n)
{
    for (size_t e = 0; e < n; e++) {
        rows[e].negative = rows[e].raw < 0.0;
        rows[e].sigma2 = rows[e].negative ? 0.0 : rows[e].raw;
    }
}

/* A component merged into another (NaN, nr == 1) adds nothing to an error variance. */
static double gtheory_part(const kvq_gtheory *o, kvq_gtheory_effect e)
{
    return isnan(o->row[e].raw) ? 0.0 : o->row[e].sigma2;
}

static void gtheory_coefficients(kvq_gtheory *o)
{
    double c = (double)o->nc, cr = (double)(o->nc * o->nr);
    o->tau = gtheory_part(o, KVQ_GT_Q) + gtheory_part(o, KVQ_GT_P_Q);
    o->delta = gtheory_part(o, KVQ_GT_QC) / c + gtheory_part(o, KVQ_GT_PC_Q) / c +
               gtheory_part(o, KVQ_GT_QR_C) / cr + gtheory_part(o, KVQ_GT_RES) / cr;
    o->Delta = o->delta + gtheory_part(o, KVQ_GT_C) / c + gtheory_part(o, KVQ_GT_R_C) / cr;
    o->g = o->tau / (o->tau + o->delta);
    o->phi = o->tau / (o->tau + o->Delta);
}

int kvq_gtheory_study(const double *y, size_t nq, size_t np, size_t nc, size_t nr, kvq_gtheory *out,
                      kvq_error *err)
{
    int rc = gtheory_sizes_ok("G study", nq, np, nc, nr, err);
    if (rc) return rc;
    if (nq < 2 || np < 2 || nc < 2)
        return kvq_fail(err, KVQ_EINVAL,
                        "G study: needs nq >= 2 queries, np >= 2 subjects per query and nc >= 2 "
                        "codecs (got %zu, %zu, %zu)",
                        nq, np, nc);
    size_t cells = nq * nc * nr + nq * nc + nc * nr + nq + nc;
    double *block = malloc(cells * sizeof *block);
    if (!block)
        return kvq_fail(err, KVQ_ENOMEM, "G study: no memory for %zu marginal means", cells);
    gtheory_means m = {.qcr = block};
    m.qc = m.qcr + nq * nc * nr, m.cr = m.qc + nq * nc, m.q = m.cr + nc * nr, m.c = m.q + nq;
    *out = (kvq_gtheory){.nq = nq, .np = np, .nc = nc, .nr = nr};
    rc = gtheory_means_fill(y, nq, np, nc, nr, &m, err);
    double ss[KVQ_GT_EFFECTS];
    if (!rc) {
        gtheory_ss_tables(&m, nq, np, nc, nr, ss);
        gtheory_ss_subjects(y, &m, nq, np, nc, nr, ss);
    }
    free(block);
    if (rc) return rc;
    gtheory_mean_squares(out, ss);
    if (nr == 1)
        gtheory_solve_one_replicate(out);
    else
        gtheory_solve_full(out);
    gtheory_report(out->row, KVQ_GT_EFFECTS);
    gtheory_coefficients(out);
    return KVQ_OK;
}

/* Mean squares of subjects, replicates and sr,e of codec c: replicate means first, then one pass
 * over the subjects. rep holds nr doubles. */
static int gtheory_sr_mean_squares(const double *y, size_t np, size_t nc, size_t nr, size_t c,
                                   double *rep, kvq_gtheory_sr *o, kvq_error *err)
{
    size_t ns = o->ns;
    double g = 0.0, ss_s = 0.0, ss_r = 0.0, ss_sr = 0.0, dn = (double)ns, dr = (double)nr;
    for (size_t r = 0; r < nr; r++) rep[r] = 0.0;
    for (size_t s = 0; s < ns; s++)
        for (size_t r = 0; r < nr; r++) {
            size_t i = (s * nc + c) * nr + r;
            if (!isfinite(y[i]))
                return gtheory_not_finite("G study of one codec", i, np, nc, nr, err);
            rep[r] += y[i];
        }
    for (size_t r = 0; r < nr; r++) rep[r] /= dn, g += rep[r] / dr;
    if (!isfinite(g)) return kvq_fail(err, KVQ_EINVAL, "G study of one codec: the sum overflows");
    for (size_t r = 0; r < nr; r++) ss_r += (rep[r] - g) * (rep[r] - g);
    for (size_t s = 0; s < ns; s++) {
        const double *row = y + (s * nc + c) * nr;
        double m = 0.0;
        for (size_t r = 0; r < nr; r++) m += row[r];
        m /= dr;
        ss_s += (m - g) * (m - g);
        for (size_t r = 0; r < nr; r++) {
            double e = row[r] - m - rep[r] + g;
            ss_sr += e * e;
        }
    }
    o->row[KVQ_GT_S].df = dn - 1.0, o->row[KVQ_GT_S].ms = dr * ss_s / (dn - 1.0);
    o->row[KVQ_GT_R].df = dr - 1.0, o->row[KVQ_GT_R].ms = dn * ss_r / (dr - 1.0);
    o->row[KVQ_GT_SR].df = (dn - 1.0) * (dr - 1.0);
    o->row[KVQ_GT_SR].ms = ss_sr / ((dn - 1.0) * (dr - 1.0));
    return KVQ_OK;
}

int kvq_gtheory_codec(const double *y, size_t nq, size_t np, size_t nc, size_t nr, size_t c,
                      kvq_gtheory_sr *out, kvq_error *err)
{
    int rc = gtheory_sizes_ok("G study of one codec", nq, np, nc, nr, err);
    if (rc) return rc;
    if (nq * np < 2 || nr < 2)
        return kvq_fail(err, KVQ_EINVAL,
                        "G study of one codec: needs nq np >= 2 subjects and nr >= 2 replicates "
                        "(got %zu, %zu)",
                        nq * np, nr);
    if (c >= nc) return kvq_fail(err, KVQ_EINVAL, "G study of one codec: codec %zu of %zu", c, nc);
    double *rep = malloc(nr * sizeof *rep);
    if (!rep) return kvq_fail(err, KVQ_ENOMEM, "G study of one codec: no memory for %zu means", nr);
    *out = (kvq_gtheory_sr){.ns = nq * np, .nr = nr};
    rc = gtheory_sr_mean_squares(y, np, nc, nr, c, rep, out, err);
    free(rep);
    if (rc) return rc;
    double s = (double)out->ns, r = (double)nr, ms_sr = out->row[KVQ_GT_SR].ms;
    out->row[KVQ_GT_SR].raw = ms_sr;
    out->row[KVQ_GT_S].raw = (out->row[KVQ_GT_S].ms - ms_sr) / r;
    out->row[KVQ_GT_R].raw = (out->row[KVQ_GT_R].ms - ms_sr) / s;
    gtheory_report(out->row, KVQ_GT_SR_EFFECTS);
    double vs = out->row[KVQ_GT_S].sigma2, vr = out->row[KVQ_GT_R].sigma2;
    double vsr = out->row[KVQ_GT_SR].sigma2;
    out->g = vs / (vs + vsr / r);
    out->phi = vs / (vs + (vr + vsr) / r);
    return KVQ_OK;
}
