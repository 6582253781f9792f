/**
 * Feed-forward activations by their Hugging Face name (`ACT2FN`), built from opset-17 operators the
 * way PyTorch computes them. Names the builder does not implement are refused by the config checks
 * (`IMPLEMENTED_ACTIVATIONS`), so `activation()` never sees them.
 */
import type { GraphBuilder } from '../onnxGraph';
import { geluErf, geluTanh } from './layers';

/** The ACT2FN names built here; every other name Hugging Face knows is "not supported yet". */
export const IMPLEMENTED_ACTIVATIONS = [
  'gelu',
  'gelu_new',
  'gelu_pytorch_tanh',
  'relu',
  'silu',
  'swish',
  'tanh',
] as const;
export type Activation = (typeof IMPLEMENTED_ACTIVATIONS)[number];

export function isImplementedActivation(name: unknown): name is Activation {
  return typeof name === 'string' && (IMPLEMENTED_ACTIVATIONS as readonly string[]).includes(name);
}

export function activation(b: GraphBuilder, name: Activation, x: string): string {
  switch (name) {
    case 'gelu':
      return geluErf(b, x);
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
      // The same tanh formula; PyTorch's fused kernel rounds a little differently (well below 1e-6).
      return geluTanh(b, x);
    case 'relu':
      return b.op('Relu', [x]);
    case 'silu':
    case 'swish':
      // torch.nn.SiLU: x · sigmoid(x) (Llama's `silu`, Marian's `swish`).
      return b.op('Mul', [x, b.op('Sigmoid', [x])], {}, 'silu');
    case 'tanh':
      return b.op('Tanh', [x]);
  }
}
