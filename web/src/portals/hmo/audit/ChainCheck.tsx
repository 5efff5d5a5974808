/** The audit log's hash chain recomputed by the server, its verdict said in words. */
import { Alert, Button, Stack } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import { ProblemAlert } from "../../../components/ProblemAlert";

export function ChainCheck() {
  const verify = useMutation({ mutationFn: async () => dataOf(await api.GET("/api/audit-events/verify")) });
  const verdict = verify.data;
  return (
    <Stack gap="xs">
      <Button variant="default" onClick={() => verify.mutate()} loading={verify.isPending} style={{ alignSelf: "flex-start" }}>
        Verify the chain
      </Button>
      <ProblemAlert error={verify.error} />
      {verdict && (
        <Alert role="status" color={verdict.ok ? "green" : "red"} title={verdict.ok ? "The chain is intact" : "The chain is broken"}>
          {verdict.ok
            ? `All ${verdict.checked.toLocaleString()} entries checked: none was altered or removed.`
            : `Entry #${verdict.first_bad_seq ?? "?"} was altered or removed (${verdict.reason ?? "no reason given"}); ${verdict.checked.toLocaleString()} entries checked.`}
        </Alert>
      )}
    </Stack>
  );
}
