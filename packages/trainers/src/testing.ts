/** Conformance helpers for algorithm authors: `import { checkLearner } from "@netmarl/trainers/testing"`. */
export { type CheckLearnerOptions, checkLearner, LearnerCheckError } from "./testing/check-learner.js";
