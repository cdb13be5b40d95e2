/**
 * Redis connections of the bench's job queues (BullMQ). The URL comes from `--queue` or
 * `NETMARL_QUEUE_URL`: `redis://[user:password@]host:port[/db]`, or `rediss://…` for TLS.
 * Credentials are never logged: everything printed goes through {@link describeQueueUrl}.
 */
import { Redis } from "ioredis";

/** The queue of suite seed jobs and the queue of DIALS agent-group jobs. */
export const SEED_QUEUE = "netmarl-seeds";
export const DIALS_QUEUE = "netmarl-dials";

/** `--queue`, else `NETMARL_QUEUE_URL`, checked: a clear error names the expected form. */
export function resolveQueueUrl(option: string | undefined): string {
  const url = option ?? process.env.NETMARL_QUEUE_URL;
  if (url === undefined || url === "") {
    throw new RangeError("--queue: no queue URL; pass redis://host:port[/db] or set NETMARL_QUEUE_URL");
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(
      `--queue: "${describeQueueUrl(url)}" is not a URL; expected redis://host:port[/db] or rediss://…`,
    );
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new RangeError(
      `--queue: protocol "${parsed.protocol}" is not supported; expected redis:// or rediss:// (TLS)`,
    );
  }
  if (parsed.pathname !== "" && parsed.pathname !== "/" && !/^\/\d+$/.test(parsed.pathname)) {
    throw new RangeError(
      `--queue: database "${parsed.pathname.slice(1)}" is not a number; expected redis://host:port/<db>`,
    );
  }
  return url;
}

/** The URL without user name and password, for messages and logs. */
export function describeQueueUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "<unparsable URL>";
  }
}

/**
 * A connection BullMQ can share (`maxRetriesPerRequest: null`: blocking commands wait through a
 * Redis restart instead of failing). ioredis reads host, port, db, credentials and TLS (`rediss:`)
 * from the URL and reconnects on its own.
 */
export function connectQueue(
  url: string,
  onError: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Redis {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  // ioredis retries on its own; report each distinct problem once (a refused connection, a TLS
  // certificate it cannot verify), naming the server without credentials
  let last = "";
  connection.on("error", (error: Error) => {
    if (error.message === last) return;
    last = error.message;
    onError(`queue ${describeQueueUrl(url)}: ${error.message} (retrying)`);
  });
  connection.on("ready", () => {
    last = "";
  });
  return connection;
}
