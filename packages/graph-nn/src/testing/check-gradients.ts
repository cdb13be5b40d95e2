import type { Rng } from "@netmarl/envs";
import * as tf from "@tensorflow/tfjs-core";

/** Result of {@link checkGradients}: the worst relative error over the checked tensors. */
export interface GradientCheckResult {
  maxRelativeError: number;
  /** Per checked tensor: name → relative error ‖g_a − g_n‖ / max(‖g_a‖, ‖g_n‖, 1e-4). */
  errors: Record<string, number>;
}

/**
 * Compares the tape gradient of the scalar `loss()` with central differences
 * (f(θ + ε) − f(θ − ε)) / 2ε on up to `coordinates` randomly chosen entries of each tensor in
 * `tensors` (variables or inputs held in variables). Float32 care: ε = 1e-3 by default, so rounding
 * noise (~6e-8·|f|/2ε ≈ 3e-5·|f|) and truncation (~ε²·f‴) stay far below the 1e-2 relative tolerance
 * the tests use, for O(1) losses of small inputs. ReLU kinks: a perturbation that crosses one makes
 * the difference quotient wrong, so ReLU layers are checked on few rows (a kink within ε of one of
 * ~100 preactivations is unlikely). Values are restored afterwards.
 */
export function checkGradients(
  loss: () => tf.Scalar,
  tensors: Record<string, tf.Variable>,
  rng: Rng,
  options: { epsilon?: number; coordinates?: number } = {},
): GradientCheckResult {
  const epsilon = options.epsilon ?? 1e-3;
  const names = Object.keys(tensors);
  const list = names.map((name) => tensors[name]);
  const { grads, value } = tf.variableGrads(loss, list);
  value.dispose();
  const errors: Record<string, number> = {};
  for (const name of names) {
    const variable = tensors[name];
    const analytic = grads[variable.name].dataSync();
    const original = Float32Array.from(variable.dataSync());
    const count = Math.min(options.coordinates ?? 12, original.length);
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(rng.int(original.length));
    let diff = 0;
    let analyticNorm = 0;
    let numericNorm = 0;
    const evaluate = () => tf.tidy(() => loss().dataSync()[0]);
    for (const index of chosen) {
      const perturbed = Float32Array.from(original);
      perturbed[index] = original[index] + epsilon;
      tf.tidy(() => variable.assign(tf.tensor(perturbed, variable.shape)));
      const plus = evaluate();
      perturbed[index] = original[index] - epsilon;
      tf.tidy(() => variable.assign(tf.tensor(perturbed, variable.shape)));
      const minus = evaluate();
      const numeric = (plus - minus) / (2 * epsilon);
      diff += (analytic[index] - numeric) ** 2;
      analyticNorm += analytic[index] ** 2;
      numericNorm += numeric ** 2;
      tf.tidy(() => variable.assign(tf.tensor(original, variable.shape)));
    }
    errors[name] = Math.sqrt(diff) / Math.max(Math.sqrt(analyticNorm), Math.sqrt(numericNorm), 1e-4);
  }
  tf.dispose(grads);
  return { maxRelativeError: Math.max(0, ...Object.values(errors)), errors };
}
