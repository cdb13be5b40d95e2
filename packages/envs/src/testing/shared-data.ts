import { join } from "node:path";

/**
 * `<repo>/../shared/data`: the team's reference data (real CityFlow maps, PIC trajectories), which
 * tests read in place — CI clones the repo with `shared/` beside it; nothing is copied in.
 */
export const SHARED_DATA_DIR = join(import.meta.dirname, "..", "..", "..", "..", "..", "shared", "data");

export function sharedDataPath(...parts: string[]): string {
  return join(SHARED_DATA_DIR, ...parts);
}
