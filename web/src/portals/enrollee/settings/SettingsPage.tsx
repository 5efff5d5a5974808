/** Settings: the profile (as the HMO holds it), the password, the signed-in sessions, and
 * a download of every record held about the family. */
import { Button, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import type { ReactNode } from "react";

import { formatDate } from "../../../app/format";
import { useSession } from "../../../app/session";
import { PageHeader } from "../../../components/PageHeader";
import { statusLabel } from "../../../components/StatusBadge";
import { useFamilyCoverage } from "../family";
import { PasswordForm } from "./PasswordForm";
import { SessionsSection } from "./SessionsSection";

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label={title}>
      <Title order={2} size="h4" mb="sm">{title}</Title>
      {children}
    </Paper>
  );
}

function Profile() {
  const { me } = useSession();
  const family = useFamilyCoverage();
  const mine = family.data?.members[0]?.member;
  const fields: [string, string][] = [
    ["Name", mine ? `${mine.first_name} ${mine.last_name}` : `${me?.user?.first_name ?? ""} ${me?.user?.last_name ?? ""}`],
    ["Member ID", mine?.member_id ?? "—"],
    ["Relationship", mine ? statusLabel(mine.relationship) : "—"],
    ["Born", formatDate(mine?.date_of_birth)],
    ["Covered since", formatDate(mine?.coverage_start)],
    ["Sign-in e-mail", me?.user?.email ?? "—"],
  ];
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
        {fields.map(([label, value]) => (
          <div key={label}>
            <Text size="xs" c="dimmed">{label}</Text>
            <Text size="sm">{value}</Text>
          </div>
        ))}
      </SimpleGrid>
      <Text size="sm">
        Your details are kept by your HMO and your employer. To change them (a new phone number, a new address), ask your employer&apos;s HR or your HMO.
      </Text>
    </Stack>
  );
}

function Export() {
  return (
    <Stack gap="sm">
      <Text size="sm">
        Everything held about you and your dependants: profile, cards, coverage, claims, authorizations, visits and notifications. Each download is recorded.
      </Text>
      <Group gap="sm">
        <Button component="a" href="/api/me/export?format=zip" download leftSection={<IconDownload size={16} aria-hidden />}>Download (ZIP of CSV files)</Button>
        <Button component="a" href="/api/me/export" download="my-health-data.json" variant="default" leftSection={<IconDownload size={16} aria-hidden />}>Download (JSON)</Button>
      </Group>
    </Stack>
  );
}

export function SettingsPage() {
  return (
    <Stack gap="md">
      <PageHeader title="Settings" description="Your profile, password, signed-in devices and data." />
      <Section title="Profile"><Profile /></Section>
      <Section title="Password"><PasswordForm /></Section>
      <Section title="Active sessions"><SessionsSection /></Section>
      <Section title="Your data"><Export /></Section>
    </Stack>
  );
}
