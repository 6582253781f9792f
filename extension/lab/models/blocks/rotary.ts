/**
 * Rotary position embeddings as Hugging Face computes them (transformers 4.57, `modeling_rope_utils.py`
 * and `LlamaRotaryEmbedding`). The inverse frequencies are computed here in TypeScript, rounding to
 * float32 after every operation exactly where PyTorch's float32 tensors round; cos and sin are computed
 * in the graph from the position ids, in float32, as `LlamaRotaryEmbedding.forward` does
 * (`freqs = inv_freq ⊗ positions`, `emb = cat(freqs, freqs)`), and applied with `rotate_half`'s layout
 * (the first half of each head's dimensions pairs with the second half, not interleaved).
 */
import type { GraphBuilder } from '../onnxGraph';

const f32 = Math.fround;

export type RopeScaling =
  | { type: 'default' }
  | { type: 'linear'; factor: number }
  | {
      type: 'llama3';
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalMaxPositions: number;
    };

export interface RopeSpec {
  /** `rope_theta`. */
  theta: number;
  /** Rotated dimensions per head (`head_dim`; these families have no partial rotary factor). */
  dim: number;
  scaling: RopeScaling;
}

/**
 * `_compute_default_rope_parameters`: 1 / base^(arange(0, dim, 2) / dim) in float32. PyTorch evaluates
 * `1.0 / t` as `t.reciprocal() * 1.0` and `c / t` as `t.reciprocal() * c`; both are mirrored below.
 */
function defaultInverseFrequencies(theta: number, dim: number): Float32Array {
  const out = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) out[i] = f32(1 / f32(f32(theta) ** f32((2 * i) / dim)));
  return out;
}

/** The inverse frequencies of a rotary spec: `inv_freq` of `LlamaRotaryEmbedding` (attention factor 1). */
export function inverseFrequencies(spec: RopeSpec): Float32Array {
  const inv = defaultInverseFrequencies(spec.theta, spec.dim);
  const s = spec.scaling;
  switch (s.type) {
    case 'default':
      return inv;
    case 'linear':
      // `_compute_linear_scaling_rope_parameters`: inv_freq /= factor.
      return inv.map((x) => f32(x / f32(s.factor)));
    case 'llama3': {
      // `_compute_llama3_parameters`: long wavelengths divided by `factor`, short ones kept, a smooth
      // interpolation between the two thresholds.
      const factor = f32(s.factor);
      const lowWavelen = f32(s.originalMaxPositions / s.lowFreqFactor);
      const highWavelen = f32(s.originalMaxPositions / s.highFreqFactor);
      const twoPi = f32(2 * Math.PI);
      return inv.map((x) => {
        const wavelen = f32(f32(1 / x) * twoPi);
        const scaled = wavelen > lowWavelen ? f32(x / factor) : x;
        if (wavelen < highWavelen || wavelen > lowWavelen) return scaled;
        const smooth = f32(
          f32(f32(f32(1 / wavelen) * f32(s.originalMaxPositions)) - f32(s.lowFreqFactor)) /
            f32(s.highFreqFactor - s.lowFreqFactor),
        );
        return f32(f32(f32(f32(1 - smooth) * scaled) / factor) + f32(smooth * scaled));
      });
    }
  }
}

/** cos and sin [B, 1, T, dim] from int64 position ids [B, T] (float32 throughout, as Hugging Face forces). */
export function rotaryTables(b: GraphBuilder, positionIds: string, spec: RopeSpec): { cos: string; sin: string } {
  const inv = inverseFrequencies(spec);
  const positions = b.op('Unsqueeze', [b.op('Cast', [positionIds], { to: 1 }), b.int64s([2])]);
  const freqs = b.op('Mul', [positions, b.floats(inv, [inv.length])], {}, 'rope_freqs');
  const emb = b.op('Concat', [freqs, freqs], { axis: -1 }, 'rope_emb');
  const heads = b.int64s([1]);
  return {
    cos: b.op('Unsqueeze', [b.op('Cos', [emb]), heads], {}, 'rope_cos'),
    sin: b.op('Unsqueeze', [b.op('Sin', [emb]), heads], {}, 'rope_sin'),
  };
}

/** `apply_rotary_pos_emb` on one tensor [B, heads, T, dim]: x·cos + rotate_half(x)·sin. */
export function applyRotary(b: GraphBuilder, x: string, tables: { cos: string; sin: string }, dim: number): string {
  const [x1, x2] = b.opMulti('Split', [x, b.int64s([dim / 2, dim / 2])], 2, { axis: -1 }, 'half');
  const rotated = b.op('Concat', [b.op('Neg', [x2]), x1], { axis: -1 }, 'rotate_half');
  return b.op('Add', [b.op('Mul', [x, tables.cos]), b.op('Mul', [rotated, tables.sin])], {}, 'rotary');
}
