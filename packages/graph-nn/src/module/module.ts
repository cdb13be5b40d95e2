import type { Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";
import { requireBackend } from "../backend/require-backend.js";

/** One named weight as plain data (for checkpoints and weight transfer between workers). */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

/**
 * A small module idea (like Equinox/Flax, or tfjs-layers without the graph machinery): a class
 * that owns its `tf.Variable`s and its child modules. Weight names are paths
 * (`"encoder/layers.0/kernel"`), stable across runs, used by checkpoints.
 */
export abstract class Module {
  private readonly ownWeights = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();
  private disposedFlag = false;

  /** Registers a variable filled with `values` (drawn by an initialiser from an `Rng`). */
  protected addWeight(name: string, shape: number[], values: Float32Array, trainable = true): tf.Variable {
    checkName(name);
    if (this.ownWeights.has(name) || this.children.has(name)) {
      throw new RangeError(`Module: weight or child "${name}" is already registered`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) {
      throw new RangeError(
        `Module: weight "${name}" of shape [${shape}] needs ${size} values, got ${values.length}`,
      );
    }
    requireBackend(`${this.constructor.name}`);
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape, "float32"), trainable));
    this.ownWeights.set(name, variable);
    return variable;
  }

  /** Registers a child module; its weights are named `"<name>/<child weight>"`. */
  protected addChild<M extends Module>(name: string, child: M): M {
    checkName(name);
    if (this.ownWeights.has(name) || this.children.has(name)) {
      throw new RangeError(`Module: weight or child "${name}" is already registered`);
    }
    this.children.set(name, child);
    return child;
  }

  /** Every variable with its path name, in registration order (own weights first). */
  namedVariables(): [string, tf.Variable][] {
    const out: [string, tf.Variable][] = [...this.ownWeights.entries()];
    for (const [childName, child] of this.children) {
      for (const [name, variable] of child.namedVariables()) out.push([`${childName}/${name}`, variable]);
    }
    return out;
  }

  /** The variables (trainable or not), in {@link namedVariables} order. */
  variables(): tf.Variable[] {
    return this.namedVariables().map(([, variable]) => variable);
  }

  /** The trainable variables, for `optimizer.minimize(f, false, module.trainableVariables())`. */
  trainableVariables(): tf.Variable[] {
    return this.variables().filter((variable) => variable.trainable);
  }

  /** Number of scalar weights. */
  countParameters(): number {
    return this.variables().reduce((total, variable) => total + variable.size, 0);
  }

  /** Copies of all weights as plain arrays. */
  getWeights(): NamedWeight[] {
    return this.namedVariables().map(([name, variable]) => ({
      name,
      shape: [...variable.shape],
      values: Float32Array.from(variable.dataSync() as Float32Array),
    }));
  }

  /**
   * Assigns weights by name. All names and shapes are checked before anything is assigned, so a
   * mismatch leaves the module unchanged; the error names every missing, unexpected or misshapen
   * weight.
   */
  setWeights(weights: readonly NamedWeight[]): void {
    const variables = new Map(this.namedVariables());
    const given = new Map<string, NamedWeight>();
    const problems: string[] = [];
    for (const weight of weights) {
      if (given.has(weight.name)) problems.push(`"${weight.name}" given twice`);
      given.set(weight.name, weight);
    }
    for (const [name, variable] of variables) {
      const weight = given.get(name);
      if (weight === undefined) {
        problems.push(`"${name}" missing`);
        continue;
      }
      if (!tf.util.arraysEqual(weight.shape, variable.shape)) {
        problems.push(`"${name}" has shape [${weight.shape}], expected [${variable.shape}]`);
      } else if (weight.values.length !== variable.size) {
        problems.push(`"${name}" has ${weight.values.length} values, expected ${variable.size}`);
      }
    }
    for (const name of given.keys()) if (!variables.has(name)) problems.push(`"${name}" unexpected`);
    if (problems.length > 0) {
      throw new RangeError(
        `${this.constructor.name}.setWeights: weights do not match: ${problems.join("; ")}`,
      );
    }
    for (const [name, variable] of variables) {
      const weight = given.get(name)!;
      tf.tidy(() => variable.assign(tf.tensor(weight.values, weight.shape, "float32")));
    }
  }

  /** Copies this module's weights into `target` (same structure), e.g. a target network. */
  copyWeightsTo(target: Module): void {
    target.setWeights(this.getWeights());
  }

  /** Frees every variable (children included). Idempotent. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    for (const variable of this.ownWeights.values()) variable.dispose();
    for (const child of this.children.values()) child.dispose();
  }
}

/** Glorot/Xavier uniform: U(−√(6/(fanIn+fanOut)), +√(…)), drawn from `rng`. */
export function glorotUniform(rng: Rng, fanIn: number, fanOut: number, size = fanIn * fanOut): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return rng.fillUniform(new Float32Array(size), -limit, limit);
}

/** Uniform in [low, high), drawn from `rng`. */
export function uniformValues(rng: Rng, size: number, low: number, high: number): Float32Array {
  return rng.fillUniform(new Float32Array(size), low, high);
}

function checkName(name: string): void {
  if (name.length === 0 || name.includes("/")) {
    throw new RangeError(`Module: name "${name}" must be non-empty and contain no "/"`);
  }
}
