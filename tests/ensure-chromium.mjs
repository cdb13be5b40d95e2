#!/usr/bin/env node
// Part of `pnpm test` (README command 2): the report tests open the HTML report in Chromium, driven
// by playwright-core, which downloads no browser. When none is found this installs Debian's
// (as root, or with sudo), like .ci/run did; where that is impossible it stops `pnpm test` with what
// to do — the browser test is never skipped silently. CHROMIUM_PATH chooses another binary.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const DEFAULT_PATH = "/usr/bin/chromium";

function fail(message) {
  process.stderr.write(`[test] ${message}\n`);
  process.exit(1);
}

function run(command, args) {
  const result = spawnSync(command, args, {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return result.status === 0;
}

const chosen = process.env.CHROMIUM_PATH;
if (chosen) {
  if (!existsSync(chosen)) fail(`CHROMIUM_PATH=${chosen} does not exist`);
} else if (!existsSync(DEFAULT_PATH)) {
  const hasAptGet = spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
  if (!hasAptGet) {
    fail(
      `Chromium is missing (${DEFAULT_PATH}) and apt-get is not available: install Chromium or Chrome and set CHROMIUM_PATH to its binary`,
    );
  }
  const asRoot = process.getuid?.() === 0;
  const [command, prefix] = asRoot ? ["apt-get", []] : ["sudo", ["-n", "apt-get"]];
  process.stderr.write("[test] installing Debian's chromium (the report tests open the HTML report in it)\n");
  const installed =
    run(command, [...prefix, "update", "-qq"]) &&
    run(command, [...prefix, "install", "-y", "-qq", "chromium"]) &&
    existsSync(DEFAULT_PATH);
  if (!installed) {
    fail(
      `could not install chromium with ${asRoot ? "apt-get" : "sudo apt-get"}; install it yourself (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
}
