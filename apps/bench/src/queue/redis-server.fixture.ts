/**
 * Test helper: a private `redis-server` on 127.0.0.1, a free port and a temp folder, with AOF
 * (fsync on every write) so a kill -9 and restart loses nothing. `redisAvailability()` says whether
 * the tests can run: without redis-server they skip, unless CI is set (CI installs it: .ci/run).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function redisAvailability(): { available: boolean; reason: string } {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return { available: true, reason: "" };
  } catch {
    if (process.env.CI && process.env.CI !== "false" && process.env.CI !== "0") {
      throw new Error(
        "redis-server is not installed, and CI is set: .ci/run installs it (apt-get install -y redis-server)",
      );
    }
    return {
      available: false,
      reason:
        "skipped: redis-server is not installed (apt-get install -y redis-server); under CI=true this fails",
    };
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export class TestRedis {
  readonly directory = mkdtempSync(join(tmpdir(), "netmarl-redis-"));
  port = 0;
  private process: ChildProcess | undefined;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts, on the same port and folder) and waits until it accepts connections. */
  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const child = spawn(
      "redis-server",
      [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--dir",
        this.directory,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--save",
        "",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      let output = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  }

  /** kill -9, as a crash would. */
  async kill(): Promise<void> {
    const child = this.process;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
