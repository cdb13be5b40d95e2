import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it, vi } from "vitest";

const packageDirectory = fileURLToPath(new URL("..", import.meta.url));

it("the README's example runs as written", async () => {
  const readme = readFileSync(join(packageDirectory, "README.md"), "utf8");
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const file = join(packageDirectory, "src", `.readme-example-${process.pid}.ts`);
  writeFileSync(file, code!);
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await import(file);
    expect(log).toHaveBeenCalled();
  } finally {
    log.mockRestore();
    rmSync(file, { force: true });
  }
});
