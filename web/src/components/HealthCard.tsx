/** The digital health card as the member carries it: the HMO's branding, the Member ID and
 * a QR code of it (what a front desk scans), the plan and the cover's dates. */
import { Box, Group, Image, Paper, SimpleGrid, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { QRCodeSVG } from "qrcode.react";

import { api, dataOf } from "../api/client";
import { useBranding } from "../app/branding";
import { formatDate } from "../app/format";
import { useSession } from "../app/session";
import { ProblemAlert } from "./ProblemAlert";
import { StatusBadge, statusLabel } from "./StatusBadge";

const DEFAULT_COLOUR = "#0b7285";

export function HealthCard({ memberId }: { memberId: string }) {
  const { me } = useSession();
  const brand = useBranding(me?.tenant?.slug);
  const card = useQuery({
    queryKey: ["enrollees", memberId, "card"],
    queryFn: async () => dataOf(await api.GET("/api/enrollees/{member_id}/card", { params: { path: { member_id: memberId } } })),
  });
  if (card.error) return <ProblemAlert error={card.error} />;
  if (!card.data) return null;
  const shown = card.data;
  const colour = brand.data?.primary_colour ?? DEFAULT_COLOUR;
  const hmoName = brand.data?.display_name ?? shown.hmo_name;
  const fields = [
    ["Plan", shown.plan],
    ["Client", shown.client],
    ["Relationship", statusLabel(shown.relationship)],
    ["Born", formatDate(shown.date_of_birth)],
    ["Valid", `${formatDate(shown.valid_from)} – ${shown.valid_to ? formatDate(shown.valid_to) : "open"}`],
    ["Primary provider", shown.primary_provider ?? "—"],
  ];
  return (
    <Paper withBorder radius="lg" aria-label={`Health card of ${shown.name}`} component="section" maw={560} style={{ overflow: "hidden" }}>
      <Group justify="space-between" px="md" py="sm" wrap="nowrap" style={{ background: colour }}>
        {brand.data?.logo_url ? (
          <Image src={`/api/branding/logo?tenant=${encodeURIComponent(brand.data.tenant)}`} alt={hmoName} h={32} w="auto" maw="65%" fit="contain" bg="white" radius="sm" />
        ) : (
          <Text fw={700} c="white" lineClamp={1}>{hmoName}</Text>
        )}
        <Box bg="white" px={4} style={{ borderRadius: 6 }}>
          <StatusBadge status={shown.status} />
        </Box>
      </Group>
      <Stack gap="xs" p="md">
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
          <Stack gap={2} miw={0}>
            <Text size="xs" c="dimmed">Member ID</Text>
            <Text fz={{ base: "md", sm: "xl" }} fw={700} ff="monospace" style={{ overflowWrap: "anywhere" }}>{shown.member_id}</Text>
            <Text fw={500}>{shown.name}</Text>
          </Stack>
          <QRCodeSVG value={shown.member_id} size={96} marginSize={1} role="img" aria-label={`QR code of Member ID ${shown.member_id}`} style={{ flexShrink: 0 }} />
        </Group>
        <SimpleGrid cols={2} spacing="xs">
          {fields.map(([label, value]) => (
            <div key={label}>
              <Text size="xs" c="dimmed">{label}</Text>
              <Text size="sm">{value}</Text>
            </div>
          ))}
        </SimpleGrid>
        {(shown.hmo_phone || shown.hmo_email) && <Text size="xs" c="dimmed">{[shown.hmo_phone, shown.hmo_email].filter(Boolean).join(" · ")}</Text>}
      </Stack>
    </Paper>
  );
}
