/** Conformance helpers for environment authors: `import { checkEnv } from "@netmarl/envs/testing"`. */
export { type CheckEnvOptions, checkEnv, EnvCheckError } from "./testing/check-env.js";
