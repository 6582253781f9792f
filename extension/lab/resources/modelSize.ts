/**
 * How big a model is before a byte of it exists: parameters (from the architecture's parameter table,
 * in Hugging Face's names and shapes), the largest tensor, the graph's node count and file size (from the
 * architecture's graph builder), and what those cost in memory and on disk.
 *
 * Architecture-agnostic: it reads only `parameterTable(dims)` and `buildGraph(dims)`. Both grow linearly
 * with the number of layers, so they are evaluated at one and two layers and extrapolated — exact, and
 * instant even for `n_layer: 100000` (whose full table alone would be 1.2 million entries).
 * A family whose size is not linear in `numLayers` (an encoder-decoder with two layer counts) extends
 * `withLayers` and `layerCount` below.
 */
import { availableParallelism } from 'node:os';
import { onnx } from 'onnx-proto';
import type { ModelDims } from '../config';
import { buildGraph } from '../models/architectures/graph';
import { parameterTable, type ParameterSpec } from '../models/architectures/parameters';

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

/** Weight generation runs on up to this many worker threads (one per core), each holding one tensor at a time. */
const WEIGHT_WORKERS = 4;
/** A worker thread's own heap and code. */
const WORKER_BYTES = 16e6;

export interface ModelSize {
  parameters: number;
  /** float32 bytes of every parameter: what the cache stores and an open session holds. */
  weightBytes: number;
  /** The biggest tensor: a build holds it whole, and one array must be able to hold it. */
  largestTensor: { name: string; elements: number };
  /** Parameters per layer, and those outside the layers (embeddings, final norms). */
  perLayerParameters: number;
  graphNodes: number;
  graphNodesPerLayer: number;
  hasLmHead: boolean;
  /** Held while the model is open: weights, the LM head's folded copy, the graph. */
  residentBytes: number;
  /** Peak while it is built (random weights on worker threads, or a checkpoint read tensor by tensor). */
  buildBytes: number;
  /** Written to the cache: model.safetensors + model.onnx. */
  diskBytes: number;
}

/** The same model with `n` layers (the one place that knows which dimension counts layers). */
function withLayers(d: ModelDims, n: number): ModelDims {
  return { ...d, numLayers: n };
}

function layerCount(d: ModelDims): number {
  return d.numLayers;
}

const elements = (p: ParameterSpec) => p.shape.reduce((a, b) => a * b, 1);

/**
 * Bytes of a checkpoint storing these parameters as `dtype` (what a download or a `weights:` folder takes
 * on disk); in memory and in the cache the lab holds them as float32 (`weightBytes`) whatever is stored.
 */
export function checkpointBytes(size: Pick<ModelSize, 'parameters'>, dtype: StoredDtype): number {
  return size.parameters * DTYPE_BYTES[dtype];
}

/** Recent estimates by shape: a file with many entries of one shape (seeds, modes) estimates it once. */
const recent = new Map<string, ModelSize>();

export function estimateModel(dims: ModelDims, options: { fromCheckpoint?: boolean; cores?: number } = {}): ModelSize {
  const id = JSON.stringify([dims, options]);
  let size = recent.get(id);
  if (!size) {
    size = estimate(dims, options);
    if (recent.size >= 32) recent.delete(recent.keys().next().value!);
    recent.set(id, size);
  }
  return size;
}

function estimate(dims: ModelDims, options: { fromCheckpoint?: boolean; cores?: number }): ModelSize {
  const L = layerCount(dims);
  const one = sample(withLayers(dims, 1));
  const two = sample(withLayers(dims, 2));
  const linear = (at1: number, at2: number) => at1 + (L - 1) * (at2 - at1);
  const parameters = linear(one.parameters, two.parameters);
  const graphNodes = linear(one.nodes, two.nodes);
  const onnxBytes = linear(one.onnxBytes, two.onnxBytes);
  const weightBytes = parameters * 4;
  // The largest tensor of a one-layer model is the largest of any depth: every layer has the same shapes.
  const largest = [...one.table].sort((a, b) => elements(b) - elements(a));
  const largestTensor = { name: largest[0].name, elements: elements(largest[0]) };
  const graphBytes = graphNodes * GRAPH_NODE_BYTES;
  const hasLmHead = one.hasLogits;
  const lmHeadCopy = hasLmHead ? dims.vocabSize * dims.hiddenSize * 4 : 0;
  // A checkpoint is read one tensor at a time: its bytes and their float32 copy (2 × for F32, the worst).
  // Random weights: each worker holds the tensor it is filling; together at most the largest few.
  const workers = Math.max(1, Math.min(options.cores ?? availableParallelism(), WEIGHT_WORKERS));
  const buildTensors = options.fromCheckpoint
    ? 2 * largestTensor.elements * 4
    : largest.slice(0, workers).reduce((n, p) => n + elements(p) * 4, 0) + workers * WORKER_BYTES;
  return {
    parameters,
    weightBytes,
    largestTensor,
    perLayerParameters: two.parameters - one.parameters,
    graphNodes,
    graphNodesPerLayer: two.nodes - one.nodes,
    hasLmHead,
    residentBytes: weightBytes + lmHeadCopy + graphBytes + SESSION_OVERHEAD_BYTES,
    buildBytes: buildTensors + graphBytes,
    // The safetensors header is a few hundred bytes per tensor.
    diskBytes: weightBytes + linear(one.table.length, two.table.length) * 200 + onnxBytes,
  };
}

/** Parameters only (no graph): what the weights of a model of these dimensions number. */
export function countParameters(dims: ModelDims): number {
  const count = (d: ModelDims) => parameterTable(d).reduce((n, p) => n + elements(p), 0);
  const one = count(withLayers(dims, 1));
  return one + (layerCount(dims) - 1) * (count(withLayers(dims, 2)) - one);
}

/** Graph nodes only. */
export function countGraphNodes(dims: ModelDims): number {
  const one = sample(withLayers(dims, 1)).nodes;
  return one + (layerCount(dims) - 1) * (sample(withLayers(dims, 2)).nodes - one);
}

interface Sample {
  table: ParameterSpec[];
  parameters: number;
  nodes: number;
  onnxBytes: number;
  hasLogits: boolean;
}

/** The parameter table and the encoded graph of a shallow copy of the model. */
function sample(d: ModelDims): Sample {
  const table = parameterTable(d);
  const shapes = new Map(table.map((p) => [p.name, p.shape]));
  // Offsets as large as a real file's make the varints of the file-size estimate as long as real ones.
  const graph = buildGraph(d, (b, name) =>
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
