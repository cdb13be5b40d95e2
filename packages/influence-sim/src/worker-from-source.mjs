// Worker entry when influence-sim runs from TypeScript sources (tests, the bench): loader hooks given
// to the main thread with --import do not reach worker threads, so register tsx here, then load
// the real entry. The built package starts dist/worker.js directly.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
