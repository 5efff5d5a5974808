/** The Member ID of a claim or a PA, looked up at once: who it is and whether they are
 * covered on the day, with every reason when not (the front desk's own check). */
import { Button, Group, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";

import { api, dataOf } from "../../api/client";
import type { Schemas } from "../../api/types";
import { formatDate } from "../../app/format";
import { EligibilityVerdict } from "../../components/EligibilityAnswer";
import { ProblemAlert } from "../../components/ProblemAlert";
import { statusLabel } from "../../components/StatusBadge";

type Answer = Schemas["EligibilityRead"];

export function MemberLookup({ memberId, onChange, serviceDate, error, onAnswer }: {
  memberId: string;
  onChange: (memberId: string) => void;
  serviceDate: string;
  error?: string;
  onAnswer?: (answer: Answer) => void;
}) {
  const lookup = useMutation({
    mutationFn: async () => dataOf(await api.POST("/api/eligibility", { body: { member_id: memberId.trim(), service_date: serviceDate } })),
    onSuccess: onAnswer,
  });
  const answer = lookup.data;
  const current = answer && answer.member.member_id === memberId.trim().toUpperCase();
  return (
    <>
      <Group align="flex-end" gap="xs" wrap="nowrap">
        <TextInput
          label="Member ID"
          required
          flex={1}
          value={memberId}
          error={error}
          onChange={(event) => onChange(event.currentTarget.value)}
          onBlur={() => memberId.trim() && serviceDate && !current && lookup.mutate()}
        />
        <Button variant="default" onClick={() => lookup.mutate()} disabled={!memberId.trim() || !serviceDate} loading={lookup.isPending}>
          Look up
        </Button>
      </Group>
      <ProblemAlert error={lookup.error} />
      {answer && current && (
        <EligibilityVerdict
          answer={answer}
          title={`${answer.member.first_name} ${answer.member.last_name} (${statusLabel(answer.member.relationship).toLowerCase()}): ${answer.eligible ? "eligible" : "not eligible"} on ${formatDate(answer.service_date)}`}
        />
      )}
    </>
  );
}
