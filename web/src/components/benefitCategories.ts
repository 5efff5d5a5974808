/** The benefit categories the core accepts (core_api/plans/schemas.py BENEFIT_CATEGORIES),
 * and as choices labelled in words. */
import { statusLabel } from "./StatusBadge";

export const BENEFIT_CATEGORIES = [
  "outpatient", "inpatient", "maternity", "dental", "optical", "drugs",
  "lab", "surgery", "emergency", "physiotherapy", "mental_health", "specialist",
];

export const BENEFIT_CATEGORY_OPTIONS = BENEFIT_CATEGORIES.map((value) => ({ value, label: statusLabel(value) }));
