/** The plan's fields: its name, the premium by relationship, limits, benefits and exclusions. */
import { ActionIcon, Button, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import type { UseFormReturnType } from "@mantine/form";
import { IconTrash } from "@tabler/icons-react";
import type { ReactNode } from "react";

import { BENEFIT_CATEGORIES, BENEFIT_CATEGORY_OPTIONS } from "../../../components/benefitCategories";
import { statusLabel } from "../../../components/StatusBadge";
import { newBenefit, RELATIONSHIPS, type PlanValues } from "./planForm";

type Form = UseFormReturnType<PlanValues>;

const PERIODS = [
  { value: "POLICY_YEAR", label: "Policy year" },
  { value: "CALENDAR_MONTH", label: "Calendar month" },
];
const KINDS = [
  { value: "PROCEDURE", label: "Procedure" },
  { value: "DIAGNOSIS", label: "Diagnosis" },
];

function Part({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="fieldset" style={{ minInlineSize: 0 }}>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" component="legend" style={{ float: "left" }}>{title}</Title>
        {actions}
      </Group>
      <Stack style={{ clear: "both" }}>{children}</Stack>
    </Paper>
  );
}

function Basics({ form, creating }: { form: Form; creating: boolean }) {
  const currency = form.getValues().currency;
  return (
    <Part title="Plan">
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput label="Code" description="Capitals, digits, - or _" required disabled={!creating} {...form.getInputProps("code")} />
        <TextInput label="Name" required {...form.getInputProps("name")} />
        <TextInput label="Currency" description="ISO code, e.g. NGN" required disabled={!creating} {...form.getInputProps("currency")} />
        <NumberInput label="Most dependants" min={0} max={20} {...form.getInputProps("max_dependants")} />
        <NumberInput label="Most children" min={0} max={20} {...form.getInputProps("max_children")} />
        <TextInput label={`Capitation per member per month (${currency})`} inputMode="decimal" {...form.getInputProps("capitation_rate")} />
      </SimpleGrid>
    </Part>
  );
}

function Premiums({ form }: { form: Form }) {
  const currency = form.getValues().currency;
  return (
    <Part title="Premium per member per month">
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        {RELATIONSHIPS.map((who) => (
          <TextInput key={who} label={`${statusLabel(who)} (${currency})`} inputMode="decimal" {...form.getInputProps(`premium.${who}`)} />
        ))}
      </SimpleGrid>
    </Part>
  );
}

function Benefits({ form }: { form: Form }) {
  const { benefits, currency } = form.getValues();
  const add = () => form.insertListItem("benefits", newBenefit(BENEFIT_CATEGORIES.find((c) => !benefits.some((b) => b.category === c)) ?? ""));
  return (
    <Part title="Benefits" actions={<Button variant="default" size="xs" onClick={add}>Add a benefit</Button>}>
      {form.errors.benefits && <Text c="red.8" size="sm" role="alert">{form.errors.benefits}</Text>}
      {benefits.length === 0 && <Text c="dimmed" size="sm">No benefit: the plan covers nothing.</Text>}
      {benefits.map((benefit, index) => (
        <Paper key={form.key(`benefits.${index}`)} withBorder p="sm" radius="sm">
          <SimpleGrid cols={{ base: 1, sm: 3, lg: 6 }}>
            <Select label="Category" data={BENEFIT_CATEGORY_OPTIONS} allowDeselect={false} {...form.getInputProps(`benefits.${index}.category`)} />
            <TextInput label={`Limit (${currency})`} inputMode="decimal" {...form.getInputProps(`benefits.${index}.limit_amount`)} />
            <TextInput label="Visits" description="Blank: no limit" inputMode="numeric" {...form.getInputProps(`benefits.${index}.limit_visits`)} />
            <Select label="Period" data={PERIODS} allowDeselect={false} {...form.getInputProps(`benefits.${index}.period`)} />
            <NumberInput label="Copay %" min={0} max={100} {...form.getInputProps(`benefits.${index}.copay_percent`)} />
            <NumberInput label="Waiting days" min={0} max={3650} {...form.getInputProps(`benefits.${index}.waiting_period_days`)} />
          </SimpleGrid>
          <Group justify="flex-end" mt="xs">
            <ActionIcon variant="subtle" color="red" aria-label={`Remove the ${statusLabel(benefit.category || "new")} benefit`} onClick={() => form.removeListItem("benefits", index)}>
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        </Paper>
      ))}
    </Part>
  );
}

function Exclusions({ form }: { form: Form }) {
  const { exclusions } = form.getValues();
  const add = () => form.insertListItem("exclusions", { code: "", description: "", kind: "PROCEDURE" });
  return (
    <Part title="Exclusions" actions={<Button variant="default" size="xs" onClick={add}>Add an exclusion</Button>}>
      {exclusions.length === 0 && <Text c="dimmed" size="sm">No exclusion.</Text>}
      {exclusions.map((exclusion, index) => (
        <Group key={form.key(`exclusions.${index}`)} align="flex-end" wrap="wrap" gap="sm">
          <TextInput label="Code" w={140} {...form.getInputProps(`exclusions.${index}.code`)} />
          <Select label="Kind" w={140} data={KINDS} allowDeselect={false} {...form.getInputProps(`exclusions.${index}.kind`)} />
          <TextInput label="Description" style={{ flex: 1, minWidth: 200 }} {...form.getInputProps(`exclusions.${index}.description`)} />
          <ActionIcon variant="subtle" color="red" mb={4} aria-label={`Remove the exclusion ${exclusion.code || index + 1}`} onClick={() => form.removeListItem("exclusions", index)}>
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
    </Part>
  );
}

export function PlanForm({ form, creating }: { form: Form; creating: boolean }) {
  return (
    <Stack>
      <Basics form={form} creating={creating} />
      <Premiums form={form} />
      <Benefits form={form} />
      <Exclusions form={form} />
    </Stack>
  );
}
