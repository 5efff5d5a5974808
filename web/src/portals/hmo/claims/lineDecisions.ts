/** The approver's decision on each line: an amount (typed, in major units) and a reason code. */
import { useState } from "react";

import { moneyInput, parseMoney } from "../../../app/format";
import type { Schemas } from "../../../api/types";
import type { ClaimDetail, LineVerdict } from "./claimViews";
import { eligibilityOf } from "./claimViews";

export interface LineChoice {
  amount: string;
  reason: string | null;
}

export interface LineDecisions {
  choices: Record<string, LineChoice>;
  change: (lineId: string, choice: Partial<LineChoice>) => void;
  /** Per line, what is wrong with its typed amount (absent: nothing). */
  errors: Record<string, string>;
  total: number;
  payload: Schemas["LineDecision"][];
}

function initialChoices(lines: LineVerdict[], currency: string): Record<string, LineChoice> {
  return Object.fromEntries(lines.map((line) => [line.id, { amount: moneyInput(line.proposed_amount, currency), reason: line.reason_code }]));
}

/** The proposal of the automatic checks is the starting point; a line can go down, never up. */
export function useLineDecisions(claim: ClaimDetail): LineDecisions {
  const lines = eligibilityOf(claim).lines;
  const [choices, setChoices] = useState(() => initialChoices(lines, claim.currency));
  const change = (lineId: string, choice: Partial<LineChoice>) =>
    setChoices((current) => ({ ...current, [lineId]: { amount: "", reason: null, ...current[lineId], ...choice } }));
  const errors: Record<string, string> = {};
  const payload: Schemas["LineDecision"][] = [];
  let total = 0;
  for (const line of lines) {
    const choice = choices[line.id] ?? { amount: "", reason: null };
    const amount = parseMoney(choice.amount, claim.currency);
    if (amount === null) errors[line.id] = "Type an amount, e.g. 12500.00";
    else if (amount > line.proposed_amount) errors[line.id] = "Above what the checks allow for this line";
    else {
      total += amount;
      payload.push({ id: line.id, approved_amount: amount, reason_code: choice.reason });
    }
  }
  return { choices, change, errors, total, payload };
}
