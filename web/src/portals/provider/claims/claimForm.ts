/** The claim form's values, its live totals and the body it sends (POST /api/claims). */
import type { Schemas } from "../../../api/types";
import { parseMoney } from "../../../app/format";

export interface LineValues {
  code: string;
  description: string;
  category: string | null;
  quantity: string;
  unitPrice: string;
}

export interface ClaimValues {
  memberId: string;
  serviceDate: string;
  admissionDate: string;
  dischargeDate: string;
  diagnosisCodes: string[];
  authCode: string;
  lines: LineValues[];
}

export function newLine(): LineValues {
  return { code: "", description: "", category: null, quantity: "1", unitPrice: "" };
}

function quantityOf(line: LineValues): number | null {
  return /^\d+$/.test(line.quantity.trim()) ? Number(line.quantity) : null;
}

/** The line's total in minor units, or null while its quantity or price is not a number. */
export function lineTotal(line: LineValues, currency: string): number | null {
  const quantity = quantityOf(line);
  const price = parseMoney(line.unitPrice, currency);
  return quantity === null || price === null ? null : quantity * price;
}

export function claimTotal(lines: LineValues[], currency: string): number {
  return lines.reduce((sum, line) => sum + (lineTotal(line, currency) ?? 0), 0);
}

/** The API's field path of each error this form can show (`items.0.unit_price`). */
export type FieldErrors = Record<string, string>;

/** The request body, or the errors that keep it from being sent (prices not money). */
export function claimBody(values: ClaimValues, currency: string): { body: Schemas["ClaimCreate"] } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const items = values.lines.map((line, index) => {
    const price = parseMoney(line.unitPrice, currency);
    if (price === null) errors[`items.${index}.unit_price`] = "Give the unit price, e.g. 15000 or 15000.50.";
    const quantity = quantityOf(line);
    if (quantity === null) errors[`items.${index}.quantity`] = "A whole number.";
    return {
      code: line.code.trim(),
      description: line.description.trim(),
      category: line.category,
      quantity: quantity ?? 0,
      unit_price: price ?? 0,
    };
  });
  if (Object.keys(errors).length > 0) return { errors };
  return {
    body: {
      member_id: values.memberId.trim(),
      service_date: values.serviceDate,
      admission_date: values.admissionDate || null,
      discharge_date: values.dischargeDate || null,
      diagnosis_codes: values.diagnosisCodes,
      auth_code: values.authCode.trim() || null,
      items,
    },
  };
}
