import { describe, expect, it } from "vitest";
import { initBackend } from "./init-backend.js";

// Its own file: the wasm module must be instantiated for the first time in this process.
describe("initBackend and the process's error handlers", () => {
  it("leaves no uncaughtException / unhandledRejection handler behind after loading wasm", async () => {
    const before = {
      uncaught: process.listeners("uncaughtException"),
      rejection: process.listeners("unhandledRejection"),
    };
    expect(await initBackend("wasm", { log: false, env: {} })).toBe("wasm");
    expect(process.listeners("uncaughtException")).toEqual(before.uncaught);
    expect(process.listeners("unhandledRejection")).toEqual(before.rejection);
  });
});
