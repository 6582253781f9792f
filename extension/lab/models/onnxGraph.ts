/**
 * A small builder for ONNX graphs on top of `onnx-proto` (opset 17, IR 8 — what ORT 1.30 loads).
 * It hides the traps ENVIRONMENT.md lists: float attributes typed explicitly, int64 constants as
 * raw little-endian data, unique names for every value, weights stored as external data.
 */
import { onnx } from 'onnx-proto';

export const OPSET = 17;
export const IR_VERSION = 8;

export type AttributeValue = number | number[] | { float: number } | string;

export interface ExternalTensor {
  name: string;
  dims: number[];
  /** File name relative to the model file's folder. */
  location: string;
  offset: number;
  length: number;
}

export interface ValueInfo {
  name: string;
  elemType: 'float' | 'int64' | 'bool';
  /** Numbers are fixed sizes, strings are symbolic dimensions. */
  shape: (number | string)[];
}

const ELEM_TYPE = {
  float: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
};

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`;
    while (this.used.has(name));
    this.used.add(name);
    return name;
  }

  input(info: ValueInfo): string {
    this.used.add(info.name);
    this.inputs.push(valueInfo(info));
    return info.name;
  }

  /** Declares a graph output; the value is copied through Identity so every output name is unique. */
  output(info: ValueInfo, value: string): void {
    this.used.add(info.name);
    this.nodes.push({ opType: 'Identity', input: [value], output: [info.name], name: `out_${info.name}` });
    this.outputs.push(valueInfo(info));
  }

  /** One node with a single output; returns that output's name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttributeValue> = {}, hint = opType): string {
    return this.opMulti(opType, inputs, 1, attrs, hint)[0];
  }

  opMulti(
    opType: string,
    inputs: string[],
    outputCount: number,
    attrs: Record<string, AttributeValue> = {},
    hint = opType,
  ): string[] {
    const outputs = Array.from({ length: outputCount }, () => this.fresh(hint));
    this.nodes.push({
      opType,
      input: inputs,
      output: outputs,
      name: this.fresh(`n_${opType}`),
      attribute: Object.entries(attrs).map(([name, value]) => attribute(name, value)),
    });
    return outputs;
  }

  /** An int64 constant tensor (shapes, axes, indices). */
  int64s(values: number[], dims: number[] = [values.length]): string {
    const name = this.fresh('const_i64');
    const raw = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims, dataType: ELEM_TYPE.int64, rawData: new Uint8Array(raw.buffer) });
    return name;
  }

  /** A float32 scalar constant (0-d), or a 1-d tensor when dims are given. */
  float(value: number, dims: number[] = []): string {
    const name = this.fresh('const_f32');
    const raw = new Float32Array([value]);
    this.initializers.push({ name, dims, dataType: ELEM_TYPE.float, rawData: new Uint8Array(raw.buffer) });
    return name;
  }

  /** A float32 constant tensor computed at build time (tables such as Marian's sinusoidal positions). */
  floats(values: Float32Array, dims: number[]): string {
    const name = this.fresh('const_table');
    const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
    this.initializers.push({ name, dims, dataType: ELEM_TYPE.float, rawData: raw });
    return name;
  }

  /** A float32 weight stored in a file beside the model (safetensors data, read by ORT at load). */
  external(t: ExternalTensor): string {
    this.used.add(t.name);
    this.initializers.push({
      name: t.name,
      dims: t.dims,
      dataType: ELEM_TYPE.float,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: t.location },
        { key: 'offset', value: String(t.offset) },
        { key: 'length', value: String(t.length) },
      ],
    });
    return t.name;
  }

  encode(graphName: string, docString: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'perturbation-lab',
      docString,
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(info: ValueInfo): onnx.IValueInfoProto {
  return {
    name: info.name,
    type: {
      tensorType: {
        elemType: ELEM_TYPE[info.elemType],
        shape: { dim: info.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: T.INT, i: value };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  return { name, type: T.FLOAT, f: value.float };
}
