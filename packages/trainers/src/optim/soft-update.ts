import * as tf from "@tensorflow/tfjs-core";

/** Anything with an ordered variable list (graph-nn modules). */
interface HasVariables {
  variables(): tf.Variable[];
}

/** Polyak averaging of a target network: target ← τ·online + (1 − τ)·target, variable by variable. */
export function softUpdate(online: HasVariables, target: HasVariables, tau: number): void {
  const targetVariables = target.variables();
  tf.tidy(() =>
    online.variables().forEach((variable, i) => {
      targetVariables[i].assign(tf.add(tf.mul(variable, tau), tf.mul(targetVariables[i], 1 - tau)));
    }),
  );
}
