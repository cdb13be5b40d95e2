import type { Module, NamedWeight } from "@netmarl/graph-nn";
import { decodeTypedArrayInto, encodeTypedArray } from "./typed-array-codec.js";

/** A module's weights as JSON-safe data (values base64-encoded float32, bit-exact). */
export interface EncodedWeight {
  name: string;
  shape: number[];
  values: string;
}

export function encodeModuleWeights(module: Module): EncodedWeight[] {
  return module
    .getWeights()
    .map((w) => ({ name: w.name, shape: w.shape, values: encodeTypedArray(w.values) }));
}

/** Decodes and assigns; `setWeights` refuses missing, unexpected or misshapen weights. */
export function loadModuleWeights(module: Module, weights: readonly EncodedWeight[], where: string): void {
  const decoded: NamedWeight[] = weights.map((w) => ({
    name: w.name,
    shape: w.shape,
    values: decodeTypedArrayInto(
      w.values,
      new Float32Array(w.shape.reduce((a, b) => a * b, 1)),
      `${where} ${w.name}`,
    ),
  }));
  module.setWeights(decoded);
}
