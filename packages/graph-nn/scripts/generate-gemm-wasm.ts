/**
 * Assembles the gemm kernels' WebAssembly text (src/backend/wasm-gemm/gemm-wat.ts) with wabt into
 * src/backend/wasm-gemm/gemm-binaries.generated.ts. Run after changing gemm-wat.ts:
 *   pnpm --filter @netmarl/graph-nn generate:gemm
 * `gemm-binaries.test.ts` fails while the committed file differs from what this produces.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderGemmBinariesModule } from "./assemble-gemm.js";

const target = fileURLToPath(new URL("../src/backend/wasm-gemm/gemm-binaries.generated.ts", import.meta.url));
writeFileSync(target, await renderGemmBinariesModule());
console.log(`wrote ${target}`);
