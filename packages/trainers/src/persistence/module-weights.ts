import type { Module, NamedWeight } from "@netmarl/graph-nn";
import { decodeTypedArrayInto, encodeTypedArray } from "./typed-array-codec.js";

/** A module's weight as state data (a copy of its float32 values; bit-exact in a state file). */
export interface EncodedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
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

/** Encodes several modules under their state keys: `{ actor: [...], critic: [...] }`. */
export function encodeModules(modules: Readonly<Record<string, Module>>): Record<string, EncodedWeight[]> {
  const encoded: Record<string, EncodedWeight[]> = {};
  for (const [key, module] of Object.entries(modules)) encoded[key] = encodeModuleWeights(module);
  return encoded;
}

/** Loads each module from `state[key]`; a missing key is refused with its name. */
export function loadModules(
  state: Readonly<Record<string, unknown>>,
  modules: Readonly<Record<string, Module>>,
  where: string,
): void {
  for (const [key, module] of Object.entries(modules)) {
    const weights = state[key];
    if (!Array.isArray(weights)) throw new RangeError(`${where}: the state has no "${key}" weights`);
    loadModuleWeights(module, weights as EncodedWeight[], `${where} ${key}`);
  }
}
