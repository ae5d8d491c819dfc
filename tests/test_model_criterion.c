/* Model populations and the downstream criterion (include/kvq/model.h) on the shipped
 * stories260K. Known answers: passthrough changes nothing, so next_kl and delta_nll are exactly 0
 * and next_top1 is 1; f16 weights move the next-token distribution by a little (about 2e-6 nats on
 * this model, the same order as numpy's float64 forward with f16-rounded weights gives: 2.8e-6 for
 * mlp_up) and 3-bit codes by far more. The causal population's rows and queries carry origins a
 * query can attend to. */
#include "kvq/model.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

static void load(kvq_population *pop, const char *spec)
{
    kvq_error err;
    cr_assert_eq(kvq_population_load(pop, spec, 3, &err), KVQ_OK, "%s: %s", spec, err.msg);
    cr_assert(pop->from_model);
}

/* The criterion of codec spec on pop, the codec fitted on the population's rows as a cell does. */
static kvq_criterion criterion(const kvq_population *pop, const char *spec)
{
    kvq_model m;
    kvq_error err;
    cr_assert_eq(kvq_model_open(&m, pop->source, &err), KVQ_OK, "%s", err.msg);
    kvq_rng rng;
    kvq_rng_derive(&rng, 5, spec);
    kvq_codec codec;
    cr_assert_eq(kvq_codec_open(&codec, spec, pop->dim, &rng, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(kvq_codec_fit(&codec, pop->rows, pop->n, &rng, &err), KVQ_OK, "%s", err.msg);
    kvq_criterion c;
    cr_assert_eq(kvq_model_criterion(&m, pop, spec, &codec, 9, &rng, &c, &err), KVQ_OK, "%s",
                 err.msg);
    kvq_codec_close(&codec);
    kvq_model_close(&m);
    return c;
}

Test(criterion, passthrough_changes_nothing)
{
    const char *specs[] = {"model:stories260K#kind=k&seqs=4&tokens=24",
                           "model:stories260K#kind=v&layer=2&seqs=4&tokens=24",
                           "model:stories260K#role=mlp_down&seqs=4&tokens=24",
                           "model:stories260K#role=vocab&seqs=4&tokens=24"};
    for (size_t i = 0; i < 4; i++) {
        kvq_population pop;
        load(&pop, specs[i]);
        kvq_criterion c = criterion(&pop, "passthrough");
        cr_assert_eq(c.next_kl.estimate, 0.0, "%s: next_kl %g", specs[i], c.next_kl.estimate);
        cr_assert_eq(c.next_kl_p99.estimate, 0.0, "%s", specs[i]);
        cr_assert_eq(c.delta_nll.estimate, 0.0, "%s: delta_nll %g", specs[i], c.delta_nll.estimate);
        cr_assert_eq(c.next_top1.estimate, 1.0, "%s", specs[i]);
        kvq_population_free(&pop);
    }
}

Test(criterion, loss_grows_with_coarser_codes)
{
    kvq_population pop;
    load(&pop, "model:stories260K#role=mlp_up&seqs=4&tokens=24");
    kvq_criterion f16 = criterion(&pop, "f16"), int8 = criterion(&pop, "int8"),
                  tq = criterion(&pop, "turboquant:bits=3");
    cr_assert(f16.next_kl.estimate > 0 && f16.next_kl.estimate < 1e-5, "f16: %g",
              f16.next_kl.estimate);
    cr_assert_gt(int8.next_kl.estimate, f16.next_kl.estimate);
    cr_assert_gt(tq.next_kl.estimate, int8.next_kl.estimate);
    cr_assert_lt(tq.next_top1.estimate, 1.0);
    /* the interval brackets the estimate */
    cr_assert(tq.next_kl.lo <= tq.next_kl.estimate && tq.next_kl.estimate <= tq.next_kl.hi);
    cr_assert_geq(tq.next_kl_p99.estimate, tq.next_kl.estimate);
    kvq_population_free(&pop);
}

Test(criterion, key_population_is_causal)
{
    kvq_population pop;
    load(&pop, "model:stories260K#kind=k&layer=1&head=2&seqs=3&tokens=16&queries=40");
    cr_assert(pop.causal);
    cr_assert_eq(pop.dim, 8);
    /* every key of layer 1, head 2: 3 sequences x 16 positions */
    cr_assert_eq(pop.n, 48);
    cr_assert_eq(pop.nq, 40);
    for (size_t i = 0; i < pop.n; i++) {
        kvq_origin o = pop.row_origin[i];
        cr_assert(o.layer == 1 && o.head == 2 && o.seq < 3 && o.pos < 16);
    }
    for (size_t i = 0; i < pop.nq; i++) {
        kvq_origin o = pop.query_origin[i];
        /* query heads 4 and 5 read KV head 2 (8 query heads over 4 KV heads) */
        cr_assert(o.layer == 1 && o.head == 2 && o.seq < 3 && o.pos < 16);
    }
    cr_assert_eq(pop.heldout_n, 3);
    cr_assert_eq(pop.heldout_len, 16);
    kvq_population_free(&pop);
}

Test(criterion, same_population_whatever_the_path)
{
    kvq_population a, b;
    load(&a, "model:stories260K#role=k_proj&seqs=2&tokens=16");
    load(&b, "model:" KVQ_TEST_DATA "/../models/stories260K#role=k_proj&seqs=2&tokens=16");
    cr_assert_eq(a.n, b.n);
    cr_assert_eq(a.nq, b.nq);
    cr_assert_arr_eq(a.rows, b.rows, a.n * a.dim * sizeof(float));
    cr_assert_arr_eq(a.queries, b.queries, a.nq * a.dim * sizeof(float));
    cr_assert_arr_eq(a.heldout, b.heldout, a.heldout_n * a.heldout_len * sizeof(int32_t));
    kvq_population_free(&a);
    kvq_population_free(&b);
}
