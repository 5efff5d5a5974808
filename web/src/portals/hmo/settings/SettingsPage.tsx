/** The HMO's settings, a section at a time; each form starts again from what was saved. */
import { Skeleton, Stack } from "@mantine/core";

import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { BrandingSection } from "./BrandingSection";
import { ClaimsSection, FraudSection, SamplingSection, SettlementSection } from "./OperationsSections";
import { useSettings } from "./settings";

export function SettingsPage() {
  const settings = useSettings();
  const data = settings.data;
  return (
    <Stack>
      <PageHeader title="Settings" description="Each section saves on its own. If someone else saved in the meantime, you are told and can reload theirs." />
      <ProblemAlert error={settings.error} />
      {settings.isPending && <Skeleton h={400} />}
      {data && (
        <Stack key={data.version}>
          <BrandingSection settings={data} />
          <ClaimsSection settings={data} />
          <SamplingSection settings={data} />
          <FraudSection settings={data} />
          <SettlementSection settings={data} />
        </Stack>
      )}
    </Stack>
  );
}
