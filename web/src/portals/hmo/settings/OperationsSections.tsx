/** The settings that steer the work: the claim SLA, sampling, fraud thresholds, settlement. */
import { NumberInput, Select, SimpleGrid } from "@mantine/core";
import { useState } from "react";

import { changedFields, type Settings } from "./settings";
import { SettingsSection } from "./SettingsSection";

type Numbers = Record<string, number | string>;

function whole(value: number | string): number | null {
  return typeof value === "number" ? value : value.trim() === "" ? null : Number(value);
}

export function ClaimsSection({ settings }: { settings: Settings }) {
  const read = { claim_sla_days: settings.claim_sla_days, frequency_limit_days: settings.frequency_limit_days };
  const [draft, setDraft] = useState<Numbers>(read);
  const changes = changedFields(
    {
      claim_sla_days: whole(draft.claim_sla_days ?? "") ?? read.claim_sla_days,
      frequency_limit_days: whole(draft.frequency_limit_days ?? "") ?? read.frequency_limit_days,
    },
    read,
  );
  return (
    <SettingsSection title="Claims" description="The days a claim may wait for a decision (the queue ranks by it), and the days within which a repeat visit is flagged." settings={settings} changes={changes}>
      {(errors, editable) => (
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <NumberInput label="Claim SLA (days)" min={1} max={365} value={draft.claim_sla_days} onChange={(value) => setDraft({ ...draft, claim_sla_days: value })} error={errors.claim_sla_days} disabled={!editable} />
          <NumberInput label="Repeat-visit window (days)" min={0} max={365} value={draft.frequency_limit_days} onChange={(value) => setDraft({ ...draft, frequency_limit_days: value })} error={errors.frequency_limit_days} disabled={!editable} />
        </SimpleGrid>
      )}
    </SettingsSection>
  );
}

export function SamplingSection({ settings }: { settings: Settings }) {
  const [percent, setPercent] = useState<number | string>(settings.sampling_percent ?? "");
  const [maxRisk, setMaxRisk] = useState<number | string>(settings.sampling_max_risk);
  const changes = changedFields(
    { sampling_percent: whole(percent), sampling_max_risk: whole(maxRisk) ?? settings.sampling_max_risk },
    { sampling_percent: settings.sampling_percent, sampling_max_risk: settings.sampling_max_risk },
  );
  return (
    <SettingsSection title="Sampling" description="The share of low-risk claims approved on a sample instead of each being vetted; empty turns sampling off." settings={settings} changes={changes}>
      {(errors, editable) => (
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <NumberInput label="Claims sampled (%)" placeholder="Off" min={0} max={100} value={percent} onChange={setPercent} error={errors.sampling_percent} disabled={!editable} />
          <NumberInput label="Highest risk score sampled" min={0} max={100} value={maxRisk} onChange={setMaxRisk} error={errors.sampling_max_risk} disabled={!editable} />
        </SimpleGrid>
      )}
    </SettingsSection>
  );
}

function thresholdLabel(key: string): string {
  const words = key.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function FraudSection({ settings }: { settings: Settings }) {
  const [draft, setDraft] = useState<Numbers>(settings.risk_thresholds);
  const changed: Record<string, number> = {};
  for (const [key, value] of Object.entries(draft)) {
    const number = whole(value);
    if (number !== null && number !== settings.risk_thresholds[key]) changed[key] = number;
  }
  return (
    <SettingsSection
      title="Fraud thresholds"
      description="Each rule's weight (points added to a claim's risk score; 0 turns the rule off) and its limits. Values not changed here are the documented defaults."
      settings={settings}
      changes={Object.keys(changed).length ? { risk_thresholds: changed } : {}}
    >
      {(errors, editable) => (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {Object.keys(settings.risk_thresholds).map((key) => (
            <NumberInput
              key={key}
              label={thresholdLabel(key)}
              description={key in settings.risk_overrides ? "Changed for this HMO" : "Default"}
              min={0}
              max={1_000_000}
              value={draft[key]}
              onChange={(value) => setDraft({ ...draft, [key]: value })}
              error={errors[key] ?? (key === Object.keys(settings.risk_thresholds)[0] ? errors.risk_thresholds : undefined)}
              disabled={!editable}
            />
          ))}
        </SimpleGrid>
      )}
    </SettingsSection>
  );
}

const CADENCES = [
  { value: "WEEKLY", label: "Weekly" },
  { value: "FORTNIGHTLY", label: "Fortnightly" },
  { value: "MONTHLY", label: "Monthly" },
];

export function SettlementSection({ settings }: { settings: Settings }) {
  const [cadence, setCadence] = useState<string | null>(settings.settlement_cadence ?? null);
  const changes = cadence === (settings.settlement_cadence ?? null) ? {} : { settlement_cadence: cadence as Settings["settlement_cadence"] };
  return (
    <SettingsSection title="Settlement cadence" description="How often a settlement run is drafted for the approved claims of each elapsed period; none: runs are made by hand." settings={settings} changes={changes}>
      {(errors, editable) => (
        <Select label="Cadence" placeholder="None (by hand)" data={CADENCES} value={cadence} onChange={setCadence} clearable error={errors.settlement_cadence} disabled={!editable} />
      )}
    </SettingsSection>
  );
}
