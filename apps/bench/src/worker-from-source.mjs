// Worker entry when the bench runs from TypeScript sources (pnpm bench, tests): loader hooks given
// to the main thread with --import do not reach worker threads, so register tsx here, then load
// the real entry. The built package starts dist/worker.js directly.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
