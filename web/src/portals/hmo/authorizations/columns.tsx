/** The HMO's own PA row: the shared columns' fields plus the fraud signals only it reads. */
import { Badge, Group } from "@mantine/core";

import type { Schemas } from "../../../api/types";
import type { Column } from "../../../components/DataTable";

export type Pa = Schemas["AuthorizationRead"];

export function Signals({ pa }: { pa: Pa }) {
  return (
    <Group gap={4} wrap="nowrap" miw="max-content">
      {pa.suspicious && <Badge color="#b3261e" variant="filled" radius="sm">Not me</Badge>}
      {pa.breached_at && <Badge color="#a13f00" variant="outline" radius="sm">Past SLA</Badge>}
    </Group>
  );
}

export const signals: Column<Pa> = { key: "signals", label: "Signals", render: (pa) => <Signals pa={pa} /> };
