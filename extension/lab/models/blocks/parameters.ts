/**
 * What a parameter table entry is (Hugging Face's name and shape, and the init rule `_init_weights`
 * applies), and the entries every family builds its tables from.
 */
export type InitRule = { kind: 'normal'; std: number; zeroRow?: number } | { kind: 'zeros' } | { kind: 'ones' };

export interface ParameterSpec {
  /** Name in a Hugging Face checkpoint of the class the module exports. */
  name: string;
  shape: number[];
  init: InitRule;
  /** Stored in exported folders but not read by the graph (BERT's pooler). */
  unusedByGraph?: boolean;
  /**
   * A checkpoint may lack it, and Hugging Face then starts it from its init rule without complaint (BART's
   * `final_logits_bias` buffer is missing from `BartModel` checkpoints such as facebook/bart-base; a
   * BertModel folder without a pooler).
   */
  optional?: boolean;
}

export const elementCount = (p: Pick<ParameterSpec, 'shape'>): number => p.shape.reduce((a, b) => a * b, 1);

export function parameterCount(table: readonly ParameterSpec[]): number {
  return table.reduce((n, p) => n + elementCount(p), 0);
}

/** A torch Linear: weight [out, in], bias [out] (`bias: false` for Llama's projections). */
export function linearParameters(
  prefix: string,
  inSize: number,
  outSize: number,
  std: number,
  bias = true,
): ParameterSpec[] {
  const params: ParameterSpec[] = [
    { name: `${prefix}.weight`, shape: [outSize, inSize], init: { kind: 'normal', std } },
  ];
  if (bias) params.push({ name: `${prefix}.bias`, shape: [outSize], init: { kind: 'zeros' } });
  return params;
}

/** GPT-2's Conv1D: weight [in, out]. */
export function conv1dParameters(prefix: string, inSize: number, outSize: number, std: number): ParameterSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [inSize, outSize], init: { kind: 'normal', std } },
    { name: `${prefix}.bias`, shape: [outSize], init: { kind: 'zeros' } },
  ];
}

export function layerNormParameters(prefix: string, size: number): ParameterSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [size], init: { kind: 'ones' } },
    { name: `${prefix}.bias`, shape: [size], init: { kind: 'zeros' } },
  ];
}
