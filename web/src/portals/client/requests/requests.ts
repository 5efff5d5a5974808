/** A client's change requests: sending one, and their status in the client's words. */
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";

export type Request = Schemas["ChangeRequestRead"];
export type RequestBody = Schemas["AddDependantRequest"] | Schemas["EditEnrolleeRequest"] | Schemas["DeleteDependantRequest"];

/** Nothing is done until the HMO decides: the client's words say so. */
export const REQUEST_STATUS: Record<Request["status"], string> = {
  PENDING: "Awaiting the HMO",
  APPROVED: "Approved by the HMO",
  DECLINED: "Declined by the HMO",
};

export async function askChange(body: RequestBody): Promise<Request> {
  return dataOf(await api.POST("/api/change-requests", { body }));
}

/** After a request is sent: said in words, and the lists that show requests read again. */
export function useRequestSent() {
  const queryClient = useQueryClient();
  return useCallback(() => {
    notifications.show({
      color: "blue",
      title: "Request sent to the HMO",
      message: "Nothing changes until the HMO approves it; you will be told here.",
      closeButtonProps: { "aria-label": "Dismiss" },
    });
    void queryClient.invalidateQueries({ queryKey: ["change-requests"] });
  }, [queryClient]);
}
