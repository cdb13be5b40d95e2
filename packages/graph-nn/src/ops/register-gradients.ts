import * as tf from "@tensorflow/tfjs-core";

/**
 * Gradient functions for the kernels this package differentiates through.
 *
 * Why: tfjs-core's Node bundle registers no gradients (the umbrella `@tensorflow/tfjs` does), and
 * its `dist/register_all_gradients` is an ES module with extension-less imports that plain Node
 * (and `node --import tsx`, which runs the bench) cannot load. So the gradients needed here are
 * registered by this module — each only when none is registered yet, so an application that loads
 * the official set keeps it. Every formula is covered by the finite-difference tests.
 */
type GradientMap = Record<string, () => tf.Tensor>;
type Grad = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => GradientMap;

/** Sums dy over the axes along which `shape` was broadcast, then reshapes to `shape`. */
function unbroadcast(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, dy.shape);
  const reduced = axes.length > 0 ? tf.sum(dy, axes) : dy;
  return tf.reshape(reduced, shape);
}

/** dy of a reduction back to x's shape. */
function expandReduced(dy: tf.Tensor, xShape: number[], axes: number[]): tf.Tensor {
  return tf.mul(tf.reshape(dy, keptShape(xShape, axes)), tf.ones(xShape));
}

function keptShape(xShape: number[], axes: number[]): number[] {
  return xShape.map((size, i) => (axes.includes(i) ? 1 : size));
}

function reductionAxes(attrs: tf.NamedAttrMap, key: string, shape: number[]): number[] {
  const axis = attrs[key] as number | number[] | null | undefined;
  return axis === null || axis === undefined ? shape.map((_, i) => i) : tf.util.parseAxisParam(axis, shape);
}

const single = (dy: tf.Tensor | tf.Tensor[]) => dy as tf.Tensor;

const GRADIENTS: Record<
  string,
  { inputsToSave?: string[]; outputsToSave?: boolean[]; saveAllInputs?: boolean; gradFunc: Grad }
> = {
  Add: {
    inputsToSave: ["a", "b"],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(single(dy), a.shape),
      b: () => unbroadcast(single(dy), b.shape),
    }),
  },
  AddN: {
    saveAllInputs: true,
    gradFunc: (dy, saved) => {
      const map: GradientMap = {};
      saved.forEach((_, i) => {
        map[i] = () => tf.clone(single(dy));
      });
      return map;
    },
  },
  Sub: {
    inputsToSave: ["a", "b"],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(single(dy), a.shape),
      b: () => tf.neg(unbroadcast(single(dy), b.shape)),
    }),
  },
  Multiply: {
    inputsToSave: ["a", "b"],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.mul(single(dy), tf.cast(b, "float32")), a.shape),
      b: () => unbroadcast(tf.mul(single(dy), tf.cast(a, "float32")), b.shape),
    }),
  },
  RealDiv: {
    inputsToSave: ["a", "b"],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.div(single(dy), b), a.shape),
      b: () => unbroadcast(tf.neg(tf.div(tf.mul(single(dy), a), tf.square(b))), b.shape),
    }),
  },
  Neg: { gradFunc: (dy) => ({ x: () => tf.neg(single(dy)) }) },
  Exp: { outputsToSave: [true], gradFunc: (dy, [y]) => ({ x: () => tf.mul(single(dy), y) }) },
  Log: { inputsToSave: ["x"], gradFunc: (dy, [x]) => ({ x: () => tf.div(single(dy), x) }) },
  Square: { inputsToSave: ["x"], gradFunc: (dy, [x]) => ({ x: () => tf.mul(single(dy), tf.mul(x, 2)) }) },
  Sigmoid: {
    outputsToSave: [true],
    gradFunc: (dy, [y]) => ({ x: () => tf.mul(single(dy), tf.mul(y, tf.sub(1, y))) }),
  },
  Tanh: {
    outputsToSave: [true],
    gradFunc: (dy, [y]) => ({ x: () => tf.mul(single(dy), tf.sub(1, tf.square(y))) }),
  },
  Relu: { inputsToSave: ["x"], gradFunc: (dy, [x]) => ({ x: () => tf.mul(single(dy), tf.step(x)) }) },
  Step: { gradFunc: (dy) => ({ x: () => tf.zerosLike(single(dy)) }) },
  Identity: { gradFunc: (dy) => ({ x: () => tf.cast(single(dy), "float32") }) },
  Cast: { gradFunc: (dy) => ({ x: () => tf.clone(single(dy)) }) },
  Reshape: { inputsToSave: ["x"], gradFunc: (dy, [x]) => ({ x: () => tf.reshape(single(dy), x.shape) }) },
  ExpandDims: {
    inputsToSave: ["input"],
    gradFunc: (dy, [x]) => ({ input: () => tf.reshape(single(dy), x.shape) }),
  },
  Transpose: {
    gradFunc: (dy, _saved, attrs) => {
      const perm = attrs.perm as number[];
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => {
        inverse[p] = i;
      });
      return { x: () => tf.transpose(single(dy), inverse) };
    },
  },
  Sum: {
    inputsToSave: ["x"],
    gradFunc: (dy, [x], attrs) => ({
      x: () => expandReduced(single(dy), x.shape, reductionAxes(attrs, "axis", x.shape)),
    }),
  },
  Mean: {
    inputsToSave: ["x"],
    gradFunc: (dy, [x], attrs) => {
      const axes = reductionAxes(attrs, "axis", x.shape);
      const count = axes.reduce((n, a) => n * x.shape[a], 1);
      return { x: () => tf.div(expandReduced(single(dy), x.shape, axes), count) };
    },
  },
  Max: {
    inputsToSave: ["x"],
    outputsToSave: [true],
    gradFunc: (dy, [x, y], attrs) => {
      const axes = reductionAxes(attrs, "reductionIndices", x.shape);
      const isMax = tf.cast(tf.equal(x, tf.reshape(y, keptShape(x.shape, axes))), "float32");
      return { x: () => tf.mul(expandReduced(single(dy), x.shape, axes), isMax) };
    },
  },
  Softmax: {
    outputsToSave: [true],
    gradFunc: (dy, [y], attrs) => {
      const dim = attrs.dim as number;
      const g = single(dy);
      return { logits: () => tf.mul(tf.sub(g, tf.sum(tf.mul(g, y), [dim], true)), y) };
    },
  },
  Concat: {
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const axis = tf.util.parseAxisParam(attrs.axis as number, saved[0].shape)[0];
      const sizes = saved.map((t) => t.shape[axis]);
      const parts = tf.split(single(dy), sizes, axis);
      const map: GradientMap = {};
      parts.forEach((part, i) => {
        map[i] = () => part;
      });
      return map;
    },
  },
  SplitV: {
    gradFunc: (dy, _saved, attrs) => ({ x: () => tf.concat(dy as tf.Tensor[], attrs.axis as number) }),
  },
  Slice: {
    inputsToSave: ["x"],
    gradFunc: (dy, [x], attrs) => {
      const [begin, size] = tf.slice_util.parseSliceParams(
        x,
        attrs.begin as number[],
        attrs.size as number[],
      );
      const paddings = x.shape.map((dim, i) => [begin[i], dim - begin[i] - size[i]] as [number, number]);
      return { x: () => tf.pad(single(dy), paddings) };
    },
  },
  Pack: {
    gradFunc: (dy, _saved, attrs) => {
      const parts = tf.unstack(single(dy), attrs.axis as number);
      const map: GradientMap = {};
      parts.forEach((part, i) => {
        map[i] = () => part;
      });
      return map;
    },
  },
  Unpack: {
    gradFunc: (dy, _saved, attrs) => ({ value: () => tf.stack(dy as tf.Tensor[], attrs.axis as number) }),
  },
  Tile: {
    inputsToSave: ["x"],
    gradFunc: (dy, [x], attrs) => {
      const reps = attrs.reps as number[];
      // Sum the copies: view dy as [reps0, x0, reps1, x1, …] and reduce the reps axes.
      const split = reps.flatMap((r, i) => [r, x.shape[i]]);
      const axes = reps.map((_, i) => 2 * i);
      return { x: () => tf.sum(tf.reshape(single(dy), split), axes) };
    },
  },
  BatchMatMul: {
    inputsToSave: ["a", "b"],
    gradFunc: (dy, [a, b], attrs) => {
      const g = single(dy);
      const ta = attrs.transposeA as boolean;
      const tb = attrs.transposeB as boolean;
      if (!ta && !tb) return { a: () => tf.matMul(g, b, false, true), b: () => tf.matMul(a, g, true, false) };
      if (!ta && tb) return { a: () => tf.matMul(g, b, false, false), b: () => tf.matMul(g, a, true, false) };
      if (ta && !tb) return { a: () => tf.matMul(b, g, false, true), b: () => tf.matMul(a, g, false, false) };
      return { a: () => tf.matMul(b, g, true, true), b: () => tf.matMul(g, a, true, true) };
    },
  },
};

for (const [kernelName, config] of Object.entries(GRADIENTS)) {
  if (tf.getGradient(kernelName) === undefined) {
    tf.registerGradient({ kernelName, ...config } as tf.GradConfig);
  }
}
