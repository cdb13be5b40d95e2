import { describe, expect, it } from "vitest";
import { ViewTransform } from "./view-transform.js";

describe("ViewTransform", () => {
  it("fits bounds with a margin, y up or down", () => {
    const up = new ViewTransform(true);
    up.resize(200, 100);
    up.fit([0, 0, 10, 10], 0);
    expect(up.scale).toBe(10);
    expect([up.screenX(0), up.screenY(0), up.screenX(10), up.screenY(10)]).toEqual([50, 100, 150, 0]);
    const down = new ViewTransform(false);
    down.resize(200, 100);
    down.fit([0, 0, 10, 10], 0);
    expect([down.screenY(0), down.screenY(10)]).toEqual([0, 100]);
  });

  it("zooms about the pointer and pans by screen pixels, counting versions", () => {
    const view = new ViewTransform(true);
    view.resize(200, 100);
    view.fit([0, 0, 10, 10], 0);
    const before = view.version;
    const [x, y] = [view.worldX(30), view.worldY(70)];
    view.zoomAt(30, 70, 4);
    expect(view.screenX(x)).toBeCloseTo(30, 9);
    expect(view.screenY(y)).toBeCloseTo(70, 9);
    view.panBy(10, -5);
    expect(view.screenX(x)).toBeCloseTo(40, 9);
    expect(view.screenY(y)).toBeCloseTo(65, 9);
    expect(view.version).toBe(before + 2);
  });
});
