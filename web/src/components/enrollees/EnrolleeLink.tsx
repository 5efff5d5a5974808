/** An enrollee's name and Member ID, linked to their screen in the portal at hand. */
import { Anchor } from "@mantine/core";
import { Link } from "react-router-dom";

import { fullName, useEnrollee } from "./queries";

export function EnrolleeLink({ enrolleeId, base }: { enrolleeId: string; base: string }) {
  const enrollee = useEnrollee(enrolleeId);
  return (
    <Anchor component={Link} to={`${base}/${enrolleeId}`} onClick={(event) => event.stopPropagation()}>
      {enrollee.data ? `${fullName(enrollee.data)} (${enrollee.data.member_id})` : "the enrollee"}
    </Anchor>
  );
}
