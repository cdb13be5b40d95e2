import * as tf from "@tensorflow/tfjs-core";

/**
 * RMSprop as Keras 2.2.4 (`keras.optimizers.RMSprop`, the traffic code's Q optimiser):
 * a ← ρa + (1 − ρ)g², θ ← θ − lr·g/(√a + ε), ρ = 0.9, ε = 1e-7 (`K.epsilon()`), a starting at 0.
 */
export class RmsProp {
  private readonly accumulators: tf.Variable[];

  constructor(
    readonly variables: readonly tf.Variable[],
    readonly learningRate: number,
    private readonly rho = 0.9,
    private readonly epsilon = 1e-7,
  ) {
    this.accumulators = tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false)));
  }

  /** One step on `loss()`; returns the loss. */
  minimize(loss: () => tf.Scalar): number {
    const { value, grads } = tf.variableGrads(loss, this.variables as tf.Variable[]);
    tf.tidy(() => {
      this.variables.forEach((variable, i) => {
        const g = grads[variable.name];
        const a = tf.add(tf.mul(this.accumulators[i], this.rho), tf.mul(tf.square(g), 1 - this.rho));
        this.accumulators[i].assign(a);
        variable.assign(
          tf.sub(variable, tf.div(tf.mul(g, this.learningRate), tf.add(tf.sqrt(a), this.epsilon))),
        );
      });
    });
    const lossValue = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return lossValue;
  }

  dispose(): void {
    tf.dispose(this.accumulators);
  }
}
