/**
 * The three numbers a comparison reports for one hidden vector, computed in one pass over two
 * Float32Array slices (no copies: T=512 × 13 layers × H=768 must stay fast).
 */

export interface VectorDifference {
  /**
   * False when either vector holds NaN or ±Inf. Then nothing can be measured there (NaN == NaN is no
   * evidence of "unchanged", and Inf − Inf is not 0): maxAbsDiff and cosineDistance are NaN and the
   * caller reports the position as non-finite.
   */
  finite: boolean;
  /** max |variant − base| over the vector (NaN when not finite). */
  maxAbsDiff: number;
  /** 1 − cosine similarity; 0 when both vectors are all zero, 1 when only one is (torch's eps clamp). */
  cosineDistance: number;
  /** torch.allclose(variant, base, atol, rtol): every |v − b| <= atol + rtol·|b|; NaN is never close. */
  allclose: boolean;
}

export function compareVectors(
  variant: Float32Array,
  variantOffset: number,
  base: Float32Array,
  baseOffset: number,
  length: number,
  atol: number,
  rtol: number,
): VectorDifference {
  let maxAbsDiff = 0;
  let finite = true;
  let allclose = true;
  let dot = 0;
  let variantNormSq = 0;
  let baseNormSq = 0;
  for (let k = 0; k < length; k++) {
    const v = variant[variantOffset + k];
    const b = base[baseOffset + k];
    // v − b is finite only when both are; |NaN| and |±Inf| fail `< Infinity`.
    if (!(Math.abs(v) < Infinity && Math.abs(b) < Infinity)) finite = false;
    const diff = Math.abs(v - b);
    if (diff > maxAbsDiff) maxAbsDiff = diff;
    if (allclose && !isCloseTorch(v, b, atol, rtol)) allclose = false;
    dot += v * b;
    variantNormSq += v * v;
    baseNormSq += b * b;
  }
  if (!finite) return { finite, maxAbsDiff: NaN, cosineDistance: NaN, allclose };
  return { finite, maxAbsDiff, cosineDistance: cosineDistanceFrom(dot, variantNormSq, baseNormSq), allclose };
}

function cosineDistanceFrom(dot: number, normSqA: number, normSqB: number): number {
  if (normSqA === 0 && normSqB === 0) return 0;
  // torch.nn.functional.cosine_similarity clamps each norm at eps = 1e-8.
  const denominator = Math.max(Math.sqrt(normSqA), 1e-8) * Math.max(Math.sqrt(normSqB), 1e-8);
  const cosine = dot / denominator;
  // Rounding can push the cosine of (anti)parallel vectors a hair past ±1.
  return 1 - Math.min(1, Math.max(-1, cosine));
}

/**
 * torch.isclose(v, b, atol, rtol, equal_nan=False): `v == b` is checked first, so equal infinities
 * are close; otherwise a finite |v − b| <= atol + rtol·|b| (the base is `other`); NaN is never close.
 * The finiteness check matters: for +inf vs −inf the bound is inf too.
 */
export function isCloseTorch(v: number, b: number, atol: number, rtol: number): boolean {
  if (v === b) return true;
  const error = Math.abs(v - b);
  return Number.isFinite(error) && error <= atol + rtol * Math.abs(b);
}

/** torch.allclose over two whole arrays (for callers that hold plain vectors). */
export function allcloseTorch(
  variant: ArrayLike<number>,
  base: ArrayLike<number>,
  atol: number,
  rtol: number,
): boolean {
  if (variant.length !== base.length) throw new Error(`allclose: lengths differ (${variant.length} vs ${base.length})`);
  for (let k = 0; k < base.length; k++) if (!isCloseTorch(variant[k], base[k], atol, rtol)) return false;
  return true;
}
