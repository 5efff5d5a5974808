/** What an adjudicator weighs beside the lines: eligibility, benefits, the PA, risk. */
import { Alert, Anchor, Badge, Group, List, Progress, Stack, Table, Text } from "@mantine/core";
import { Link } from "react-router-dom";

import { formatDate, formatMoney } from "../../../app/format";
import { Money } from "../../../components/Money";
import { Section } from "../../../components/Section";
import { StatusBadge, statusLabel } from "../../../components/StatusBadge";
import { authorizationOf, benefitsOf, eligibilityOf, riskEventsOf, type BenefitBalance, type ClaimDetail } from "./claimViews";

export function EligibilityVerdict({ claim }: { claim: ClaimDetail }) {
  const eligibility = eligibilityOf(claim);
  return (
    <Section title="Eligibility on the service date">
      <Group gap="xs">
        <Badge color={eligibility.covered ? "#25713a" : "#b3261e"} variant="outline">
          {eligibility.covered ? "Covered" : "Not covered"}
        </Badge>
        <Text size="sm">
          Member {claim.member_id}: {eligibility.member_status ? statusLabel(eligibility.member_status) : "not enrolled"} on {formatDate(claim.service_date)}.
        </Text>
      </Group>
      <Text size="sm" mt="xs">
        The automatic checks propose to <strong>{eligibility.proposal === "APPROVE" ? "approve" : "reject"}</strong> this claim.
      </Text>
    </Section>
  );
}

export function BenefitBalances({ claim }: { claim: ClaimDetail }) {
  const benefits = benefitsOf(claim);
  return (
    <Section title="Benefits: limit, used, remaining">
      {benefits.length === 0 ? (
        <Text size="sm" c="dimmed">The plan has no benefit for this member on the service date.</Text>
      ) : (
        <Stack gap="sm">{benefits.map((benefit) => <Benefit key={benefit.category} benefit={benefit} currency={claim.currency} />)}</Stack>
      )}
    </Section>
  );
}

function Benefit({ benefit, currency }: { benefit: BenefitBalance; currency: string }) {
  const used = benefit.limit_amount ? Math.min(100, (benefit.used_amount / benefit.limit_amount) * 100) : 0;
  const visits = benefit.limit_visits === null ? "" : ` · visits ${benefit.used_visits} of ${benefit.limit_visits}`;
  return (
    <Stack gap={4}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={600} tt="capitalize">{benefit.category}</Text>
        <Text size="sm">
          <Money minor={benefit.remaining_amount} currency={currency} /> left
        </Text>
      </Group>
      <Progress value={used} color={used >= 90 ? "red.8" : "blue.8"} aria-label={`${benefit.category}: ${Math.round(used)}% used`} />
      <Text size="xs" c="dimmed">
        Used {formatMoney(benefit.used_amount, currency)} of {formatMoney(benefit.limit_amount, currency)}
        {visits}
        {benefit.copay_percent ? ` · copay ${benefit.copay_percent}%` : ""}
      </Text>
    </Stack>
  );
}

export function ClaimAuthorization({ claim }: { claim: ClaimDetail }) {
  const pa = authorizationOf(claim);
  return (
    <Section title="Pre-authorization">
      {!claim.auth_code && <Text size="sm" c="dimmed">The claim cites no auth code.</Text>}
      {claim.auth_code && !pa && <Alert color="orange" variant="outline">Auth code {claim.auth_code} matches no PA of this HMO.</Alert>}
      {pa && (
        <Stack gap={4}>
          <Group gap="xs">
            <Anchor component={Link} to={`/hmo/authorizations/${pa.id}`}>{pa.number}</Anchor>
            <StatusBadge status={pa.status} />
            <StatusBadge status={pa.urgency} />
            {pa.suspicious && <Badge color="#b3261e" variant="outline">Reported "Not me"</Badge>}
          </Group>
          <Text size="sm">
            Auth code {pa.auth_code} for {pa.procedure_code}, approved for {pa.approved_amount === null ? "—" : formatMoney(pa.approved_amount, claim.currency)}, valid {formatDate(pa.valid_from)} to {formatDate(pa.valid_to)}.
          </Text>
          {pa.used_by_claim_id && pa.used_by_claim_id !== claim.id && (
            <Text size="sm" c="#b3261e">Already used by <Anchor component={Link} to={`/hmo/claims/${pa.used_by_claim_id}`}>another claim</Anchor>.</Text>
          )}
        </Stack>
      )}
    </Section>
  );
}

export function RiskEvents({ claim }: { claim: ClaimDetail }) {
  const events = riskEventsOf(claim);
  return (
    <Section title={`Risk: score ${claim.risk_score}`}>
      {claim.on_hold && <Alert color="red" variant="outline" mb="xs">Held for a fraud review: it cannot be approved until the hold is cleared.</Alert>}
      {events.length === 0 ? (
        <Text size="sm" c="dimmed">No risk rule fired on this claim.</Text>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Rule</Table.Th>
              <Table.Th ta="right">Weight</Table.Th>
              <Table.Th>Evidence</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {events.map((event) => (
              <Table.Tr key={event.id}>
                <Table.Td>{event.rule.replace(/_/g, " ").toLowerCase()}</Table.Td>
                <Table.Td ta="right">{event.weight}</Table.Td>
                <Table.Td><Evidence evidence={event.evidence} /></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Section>
  );
}

function Evidence({ evidence }: { evidence: Record<string, unknown> }) {
  return (
    <List size="xs" listStyleType="none">
      {Object.entries(evidence).map(([name, value]) => (
        <List.Item key={name}>{name.replace(/_/g, " ")}: {typeof value === "object" ? JSON.stringify(value) : String(value)}</List.Item>
      ))}
    </List>
  );
}
