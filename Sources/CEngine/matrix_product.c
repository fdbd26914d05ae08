// The engine's matrix product: a packed, register-tiled kernel with a fixed summation order.
//
// Why C: Swift cannot compile one function for AVX and pick it at run time, and AVX's 4-wide
// vectors halve the product's time against the 2-wide SSE2 that Swift's default x86-64 target
// allows. Why not a BLAS: its kernels (and so its summation order, hence the last bits of every
// product) change with the CPU and the library version; a trace must be byte-identical everywhere.
//
// The order: C[i][j] = (…((0 + a₀b₀) + a₁b₁) + …) + a_{k−1}b_{k−1}, each product rounded, as the
// plain triple loop computes it. Vector lanes hold different (i, j) and never add to each other,
// so the vector width does not change a bit; nor do the zeros padding a partial tile, whose
// products only reach the padded rows and columns, which are never stored.
#include "matrix_product.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

// No contraction of a * b + c into a fused multiply-add: it rounds once instead of twice.
#pragma clang fp contract(off)

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define HAS_AVX_PATH 1
#endif

// Rows of op(A) and columns of op(B) per register tile: 4 × 8 is eight 4-wide accumulators.
enum { MR = 4, NR = 8 };

typedef double v4d __attribute__((vector_size(32), aligned(32)));
typedef double v4du __attribute__((vector_size(32), aligned(8)));  // for unaligned rows of C

/// The last rows of op(A) when m is not a multiple of MR, as an MR × k block padded with zero rows
/// (stored p-major: row r of the block at p is out[p · MR + r]), so the kernel never reads past A.
static void pack_last_rows(const double *A, bool transposed, long m, long k, double *out) {
    long first = m / MR * MR;
    for (long p = 0; p < k; p++) {
        for (long r = 0; r < MR; r++) {
            long i = first + r;
            out[p * MR + r] = i < m ? (transposed ? A[p * m + i] : A[i * k + p]) : 0.0;
        }
    }
}

/// op(B)'s columns in panels of `width` (NR, or 4 for a last panel of at most 4 columns): for each
/// p, the values op(B)[p][first … first + width − 1] side by side (zeros past column n).
static void pack_b(const double *B, bool transposed, long k, long n, long first, long width, double *out) {
    if (!transposed) {
        for (long p = 0; p < k; p++) {
            for (long c = 0; c < width; c++) out[p * width + c] = first + c < n ? B[p * n + first + c] : 0.0;
        }
    } else {
        for (long c = 0; c < width; c++) {
            const double *column = B + (first + c) * k;  // op(B)'s column j is B's row j
            for (long p = 0; p < k; p++) out[p * width + c] = first + c < n ? column[p] : 0.0;
        }
    }
}

/// Writes the rows × columns corner of a full MR × width tile into C.
static inline void store_part(const double *tile, long width, double *C, long ldc, long rows, long columns) {
    for (long r = 0; r < rows; r++) memcpy(C + r * ldc, tile + r * width, (size_t)columns * sizeof(double));
}

/// One MR × NR tile of C from a packed A panel and a packed B panel, summing over all of k in order.
__attribute__((always_inline)) static inline void tile_4x8(
    long k, const double *a, long rs, long cs, const double *b, long ldb, double *C, long ldc, long rows, long columns) {
    v4d c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0}, c30 = {0}, c31 = {0};
    for (long p = 0; p < k; p++) {
        v4d b0 = *(const v4du *)(b + p * ldb), b1 = *(const v4du *)(b + p * ldb + 4);
        const double *ap = a + p * cs;
        double a0 = ap[0], a1 = ap[rs], a2 = ap[2 * rs], a3 = ap[3 * rs];
        c00 = c00 + a0 * b0;
        c01 = c01 + a0 * b1;
        c10 = c10 + a1 * b0;
        c11 = c11 + a1 * b1;
        c20 = c20 + a2 * b0;
        c21 = c21 + a2 * b1;
        c30 = c30 + a3 * b0;
        c31 = c31 + a3 * b1;
    }
    if (rows == MR && columns == NR) {
        *(v4du *)(C) = c00, *(v4du *)(C + 4) = c01;
        *(v4du *)(C + ldc) = c10, *(v4du *)(C + ldc + 4) = c11;
        *(v4du *)(C + 2 * ldc) = c20, *(v4du *)(C + 2 * ldc + 4) = c21;
        *(v4du *)(C + 3 * ldc) = c30, *(v4du *)(C + 3 * ldc + 4) = c31;
    } else {
        double tile[MR * NR] __attribute__((aligned(32)));
        *(v4d *)(tile) = c00, *(v4d *)(tile + 4) = c01, *(v4d *)(tile + 8) = c10, *(v4d *)(tile + 12) = c11;
        *(v4d *)(tile + 16) = c20, *(v4d *)(tile + 20) = c21, *(v4d *)(tile + 24) = c30, *(v4d *)(tile + 28) = c31;
        store_part(tile, NR, C, ldc, rows, columns);
    }
}

/// One MR × 4 tile: the last columns of C when at most four are left (a matrix–vector product's one).
__attribute__((always_inline)) static inline void tile_4x4(
    long k, const double *a, long rs, long cs, const double *b, long ldb, double *C, long ldc, long rows, long columns) {
    v4d c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0};
    for (long p = 0; p < k; p++) {
        v4d b0 = *(const v4du *)(b + p * ldb);
        const double *ap = a + p * cs;
        c0 = c0 + ap[0] * b0;
        c1 = c1 + ap[rs] * b0;
        c2 = c2 + ap[2 * rs] * b0;
        c3 = c3 + ap[3 * rs] * b0;
    }
    double tile[MR * 4] __attribute__((aligned(32)));
    *(v4d *)(tile) = c0, *(v4d *)(tile + 4) = c1, *(v4d *)(tile + 8) = c2, *(v4d *)(tile + 12) = c3;
    store_part(tile, 4, C, ldc, rows, columns);
}

/// Row panels of A this many at a time against one panel of B: 16 × 4 rows × k ≤ 256 keep that
/// block of A (≤ 128 KB) in L2 while the B panel (≤ 16 KB) stays in L1.
enum { PANELS_PER_BLOCK = 16 };

/// op(A) as read in place: element (i, p) at a[i · rs + p · cs]; `last_rows` the zero-padded copy of
/// the final partial panel (NULL when m is a multiple of MR).
typedef struct {
    const double *a;
    long rs, cs;
    const double *last_rows;
} Rows;

/// op(B) as read by the tiles: in place (B itself, row stride n) or from `packed`. B stored
/// transposed and the last partial panel are always packed; full panels of a B stored k×n are read
/// in place when few rows of A share them (`in_place`): packing them would cost as much as it saves
/// (a conv2d's W_g · X̂: 16 rows against 256 columns). Packed, panel `first / NR` is at
/// packed + first · k, or at `packed` itself when it is the one panel packed (`in_place`).
typedef struct {
    const double *b;
    bool in_place;
    const double *packed;
} Columns;

/// Up to this many rows of op(A), B's full panels are read in place (see `Columns`): measured on
/// the bench's shapes, packing gains from about 64 rows (8 row panels reusing each B panel from L1
/// without the conflicts of B's rows 2 KB apart).
enum { IN_PLACE_ROWS = 32 };

/// The product, B panel by B panel within each block of A's row panels.
__attribute__((always_inline)) static inline void product_tiles(Rows A, Columns B, double *C, long m, long k, long n) {
    long panels = (m + MR - 1) / MR;
    for (long block = 0; block < panels; block += PANELS_PER_BLOCK) {
        long last = block + PANELS_PER_BLOCK < panels ? block + PANELS_PER_BLOCK : panels;
        for (long first = 0; first < n; first += NR) {
            long columns = n - first < NR ? n - first : NR;
            bool packed = !B.in_place || columns < NR;
            const double *b = packed ? B.packed + (B.in_place ? 0 : first * k) : B.b + first;
            long ldb = packed ? (columns > 4 ? NR : 4) : n;
            for (long panel = block; panel < last; panel++) {
                long rows = m - panel * MR < MR ? m - panel * MR : MR;
                double *c = C + panel * MR * n + first;
                const double *a = rows == MR ? A.a + panel * MR * A.rs : A.last_rows;
                long rs = rows == MR ? A.rs : 1, cs = rows == MR ? A.cs : MR;
                if (columns > 4) tile_4x8(k, a, rs, cs, b, ldb, c, n, rows, columns);
                else tile_4x4(k, a, rs, cs, b, ldb, c, n, rows, columns);
            }
        }
    }
}

static void product_portable(Rows A, Columns B, double *C, long m, long k, long n) {
    product_tiles(A, B, C, m, k, n);
}

#ifdef HAS_AVX_PATH
// The same code compiled for AVX: 4-wide vector multiplies and adds (never FMA: only "avx" is enabled).
__attribute__((target("avx"))) static void product_avx(Rows A, Columns B, double *C, long m, long k, long n) {
    product_tiles(A, B, C, m, k, n);
}

/// AVX in the CPU (CPUID.1:ECX bit 28) and the OS saving its registers (OSXSAVE, XCR0 bits 1–2).
static bool cpu_has_avx(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
    if (!(ecx & (1u << 27)) || !(ecx & (1u << 28))) return false;
    unsigned xcr0_low, xcr0_high;
    __asm__("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    return (xcr0_low & 6u) == 6u;
}
#endif

bool unrolled_matrix_product_uses_avx(void) {
#ifdef HAS_AVX_PATH
    static atomic_int known = -1;  // threads may all compute it at first: they agree
    int avx = atomic_load_explicit(&known, memory_order_relaxed);
    if (avx < 0) {
        avx = cpu_has_avx();
        atomic_store_explicit(&known, avx, memory_order_relaxed);
    }
    return avx;
#else
    return false;
#endif
}

static void product(
    const double *A, bool a_transposed, const double *B, bool b_transposed, double *C, long m, long k, long n, bool avx) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        memset(C, 0, (size_t)(m * n) * sizeof(double));  // an empty sum is +0.0
        return;
    }
    bool b_in_place = !b_transposed && m <= IN_PLACE_ROWS;
    size_t b_count = (size_t)((b_in_place ? NR : (n + NR - 1) / NR * NR) * k), tail_count = m % MR ? (size_t)(MR * k) : 0;
    double *packed = aligned_alloc(32, (b_count + tail_count + 3) / 4 * 4 * sizeof(double));
    if (!packed) abort();
    double *packed_b = packed, *last_rows = tail_count ? packed + b_count : NULL;
    for (long first = 0; first < n; first += NR) {
        if (b_in_place && n - first >= NR) continue;
        long width = n - first > 4 ? NR : 4;
        pack_b(B, b_transposed, k, n, first, width, packed_b + (b_in_place ? 0 : first * k));
    }
    if (last_rows) pack_last_rows(A, a_transposed, m, k, last_rows);
    Rows rows = {A, a_transposed ? 1 : k, a_transposed ? m : 1, last_rows};
    Columns columns = {B, b_in_place, packed_b};
#ifdef HAS_AVX_PATH
    if (avx) product_avx(rows, columns, C, m, k, n);
    else product_portable(rows, columns, C, m, k, n);
#else
    (void)avx;
    product_portable(rows, columns, C, m, k, n);
#endif
    free(packed);
}

void unrolled_matrix_product(
    const double *A, bool a_transposed, const double *B, bool b_transposed, double *C, long m, long k, long n) {
    product(A, a_transposed, B, b_transposed, C, m, k, n, unrolled_matrix_product_uses_avx());
}

void unrolled_matrix_product_portable(
    const double *A, bool a_transposed, const double *B, bool b_transposed, double *C, long m, long k, long n) {
    product(A, a_transposed, B, b_transposed, C, m, k, n, false);
}
