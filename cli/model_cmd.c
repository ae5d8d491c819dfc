/* kvqeval model DIR --tokens FILE.npy
 *     prints, as CSV on stdout, seq,pos,token,logprob: for every sequence and every position
 *     pos >= 1, the exact model's log-probability (natural log) of the token at pos given the
 *     tokens before it.
 * kvqeval model DIR --sample N --length T [--seed S] --out FILE.npy
 *     writes N sequences of T token ids sampled from the model at temperature 1 from its BOS id
 *     (pcg32 seeded with S, default 1), as an int32 N x T array.
 * Exit 0; 2 for a usage error or input kvqeval refuses (the message names the file, key, tensor
 * or id); 3 when the output cannot be written. Nothing is printed or written unless the whole
 * pass succeeded. */
#include "cli/commands.h"
#include "harness/run.h"
#include "io/message.h"
#include "io/npy_write.h"
#include "kvq/model.h"
#include "kvq/numtext.h"
#include "kvq/params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int model_usage(const char *why, const char *arg)
{
    fputs("kvqeval model: ", stderr);
    kvq_put_escaped(stderr, why);
    if (arg) kvq_put_escaped(stderr, arg);
    fputs("\nusage: kvqeval model DIR --tokens FILE.npy\n"
          "       kvqeval model DIR --sample N --length T [--seed S] --out FILE.npy\n",
          stderr);
    return KVQ_EXIT_USAGE;
}

typedef struct model_args {
    const char *dir, *tokens, *out;
    long sample, length;
    uint64_t seed;
} model_args;

static int parse_count(const char *flag, const char *v, long max, long *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || n < 1 || n > max) {
        fprintf(stderr, "kvqeval model: %s takes an integer from 1 to %ld (got '", flag, max);
        kvq_put_escaped(stderr, v);
        fputs("')\n", stderr);
        return -1;
    }
    *out = n;
    return 0;
}

static int parse_args(int argc, char **argv, model_args *a)
{
    *a = (model_args){.seed = 1};
    for (int i = 1; i < argc; i++) {
        const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = strcmp(f, "--tokens") == 0 || strcmp(f, "--out") == 0 ||
                    strcmp(f, "--sample") == 0 || strcmp(f, "--length") == 0 ||
                    strcmp(f, "--seed") == 0;
        if (takes && !v) return model_usage("missing value after ", f);
        if (strcmp(f, "--tokens") == 0)
            a->tokens = v;
        else if (strcmp(f, "--out") == 0)
            a->out = v;
        else if (strcmp(f, "--sample") == 0) {
            if (parse_count(f, v, 1 << 20, &a->sample)) return KVQ_EXIT_USAGE;
        } else if (strcmp(f, "--length") == 0) {
            if (parse_count(f, v, 1 << 24, &a->length)) return KVQ_EXIT_USAGE;
        } else if (strcmp(f, "--seed") == 0) {
            if (kvq_parse_seed(v, &a->seed))
                return model_usage("--seed takes an integer in [0, 2^53), got ", v);
        } else if (f[0] == '-')
            return model_usage("unknown option ", f);
        else if (!a->dir) {
            a->dir = f;
            continue;
        } else
            return model_usage("more than one model folder: ", f);
        i++;
    }
    if (!a->dir) return model_usage("no model folder given", NULL);
    if (!a->tokens == !a->sample) return model_usage("give either --tokens or --sample", NULL);
    if (a->tokens && (a->out || a->length))
        return model_usage("--out and --length go with --sample", NULL);
    if (a->sample && (!a->length || !a->out))
        return model_usage("--sample needs --length and --out", NULL);
    return 0;
}

static int fail(const kvq_error *err, int status)
{
    kvq_say("kvqeval model: %s", err->msg);
    return status;
}

static int print_logprobs(const kvq_model *m, const char *path)
{
    kvq_error err;
    int32_t *tokens;
    size_t nseq, len;
    if (kvq_model_tokens_load(path, &tokens, &nseq, &len, &err)) return fail(&err, KVQ_EXIT_USAGE);
    int status = KVQ_EXIT_OK;
    size_t vocab = m->cfg.vocab;
    float *logp = NULL;
    if (kvq_model_check_tokens(m, tokens, nseq, len, path, &err))
        status = fail(&err, KVQ_EXIT_USAGE);
    else if (!(logp = malloc(nseq * len * vocab * sizeof *logp)))
        status = fail(&(kvq_error){.code = KVQ_ENOMEM, .msg = "out of memory"}, KVQ_EXIT_USAGE);
    else if (kvq_model_forward(m, tokens, nseq, len, NULL, logp, &err))
        status = fail(&err, KVQ_EXIT_USAGE);
    if (status == KVQ_EXIT_OK) {
        printf("seq,pos,token,logprob\n");
        char num[KVQ_NUMTEXT_MAX];
        for (size_t s = 0; s < nseq; s++)
            for (size_t t = 1; t < len; t++) {
                int32_t tok = tokens[s * len + t];
                printf("%zu,%zu,%ld,%s\n", s, t, (long)tok,
                       kvq_numtext(logp[(s * len + t - 1) * vocab + (size_t)tok], num));
            }
        if (fflush(stdout) != 0 || ferror(stdout)) status = KVQ_EXIT_IO;
    }
    free(logp);
    free(tokens);
    return status;
}

static int sample(const kvq_model *m, const model_args *a)
{
    kvq_error err;
    size_t n = (size_t)a->sample, len = (size_t)a->length;
    int32_t *tokens = malloc(n * len * sizeof *tokens);
    if (!tokens) return model_usage("out of memory for ", "the sequences");
    kvq_rng rng;
    kvq_rng_derive(&rng, a->seed, "model-sample");
    int status = KVQ_EXIT_OK;
    if (kvq_model_sample(m, &rng, n, len, tokens, &err))
        status = fail(&err, KVQ_EXIT_USAGE);
    else if (kvq_npy_write_i32(a->out, tokens, n, len, &err))
        status = fail(&err, KVQ_EXIT_IO);
    free(tokens);
    return status;
}

int kvq_model_main(int argc, char **argv)
{
    model_args a;
    int status = parse_args(argc, argv, &a);
    if (status) return status;
    kvq_model m;
    kvq_error err;
    if (kvq_model_open(&m, a.dir, &err)) return fail(&err, KVQ_EXIT_USAGE);
    status = a.tokens ? print_logprobs(&m, a.tokens) : sample(&m, &a);
    kvq_model_close(&m);
    return status;
}
