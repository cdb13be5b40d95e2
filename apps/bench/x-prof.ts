import { createRng, DialsTrafficEnv } from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import { PpoAgent, ppoAgentConfigSchema } from "../../packages/influence-sim/src/index.js";

await initBackend("wasm", { log: false });
const env = new DialsTrafficEnv({ rows: 1, columns: 1 }, createRng(1));
const local = env.createLocalSimulator(0, createRng(2));
local.reset(1);
const a = new Int32Array(1); const src = new Int32Array(4);
let t0 = performance.now();
for (let i = 0; i < 3000; i++) { src[0] = i % 7 === 0 ? 1 : 0; const r = local.step(a, src); if (r.truncated[0]) local.reset(i); }
console.log("local sim step ms", (performance.now() - t0) / 3000);
const g = new DialsTrafficEnv({ rows: 5, columns: 5 }, createRng(1)); g.reset(1);
const acts = new Int32Array(25);
t0 = performance.now();
for (let i = 0; i < 600; i++) { const r = g.step(acts); if (r.truncated[0]) g.reset(i); }
console.log("global 5x5 step ms", (performance.now() - t0) / 600);
const agent = new PpoAgent(40, 2, ppoAgentConfigSchema.parse({}), createRng(3));
const obs = new Float32Array(40);
t0 = performance.now();
let upd = 0;
for (let i = 0; i < 1280; i++) { const x = agent.act(obs); agent.observe(obs, x, 0.5, false); if ((i + 1) % 16 === 0) { const u0 = performance.now(); agent.endRollout(obs); upd += performance.now() - u0; } }
console.log("ppo per step ms", (performance.now() - t0) / 1280, "of which endRollout/update", upd / 1280);
