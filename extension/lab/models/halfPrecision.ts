/**
 * float32 → float16 / bfloat16 with round-to-nearest-even, as `tensor.to(torch.float16 / bfloat16)` does:
 * for writing checkpoints in those dtypes. Reading them back (to float32, exactly) is `readTensorAsFloat32`.
 */
const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

export function bfloat16Bits(x: number): number {
  scratch[0] = x;
  const u = scratchBits[0];
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0) return ((u >>> 16) & 0x8000) | 0x7fc0;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

export function float16Bits(x: number): number {
  scratch[0] = x;
  const u = scratchBits[0];
  const sign = (u >>> 16) & 0x8000;
  const exp32 = (u >>> 23) & 0xff;
  let mantissa = u & 0x7fffff;
  if (exp32 === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const exp = exp32 - 127 + 15;
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    // Subnormal: value = M · 2^(exp − 38) with the implicit bit in M; float16 counts in steps of 2^-24.
    if (exp < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - exp;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (exp << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa moves into the exponent, up to infinity: that is the right rounding.
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

export function encodeHalf(values: Float32Array, dtype: 'F16' | 'BF16'): Uint16Array {
  const out = new Uint16Array(values.length);
  const encode = dtype === 'F16' ? float16Bits : bfloat16Bits;
  for (let i = 0; i < values.length; i++) out[i] = encode(values[i]);
  return out;
}
