/* SHA-256 against the known answers of FIPS 180-2, appendix B (B.1 "abc", B.2 the 448-bit
 * message, B.3 one million 'a'), the empty message (NIST's example values), and a file read in
 * pieces. */
#include "kvq/sha256.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static void digest_is(const void *data, size_t len, const char *want)
{
    kvq_sha256 s;
    char hex[65];
    kvq_sha256_init(&s);
    kvq_sha256_update(&s, data, len);
    kvq_sha256_hex(&s, hex);
    cr_assert_str_eq(hex, want);
}

Test(sha256, fips_180_2_examples)
{
    digest_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    digest_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    digest_is(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, million_a_in_uneven_pieces)
{
    static char a[1000000];
    memset(a, 'a', sizeof a);
    kvq_sha256 s;
    char hex[65];
    kvq_sha256_init(&s);
    for (size_t at = 0, piece = 1; at < sizeof a; at += piece, piece = piece * 3 % 997 + 1)
        kvq_sha256_update(&s, a + at, at + piece > sizeof a ? sizeof a - at : piece);
    kvq_sha256_hex(&s, hex);
    cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

Test(sha256, file)
{
    char path[] = "/tmp/kvq_sha256_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    for (int i = 0; i < 1000000; i++) fputc('a', f);
    fclose(f);
    char hex[65];
    uint64_t size = 0;
    kvq_error err;
    cr_assert_eq(kvq_sha256_file(path, UINT64_MAX, hex, &size, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(size, 1000000);
    cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* the head only: the size is still the file's; the digest, Python's hashlib of 1000 'a' */
    cr_assert_eq(kvq_sha256_file(path, 1000, hex, &size, &err), KVQ_OK, "%s", err.msg);
    cr_assert_eq(size, 1000000);
    cr_assert_str_eq(hex, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
    remove(path);
    cr_assert_eq(kvq_sha256_file(path, UINT64_MAX, hex, &size, &err), KVQ_EIO);
    cr_assert(strstr(err.msg, "No such file") != NULL, "%s", err.msg);
}
