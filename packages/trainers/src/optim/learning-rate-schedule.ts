/**
 * Learning-rate schedules over a run's environment steps, as PIC's code base has them
 * (`IouJenLiu/PIC` @ add16c2 `maddpg/ddpg_vec.py`): `'linear'` decays to 0 from the start (the active
 * `adjust_lr`), `'linear-second-half'` is constant, then linear to 0 (the built but never stepped
 * `LambdaLR`, spec §5.2's description), `'constant'` never changes.
 */
export const LEARNING_RATE_SCHEDULES = ["constant", "linear", "linear-second-half"] as const;
export type LearningRateSchedule = (typeof LEARNING_RATE_SCHEDULES)[number];

/** Factor on the base learning rate after `step` of `scheduleSteps` environment steps. */
export function learningRateFactor(
  schedule: LearningRateSchedule,
  step: number,
  scheduleSteps: number,
): number {
  const progress = Math.min(1, step / scheduleSteps);
  if (schedule === "linear") return 1 - progress;
  if (schedule === "linear-second-half") return Math.min(1, 2 * (1 - progress));
  return 1;
}
