import { initBackend } from "../backend/init-backend.js";

/** The backends every layer test runs on. */
export const TEST_BACKENDS = ["cpu", "wasm"] as const;

/** Activates `name` quietly (for `beforeAll` in tests). */
export async function useBackend(name: (typeof TEST_BACKENDS)[number]): Promise<void> {
  await initBackend(name, { log: false, env: {} });
}
