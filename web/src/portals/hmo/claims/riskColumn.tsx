/** The HMO's own column of a claims table: the risk score and a fraud hold. */
import { Badge, Group } from "@mantine/core";

import type { Schemas } from "../../../api/types";
import type { Column } from "../../../components/DataTable";

type Scored = Pick<Schemas["ClaimRead"], "risk_score" | "on_hold">;

export function riskColumn<Row extends Scored>(): Column<Row> {
  return { key: "risk", label: "Risk", render: (claim) => <Risk score={claim.risk_score} onHold={claim.on_hold} /> };
}

function Risk({ score, onHold }: { score: number; onHold: boolean }) {
  return (
    <Group gap={4} wrap="nowrap">
      <span>{score}</span>
      {onHold && <Badge color="#b3261e" variant="outline" size="sm">On hold</Badge>}
    </Group>
  );
}
