/** The adjustment reason codes a line decision may carry, as the core serves them
 * (`GET /api/claims/reason-codes`, X12 CARC): options for a picker and a code in words. */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../api/client";

export interface ReasonCodes {
  options: { value: string; label: string }[];
  text: (code: string | null | undefined) => string;
}

export function useReasonCodes(): ReasonCodes {
  const codes = useQuery({
    queryKey: ["claims", "reason-codes"],
    queryFn: async () => dataOf(await api.GET("/api/claims/reason-codes")).items,
    staleTime: Infinity,
  });
  const described = new Map((codes.data ?? []).map((reason) => [reason.code, reason.description]));
  return {
    options: [...described].map(([code, description]) => ({ value: code, label: `${code}: ${description}` })),
    text: (code) => (!code ? "—" : described.has(code) ? `${code}: ${described.get(code)}` : code),
  };
}
