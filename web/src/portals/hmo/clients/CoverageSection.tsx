/** Today's eligibility: the verdict with its reasons, and each benefit's limit, used and left. */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import { todayIso } from "../../../app/format";
import { EligibilityAnswer } from "../../../components/EligibilityAnswer";
import { ProblemAlert } from "../../../components/ProblemAlert";

export function CoverageSection({ memberId }: { memberId: string }) {
  const today = todayIso();
  const check = useQuery({
    queryKey: ["enrollees", memberId, "eligibility", today],
    queryFn: async () => dataOf(await api.POST("/api/eligibility", { body: { member_id: memberId, service_date: today } })),
  });
  if (check.error) return <ProblemAlert error={check.error} />;
  return <EligibilityAnswer answer={check.data} verdict="today" loading={check.isPending} />;
}
