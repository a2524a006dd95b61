//===- Philox.h - Counter-based random numbers ------------------*- C++ -*-===//
//
// Philox4x32-10 (Salmon et al., "Parallel Random Numbers: As Easy as 1, 2,
// 3", SC 2011; the Random123 reference): a keyed bijection of a 128-bit
// counter. Any element of any stream is computed directly from (key,
// counter), so parameter initialisation, dropout masks and data
// augmentation give the same numbers on any thread count and on the GPU.
// Everything here is a plain function usable from host and CUDA device code.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_PHILOX_H
#define ALEXNET_RUNTIME_PHILOX_H

#include <cmath>
#include <cstdint>

#ifndef ALEXNET_HD
#ifdef __CUDACC__
#define ALEXNET_HD __host__ __device__
#else
#define ALEXNET_HD
#endif
#endif

namespace alexnet::runtime {

/// Four 32-bit words: a counter, or one block of output.
struct PhiloxCounter {
  uint32_t v[4];
};

/// Two 32-bit words: the key.
struct PhiloxKey {
  uint32_t v[2];
};

/// The 32x32->64 bit product of `a` and `b`, split into halves.
ALEXNET_HD inline void philoxMulHiLo(uint32_t a, uint32_t b, uint32_t &hi,
                                     uint32_t &lo) {
  uint64_t product = uint64_t(a) * uint64_t(b);
  hi = uint32_t(product >> 32);
  lo = uint32_t(product);
}

/// One Philox4x32 round.
ALEXNET_HD inline PhiloxCounter philoxRound(PhiloxCounter c, PhiloxKey k) {
  uint32_t hi0, lo0, hi1, lo1;
  philoxMulHiLo(0xD2511F53u, c.v[0], hi0, lo0);
  philoxMulHiLo(0xCD9E8D57u, c.v[2], hi1, lo1);
  return PhiloxCounter{
      {hi1 ^ c.v[1] ^ k.v[0], lo1, hi0 ^ c.v[3] ^ k.v[1], lo0}};
}

/// Philox4x32-10: ten rounds, the key bumped by the Weyl constants between
/// rounds.
ALEXNET_HD inline PhiloxCounter philox4x32_10(PhiloxCounter c, PhiloxKey k) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k.v[0] += 0x9E3779B9u;
      k.v[1] += 0xBB67AE85u;
    }
    c = philoxRound(c, k);
  }
  return c;
}

/// The key for a 64-bit seed.
ALEXNET_HD inline PhiloxKey philoxKey(uint64_t seed) {
  return PhiloxKey{{uint32_t(seed), uint32_t(seed >> 32)}};
}

/// A uniform float in [0, 1) from the top 24 bits of `x` (every value
/// exactly representable, so the result never rounds up to 1).
ALEXNET_HD inline float uniformFloat(uint32_t x) {
  return float(x >> 8) * (1.0f / 16777216.0f);
}

/// A uniform double in (0, 1]: safe to take the logarithm of.
ALEXNET_HD inline double uniformOpenDouble(uint32_t x) {
  return (double(x >> 8) + 1.0) * (1.0 / 16777216.0);
}

/// Two independent standard normals from two uniform words (Box-Muller).
ALEXNET_HD inline void boxMuller(uint32_t x0, uint32_t x1, double &z0,
                                 double &z1) {
  const double twoPi = 6.283185307179586476925286766559;
  double radius = ::sqrt(-2.0 * ::log(uniformOpenDouble(x0)));
  double angle = twoPi * double(x1 >> 8) * (1.0 / 16777216.0);
  z0 = radius * ::cos(angle);
  z1 = radius * ::sin(angle);
}

/// Element `index` of a standard normal stream: block index / 4 of the
/// counter (stream, index / 4, index / 2^34, 0), Box-Muller on words (0, 1)
/// for elements 0 and 1 of the block and on words (2, 3) for 2 and 3.
ALEXNET_HD inline double philoxNormal(PhiloxKey key, uint32_t stream,
                                      uint64_t index) {
  uint64_t block = index / 4;
  PhiloxCounter c{{stream, uint32_t(block), uint32_t(block >> 32), 0u}};
  PhiloxCounter r = philox4x32_10(c, key);
  int pair = int(index % 4) / 2;
  double z0, z1;
  boxMuller(r.v[2 * pair], r.v[2 * pair + 1], z0, z1);
  return index % 2 ? z1 : z0;
}

/// Element `index` of a uniform [0, 1) stream, with the counter layout of
/// philoxNormal and word index % 4 of the block.
ALEXNET_HD inline float philoxUniform(PhiloxKey key, uint32_t stream,
                                      uint64_t index) {
  uint64_t block = index / 4;
  PhiloxCounter c{{stream, uint32_t(block), uint32_t(block >> 32), 0u}};
  return uniformFloat(philox4x32_10(c, key).v[index % 4]);
}

} // namespace alexnet::runtime

#endif // ALEXNET_RUNTIME_PHILOX_H
