/** A claim's query thread between the HMO and the provider, and its attachments; `children`
 * is where a side adds to it (the provider's answer form). */
import { Anchor, List, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { api, dataOf } from "../../api/client";
import { formatDateTime } from "../../app/format";
import { useSession } from "../../app/session";
import { ProblemAlert } from "../ProblemAlert";
import { Section } from "../Section";

export function ClaimQueries({ claimId, children }: { claimId: string; children?: ReactNode }) {
  const { can } = useSession();
  const path = { params: { path: { claim_id: claimId }, query: { limit: 100 } } };
  const thread = useQuery({
    queryKey: ["claims", claimId, "queries"],
    queryFn: async () => dataOf(await api.GET("/api/claims/{claim_id}/queries", path)).items,
  });
  const files = useQuery({
    queryKey: ["claims", claimId, "attachments"],
    enabled: can("claims:attachments"),
    queryFn: async () => dataOf(await api.GET("/api/claims/{claim_id}/attachments", path)).items,
  });
  return (
    <Section title="Queries and attachments">
      <Stack gap="xs">
        <ProblemAlert error={thread.error ?? files.error} />
        {thread.data?.length === 0 && <Text size="sm" c="dimmed">No query on this claim.</Text>}
        {thread.data?.map((message) => (
          <Stack key={message.id} gap={0}>
            <Text size="xs" c="dimmed">{message.side === "HMO" ? "HMO" : "Provider"} · {formatDateTime(message.created_at)}</Text>
            <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>{message.message}</Text>
          </Stack>
        ))}
        {files.data && files.data.length > 0 && (
          <List size="sm">
            {files.data.map((file) => (
              <List.Item key={file.id}>
                <Anchor href={`/api/claims/${claimId}/attachments/${file.id}`} target="_blank" rel="noreferrer">{file.filename}</Anchor> ({Math.ceil(file.size / 1024)} KB)
              </List.Item>
            ))}
          </List>
        )}
        {children}
      </Stack>
    </Section>
  );
}
