import { didYouMean } from "@netmarl/envs";
import { bnMappoAlgorithm } from "@netmarl/policies-bn-dag";
import { ipAlgorithm, ipIndependentAlgorithm } from "@netmarl/policies-ip";
import { fixedLtosAlgorithm, ltosAlgorithm } from "@netmarl/policies-ltos";
import {
  type AlgorithmDefinition,
  dgnAlgorithm,
  dqnAlgorithm,
  fixedPolicyAlgorithm,
  ippoAlgorithm,
  maddpgAlgorithm,
  maddpgsAlgorithm,
  mappoAlgorithm,
  picAlgorithm,
  qmixAlgorithm,
  randomAlgorithm,
  rmappoAlgorithm,
  tabularQAlgorithm,
} from "@netmarl/trainers";

/** Every algorithm the bench knows. Registering a new algorithm package is one line here. */
export const ALGORITHMS: readonly AlgorithmDefinition[] = [
  randomAlgorithm,
  fixedPolicyAlgorithm,
  tabularQAlgorithm,
  dqnAlgorithm,
  mappoAlgorithm,
  rmappoAlgorithm,
  ippoAlgorithm,
  qmixAlgorithm,
  dgnAlgorithm,
  maddpgAlgorithm,
  maddpgsAlgorithm,
  picAlgorithm,
  bnMappoAlgorithm,
  ipAlgorithm,
  ipIndependentAlgorithm,
  ltosAlgorithm,
  fixedLtosAlgorithm,
];

/** The definition for `id`, or an error listing the known ids. */
export function findAlgorithm(id: string): AlgorithmDefinition {
  const definition = ALGORITHMS.find((candidate) => candidate.id === id);
  if (definition === undefined) {
    throw new RangeError(
      `Unknown algorithm "${id}"; known: ${ALGORITHMS.map((a) => a.id).join(", ")}.${didYouMean(
        id,
        ALGORITHMS.map((a) => a.id),
      )}`,
    );
  }
  return definition;
}
