/** How the portals and the sign-in page look: name, colour, support contact, logo. */
import { Button, ColorInput, FileButton, Group, Image, Progress, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api } from "../../../api/client";
import { upload } from "../../../api/upload";
import { useSession } from "../../../app/session";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { changedFields, SETTINGS_KEY, type Settings } from "./settings";
import { SettingsSection } from "./SettingsSection";

type Contact = Record<"display_name" | "primary_colour" | "support_email" | "support_phone", string>;

/** Branding fields as typed: an emptied field clears the value (null). */
function asSent(contact: Contact): Record<keyof Contact, string | null> {
  const sent = {} as Record<keyof Contact, string | null>;
  for (const key of Object.keys(contact) as (keyof Contact)[]) sent[key] = contact[key].trim() || null;
  return sent;
}

function Logo({ settings }: { settings: Settings }) {
  const { me, can } = useSession();
  const queryClient = useQueryClient();
  const [progress, setProgress] = useState<number | null>(null);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: SETTINGS_KEY });
    void queryClient.invalidateQueries({ queryKey: ["branding"] });
  };
  const put = useMutation({
    mutationFn: async (file: File) => {
      const body = new FormData();
      body.append("file", file);
      setProgress(0);
      return upload("/api/branding/logo", body, setProgress, {}, "PUT");
    },
    onSettled: () => setProgress(null),
    onSuccess: refresh,
  });
  const remove = useMutation({ mutationFn: async () => api.DELETE("/api/branding/logo"), onSuccess: refresh });
  const logo = settings.logo;
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500}>Logo</Text>
      {logo ? (
        <Image src={`/api/branding/logo?tenant=${me?.tenant?.slug ?? ""}&v=${logo.digest.slice(0, 12)}`} alt="The current logo" h={64} w="auto" fit="contain" />
      ) : (
        <Text size="sm" c="dimmed">No logo: the portals show the HMO's name.</Text>
      )}
      {progress !== null && <Progress value={progress * 100} aria-label="Logo upload" />}
      <ProblemAlert error={put.error ?? remove.error} />
      {can("tenant:update") && (
        <Group gap="xs">
          <FileButton onChange={(file) => file && put.mutate(file)} accept="image/png,image/jpeg,image/svg+xml">
            {(props) => <Button variant="default" loading={put.isPending} {...props}>{logo ? "Replace the logo" : "Upload a logo"}</Button>}
          </FileButton>
          {logo && <Button variant="subtle" color="red" loading={remove.isPending} onClick={() => remove.mutate()}>Remove the logo</Button>}
        </Group>
      )}
      <Text size="xs" c="dimmed">PNG, JPEG or SVG.</Text>
    </Stack>
  );
}

export function BrandingSection({ settings }: { settings: Settings }) {
  const read: Contact = {
    display_name: settings.display_name ?? "",
    primary_colour: settings.primary_colour ?? "",
    support_email: settings.support_email ?? "",
    support_phone: settings.support_phone ?? "",
  };
  const [draft, setDraft] = useState<Contact>(read);
  const changes = changedFields(asSent(draft), asSent(read));
  const field = (key: keyof Contact) => ({ value: draft[key], onChange: (event: { currentTarget: { value: string } }) => setDraft({ ...draft, [key]: event.currentTarget.value }) });
  return (
    <SettingsSection title="Branding" description="What the sign-in page and the portals show: the name, the colour, who to contact for help, the logo." settings={settings} changes={changes}>
      {(errors, editable) => (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Stack gap="sm">
            <TextInput label="Display name" placeholder={settings.display_name ?? "The HMO's own name"} {...field("display_name")} error={errors.display_name} disabled={!editable} />
            <ColorInput label="Primary colour" placeholder="#RRGGBB" format="hex" withEyeDropper={false} value={draft.primary_colour} onChange={(value) => setDraft({ ...draft, primary_colour: value })} error={errors.primary_colour} disabled={!editable} />
            <TextInput label="Support e-mail" type="email" {...field("support_email")} error={errors.support_email} disabled={!editable} />
            <TextInput label="Support phone" {...field("support_phone")} error={errors.support_phone} disabled={!editable} />
          </Stack>
          <Logo settings={settings} />
        </SimpleGrid>
      )}
    </SettingsSection>
  );
}
