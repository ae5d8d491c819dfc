/* GSL runs on OpenBLAS's CBLAS, not on gslcblas: Debian's libgsl still lists libgslcblas as a
 * dependency, so this checks that the cblas_* symbols libgsl binds to (the first definition in
 * the global scope, which is what RTLD_DEFAULT finds) live in libopenblas. */
#define _GNU_SOURCE /* dladdr, RTLD_DEFAULT */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <gsl/gsl_blas.h>
#include <string.h>

static void expect_openblas(const char *symbol)
{
    void *addr = dlsym(RTLD_DEFAULT, symbol);
    cr_assert_not_null(addr, "%s not found", symbol);
    Dl_info info;
    cr_assert_neq(dladdr(addr, &info), 0);
    cr_assert(strstr(info.dli_fname, "openblas") != NULL, "%s comes from %s", symbol,
              info.dli_fname);
}

Test(linkage, gsl_cblas_calls_resolve_to_openblas)
{
    expect_openblas("cblas_dgemm");
    expect_openblas("cblas_sgemm");
    expect_openblas("cblas_ddot");
    /* and GSL's own BLAS wrapper computes through it */
    double a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[4] = {0};
    gsl_matrix_view A = gsl_matrix_view_array(a, 2, 2), B = gsl_matrix_view_array(b, 2, 2),
                    C = gsl_matrix_view_array(c, 2, 2);
    cr_assert_eq(
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &A.matrix, &B.matrix, 0.0, &C.matrix), 0);
    cr_assert_eq(c[0], 19.0);
    cr_assert_eq(c[3], 50.0);
}
