import { Anchor, Box, Center, Image, Paper, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";

import { useBranding } from "./branding";

/** The card every signed-out page sits in, with the organisation's branding once known. */
export function AuthFrame({ slug, title, children }: { slug?: string; title: string; children: ReactNode }) {
  const branding = useBranding(slug);
  const brand = branding.data;
  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420} component="main">
        <Stack gap="md">
          <Stack gap={4} align="center">
            {brand?.logo_url ? (
              <Image src={`/api/branding/logo?tenant=${encodeURIComponent(brand.tenant)}`} alt={brand.display_name} h={56} w="auto" fit="contain" />
            ) : (
              <Box component="img" src="/favicon.svg" alt="" h={40} w={40} />
            )}
            <Text fw={700} size="lg">{brand?.display_name ?? "Vetra"}</Text>
          </Stack>
          <Title order={1} size="h3" ta="center">{title}</Title>
          {children}
          {brand && (brand.support_email || brand.support_phone) && (
            <Text size="sm" c="dimmed" ta="center">
              Need help?{" "}
              {brand.support_email && <Anchor href={`mailto:${brand.support_email}`} underline="always">{brand.support_email}</Anchor>}
              {brand.support_email && brand.support_phone && " · "}
              {brand.support_phone}
            </Text>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
