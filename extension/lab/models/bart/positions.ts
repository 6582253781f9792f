/**
 * Marian's sinusoidal positions as `MarianSinusoidalPositionalEmbedding` computes them: in float64
 * (numpy), angle pos / 10000^(2⌊j/2⌋/dim), the sines of the even j in the first half of each row and the
 * cosines of the odd j in the second half (not interleaved), then rounded to float32. Hugging Face does not
 * store them in checkpoints; the graph holds this table as a constant.
 */
export function sinusoidalPositions(positions: number, dim: number): Float32Array {
  const out = new Float32Array(positions * dim);
  const sentinel = Math.ceil(dim / 2);
  for (let pos = 0; pos < positions; pos++) {
    const row = pos * dim;
    for (let j = 0; j < dim; j++) {
      const angle = pos / Math.pow(10000, (2 * Math.floor(j / 2)) / dim);
      if (j % 2 === 0) out[row + j / 2] = Math.sin(angle);
      else out[row + sentinel + (j - 1) / 2] = Math.cos(angle);
    }
  }
  return out;
}
