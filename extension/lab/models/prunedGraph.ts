/**
 * A built model's graph with only some of its outputs. onnxruntime runs every node and holds every
 * graph output until a run ends, fetched or not, so outputs nobody reads (attention maps, GPT-2's
 * present key/values) cost memory on every pass; dropping them from the graph, and the nodes that only
 * fed them, is the one way to not pay for them. The model file on disk is left as built.
 */
import { readFileSync } from 'node:fs';
import { onnx } from 'onnx-proto';

export function graphWithOutputs(onnxPath: string, keep: (outputName: string) => boolean): Uint8Array {
  const model = onnx.ModelProto.decode(readFileSync(onnxPath));
  const graph = model.graph;
  if (!graph) throw new Error(`internal: ${onnxPath} has no graph`);
  graph.output = (graph.output ?? []).filter((o) => keep(o.name ?? ''));
  // Drop nodes whose outputs nothing reads any more, until none is left (each pass can orphan producers).
  let nodes = graph.node ?? [];
  for (;;) {
    const read = new Set<string>(graph.output.map((o) => o.name ?? ''));
    for (const n of nodes) for (const i of n.input ?? []) read.add(i);
    const live = nodes.filter((n) => (n.output ?? []).some((o) => read.has(o)));
    if (live.length === nodes.length) break;
    nodes = live;
  }
  graph.node = nodes;
  return onnx.ModelProto.encode(model).finish();
}
