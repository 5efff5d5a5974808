/** Claims: the ranked review queue (adjudicators) and the full list with its filters. */
import { Tabs } from "@mantine/core";

import { useFilters } from "../../../app/filters";
import { useSession } from "../../../app/session";
import { PageHeader } from "../../../components/PageHeader";
import { ClaimList } from "./ClaimList";
import { ClaimQueue } from "./ClaimQueue";

export function ClaimsPage() {
  const { can } = useSession();
  const [{ view }, setFilters] = useFilters(["view"]);
  const mayReview = can("claims:adjudicate");
  const shown = mayReview && view !== "all" ? "queue" : "all";
  return (
    <>
      <PageHeader title="Claims" description={mayReview ? "Review the queue in order, or find any claim." : "Find any claim."} />
      <Tabs value={shown} onChange={(next) => setFilters({ view: next === "all" ? "all" : null })} keepMounted={false}>
        <Tabs.List mb="md">
          {mayReview && <Tabs.Tab value="queue">Review queue</Tabs.Tab>}
          <Tabs.Tab value="all">All claims</Tabs.Tab>
        </Tabs.List>
        {mayReview && (
          <Tabs.Panel value="queue">
            <ClaimQueue />
          </Tabs.Panel>
        )}
        <Tabs.Panel value="all">
          <ClaimList />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
