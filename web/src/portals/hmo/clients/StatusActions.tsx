/**
 * The lifecycle moves the enrollee's status allows (ACTIVE ⇄ SUSPENDED, either →
 * TERMINATED, final), each confirmed with its reason. A principal's move covers the family.
 */
import { Group } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import { fullName, type Enrollee } from "../../../components/enrollees/queries";
import { ConfirmButton } from "../../../components/ConfirmButton";

type Status = Schemas["EnrolleeStatus"];

const MOVES: Record<Status, { to: Status; label: string; color?: string }[]> = {
  ACTIVE: [{ to: "SUSPENDED", label: "Suspend", color: "orange" }, { to: "TERMINATED", label: "Terminate", color: "red" }],
  SUSPENDED: [{ to: "ACTIVE", label: "Reactivate" }, { to: "TERMINATED", label: "Terminate", color: "red" }],
  TERMINATED: [],
};

const CONSEQUENCE: Record<Status, string> = {
  ACTIVE: "Cover resumes from today.",
  SUSPENDED: "No care is covered while suspended; it can be reactivated.",
  TERMINATED: "Cover ends today, for good.",
};

export function StatusActions({ enrollee }: { enrollee: Enrollee }) {
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: async ({ status, reason }: { status: Status; reason?: string }) =>
      dataOf(await api.POST("/api/enrollees/{enrollee_id}/status", { params: { path: { enrollee_id: enrollee.id } }, body: { status, reason: reason ?? "" } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["enrollees"] }),
  });
  const family = enrollee.relationship === "PRINCIPAL" && " The dependants follow the principal.";
  return (
    <Group gap="xs">
      {MOVES[enrollee.status].map((move) => (
        <ConfirmButton
          key={move.to}
          label={move.label}
          title={`${move.label} ${fullName(enrollee)}?`}
          confirmLabel={move.label}
          reason="optional"
          color={move.color}
          variant="default"
          onConfirm={(reason) => change.mutateAsync({ status: move.to, reason })}
          pending={change.isPending}
          error={change.error}
        >
          {`${CONSEQUENCE[move.to]}${family || ""}`}
        </ConfirmButton>
      ))}
    </Group>
  );
}
