import { describe, expect, it } from "vitest";

import type { Schemas } from "../../../api/types";
import { categoryBreakdown, trendOf, type Utilisation } from "./utilisation";

const hidden = (category: string) => ({ category, suppressed: true, members: null, claims: null, amount: null });
const shown = (category: string) => ({ category, suppressed: false, members: 6, claims: 7, amount: 80_000 });

function month(name: string, categories: Schemas["CategoryCell"][], figures = { members_served: 0, claims: 0, amount: 0 }): Schemas["MonthRow"] {
  return { month: name, ...figures, suppressed_cells: categories.filter((cell) => cell.suppressed).length, categories };
}

const UTILISATION = {
  months: [
    month("2026-01", [hidden("drugs"), hidden("lab")]),
    month("2026-02", [shown("drugs"), hidden("lab")], { members_served: 6, claims: 7, amount: 80_000 }),
  ],
  categories: [
    { category: "drugs", claims: 7, amount: 80_000, suppressed_cells: 1 },
    { category: "mental_health", claims: 0, amount: 0, suppressed_cells: 2 },
  ],
} as Utilisation;

describe("the utilisation's charts", () => {
  it("draw no figure for a month whose every cell is hidden (null, not 0)", () => {
    const [january, february] = trendOf(UTILISATION).points;
    expect(january).toEqual({ month: "2026-01", members_served: null, claims: null, amount: null });
    expect(february).toEqual({ month: "2026-02", members_served: 6, claims: 7, amount: 80_000 });
  });

  it("leave out a category hidden in every month", () => {
    expect(categoryBreakdown(UTILISATION).items).toEqual([{ key: "drugs", label: "Drugs", amount: 80_000, claims: 7 }]);
  });
});
