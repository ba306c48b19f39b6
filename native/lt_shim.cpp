// Float64 CPU kernels of the trajectory loss Lt (learn/losses/lt_kernels.ts has the pure-JS
// versions of the same algorithms; learn/losses/lt_native.ts binds these with Deno.dlopen).
//
//   lt_grams   G_bk = Σ_n w_bkn² c_bn c_bnᵀ           (2T×2T per batch item b and component k)
//   lt_eigh    eigenpairs of symmetric matrices        (Householder tridiagonalisation + QL,
//                                                       a port of JAMA's tred2/tql2, descending)
//   lt_grad_w  dw_bkn = scale·w_bkn·Σ_i a_bki (u_bkiᵀ c_bn)²
//   lt_grad_c  dc_bn  = scale·Σ_k w_bkn² Σ_i u_bki a_bki (u_bkiᵀ c_bn)
//
// Coordinates c are float32 [B][2T][N] (rows contiguous over tracks), weights float32 [B][K][N];
// everything else is float64. Blocks of tracks are packed in float64 and reduced with one 4×16
// register-tile kernel (AVX-512, AVX2+FMA or portable C++, chosen at load time); work is split
// over batch items (results do not depend on the thread count). Built by native/build_lt.sh.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

constexpr int NB = 128;  // tracks per packed block (multiple of 4)
constexpr int PAD = 16;  // rows of packed blocks and basis columns are padded to this

inline int roundUp(int x, int m) { return (x + m - 1) / m * m; }

struct Buffer {
  double* p = nullptr;
  explicit Buffer(size_t n) {
    const size_t bytes = (n * 8 + 63) / 64 * 64;
    p = static_cast<double*>(std::aligned_alloc(64, bytes));
    std::memset(p, 0, bytes);
  }
  ~Buffer() { std::free(p); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
};

// The one inner kernel: out[j][l] = Σ_{t<len} p[t·ps + j]·q[t·qs + l] for j < 4, l < 16
// (out row stride 16). Gram tiles and basis projections are both of this form.
typedef void (*Micro)(const double* p, int ps, const double* q, int qs, int len, double* out);

void microScalar(const double* p, int ps, const double* q, int qs, int len, double* out) {
  double acc[4][16] = {};
  for (int t = 0; t < len; t++) {
    const double* pt = p + static_cast<size_t>(t) * ps;
    const double* qt = q + static_cast<size_t>(t) * qs;
    for (int j = 0; j < 4; j++) {
      const double a = pt[j];
      for (int l = 0; l < 16; l++) acc[j][l] += a * qt[l];
    }
  }
  std::memcpy(out, acc, sizeof acc);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2,fma"))) void microAvx2(const double* p, int ps, const double* q,
                                                    int qs, int len, double* out) {
  // two passes of 4×8 (8 accumulators of 4 doubles fit the 16 ymm registers)
  for (int h = 0; h < 16; h += 8) {
    __m256d a00 = _mm256_setzero_pd(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00,
            a30 = a00, a31 = a00;
    for (int t = 0; t < len; t++) {
      const double* pt = p + static_cast<size_t>(t) * ps;
      const double* qt = q + static_cast<size_t>(t) * qs + h;
      const __m256d x0 = _mm256_loadu_pd(qt), x1 = _mm256_loadu_pd(qt + 4);
      __m256d b = _mm256_broadcast_sd(pt);
      a00 = _mm256_fmadd_pd(b, x0, a00);
      a01 = _mm256_fmadd_pd(b, x1, a01);
      b = _mm256_broadcast_sd(pt + 1);
      a10 = _mm256_fmadd_pd(b, x0, a10);
      a11 = _mm256_fmadd_pd(b, x1, a11);
      b = _mm256_broadcast_sd(pt + 2);
      a20 = _mm256_fmadd_pd(b, x0, a20);
      a21 = _mm256_fmadd_pd(b, x1, a21);
      b = _mm256_broadcast_sd(pt + 3);
      a30 = _mm256_fmadd_pd(b, x0, a30);
      a31 = _mm256_fmadd_pd(b, x1, a31);
    }
    _mm256_storeu_pd(out + h, a00);
    _mm256_storeu_pd(out + h + 4, a01);
    _mm256_storeu_pd(out + 16 + h, a10);
    _mm256_storeu_pd(out + 16 + h + 4, a11);
    _mm256_storeu_pd(out + 32 + h, a20);
    _mm256_storeu_pd(out + 32 + h + 4, a21);
    _mm256_storeu_pd(out + 48 + h, a30);
    _mm256_storeu_pd(out + 48 + h + 4, a31);
  }
}

__attribute__((target("avx512f"))) void microAvx512(const double* p, int ps, const double* q,
                                                     int qs, int len, double* out) {
  __m512d a00 = _mm512_setzero_pd(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00,
          a30 = a00, a31 = a00;
  for (int t = 0; t < len; t++) {
    const double* pt = p + static_cast<size_t>(t) * ps;
    const double* qt = q + static_cast<size_t>(t) * qs;
    const __m512d x0 = _mm512_loadu_pd(qt), x1 = _mm512_loadu_pd(qt + 8);
    __m512d b = _mm512_set1_pd(pt[0]);
    a00 = _mm512_fmadd_pd(b, x0, a00);
    a01 = _mm512_fmadd_pd(b, x1, a01);
    b = _mm512_set1_pd(pt[1]);
    a10 = _mm512_fmadd_pd(b, x0, a10);
    a11 = _mm512_fmadd_pd(b, x1, a11);
    b = _mm512_set1_pd(pt[2]);
    a20 = _mm512_fmadd_pd(b, x0, a20);
    a21 = _mm512_fmadd_pd(b, x1, a21);
    b = _mm512_set1_pd(pt[3]);
    a30 = _mm512_fmadd_pd(b, x0, a30);
    a31 = _mm512_fmadd_pd(b, x1, a31);
  }
  _mm512_storeu_pd(out, a00);
  _mm512_storeu_pd(out + 8, a01);
  _mm512_storeu_pd(out + 16, a10);
  _mm512_storeu_pd(out + 24, a11);
  _mm512_storeu_pd(out + 32, a20);
  _mm512_storeu_pd(out + 40, a21);
  _mm512_storeu_pd(out + 48, a30);
  _mm512_storeu_pd(out + 56, a31);
}
#endif

Micro pickMicro() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return microAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return microAvx2;
#endif
  return microScalar;
}

const Micro micro = pickMicro();

// Pack tracks n0 … n0+nb−1 of one batch item track-major: xt[nn][r] (row stride t2p) and, for
// the projections, coordinate-major: xr[r][nn] (row stride NB); zero-padded.
void packBlock(const float* c, int t2, int n, int t2p, int n0, int nb, double* xt, double* xr) {
  if (xt) {
    std::memset(xt, 0, sizeof(double) * NB * t2p);
    for (int r = 0; r < t2; r++) {
      const float* row = c + static_cast<size_t>(r) * n + n0;
      for (int nn = 0; nn < nb; nn++) xt[nn * t2p + r] = row[nn];
    }
  }
  if (xr) {
    std::memset(xr, 0, sizeof(double) * NB * t2p);
    for (int r = 0; r < t2; r++) {
      const float* row = c + static_cast<size_t>(r) * n + n0;
      for (int nn = 0; nn < nb; nn++) xr[r * NB + nn] = row[nn];
    }
  }
}

// Runs f(i) for i in [0, count) on up to `threads` threads (static interleaved split).
template <class F>
void parallelFor(int count, int threads, F f) {
  threads = std::max(1, std::min(threads, count));
  if (threads == 1) {
    for (int i = 0; i < count; i++) f(i);
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; t++) {
    pool.emplace_back([=]() {
      for (int i = t; i < count; i += threads) f(i);
    });
  }
  for (auto& th : pool) th.join();
}

void gramsOne(const float* c, const float* w, int t2, int n, int k, double* out) {
  const int t2p = roundUp(t2, PAD);
  Buffer xt(static_cast<size_t>(NB) * t2p);
  Buffer a(static_cast<size_t>(k) * NB * t2p);
  Buffer g(static_cast<size_t>(k) * t2p * t2p);
  double tile[64];
  for (int n0 = 0; n0 < n; n0 += NB) {
    const int nb = std::min(NB, n - n0);
    packBlock(c, t2, n, t2p, n0, nb, xt.p, nullptr);
    for (int kk = 0; kk < k; kk++) {
      const float* wk = w + static_cast<size_t>(kk) * n + n0;
      double* ak = a.p + static_cast<size_t>(kk) * NB * t2p;
      for (int nn = 0; nn < nb; nn++) {
        const double q = static_cast<double>(wk[nn]) * wk[nn];
        for (int r = 0; r < t2p; r++) ak[nn * t2p + r] = xt.p[nn * t2p + r] * q;
      }
    }
    for (int kk = 0; kk < k; kk++) {
      const double* ak = a.p + static_cast<size_t>(kk) * NB * t2p;
      double* gk = g.p + static_cast<size_t>(kk) * t2p * t2p;
      for (int r0 = 0; r0 < t2; r0 += 4) {
        for (int s0 = r0 / 16 * 16; s0 < t2; s0 += 16) {
          micro(ak + r0, t2p, xt.p + s0, t2p, nb, tile);
          for (int j = 0; j < 4; j++) {
            double* gr = gk + (r0 + j) * t2p + s0;
            for (int l = 0; l < 16; l++) gr[l] += tile[j * 16 + l];
          }
        }
      }
    }
  }
  for (int kk = 0; kk < k; kk++) {
    const double* gk = g.p + static_cast<size_t>(kk) * t2p * t2p;
    double* ok = out + static_cast<size_t>(kk) * t2 * t2;
    for (int r = 0; r < t2; r++) {
      for (int s = r; s < t2; s++) ok[r * t2 + s] = ok[s * t2 + r] = gk[r * t2p + s];
    }
  }
}

// dw for one (b, k): basis [T2][mp], coef [mp], m = active columns rounded up to 16.
void gradWOne(const float* c, const float* w, int t2, int n, const double* basis,
              const double* coef, int mp, int active, double scale, float* dw) {
  const int t2p = roundUp(t2, PAD);
  const int m = roundUp(active, 16);
  Buffer xr(static_cast<size_t>(NB) * t2p);
  double tile[64];
  for (int n0 = 0; n0 < n; n0 += NB) {
    const int nb = std::min(NB, n - n0);
    packBlock(c, t2, n, t2p, n0, nb, nullptr, xr.p);
    for (int nn = 0; nn < nb; nn += 4) {
      double s[4] = {0, 0, 0, 0};
      for (int i0 = 0; i0 < m; i0 += 16) {
        micro(xr.p + nn, NB, basis + i0, mp, t2, tile);
        for (int j = 0; j < 4; j++) {
          double acc = 0;
          for (int l = 0; l < 16; l++) acc += coef[i0 + l] * tile[j * 16 + l] * tile[j * 16 + l];
          s[j] += acc;
        }
      }
      for (int j = 0; j < 4 && nn + j < nb; j++) {
        dw[n0 + nn + j] = static_cast<float>(scale * w[n0 + nn + j] * s[j]);
      }
    }
  }
}

void gradCOne(const float* c, const float* w, int t2, int n, int k, const double* basis,
              const double* coef, int mp, const int* active, double scale, float* dc) {
  const int t2p = roundUp(t2, PAD);
  Buffer xr(static_cast<size_t>(NB) * t2p);
  Buffer y(static_cast<size_t>(NB) * t2p);
  std::vector<double> z(static_cast<size_t>(4) * mp);
  double tile[64];
  for (int n0 = 0; n0 < n; n0 += NB) {
    const int nb = std::min(NB, n - n0);
    packBlock(c, t2, n, t2p, n0, nb, nullptr, xr.p);
    std::memset(y.p, 0, sizeof(double) * NB * t2p);
    for (int kk = 0; kk < k; kk++) {
      const double* bk = basis + static_cast<size_t>(kk) * t2 * mp;
      const double* ck = coef + static_cast<size_t>(kk) * mp;
      const float* wk = w + static_cast<size_t>(kk) * n + n0;
      const int m = roundUp(active[kk], 16);
      for (int nn = 0; nn < nb; nn += 4) {
        // z_j = coef ⊙ (basisᵀ x_j), then y_j += w_j²·basis·z_j
        for (int i0 = 0; i0 < m; i0 += 16) {
          micro(xr.p + nn, NB, bk + i0, mp, t2, tile);
          for (int j = 0; j < 4; j++) {
            for (int l = 0; l < 16; l++) z[j * mp + i0 + l] = ck[i0 + l] * tile[j * 16 + l];
          }
        }
        for (int j = 0; j < 4 && nn + j < nb; j++) {
          const double w2 = static_cast<double>(wk[nn + j]) * wk[nn + j];
          double* yj = y.p + (nn + j) * t2p;
          for (int r = 0; r < t2; r++) {
            const double* br = bk + r * mp;
            double acc = 0;
            for (int i = 0; i < m; i++) acc += br[i] * z[j * mp + i];
            yj[r] += w2 * acc;
          }
        }
      }
    }
    for (int r = 0; r < t2; r++) {
      float* row = dc + static_cast<size_t>(r) * n + n0;
      for (int nn = 0; nn < nb; nn++) row[nn] = static_cast<float>(scale * y.p[nn * t2p + r]);
    }
  }
}

// H = Σ_n w_n² q_n q_nᵀ with q_n = basisᵀ c_n, for one (b, k): basis [T2][mp], m = active
// columns; out [mp][mp] (the leading m×m block is written, symmetric).
void projGramOne(const float* c, const float* w, int t2, int n, const double* basis, int mp,
                 int active, double* out) {
  const int t2p = roundUp(t2, PAD);
  const int m = roundUp(active, 16);
  Buffer xr(static_cast<size_t>(NB) * t2p);
  Buffer qt(static_cast<size_t>(NB) * m);
  Buffer qw(static_cast<size_t>(NB) * m);
  Buffer h(static_cast<size_t>(m) * m);
  double tile[64];
  for (int n0 = 0; n0 < n; n0 += NB) {
    const int nb = std::min(NB, n - n0);
    packBlock(c, t2, n, t2p, n0, nb, nullptr, xr.p);
    for (int nn = 0; nn < nb; nn += 4) {
      for (int i0 = 0; i0 < m; i0 += 16) {
        micro(xr.p + nn, NB, basis + i0, mp, t2, tile);
        for (int j = 0; j < 4; j++) {
          const double w2 = nn + j < nb ? static_cast<double>(w[n0 + nn + j]) * w[n0 + nn + j] : 0;
          for (int l = 0; l < 16; l++) {
            qt.p[(nn + j) * m + i0 + l] = tile[j * 16 + l];
            qw.p[(nn + j) * m + i0 + l] = w2 * tile[j * 16 + l];
          }
        }
      }
    }
    const int nb4 = roundUp(nb, 4);
    for (int i0 = 0; i0 < active; i0 += 4) {
      for (int j0 = i0 / 16 * 16; j0 < active; j0 += 16) {
        micro(qw.p + i0, m, qt.p + j0, m, nb4, tile);
        for (int a = 0; a < 4; a++) {
          double* hr = h.p + (i0 + a) * m + j0;
          for (int l = 0; l < 16; l++) hr[l] += tile[a * 16 + l];
        }
      }
    }
  }
  for (int i = 0; i < active; i++) {
    for (int j = i; j < active; j++) out[i * mp + j] = out[j * mp + i] = h.p[i * m + j];
  }
}

inline double hypotenuse(double a, double b) {
  if (std::fabs(a) > std::fabs(b)) {
    const double r = b / a;
    return std::fabs(a) * std::sqrt(1 + r * r);
  }
  if (b != 0) {
    const double r = a / b;
    return std::fabs(b) * std::sqrt(1 + r * r);
  }
  return 0;
}

// JAMA tred2 + tql2 on v (n×n, row-major, "transposed" storage as in ml-matrix 6.15: on exit
// row j of v is the eigenvector of d[j]); eigenvalues ascending. Same operation order as
// eighFlat in learn/losses/eigh.ts.
void tred2tql2(int n, double* v, double* d, double* e) {
#define V(a, b) v[(a) * n + (b)]
  for (int j = 0; j < n; j++) d[j] = V(j, n - 1);
  for (int i = n - 1; i > 0; i--) {
    double scale = 0, h = 0;
    for (int k = 0; k < i; k++) scale = scale + std::fabs(d[k]);
    if (scale == 0) {
      e[i] = d[i - 1];
      for (int j = 0; j < i; j++) {
        d[j] = V(j, i - 1);
        V(j, i) = 0;
        V(i, j) = 0;
      }
    } else {
      for (int k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      double f = d[i - 1];
      double g = std::sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h = h - f * g;
      d[i - 1] = f - g;
      for (int j = 0; j < i; j++) e[j] = 0;
      for (int j = 0; j < i; j++) {
        f = d[j];
        V(i, j) = f;
        g = e[j] + V(j, j) * f;
        for (int k = j + 1; k <= i - 1; k++) {
          g += V(j, k) * d[k];
          e[k] += V(j, k) * f;
        }
        e[j] = g;
      }
      f = 0;
      for (int j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const double hh = f / (h + h);
      for (int j = 0; j < i; j++) e[j] -= hh * d[j];
      for (int j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (int k = j; k <= i - 1; k++) V(j, k) = V(j, k) - (f * e[k] + g * d[k]);
        d[j] = V(j, i - 1);
        V(j, i) = 0;
      }
    }
    d[i] = h;
  }
  for (int i = 0; i < n - 1; i++) {
    V(i, n - 1) = V(i, i);
    V(i, i) = 1;
    const double h = d[i + 1];
    if (h != 0) {
      for (int k = 0; k <= i; k++) d[k] = V(i + 1, k) / h;
      for (int j = 0; j <= i; j++) {
        double g = 0;
        for (int k = 0; k <= i; k++) g += V(i + 1, k) * V(j, k);
        for (int k = 0; k <= i; k++) V(j, k) = V(j, k) - g * d[k];
      }
    }
    for (int k = 0; k <= i; k++) V(i + 1, k) = 0;
  }
  for (int j = 0; j < n; j++) {
    d[j] = V(j, n - 1);
    V(j, n - 1) = 0;
  }
  V(n - 1, n - 1) = 1;
  e[0] = 0;
  // tql2
  for (int i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  double f = 0, tst1 = 0;
  const double eps = 2.220446049250313e-16;
  for (int l = 0; l < n; l++) {
    tst1 = std::max(tst1, std::fabs(d[l]) + std::fabs(e[l]));
    int m = l;
    while (m < n) {
      if (std::fabs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      int iter = 0;
      do {
        iter = iter + 1;
        double g = d[l];
        double p = (d[l + 1] - g) / (2 * e[l]);
        double r = hypotenuse(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const double dl1 = d[l + 1];
        double h = g - d[l];
        for (int i = l + 2; i < n; i++) d[i] -= h;
        f = f + h;
        p = d[m];
        double c = 1, c2 = c, c3 = c;
        const double el1 = e[l + 1];
        double s = 0, s2 = 0;
        for (int i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypotenuse(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (int k = 0; k < n; k++) {
            h = V(i + 1, k);
            V(i + 1, k) = s * V(i, k) + c * h;
            V(i, k) = c * V(i, k) - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (std::fabs(e[l]) > eps * tst1 && iter < 1000);
    }
    d[l] = d[l] + f;
    e[l] = 0;
  }
  for (int i = 0; i < n - 1; i++) {
    int k = i;
    double p = d[i];
    for (int j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k != i) {
      d[k] = d[i];
      d[i] = p;
      for (int j = 0; j < n; j++) {
        p = V(i, j);
        V(i, j) = V(k, j);
        V(k, j) = p;
      }
    }
  }
#undef V
}

// Cyclic Jacobi with the relative stopping rule (same operation order as jacobiEighRows in
// learn/losses/eigh.ts): values descending, eigenvector i as row i of vectors.
void jacobi(const double* a, int n, double* values, double* vectors) {
  std::vector<double> h(static_cast<size_t>(n) * n), v(static_cast<size_t>(n) * n, 0.0);
  for (int r = 0; r < n; r++) {
    for (int s = 0; s < n; s++) h[r * n + s] = 0.5 * (a[r * n + s] + a[s * n + r]);
  }
  for (int i = 0; i < n; i++) v[i * n + i] = 1;
  double maxDiag = 0;
  for (int i = 0; i < n; i++) maxDiag = std::max(maxDiag, std::fabs(h[i * n + i]));
  const double tiny = 1e-300 + 1e-40 * maxDiag;
  for (int sweep = 0; sweep < 60; sweep++) {
    bool rotated = false;
    for (int p = 0; p < n - 1; p++) {
      for (int q = p + 1; q < n; q++) {
        const double apq = h[p * n + q];
        const double app = h[p * n + p], aqq = h[q * n + q];
        if (std::fabs(apq) <= 1e-15 * std::sqrt(std::fabs(app * aqq)) || std::fabs(apq) <= tiny) {
          continue;
        }
        rotated = true;
        const double theta = (aqq - app) / (2 * apq);
        const double t = (theta >= 0 ? 1 : -1) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int r = 0; r < n; r++) {
          const double g = h[r * n + p], e = h[r * n + q];
          h[r * n + p] = c * g - s * e;
          h[r * n + q] = s * g + c * e;
        }
        for (int r = 0; r < n; r++) {
          const double g = h[p * n + r], e = h[q * n + r];
          h[p * n + r] = c * g - s * e;
          h[q * n + r] = s * g + c * e;
        }
        h[p * n + p] = app - t * apq;
        h[q * n + q] = aqq + t * apq;
        h[p * n + q] = 0;
        h[q * n + p] = 0;
        for (int r = 0; r < n; r++) {
          const double g = v[r * n + p], e = v[r * n + q];
          v[r * n + p] = c * g - s * e;
          v[r * n + q] = s * g + c * e;
        }
      }
    }
    if (!rotated) break;
  }
  std::vector<int> order(n);
  for (int i = 0; i < n; i++) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](int x, int y) { return h[y * n + y] < h[x * n + x]; });
  for (int i = 0; i < n; i++) {
    const int src = order[i];
    values[i] = h[src * n + src];
    for (int r = 0; r < n; r++) vectors[i * n + r] = v[r * n + src];
  }
}

}  // namespace

extern "C" {

int lt_shim_version() { return 1; }

/** out[(b·K + k)·T2² + r·T2 + s] = Σ_n w_bkn² c_b[r][n] c_b[s][n]. */
void lt_grams(const float* c, const float* w, int b, int t2, int n, int k, int threads,
              double* out) {
  parallelFor(b, threads, [=](int bi) {
    gramsOne(c + static_cast<size_t>(bi) * t2 * n, w + static_cast<size_t>(bi) * k * n, t2, n,
             k, out + static_cast<size_t>(bi) * k * t2 * t2);
  });
}

/**
 * Eigenpairs of `count` symmetric n×n matrices a (row-major; symmetrised as (A + Aᵀ)/2):
 * values[j·n + i] descending, vectors[j·n² + i·n + r] = u_i[r] (eigenvector i as a row).
 */
void lt_eigh(const double* a, int n, int count, int threads, double* values, double* vectors) {
  parallelFor(count, threads, [=](int j) {
    const double* aj = a + static_cast<size_t>(j) * n * n;
    std::vector<double> v(static_cast<size_t>(n) * n), d(n), e(n);
    for (int r = 0; r < n; r++) {
      for (int s = 0; s < n; s++) v[s * n + r] = 0.5 * (aj[r * n + s] + aj[s * n + r]);
    }
    tred2tql2(n, v.data(), d.data(), e.data());
    double* vj = vectors + static_cast<size_t>(j) * n * n;
    for (int i = 0; i < n; i++) {
      values[static_cast<size_t>(j) * n + i] = d[n - 1 - i];
      std::memcpy(vj + i * n, v.data() + (n - 1 - i) * n, sizeof(double) * n);
    }
  });
}

/** Cyclic Jacobi eigenpairs of `count` symmetric PSD n×n matrices (layout as lt_eigh). */
void lt_jacobi(const double* a, int n, int count, int threads, double* values, double* vectors) {
  parallelFor(count, threads, [=](int j) {
    jacobi(a + static_cast<size_t>(j) * n * n, n, values + static_cast<size_t>(j) * n,
           vectors + static_cast<size_t>(j) * n * n);
  });
}

/**
 * dw[b][k][n] = scale·w_bkn·Σ_{i<active[b·K+k]} coef[b][k][i]·(Σ_r basis[b][k][r][i]·c_b[r][n])²
 * with basis [B][K][T2][mp] and coef [B][K][mp] zero-padded to mp (a multiple of 16).
 */
void lt_grad_w(const float* c, const float* w, int b, int t2, int n, int k, const double* basis,
               const double* coef, int mp, const int* active, double scale, int threads,
               float* dw) {
  parallelFor(b * k, threads, [=](int bk) {
    gradWOne(c + static_cast<size_t>(bk / k) * t2 * n, w + static_cast<size_t>(bk) * n, t2, n,
             basis + static_cast<size_t>(bk) * t2 * mp, coef + static_cast<size_t>(bk) * mp, mp,
             active[bk], scale, dw + static_cast<size_t>(bk) * n);
  });
}

/** out[b][k] (mp×mp) = Σ_n w_bkn² q q ᵀ with q = basis[b][k]ᵀ c_bn (leading active×active block). */
void lt_proj_grams(const float* c, const float* w, int b, int t2, int n, int k,
                   const double* basis, int mp, const int* active, int threads, double* out) {
  parallelFor(b * k, threads, [=](int bk) {
    projGramOne(c + static_cast<size_t>(bk / k) * t2 * n, w + static_cast<size_t>(bk) * n, t2, n,
                basis + static_cast<size_t>(bk) * t2 * mp, mp, active[bk],
                out + static_cast<size_t>(bk) * mp * mp);
  });
}

/** dc[b][r][n] = scale·Σ_k w_bkn² Σ_i basis[b][k][r][i]·coef[b][k][i]·(basisᵀ c_bn)_i. */
void lt_grad_c(const float* c, const float* w, int b, int t2, int n, int k, const double* basis,
               const double* coef, int mp, const int* active, double scale, int threads,
               float* dc) {
  parallelFor(b, threads, [=](int bi) {
    gradCOne(c + static_cast<size_t>(bi) * t2 * n, w + static_cast<size_t>(bi) * k * n, t2, n, k,
             basis + static_cast<size_t>(bi) * k * t2 * mp,
             coef + static_cast<size_t>(bi) * k * mp, mp, active + bi * k, scale,
             dc + static_cast<size_t>(bi) * t2 * n);
  });
}

}  // extern "C"
