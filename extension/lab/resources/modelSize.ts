/**
 * How big a model is before a byte of it exists: parameters (from the architecture's parameter table,
 * in Hugging Face's names and shapes), the largest tensor, the graph's node count and file size (from the
 * architecture's graph builder), and what those cost in memory and on disk.
 *
 * Architecture-agnostic: it reads only the module's parameter table and graph. Both grow linearly with the
 * number of layers of each stack, so they are evaluated with one layer per stack and with two layers in
 * one stack at a time, and extrapolated — exact, and instant even for `n_layer: 100000` (whose full table
 * alone would be 1.2 million entries). An encoder-decoder has two layer counts; each is extrapolated.
 */
import { availableParallelism } from 'node:os';
import { onnx } from 'onnx-proto';
import type { ArchitectureDims } from '../models/architecture';
import { elementCount as elements, type ParameterSpec } from '../models/blocks/parameters';
import { CHUNK_VALUES, weightWorkerCount } from '../models/randomWeights';
import { moduleOf } from '../models/registry';

/** Bytes per value of the dtypes a checkpoint may store. The lab computes in float32 whatever is stored. */
export const DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2, F64: 8 } as const;
export type StoredDtype = keyof typeof DTYPE_BYTES;

/**
 * Calibration (bench/calibration.md, measured on this machine with bench/memoryProbe.ts and graphProbe.ts):
 * - Opening a model holds its float32 weights (onnxruntime maps the external data file and touches it)
 *   plus, for a model with an LM head, a second vocab × hidden matrix: the tied head's transpose, folded
 *   at load, and about 30 MB of session (SESSION_OVERHEAD_BYTES). gpt2: 498 MB of weights, 685 MB resident
 *   after opening (498 + 154 + 33). bert-base: 438 MB of weights, 376 MB resident (embedding rows no input
 *   has touched yet stay on disk), counted in full.
 * - Each graph node costs about 12 kB while the model is built and opened (JS builder, protobuf,
 *   onnxruntime's graph): 4 300 nodes +48 MB, 43 000 nodes +140 MB building and +240 MB opening.
 * - onnxruntime's session creation grows faster than linearly with the node count: 4 300 nodes (100 GPT-2
 *   layers) open in 2.5 s, 8 600 in 17 s, 17 200 in 136 s, 43 000 in 500 s — with or without graph
 *   optimisation. Past MAX_GRAPH_NODES a model would take minutes to open: refused as too deep.
 */
export const GRAPH_NODE_BYTES = 12_000;
/** An open onnxruntime session beyond its weights and graph (allocators, kernels, the runtime's own code). */
export const SESSION_OVERHEAD_BYTES = 32e6;
export const MAX_GRAPH_NODES = 12_000;

/** A worker thread's own heap and code. */
const WORKER_BYTES = 16e6;

export interface ModelSize {
  parameters: number;
  /** float32 bytes of every parameter: what the cache stores and an open session holds. */
  weightBytes: number;
  /** The biggest tensor: a build holds it whole, and one array must be able to hold it. */
  largestTensor: { name: string; elements: number };
  /** Parameters per layer (averaged over the stacks), and those outside the layers (embeddings, final norms). */
  perLayerParameters: number;
  graphNodes: number;
  /** Graph nodes per layer (averaged over the stacks). */
  graphNodesPerLayer: number;
  /** Layers of every stack together. */
  layers: number;
  hasLmHead: boolean;
  /** Held while the model is open: weights, the LM head's folded copy, the graph. */
  residentBytes: number;
  /** Peak while it is built (random weights on worker threads, or a checkpoint read tensor by tensor). */
  buildBytes: number;
  /** Written to the cache: model.safetensors + model.onnx. */
  diskBytes: number;
}

/**
 * A measure of the model extrapolated from shallow copies: with one layer per stack, and with two layers in
 * stack k (the others at one), the measure is linear in each stack's layer count.
 */
function extrapolate<T>(dims: ArchitectureDims, measure: (d: ArchitectureDims) => T, value: (t: T) => number) {
  const module = moduleOf(dims.architecture);
  const counts = module.layerCounts(dims);
  const ones = counts.map(() => 1);
  const base = measure(module.withLayers(dims, ones));
  const perStack = counts.map(
    (_, k) =>
      value(
        measure(
          module.withLayers(
            dims,
            ones.map((n, i) => (i === k ? 2 : n)),
          ),
        ),
      ) - value(base),
  );
  const at = (v: number) => v + counts.reduce((n, L, k) => n + (L - 1) * perStack[k], 0);
  const layers = counts.reduce((a, b) => a + b, 0);
  const perLayer = perStack.reduce((a, b) => a + b, 0) / counts.length;
  return { base, value: at(value(base)), perLayer, layers };
}

/**
 * Bytes of a checkpoint storing these parameters as `dtype` (what a download or a `weights:` folder takes
 * on disk); in memory and in the cache the lab holds them as float32 (`weightBytes`) whatever is stored.
 */
export function checkpointBytes(size: Pick<ModelSize, 'parameters'>, dtype: StoredDtype): number {
  return size.parameters * DTYPE_BYTES[dtype];
}

/** Recent estimates by shape: a file with many entries of one shape (seeds, modes) estimates it once. */
const recent = new Map<string, ModelSize>();

export function estimateModel(
  dims: ArchitectureDims,
  options: { fromCheckpoint?: boolean; cores?: number } = {},
): ModelSize {
  const id = JSON.stringify([dims, options]);
  let size = recent.get(id);
  if (!size) {
    size = estimate(dims, options);
    if (recent.size >= 32) recent.delete(recent.keys().next().value!);
    recent.set(id, size);
  }
  return size;
}

function estimate(dims: ArchitectureDims, options: { fromCheckpoint?: boolean; cores?: number }): ModelSize {
  const samples = new Map<string, Sample>();
  const sampled = (d: ArchitectureDims) => {
    const key = JSON.stringify(moduleOf(d.architecture).layerCounts(d));
    let found = samples.get(key);
    if (!found) samples.set(key, (found = sample(d)));
    return found;
  };
  const params = extrapolate(dims, sampled, (x) => x.parameters);
  const nodes = extrapolate(dims, sampled, (x) => x.nodes);
  const onnx = extrapolate(dims, sampled, (x) => x.onnxBytes);
  const tensors = extrapolate(dims, sampled, (x) => x.table.length);
  const one = params.base;
  const parameters = params.value;
  const graphNodes = nodes.value;
  const weightBytes = parameters * 4;
  // The largest tensor of a one-layer model is the largest of any depth: every layer has the same shapes.
  const largest = [...one.table].sort((a, b) => elements(b) - elements(a));
  const largestTensor = { name: largest[0].name, elements: elements(largest[0]) };
  const graphBytes = graphNodes * GRAPH_NODE_BYTES;
  const hasLmHead = one.hasLogits;
  const shape = moduleOf(dims.architecture).shape(dims);
  const lmHeadCopy = hasLmHead ? shape.lmHeadVocab * shape.stacks[shape.stacks.length - 1].hiddenSize * 4 : 0;
  // A checkpoint is read one tensor at a time: its bytes and their float32 copy (2 × for F32, the worst).
  // Random weights: each worker holds one chunk (at most CHUNK_VALUES values) at a time.
  const chunks = Math.ceil(weightBytes / 4 / CHUNK_VALUES) + one.table.length;
  const workers = weightWorkerCount(chunks, options.cores ?? availableParallelism());
  const buildTensors = options.fromCheckpoint
    ? 2 * largestTensor.elements * 4
    : workers * (Math.min(largestTensor.elements, CHUNK_VALUES) * 4 + WORKER_BYTES);
  return {
    parameters,
    weightBytes,
    largestTensor,
    perLayerParameters: params.perLayer,
    graphNodes,
    graphNodesPerLayer: nodes.perLayer,
    layers: nodes.layers,
    hasLmHead,
    residentBytes: weightBytes + lmHeadCopy + graphBytes + SESSION_OVERHEAD_BYTES,
    buildBytes: buildTensors + graphBytes,
    // The safetensors header is a few hundred bytes per tensor.
    diskBytes: weightBytes + tensors.value * 200 + onnx.value,
  };
}

/** Parameters only (no graph): what the weights of a model of these dimensions number. */
export function countParameters(dims: ArchitectureDims): number {
  const module = moduleOf(dims.architecture);
  return extrapolate(
    dims,
    (d) => module.parameters(d).reduce((n, p) => n + elements(p), 0),
    (n) => n,
  ).value;
}

/** Graph nodes only. */
export function countGraphNodes(dims: ArchitectureDims): number {
  return extrapolate(dims, sample, (x) => x.nodes).value;
}

interface Sample {
  table: ParameterSpec[];
  parameters: number;
  nodes: number;
  onnxBytes: number;
  hasLogits: boolean;
}

/** The parameter table and the encoded graph of a shallow copy of the model. */
function sample(d: ArchitectureDims): Sample {
  const module = moduleOf(d.architecture);
  const table = module.parameters(d);
  const shapes = new Map(table.map((p) => [p.name, p.shape]));
  // Offsets as large as a real file's make the varints of the file-size estimate as long as real ones.
  const graph = module.graph(d, (b, name) =>
    b.external({
      name,
      dims: shapes.get(name) ?? [1],
      location: 'model.safetensors',
      offset: 2 ** 40,
      length: 2 ** 40,
    }),
  );
  const bytes = graph.encode('estimate', 'Perturbation Lab model');
  const decoded = onnx.ModelProto.decode(bytes).graph;
  return {
    table,
    parameters: table.reduce((n, p) => n + elements(p), 0),
    nodes: decoded?.node?.length ?? 0,
    onnxBytes: bytes.length,
    hasLogits: (decoded?.output ?? []).some((o) => o.name === 'logits'),
  };
}
