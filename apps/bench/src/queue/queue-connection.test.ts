import { describe, expect, it } from "vitest";
import { decodeBinaryPayload, encodeBinaryPayload } from "./binary-payload.js";
import { describeQueueUrl, resolveQueueUrl } from "./queue-connection.js";
import { parseSeedMessage, seedJobId } from "./seed-job-message.js";

describe("queue URLs", () => {
  it("takes redis:// and rediss:// with a numeric db, from the option or NETMARL_QUEUE_URL", () => {
    expect(resolveQueueUrl("redis://127.0.0.1:6379/2")).toBe("redis://127.0.0.1:6379/2");
    expect(resolveQueueUrl("rediss://user:secret@queue.example:6380")).toBe(
      "rediss://user:secret@queue.example:6380",
    );
    const saved = process.env.NETMARL_QUEUE_URL;
    process.env.NETMARL_QUEUE_URL = "redis://10.0.0.2:6379";
    try {
      expect(resolveQueueUrl(undefined)).toBe("redis://10.0.0.2:6379");
    } finally {
      if (saved === undefined) delete process.env.NETMARL_QUEUE_URL;
      else process.env.NETMARL_QUEUE_URL = saved;
    }
  });

  it("refuses other protocols and databases, naming the expected form without the password", () => {
    expect(() => resolveQueueUrl("http://user:hunter2@host:80")).toThrow(
      /protocol "http:" .*redis:\/\/ or rediss:\/\//,
    );
    expect(() => resolveQueueUrl("redis://user:hunter2@host:6379/x")).toThrow(/database "x" is not a number/);
    expect(() => resolveQueueUrl("redis://user:hunter2@host:6379/x")).not.toThrow(/hunter2/);
  });

  it("describes a URL without its credentials", () => {
    expect(describeQueueUrl("rediss://user:hunter2@host:6380/3")).toBe("rediss://host:6380/3");
  });
});

describe("queue messages", () => {
  const experiment = {
    env: { id: "coordination-game", options: {} },
    algorithm: { id: "random", config: {} },
    run: { steps: 100, evalEvery: 0, evalEpisodes: 1 },
    seeds: [0],
  };

  it("same (suite, experiment, seed) ⇒ same job id, whatever the key order", () => {
    const reordered = {
      seeds: [0],
      run: experiment.run,
      algorithm: experiment.algorithm,
      env: experiment.env,
    };
    expect(seedJobId("quick", experiment as never, 1)).toBe(seedJobId("quick", reordered as never, 1));
    expect(seedJobId("quick", experiment as never, 1)).not.toBe(seedJobId("quick", experiment as never, 2));
    expect(seedJobId("quick", experiment as never, 1)).not.toMatch(/:/);
  });

  it("refuses unknown fields and algorithms that are not registered", () => {
    const message = {
      format: "netmarl-seed-job-1",
      suite: "s",
      experiment,
      seed: 0,
      storeToken: "a".repeat(32),
    };
    expect(parseSeedMessage(message).seed).toBe(0);
    expect(() => parseSeedMessage({ ...message, script: "x" })).toThrow(/not a seed job: .*script/);
    expect(() =>
      parseSeedMessage({ ...message, experiment: { ...experiment, algorithm: { id: "eval" } } }),
    ).toThrow(/Unknown algorithm "eval"/);
  });

  it("binary payloads carry typed arrays exactly, and refuse other types", () => {
    const value = {
      weights: [{ name: "w", values: new Float32Array([0.1, -2, Number.NaN]) }],
      targets: new Int32Array([3, -1]),
      view: new Float64Array(new Float64Array([1, 2, 3]).buffer, 8, 2),
      plain: { steps: 3 },
    };
    const decoded = decodeBinaryPayload(encodeBinaryPayload(value)) as typeof value;
    expect(decoded.weights[0].values).toEqual(value.weights[0].values);
    expect(decoded.targets).toBeInstanceOf(Int32Array);
    expect([...decoded.view]).toEqual([2, 3]);
    expect(decoded.plain).toEqual({ steps: 3 });
    expect(() => encodeBinaryPayload({ x: new Int16Array(1) })).toThrow(/Int16Array is not supported/);
  });
});
