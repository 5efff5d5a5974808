/** The ghost-patient side of a PA: its "Not me" report, the hold on the claims citing its
 * code and clearing it; and withdrawing an unused approval. */
import { Alert, Group, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import { formatDateTime } from "../../../app/format";
import { useSession } from "../../../app/session";
import { ConfirmButton } from "../../../components/ConfirmButton";
import type { Pa } from "./columns";

/** A PA write whose success refreshes every PA query (and the claims a hold moves). */
function usePaAction(pa: Pa, action: "clear" | "cancel") {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (reason: string | undefined) => {
      const path = { authorization_id: pa.id };
      if (action === "clear") {
        return dataOf(await api.POST("/api/authorizations/{authorization_id}/clear", { params: { path }, body: { reason } }));
      }
      return dataOf(await api.POST("/api/authorizations/{authorization_id}/cancel", { params: { path }, body: { reason, version: pa.version } }));
    },
    onSuccess: () => Promise.all(["authorizations", "claims", "dashboard"].map((root) => queryClient.invalidateQueries({ queryKey: [root] }))),
  });
}

export function HoldPanel({ pa }: { pa: Pa }) {
  const { can } = useSession();
  const clear = usePaAction(pa, "clear");
  if (!pa.suspicious) return null;
  const held = pa.hold_cleared_at === null;
  return (
    <Alert color={held ? "#b3261e" : "#495057"} variant="light" title={held ? "Reported \u201cNot me\u201d: claims on hold" : "Reported \u201cNot me\u201d: hold cleared"}>
      <Group justify="space-between" align="flex-end" gap="sm">
        <Text size="sm">
          The enrollee said this visit was not theirs on {formatDateTime(pa.reported_at)}.{" "}
          {held
            ? pa.auth_code ? `Claims citing ${pa.auth_code} cannot be approved until the hold is cleared.` : "No claim cites it yet."
            : `The hold was cleared on ${formatDateTime(pa.hold_cleared_at)}.`}
        </Text>
        {held && can("risk:manage") && (
          <ConfirmButton
            label="Clear the hold"
            title={`Clear the hold on PA ${pa.number}`}
            confirmLabel="Clear the hold"
            reason="optional"
            onConfirm={(reason) => clear.mutateAsync(reason)}
            pending={clear.isPending}
            error={clear.error}
          >
            The claims citing its code may be approved again and its fraud flags are cleared. The PA stays marked as reported.
          </ConfirmButton>
        )}
      </Group>
    </Alert>
  );
}

export function CancelApproval({ pa }: { pa: Pa }) {
  const cancel = usePaAction(pa, "cancel");
  return (
    <ConfirmButton
      label="Withdraw the approval"
      title={`Withdraw the approval of PA ${pa.number}`}
      confirmLabel="Withdraw"
      reason="optional"
      color="red.8"
      variant="outline"
      onConfirm={(reason) => cancel.mutateAsync(reason)}
      pending={cancel.isPending}
      error={cancel.error}
    >
      {`Its auth code ${pa.auth_code ?? ""} can no longer be cited by a claim.`}
    </ConfirmButton>
  );
}
