#!/usr/bin/python3
"""Golden codes of the deployed-format codecs (backends/q8_0.c ... nf4.c), computed here in
numpy/Python from the formats' public descriptions, independently of kvqeval's C code.

Writes deployed.json next to this script: two fixed rows of dimension 256 (a seeded N(0, 1) row;
a second one at half the scale with an outlier of 25, a block of 32 zeros and a block of 32 tiny
values, 1e-4 times N(0, 1), that reaches half and E4M3 subnormals), and for each codec spec the
hex bytes of each row's code and the floats it decodes to.

Sources of each reference below:
  q8_0, q4_0, q4_1, q5_0, q5_1: the block structs of ggml's ggml-common.h (block_q8_0 ...) and
      the reference quantizers of ggml-quants.c (quantize_row_*_ref, which llama-quantize runs
      when no importance matrix is given), with dequantize_row_*: scales in float32, stored as
      IEEE half (numpy's float16 conversion rounds to nearest even, as ggml's does).
  iq4_nl: block_iq4_nl and quantize_iq4_nl without an importance matrix (weights x^2, the
      scale search over 15 trial scales (-127 + t) / max, t = -7..7, and the final codes from the
      best scale), kvalues_iq4nl.
  q2_k, q3_k, q4_k, q5_k, q6_k: block_q2_K ... block_q6_K and quantize_row_q*_K_ref with their
      helpers make_qkx2_quants, make_q3_quants and make_qx_quants, dequantize_row_q*_K.
  mxfp4, mxfp8: OCP Microscaling Formats (MX) Specification v1.0: the shared scale
      X = 2^(floor(log2(max|x|)) - emax) as E8M0 (emax 2 for E2M1, 8 for E4M3), elements
      x / X rounded to nearest, ties to even, saturating at the largest normal; mxfp4 laid out as
      ggml's block_mxfp4 (the E8M0 byte, then element j in the low nibble of byte j and element
      j + 16 in its high nibble).
  nvfp4: NVIDIA's two-level NVFP4 scaling: a per-tensor f32 scale G = max|tensor| / (448 * 6),
      a per-16-block E4M3 scale s = e4m3(max|block| / 6 / G), elements e2m1(x / (s G)).
  fp8: OCP 8-bit Floating Point Specification (OFP8) v1.0, E4M3 (max 448) and E5M2 (max 57344),
      round to nearest even, saturating; scale = max|x| / max per row (f32 first in the code) or
      per tensor.
  nf4: bitsandbytes: blocks of 64, absmax as f32, x times the float32 reciprocal of absmax,
      nearest entry of the NF4 table with the thresholds of csrc/kernels.cu's dQuantizeNF4 (a
      value on a threshold goes down), two codes a byte, the first in the high nibble.
All arithmetic that the formats do in float32 is done here in numpy float32 scalars, one
operation at a time, in the order the descriptions give; minifloat rounding is done exactly with
fractions.Fraction against the table of every value of the format.

Run: /usr/bin/python3 tests/golden/gen_deployed.py   (Debian python3-numpy)
"""
import json
import math
import os
from fractions import Fraction

import numpy as np

f32 = np.float32
DIM = 256


def rows():
    rng = np.random.default_rng(20250607)
    a = rng.standard_normal(DIM).astype(f32)
    b = (rng.standard_normal(DIM) * 0.5).astype(f32)
    b[37] = f32(25.0)
    b[64:96] = f32(0.0)
    b[160:192] = (rng.standard_normal(32) * 1e-4).astype(f32)
    return [a, b]


def half_bytes(v):
    return np.float16(v).tobytes()  # little endian on every platform numpy runs on here


def half(v):
    return f32(np.float16(v))


def f32_bytes(v):
    return np.array([v], dtype="<f4").tobytes()


def inverse(d):
    return f32(1) / d if d != 0 else f32(0)


def extreme(x):
    """The first element of largest magnitude, and that magnitude."""
    amax, m = f32(0), f32(0)
    for v in x:
        if amax < abs(v):
            amax, m = abs(v), v
    return m, amax


def halves(codes):
    n = len(codes) // 2
    return bytes(int(codes[j]) | int(codes[j + n]) << 4 for j in range(n))


# ---- ggml legacy formats ----

def q8_0(x):
    _, amax = extreme(x)
    d = f32(amax / f32(127))
    idd = inverse(d)
    q = []
    for v in x:
        t = float(f32(v * idd))
        q.append(int(math.copysign(math.floor(abs(t) + 0.5), t)))  # roundf
    code = half_bytes(d) + bytes(c & 0xff for c in q)
    return code, [f32(f32(c) * half(d)) for c in q]


def type0(x, bits):
    m, _ = extreme(x)
    mid = f32(1 << (bits - 1))
    d = f32(m / -mid)
    idd = inverse(d)
    top = (1 << bits) - 1
    q = [min(top, int(f32(f32(v * idd) + f32(mid + f32(0.5))))) for v in x]
    return d, q


def type1(x, bits):
    lo, hi = f32(np.inf), f32(-np.inf)
    for v in x:
        lo = v if v < lo else lo
        hi = v if v > hi else hi
    top = (1 << bits) - 1
    d = f32(f32(hi - lo) / f32(top))
    idd = inverse(d)
    q = [min(top, int(f32(f32(f32(v - lo) * idd) + f32(0.5)))) for v in x]
    return d, lo, q


def qh_bytes(q):
    bits = sum(((c >> 4) & 1) << j for j, c in enumerate(q))
    return bits.to_bytes(4, "little")


def q4_0(x):
    d, q = type0(x, 4)
    return half_bytes(d) + halves(q), [f32(f32(c - 8) * half(d)) for c in q]


def q5_0(x):
    d, q = type0(x, 5)
    code = half_bytes(d) + qh_bytes(q) + halves([c & 15 for c in q])
    return code, [f32(f32(c - 16) * half(d)) for c in q]


def q4_1(x):
    d, m, q = type1(x, 4)
    code = half_bytes(d) + half_bytes(m) + halves(q)
    return code, [f32(f32(f32(c) * half(d)) + half(m)) for c in q]


def q5_1(x):
    d, m, q = type1(x, 5)
    code = half_bytes(d) + half_bytes(m) + qh_bytes(q) + halves([c & 15 for c in q])
    return code, [f32(f32(f32(c) * half(d)) + half(m)) for c in q]


# ---- iq4_nl ----

IQ4NL = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]


def iq4_index(v):
    """Nearest table entry to v (float32); halfway between two entries goes up."""
    if v <= IQ4NL[0]:
        return 0
    if v >= IQ4NL[-1]:
        return 15
    k = max(i for i in range(16) if IQ4NL[i] <= v)  # IQ4NL[k] <= v < IQ4NL[k + 1]
    below = f32(v - f32(IQ4NL[k]))
    above = f32(f32(IQ4NL[k + 1]) - v)
    return k if below < above else k + 1


def iq4_sums(x, w, scale_inv):
    sqx, sq2 = f32(0), f32(0)
    for v, wj in zip(x, w):
        q = f32(IQ4NL[iq4_index(f32(scale_inv * v))])
        sqx = f32(sqx + f32(f32(wj * q) * v))
        sq2 = f32(sq2 + f32(f32(wj * q) * q))
    return sqx, sq2


def iq4_nl(x):
    w = [f32(v * v) for v in x]
    m, amax = extreme(x)
    if amax < f32(1e-15):
        d = f32(0)
    else:
        d = f32(f32(-m) / f32(IQ4NL[0]))
        sqx, sq2 = iq4_sums(x, w, f32(f32(1) / d))
        d = f32(sqx / sq2) if sq2 > 0 else f32(0)
        best = f32(d * sqx)
        for t in range(-7, 8):
            sqx, sq2 = iq4_sums(x, w, f32(f32(t + IQ4NL[0]) / m))
            if sq2 > 0 and f32(sqx * sqx) > f32(best * sq2):
                d = f32(sqx / sq2)
                best = f32(d * sqx)
    idd = inverse(d)
    q = [iq4_index(f32(idd * v)) for v in x]
    return half_bytes(d) + halves(q), [f32(half(d) * f32(IQ4NL[c])) for c in q]


# ---- minifloats ----

class Minifloat:
    def __init__(self, ebits, mbits, bias, max_code):
        self.ebits, self.mbits, self.bias, self.max_code = ebits, mbits, bias, max_code
        self.table = [(self.value(c), c) for c in range(max_code + 1)]  # ascending

    def value(self, code):
        e, m = code >> self.mbits, code & ((1 << self.mbits) - 1)
        if e == 0:
            return Fraction(m) * Fraction(2) ** (1 - self.bias - self.mbits)
        return Fraction((1 << self.mbits) + m) * Fraction(2) ** (e - self.bias - self.mbits)

    def encode(self, v):
        """Nearest value, ties to the even code, saturating; the sign bit kept (also on zero)."""
        sign = (1 << (self.ebits + self.mbits)) if math.copysign(1.0, float(v)) < 0 else 0
        a = abs(Fraction(float(v)))
        if a >= self.table[-1][0]:
            return sign | self.max_code
        k = max(i for i, (val, _) in enumerate(self.table) if val <= a)
        (lo, clo), (hi, chi) = self.table[k], self.table[k + 1]
        if a - lo < hi - a or (a - lo == hi - a and clo % 2 == 0):
            return sign | clo
        return sign | chi

    def decode(self, code):
        """The value as a Python float (exact), -0.0 for the negative zero."""
        v = float(self.value(code & ((1 << (self.ebits + self.mbits)) - 1)))
        return -v if code >> (self.ebits + self.mbits) else v


E2M1 = Minifloat(2, 1, 1, 0x7)
E4M3 = Minifloat(4, 3, 7, 0x7e)
E5M2 = Minifloat(5, 2, 15, 0x7b)


def mx(x, elem, emax, packed):
    _, amax = extreme(x)
    e = (math.frexp(float(amax))[1] - 1 - emax) if amax > 0 else -127  # floor(log2 amax) - emax
    e = min(127, max(-127, e))
    q = [elem.encode(math.ldexp(float(v), -e)) for v in x]  # exact in float64
    body = halves(q) if packed else bytes(q)
    return bytes([e + 127]) + body, [f32(math.ldexp(elem.decode(c), e)) for c in q]


def mxfp4(x):
    return mx(x, E2M1, 2, True)


def mxfp8(x):
    return mx(x, E4M3, 8, False)


def nvfp4_block(x, g):
    _, amax = extreme(x)
    sc = E4M3.encode(f32(f32(amax / f32(6)) / g))
    s = f32(E4M3.decode(sc))
    denom = f32(s * g)
    q = [E2M1.encode(f32(v / denom)) if denom != 0 else 0 for v in x]
    return bytes([sc]) + halves(q), [f32(f32(f32(E2M1.decode(c)) * s) * g) for c in q]


def tensor_scale(all_rows, fmax):
    amax = f32(0)
    for r in all_rows:
        for v in r:
            amax = max(amax, abs(v))
    g = f32(amax / f32(fmax))
    return g if g > 0 else f32(1)


def fp8_elements(x, elem, scale):
    q = [elem.encode(f32(v / scale)) if scale != 0 else 0 for v in x]
    return bytes(q), [f32(f32(elem.decode(c)) * scale) for c in q]


def fp8_row(x, elem):
    _, amax = extreme(x)
    scale = f32(amax / f32(float(elem.table[-1][0])))
    code, dec = fp8_elements(x, elem, scale)
    return f32_bytes(scale) + code, dec


# ---- nf4 ----

NF4 = [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
       -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
       0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
       0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0]
NF4_THRESHOLDS = [-0.8480964004993439, -0.6106329262256622, -0.4599952697753906,
                  -0.33967943489551544, -0.23460740596055984, -0.13791173323988914,
                  -0.045525018125772476, 0.03979014977812767, 0.1202552504837513,
                  0.2035212516784668, 0.2920137718319893, 0.3893125355243683,
                  0.5016634166240692, 0.6427869200706482, 0.8614784181118011]


def nf4(x):
    _, amax = extreme(x)
    r = f32(f32(1) / amax) if amax > 0 else None
    q = []
    for v in x:
        s = f32(v * r) if r is not None else f32(0)
        q.append(sum(1 for t in NF4_THRESHOLDS if s > f32(t)))
    code = f32_bytes(amax) + bytes(q[2 * j] << 4 | q[2 * j + 1] for j in range(len(q) // 2))
    return code, [f32(f32(NF4[c]) * amax) for c in q]


# ---- k-quants (super-blocks of 256) ----
# Every float operation below is one float32 operation: F(a * b) etc., in ggml's order.

F = f32
EPS = F(1e-15)


def nearest(v):
    """ggml's nearest_int: to the nearest integer, ties to even."""
    return int(round(float(v)))


def clamp(v, lo, hi):
    return max(lo, min(hi, v))


def qkx2(x, nmax, w, rmin, rdelta, nstep, use_mad):
    """ggml's make_qkx2_quants: codes, scale and -min (>= 0) of x ~ scale l + min."""
    n = len(x)
    lo, hi = x[0], x[0]
    sum_w = w[0]
    sum_x = F(sum_w * x[0])
    for i in range(1, n):
        lo = x[i] if x[i] < lo else lo
        hi = x[i] if x[i] > hi else hi
        sum_w = F(sum_w + w[i])
        sum_x = F(sum_x + F(w[i] * x[i]))
    if lo > 0:
        lo = F(0)
    if hi == lo:
        return [0] * n, F(0), F(-lo)

    def err(scale, mn, codes):
        total = F(0)
        for i in range(n):
            diff = F(F(F(scale * F(codes[i])) + mn) - x[i])
            diff = abs(diff) if use_mad else F(diff * diff)
            total = F(total + F(w[i] * diff))
        return total

    iscale = F(F(nmax) / F(hi - lo))
    scale = F(F(1) / iscale)
    L = [clamp(nearest(F(iscale * F(v - lo))), 0, nmax) for v in x]
    best = err(scale, lo, L)
    mn = lo  # as in ggml, a better fit's min moves the grid of the following steps
    for step in range(nstep + 1):
        iscale = F(F(F(rmin + F(rdelta * F(step))) + F(nmax)) / F(hi - mn))
        aux = [clamp(nearest(F(iscale * F(v - mn))), 0, nmax) for v in x]
        sl, sl2, sxl = F(0), F(0), F(0)
        for i in range(n):
            wl = F(w[i] * F(aux[i]))
            sl = F(sl + wl)
            sl2 = F(sl2 + F(wl * F(aux[i])))
            sxl = F(sxl + F(wl * x[i]))
        D = F(F(sum_w * sl2) - F(sl * sl))
        if D > 0:
            this_scale = F(F(F(sum_w * sxl) - F(sum_x * sl)) / D)
            this_min = F(F(F(sl2 * sum_x) - F(sl * sxl)) / D)
            if this_min > 0:
                this_min = F(0)
                this_scale = F(sxl / sl2)
            cur = err(this_scale, this_min, aux)
            if cur < best:
                L, best, scale, mn = aux, cur, this_scale, this_min
    return L, scale, F(-mn)


def q3_quants(x, nmax):
    """ggml's make_q3_quants with do_rmse: codes (offset by nmax) and scale."""
    m, amax = extreme(x)
    if amax < EPS:
        return [0] * len(x), F(0)
    iscale = F(F(-nmax) / m)
    L = [clamp(nearest(F(iscale * v)), -nmax, nmax - 1) for v in x]
    sumlx, suml2 = F(0), F(0)
    for v, l in zip(x, L):
        w = F(v * v)
        sumlx = F(sumlx + F(F(w * v) * F(l)))
        suml2 = F(suml2 + F(F(w * F(l)) * F(l)))
    for _ in range(5):
        changed = 0
        for i, v in enumerate(x):
            w = F(v * v)
            slx = F(sumlx - F(F(w * v) * F(L[i])))
            if slx > 0:
                sl2 = F(suml2 - F(F(w * F(L[i])) * F(L[i])))
                new = clamp(nearest(F(F(v * sl2) / slx)), -nmax, nmax - 1)
                if new != L[i]:
                    slx = F(slx + F(F(w * v) * F(new)))
                    sl2 = F(sl2 + F(F(w * F(new)) * F(new)))
                    if sl2 > 0 and F(F(slx * slx) * suml2) > F(F(sumlx * sumlx) * sl2):
                        L[i], sumlx, suml2 = new, slx, sl2
                        changed += 1
        if not changed:
            break
    return [l + nmax for l in L], (F(sumlx / suml2) if suml2 > 0 else F(0))


def qx_quants(x, nmax):
    """ggml's make_qx_quants with rmse_type 1 and no weights: codes (offset by nmax), scale."""
    m, amax = extreme(x)
    if amax < EPS:
        return [0] * len(x), F(0)

    def sums(iscale):
        codes = [clamp(nearest(F(iscale * v)), -nmax, nmax - 1) for v in x]
        slx, sl2 = F(0), F(0)
        for v, l in zip(x, codes):
            w = F(v * v)
            slx = F(slx + F(F(w * v) * F(l)))
            sl2 = F(sl2 + F(F(w * F(l)) * F(l)))
        return codes, slx, sl2

    L, sumlx, suml2 = sums(F(F(-nmax) / m))
    scale = F(sumlx / suml2) if suml2 != 0 else F(0)
    best = F(scale * sumlx)
    for k in range(-9, 10):
        if k == 0:
            continue
        codes, sumlx, suml2 = sums(F(F(-F(F(nmax) + F(F(0.1) * F(k)))) / m))
        if suml2 > 0 and F(sumlx * sumlx) > F(best * suml2):
            L = codes
            scale = F(sumlx / suml2)
            best = F(scale * sumlx)
    return [l + nmax for l in L], scale


def pack2(L):
    """2-bit codes: byte 32 h + l of each half h holds coordinates 128 h + l + 32 k at bits 2k."""
    out = bytearray(64)
    for h in range(2):
        for l in range(32):
            out[32 * h + l] = sum(L[128 * h + l + 32 * k] << (2 * k) for k in range(4))
    return bytes(out)


def unpack2(qs, c):
    return (qs[32 * (c // 128) + c % 32] >> (2 * ((c % 128) // 32))) & 3


def q2_k(x):
    scales, mins, L = [], [], []
    for j in range(16):
        xb = x[16 * j:16 * j + 16]
        codes, sc, mn = qkx2(xb, 3, [abs(v) for v in xb], F(-0.5), F(0.1), 15, True)
        L += codes
        scales.append(sc)
        mins.append(mn)
    max_scale, max_min = F(0), F(0)
    for sc, mn in zip(scales, mins):
        max_scale = sc if sc > max_scale else max_scale
        max_min = mn if mn > max_min else max_min
    sb = [0] * 16
    d = dmin = F(0)
    if max_scale > 0:
        iscale = F(F(15) / max_scale)
        sb = [nearest(F(iscale * sc)) & 0xff for sc in scales]  # stored as uint8_t
        d = F(max_scale / F(15))
    if max_min > 0:
        iscale = F(F(15) / max_min)
        sb = [(b | nearest(F(iscale * mn)) << 4) & 0xff for b, mn in zip(sb, mins)]
        dmin = F(max_min / F(15))
    for j in range(16):
        dj = F(half(d) * F(sb[j] & 15))
        if dj == 0:
            continue
        dm = F(half(dmin) * F(sb[j] >> 4))
        for i in range(16):
            L[16 * j + i] = clamp(nearest(F(F(x[16 * j + i] + dm) / dj)), 0, 3)
    qs = pack2(L)
    code = bytes(sb) + qs + half_bytes(d) + half_bytes(dmin)
    dec = []
    for c in range(256):
        b = sb[c // 16]
        dl, ml = F(half(d) * F(b & 15)), F(half(dmin) * F(b >> 4))
        dec.append(F(F(dl * F(unpack2(qs, c))) - ml))
    return code, dec


def q3_k(x):
    scales, L = [], []
    for j in range(16):
        codes, sc = q3_quants(x[16 * j:16 * j + 16], 4)
        L += codes
        scales.append(sc)
    max_scale, amax = extreme(scales)
    six = [0] * 16  # the 6-bit scales, offset by 32
    d = F(0)
    if max_scale != 0:
        iscale = F(F(-32) / max_scale)
        six = [clamp(nearest(F(iscale * sc)), -32, 31) + 32 for sc in scales]
        d = F(F(1) / iscale)
    sbytes = bytearray(12)
    for j, l in enumerate(six):
        sbytes[j % 8] |= (l & 15) << (4 * (j // 8))
        sbytes[8 + j % 4] |= (l >> 4) << (2 * (j // 4))
    for j in range(16):
        dj = F(half(d) * F(six[j] - 32))
        if dj == 0:
            continue
        for i in range(16):
            L[16 * j + i] = clamp(nearest(F(x[16 * j + i] / dj)), -4, 3) + 4
    hmask = bytearray(32)
    for c in range(256):
        if L[c] > 3:
            hmask[c % 32] |= 1 << (c // 32)
            L[c] -= 4
    qs = pack2(L)
    code = bytes(hmask) + qs + bytes(sbytes) + half_bytes(d)
    dec = []
    for c in range(256):
        q = unpack2(qs, c) - (0 if hmask[c % 32] >> (c // 32) & 1 else 4)
        dec.append(F(F(half(d) * F(six[c // 16] - 32)) * F(q)))
    return code, dec


def k4_scales(ls, lm):
    """The 12 bytes of 6-bit scales and mins of q4_K and q5_K (ggml's get_scale_min_k4 order)."""
    out = bytearray(12)
    for j in range(8):
        if j < 4:
            out[j] = ls[j]
            out[j + 4] = lm[j]
        else:
            out[j + 4] = (ls[j] & 15) | (lm[j] & 15) << 4
            out[j - 4] |= (ls[j] >> 4) << 6
            out[j] |= (lm[j] >> 4) << 6
    return bytes(out)


def kx_k(x, nmax, rmin, rdelta, nstep):
    """The shared part of q4_K and q5_K: 8 blocks of 32 with 6-bit scales and mins."""
    scales, mins, L = [], [], []
    for j in range(8):
        xb = x[32 * j:32 * j + 32]
        sum_x2 = F(0)
        for v in xb:
            sum_x2 = F(sum_x2 + F(v * v))
        av_x = F(np.sqrt(F(sum_x2 / F(32))))
        codes, sc, mn = qkx2(xb, nmax, [F(av_x + abs(v)) for v in xb], rmin, rdelta, nstep, False)
        L += codes
        scales.append(sc)
        mins.append(mn)
    max_scale, max_min = F(0), F(0)
    for sc, mn in zip(scales, mins):
        max_scale = sc if sc > max_scale else max_scale
        max_min = mn if mn > max_min else max_min
    inv_scale = F(F(63) / max_scale) if max_scale > 0 else F(0)
    inv_min = F(F(63) / max_min) if max_min > 0 else F(0)
    ls = [min(63, nearest(F(inv_scale * sc)) & 0xff) for sc in scales]
    lm = [min(63, nearest(F(inv_min * mn)) & 0xff) for mn in mins]
    d, dmin = F(max_scale / F(63)), F(max_min / F(63))
    for j in range(8):
        dj = F(half(d) * F(ls[j]))
        if dj == 0:
            continue
        dm = F(half(dmin) * F(lm[j]))
        for i in range(32):
            L[32 * j + i] = clamp(nearest(F(F(x[32 * j + i] + dm) / dj)), 0, nmax)
    head = half_bytes(d) + half_bytes(dmin) + k4_scales(ls, lm)
    dec = []
    for c in range(256):
        j = c // 32
        dec.append((F(half(d) * F(ls[j])), F(half(dmin) * F(lm[j]))))
    return head, L, dec


def q4_k(x):
    head, L, dm = kx_k(x, 15, F(-1), F(0.1), 20)
    qs = bytes(L[64 * h + l] | L[64 * h + l + 32] << 4 for h in range(4) for l in range(32))
    return head + qs, [F(F(d1 * F(L[c])) - m1) for c, (d1, m1) in enumerate(dm)]


def q5_k(x):
    head, L, dm = kx_k(x, 31, F(-0.5), F(0.1), 15)
    qh = bytearray(32)
    for c in range(256):
        if L[c] > 15:
            qh[c % 32] |= 1 << (c // 32)
    qs = bytes((L[64 * h + l] & 15) | (L[64 * h + l + 32] & 15) << 4
               for h in range(4) for l in range(32))
    return head + bytes(qh) + qs, [F(F(d1 * F(L[c])) - m1) for c, (d1, m1) in enumerate(dm)]


def q6_k(x):
    scales, L = [], []
    for j in range(16):
        codes, sc = qx_quants(x[16 * j:16 * j + 16], 32)
        L += codes
        scales.append(sc)
    max_scale, amax = extreme(scales)
    if amax < EPS:  # every byte 0
        L, sc8, d = [0] * 256, [0] * 16, F(0)
    else:
        iscale = F(F(-128) / max_scale)
        d = F(F(1) / iscale)
        sc8 = [min(127, nearest(F(iscale * sc))) for sc in scales]
    for j in range(16):
        dj = F(half(d) * F(sc8[j]))
        if dj == 0:
            continue
        for i in range(16):
            L[16 * j + i] = clamp(nearest(F(x[16 * j + i] / dj)), -32, 31) + 32
    ql, qh = bytearray(128), bytearray(64)
    for h in range(2):
        for l in range(32):
            q = [L[128 * h + l + 32 * k] for k in range(4)]
            ql[64 * h + l] = (q[0] & 15) | (q[2] & 15) << 4
            ql[64 * h + l + 32] = (q[1] & 15) | (q[3] & 15) << 4
            qh[32 * h + l] = sum((q[k] >> 4) << (2 * k) for k in range(4))
    code = bytes(ql) + bytes(qh) + bytes(v & 0xff for v in sc8) + half_bytes(d)
    dec = [F(F(half(d) * F(sc8[c // 16])) * F(L[c] - 32)) for c in range(256)]
    return code, dec


# ---- the table ----

def blockwise(fn, block):
    def row(x):
        code, dec = b"", []
        for k in range(0, len(x), block):
            c, d = fn(x[k:k + block])
            code += c
            dec += d
        return code, dec
    return row


def codecs(all_rows):
    g_nv = tensor_scale(all_rows, 448 * 6)
    out = [
        ("q8_0", False, blockwise(q8_0, 32)),
        ("q4_0", False, blockwise(q4_0, 32)),
        ("q4_1", False, blockwise(q4_1, 32)),
        ("q5_0", False, blockwise(q5_0, 32)),
        ("q5_1", False, blockwise(q5_1, 32)),
        ("iq4_nl", False, blockwise(iq4_nl, 32)),
        ("mxfp4", False, blockwise(mxfp4, 32)),
        ("mxfp8", False, blockwise(mxfp8, 32)),
        ("nvfp4", True, blockwise(lambda b: nvfp4_block(b, g_nv), 16)),
        ("nf4", False, blockwise(nf4, 64)),
        ("q2_k", False, blockwise(q2_k, 256)),
        ("q3_k", False, blockwise(q3_k, 256)),
        ("q4_k", False, blockwise(q4_k, 256)),
        ("q5_k", False, blockwise(q5_k, 256)),
        ("q6_k", False, blockwise(q6_k, 256)),
    ]
    for name, elem in (("e4m3", E4M3), ("e5m2", E5M2)):
        out.append(("fp8:format=%s" % name, False, lambda x, e=elem: fp8_row(x, e)))
        g = tensor_scale(all_rows, float(elem.table[-1][0]))
        out.append(("fp8:format=%s,scale=tensor" % name, True,
                    lambda x, e=elem, g=g: fp8_elements(x, e, g)))
    return out


def main():
    all_rows = rows()
    golden = {
        "generator": "tests/golden/gen_deployed.py",
        "numpy": np.__version__,
        "dim": DIM,
        "rows": [[float(v) for v in r] for r in all_rows],
        "codecs": [],
    }
    for spec, fit, fn in codecs(all_rows):
        entry = {"spec": spec, "fit": fit, "codes": [], "decoded": []}
        for r in all_rows:
            code, dec = fn(r)
            entry["codes"].append(code.hex())
            entry["decoded"].append([float(v) for v in dec])
        golden["codecs"].append(entry)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "deployed.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
