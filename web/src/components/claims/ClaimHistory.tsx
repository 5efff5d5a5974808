/** A claim's moves, oldest first, with who made each and why. */
import { Text, Timeline } from "@mantine/core";

import type { Schemas } from "../../api/types";
import { formatDateTime } from "../../app/format";
import { Section } from "../Section";
import { statusLabel } from "../StatusBadge";

export function ClaimHistory({ history }: { history: Schemas["ProviderClaimDetail"]["history"] }) {
  return (
    <Section title="History">
      <Timeline bulletSize={14} lineWidth={2} active={history.length - 1}>
        {history.map((event, index) => (
          <Timeline.Item key={`${event.created_at}-${index}`} title={statusLabel(event.to_status)}>
            <Text size="xs" c="dimmed">{formatDateTime(event.created_at)} · {event.actor_label}</Text>
            {event.reason && <Text size="sm">{event.reason}</Text>}
          </Timeline.Item>
        ))}
      </Timeline>
    </Section>
  );
}
