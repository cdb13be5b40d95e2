import * as tf from "@tensorflow/tfjs-core";
import { BackendUnavailableError } from "./init-backend.js";

/**
 * Makes sure TensorFlow.js can run a kernel before `what` creates its first tensor: an active
 * backend, or a registered synchronous one tfjs can start by itself (cpu). Otherwise — nothing
 * registered, or wasm registered but never awaited — throws a {@link BackendUnavailableError} that
 * says to call `initBackend()`, instead of tfjs' "No backend found in registry".
 */
export function requireBackend(what: string): void {
  const engine = tf.engine();
  const pending = (engine as unknown as { pendingBackendInit?: unknown }).pendingBackendInit;
  if (engine.backendName && pending == null) return;
  try {
    if (engine.backend) return;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n", 1)[0] : String(error);
    throw new BackendUnavailableError(
      `${what}: no TensorFlow.js backend is ready (${reason}); call \`await initBackend()\` from @netmarl/graph-nn first (it picks tensorflow, else wasm, else cpu)`,
    );
  }
}
