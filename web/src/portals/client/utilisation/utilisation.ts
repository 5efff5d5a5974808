/** The client's utilisation as the report charts draw it. A suppressed figure (fewer than
 * `threshold` members) has no number: it is null, never 0, so no chart draws it. */
import type { Schemas } from "../../../api/types";
import { statusLabel } from "../../../components/StatusBadge";

export type Utilisation = Schemas["UtilisationRead"];

/** Every benefit category of a month hidden: the month has no figure shown at all. */
export function monthHidden(month: Schemas["MonthRow"]): boolean {
  return month.suppressed_cells === month.categories.length;
}

export function categoryHidden(category: Schemas["CategoryTotal"], months: number): boolean {
  return category.suppressed_cells === months;
}

export function categoryLabel(category: string): string {
  return statusLabel(category);
}

export function trendOf(utilisation: Utilisation): Schemas["Trend"] {
  return {
    series: [
      { key: "members_served", label: "Members served", unit: "count" },
      { key: "claims", label: "Claims", unit: "count" },
      { key: "amount", label: "Approved spend", unit: "money" },
    ],
    points: utilisation.months.map((month) => {
      const hidden = monthHidden(month);
      return {
        month: month.month,
        members_served: hidden ? null : month.members_served,
        claims: hidden ? null : month.claims,
        amount: hidden ? null : month.amount,
      };
    }),
  };
}

/** The categories with a figure shown over the period (the others are all hidden). */
export function categoryBreakdown(utilisation: Utilisation): Schemas["Breakdown"] {
  const months = utilisation.months.length;
  return {
    key: "category",
    label: "By benefit category",
    series: [
      { key: "amount", label: "Approved spend", unit: "money" },
      { key: "claims", label: "Claims", unit: "count" },
    ],
    items: utilisation.categories
      .filter((category) => !categoryHidden(category, months))
      .map((category) => ({ key: category.category, label: categoryLabel(category.category), amount: category.amount, claims: category.claims })),
  };
}
