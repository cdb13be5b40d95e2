import { initBackend } from "@netmarl/graph-nn";
import { runDials } from "../../packages/influence-sim/src/index.js";

await initBackend("wasm", { log: false });
for (const workers of [0, 2]) {
  const t0 = performance.now();
  const summary = await runDials({
    environment: { id: "dials/traffic", options: { rows: 2, columns: 2 } },
    config: { variant: (process.env.VARIANT ?? "dials") as never, totalSteps: 256, evalEvery: 128, influenceTrainEvery: 256, datasetSteps: 600, evalSteps: 300, influence: { epochs: 2 }, workers },
    seed: 3,
  });
  console.log(workers, (performance.now() - t0) / 1000, JSON.stringify(summary.iterations.map((r) => [r.evaluationReturn, r.influence?.finalTestLoss, r.trainingReturn, r.seconds])));
}
