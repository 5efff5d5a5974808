import { describe, expect, it } from "vitest";

import { aboveLimit } from "./amounts";

describe("aboveLimit", () => {
  it("is above only past the ceiling, and never while the ceiling is unknown", () => {
    expect(aboveLimit(100, 100)).toBe(false);
    expect(aboveLimit(101, 100)).toBe(true);
    expect(aboveLimit(1, 0)).toBe(true);
    expect(aboveLimit(10 ** 12, undefined)).toBe(false);
  });
});
