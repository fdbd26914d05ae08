#ifndef UNROLLED_MATRIX_PRODUCT_H
#define UNROLLED_MATRIX_PRODUCT_H

#include <stdbool.h>

/// C (m×n) = op(A) · op(B), all row-major, every element of C written. op(A) is m×k: A is stored
/// m×k, or k×m when `a_transposed` (then op(A) = Aᵀ is read without being made); likewise op(B)
/// is k×n, stored k×n or, when `b_transposed`, n×k.
///
/// Every C[i][j] is the sum of its k products taken in order p = 0, 1, …, k − 1, starting from
/// +0.0, each product rounded before it is added (no fused multiply-add): exactly the plain triple
/// loop's bits, on every machine and whichever path below runs.
void unrolled_matrix_product(
    const double *A, bool a_transposed, const double *B, bool b_transposed, double *C, long m, long k, long n);

/// The same product on the portable path alone (plain C vectors, no AVX), whatever the CPU, so that
/// tests can check that both paths give the same bits.
void unrolled_matrix_product_portable(
    const double *A, bool a_transposed, const double *B, bool b_transposed, double *C, long m, long k, long n);

/// Whether `unrolled_matrix_product` takes the AVX path on this CPU.
bool unrolled_matrix_product_uses_avx(void);

#endif
