import { createRng } from "@netmarl/envs";
import { initBackend, MLP } from "@netmarl/graph-nn";
import { Adam } from "@netmarl/trainers";
import * as tf from "@tensorflow/tfjs-core";

await initBackend((process.env.B ?? "wasm") as never, { log: false });
console.log(tf.getBackend());
const net = new MLP({ inputSize: 40, hiddenSizes: [256, 128], outputSize: 3 }, createRng(1));
const adam = new Adam(net.trainableVariables(), { learningRate: 1e-3 });
const x = tf.randomNormal([32, 40]) as tf.Tensor2D;
for (let k = 0; k < 3; k++) {
  let t0 = performance.now();
  for (let i = 0; i < 50; i++) adam.minimize(() => tf.mean(tf.square(net.apply(x))));
  console.log("minimize ms", (performance.now() - t0) / 50);
  t0 = performance.now();
  for (let i = 0; i < 50; i++) { const { grads } = tf.variableGrads(() => tf.mean(tf.square(net.apply(x))) as tf.Scalar, net.trainableVariables()); tf.dispose(Object.values(grads)); }
  console.log("grads ms", (performance.now() - t0) / 50);
  t0 = performance.now();
  for (let i = 0; i < 50; i++) { tf.tidy(() => net.apply(x)).dataSync(); }
  console.log("fwd ms", (performance.now() - t0) / 50);
}
