import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AlgorithmDefinition, Learner, LearnerState } from "@netmarl/trainers";
import { readStateFile } from "@netmarl/trainers";
import { findAlgorithm } from "../registry/algorithms.js";
import { type EnvironmentEntry, findEnvironment } from "../registry/environments.js";
import { readOwnJson } from "../results/result-store.js";
import type { SavedPolicyFile } from "./train-once.js";

/** A folder written by `train --save`: its policy.json and the registry entries it names. */
export interface SavedPolicy {
  directory: string;
  file: SavedPolicyFile;
  environment: EnvironmentEntry;
  algorithm: AlgorithmDefinition;
}

export function readSavedPolicy(directory: string): SavedPolicy {
  const policyPath = join(directory, "policy.json");
  if (!existsSync(policyPath)) {
    throw new RangeError(
      `${directory} has no policy.json: save a policy with \`train … --save ${directory}\``,
    );
  }
  const file = readOwnJson<SavedPolicyFile>(policyPath);
  return {
    directory,
    file,
    environment: findEnvironment(file.env.id),
    algorithm: findAlgorithm(file.algorithm.id),
  };
}

/** Loads the saved learner state into a learner built from the saved algorithm config. */
export function loadSavedLearner(saved: SavedPolicy, learner: Learner): void {
  learner.load(
    readStateFile(
      join(saved.directory, saved.file.learnerState),
      `saved policy ${saved.directory}`,
    ) as LearnerState,
  );
}
