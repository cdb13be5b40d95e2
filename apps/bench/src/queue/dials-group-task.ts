/**
 * A DIALS agent-group job as a bench worker thread runs it: decode, validate (the DIALS config
 * schema, the registered environment, the datasets), run `runAgentGroupTask`, encode.
 */
import { initBackend } from "@netmarl/graph-nn";
import {
  type AgentGroupTask,
  dialsConfigSchema,
  runAgentGroupTask,
  validateInfluenceDataset,
} from "@netmarl/influence-sim";
import { z } from "zod";
import { findEnvironment } from "../registry/environments.js";
import { decodeBinaryPayload, encodeBinaryPayload } from "./binary-payload.js";

export const DIALS_MESSAGE_FORMAT = "netmarl-dials-group-1";

/** The job data on the DIALS queue. */
export interface DialsGroupMessage {
  format: typeof DIALS_MESSAGE_FORMAT;
  /** {@link encodeBinaryPayload} of an `AgentGroupTask`. */
  task: string;
  backend?: string;
}

const index = z.number().int().min(0);
const taskSchema = z.object({
  setup: z
    .object({
      environment: z
        .object({ id: z.string(), options: z.record(z.string(), z.unknown()).optional() })
        .strict(),
      config: z.unknown(),
      seed: index,
      numAgents: z.number().int().min(1),
    })
    .strict(),
  agents: z.array(index).min(1),
  states: z.array(z.object({ agent: index }).passthrough()).optional(),
  work: z.discriminatedUnion("type", [
    z
      .object({ type: z.literal("trainInfluence"), datasets: z.array(z.tuple([index, z.unknown()])) })
      .strict(),
    z.object({ type: z.literal("trainAgents"), steps: z.number().int().min(1) }).strict(),
  ]),
});
const messageSchema = z
  .object({
    format: z.literal(DIALS_MESSAGE_FORMAT),
    task: z.string(),
    backend: z.enum(["tensorflow", "wasm", "cpu"]).optional(),
  })
  .strict();

/** Checks a message and its task; one-line errors naming the field. */
export function parseDialsGroupMessage(data: unknown): { task: AgentGroupTask; backend?: string } {
  const message = messageSchema.safeParse(data);
  if (!message.success) throw new RangeError(`not a DIALS group job: ${describeIssue(message.error)}`);
  const parsed = taskSchema.safeParse(decodeBinaryPayload(message.data.task));
  if (!parsed.success) throw new RangeError(`DIALS group task: ${describeIssue(parsed.error)}`);
  const task = parsed.data as unknown as AgentGroupTask;
  findEnvironment(task.setup.environment.id);
  task.setup.config = dialsConfigSchema.parse(task.setup.config);
  for (const agent of task.agents) {
    if (agent >= task.setup.numAgents) {
      throw new RangeError(
        `DIALS group task: agents contains ${agent}; expected < numAgents (${task.setup.numAgents})`,
      );
    }
  }
  if (task.work.type === "trainInfluence") {
    for (const [agent, dataset] of task.work.datasets)
      validateInfluenceDataset(dataset, `agent ${agent}'s dataset`);
  }
  return { task, backend: message.data.backend };
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.join(".") || "(message)"}: ${issue.message}`;
}

/** Runs a DIALS group job's data in this thread; returns the encoded `AgentGroupTaskResult`. */
export async function runDialsGroupTask(data: unknown): Promise<string> {
  const { task, backend } = parseDialsGroupMessage(data);
  await initBackend(backend as never, { log: false });
  return encodeBinaryPayload(runAgentGroupTask(task));
}
