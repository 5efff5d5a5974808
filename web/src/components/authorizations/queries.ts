/** One PA as the API shows it to the caller: the HMO's full detail, or the provider's
 * narrower one (the caller names which). */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../api/client";
import type { Schemas } from "../../api/types";

export function useAuthorization<Detail extends Schemas["ProviderAuthorizationDetail"]>(id: string) {
  return useQuery({
    queryKey: ["authorizations", id],
    queryFn: async () =>
      dataOf(await api.GET("/api/authorizations/{authorization_id}", { params: { path: { authorization_id: id } } })) as Detail,
  });
}
