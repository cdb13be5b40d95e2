import * as tf from "@tensorflow/tfjs-core";

/** Polyak update of a target module's variables: θ̄ ← τθ + (1 − τ)θ̄ (same variable order). */
export function softUpdate(
  online: { variables(): tf.Variable[] },
  target: { variables(): tf.Variable[] },
  tau: number,
): void {
  const targetVariables = target.variables();
  tf.tidy(() =>
    online.variables().forEach((variable, i) => {
      targetVariables[i].assign(tf.add(tf.mul(variable, tau), tf.mul(targetVariables[i], 1 - tau)));
    }),
  );
}
