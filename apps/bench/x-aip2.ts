import { createRng, DialsTrafficEnv, DialsWarehouse } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import { Adam } from "@netmarl/trainers";
import { collectInfluenceData, InfluencePredictor, PpoAgent, ppoAgentConfigSchema, trainInfluencePredictor } from "../../packages/influence-sim/src/index.js";

await initBackend("wasm", { log: false });
const cases = [
  { domain: "traffic", steps: 3000, lr: 1e-3, epochs: 10, batch: 120, opts: { rows: 2, columns: 2 } },
  { domain: "traffic", steps: 3000, lr: 3e-3, epochs: 5, batch: 120, opts: { rows: 2, columns: 2 } },
  { domain: "warehouse", steps: 1000, lr: 3e-3, epochs: 10, batch: 8, opts: { maxSteps: 25 } },
  { domain: "warehouse", steps: 1000, lr: 1e-2, epochs: 10, batch: 8, opts: { maxSteps: 25 } },
];
for (const c of cases) {
  const env = c.domain === "traffic" ? new DialsTrafficEnv(c.opts, createRng(1)) : new DialsWarehouse(c.opts, createRng(1));
  const n = env.spec.numAgents;
  const agents = Array.from({ length: n }, (_, i) => new PpoAgent(env.spec.obsDim, (env.spec.actionSpace as any).n, ppoAgentConfigSchema.parse({hiddenSizes:[16,16]}), createRng(i)));
  let t0 = performance.now();
  const data = collectInfluenceData(env as any, agents, c.steps, createRng(3));
  const tc = performance.now() - t0;
  const recurrent = c.domain === "warehouse";
  const predictor = new InfluencePredictor({ inputSize: data[0].inputSize, numSources: 4, numValues: data[0].numValues, hiddenSize: recurrent ? 64 : 128, recurrent }, createRng(5));
  const adam = new Adam(predictor.trainableVariables(), { learningRate: c.lr });
  t0 = performance.now();
  const report = trainInfluencePredictor(predictor, adam, data[0], { epochs: c.epochs, batchSize: c.batch }, createRng(7));
  console.log(JSON.stringify(c), "collect", Math.round(tc), "train", Math.round(performance.now() - t0), JSON.stringify(report));
}
