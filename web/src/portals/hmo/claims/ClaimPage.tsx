/**
 * The adjudication view (openIMIS's claim review as the model): the lines and the decision on
 * one side, everything weighed to decide (eligibility, benefits, the PA, risk, history) on
 * the other; stacked on a phone.
 */
import { Anchor, Center, Grid, Group, Loader, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { formatDate } from "../../../app/format";
import { useSession } from "../../../app/session";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { ProviderName } from "../../../components/ProviderName";
import { StatusBadge } from "../../../components/StatusBadge";
import { VetNextButton } from "../piles/VetNextButton";
import { ClaimHistory } from "../../../components/claims/ClaimHistory";
import { ClaimQueries } from "../../../components/claims/ClaimQueries";
import { ClaimActions } from "./ClaimActions";
import { BenefitBalances, ClaimAuthorization, EligibilityVerdict, RiskEvents } from "./ClaimFacts";
import { ClaimLines } from "./ClaimLines";
import type { ClaimDetail } from "./claimViews";
import { useLineDecisions } from "./lineDecisions";

export function ClaimPage() {
  const { claimId = "" } = useParams();
  const claim = useQuery({
    queryKey: ["claims", claimId],
    queryFn: async () => dataOf(await api.GET("/api/claims/{claim_id}", { params: { path: { claim_id: claimId } } })) as ClaimDetail,
  });
  if (claim.isPending) {
    return (
      <Center p="xl">
        <Loader aria-label="Loading the claim" />
      </Center>
    );
  }
  if (claim.isError) return <ProblemAlert error={claim.error} />;
  // Keyed by version: a reloaded claim starts its line decisions afresh from the new proposal.
  return <Adjudication key={`${claim.data.id}-${claim.data.version}`} claim={claim.data} onReload={() => void claim.refetch()} />;
}

function Adjudication({ claim, onReload }: { claim: ClaimDetail; onReload: () => void }) {
  const { can } = useSession();
  const lineDecisions = useLineDecisions(claim);
  const deciding = claim.status === "IN_REVIEW" && can("claims:approve");
  const pileId = useSearchParams()[0].get("pile"); // opened from a pile: its next claim is one click away
  const decisions = deciding ? lineDecisions : null;
  return (
    <>
      <PageHeader
        title={`Claim ${claim.number}`}
        description={<ClaimSummary claim={claim} />}
        actions={
          <>
            {pileId && <VetNextButton pileId={pileId} label="Next in pile" />}
            <Anchor component={Link} to={pileId ? `/hmo/piles/${pileId}` : "/hmo/claims"} size="sm">
              {pileId ? "Back to the pile" : "Back to claims"}
            </Anchor>
          </>
        }
      />
      <Grid gutter="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="md">
            <ClaimActions claim={claim} decisions={decisions} onReload={onReload} />
            <ClaimLines claim={claim} decisions={decisions} />
            <ClaimQueries claimId={claim.id} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="md">
            <EligibilityVerdict claim={claim} />
            <BenefitBalances claim={claim} />
            <ClaimAuthorization claim={claim} />
            <RiskEvents claim={claim} />
            <ClaimHistory history={claim.history} />
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}

function ClaimSummary({ claim }: { claim: ClaimDetail }) {
  return (
    <Group gap="xs" component="span">
      <StatusBadge status={claim.status} />
      <Text span size="sm">
        Member {claim.member_id} · <ProviderName providerId={claim.provider_id} /> · service {formatDate(claim.service_date)}
        {claim.diagnosis_codes.length > 0 && ` · diagnosis ${claim.diagnosis_codes.join(", ")}`}
      </Text>
    </Group>
  );
}
