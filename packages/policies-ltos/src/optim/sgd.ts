import * as tf from "@tensorflow/tfjs-core";

/**
 * Plain stochastic gradient descent, θ ← θ − lr·∇θ loss: the high-level optimiser of appendix
 * Table 5 ("SGD" in every scenario). Stateless, so a checkpoint needs nothing from it.
 */
export class Sgd {
  constructor(
    readonly variables: readonly tf.Variable[],
    public learningRate: number,
  ) {}

  /** One step on `loss()`; returns the loss and the gradient's global norm. */
  minimize(loss: () => tf.Tensor): { loss: number; gradNorm: number } {
    const { value, grads } = tf.variableGrads(loss as () => tf.Scalar, this.variables as tf.Variable[]);
    const gradNorm = tf.tidy(() => {
      const ordered = this.variables.map((v) => grads[v.name]);
      ordered.forEach((g, i) => {
        this.variables[i].assign(tf.sub(this.variables[i], tf.mul(g, this.learningRate)));
      });
      return tf.sqrt(tf.addN(ordered.map((g) => tf.sum(tf.square(g))))).dataSync()[0];
    });
    const lossValue = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return { loss: lossValue, gradNorm };
  }
}
