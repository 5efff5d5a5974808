/** The provider's network links (every query under "network", what live events refresh). */
import type { Schemas } from "../../../api/types";

export type Link = Schemas["LinkRead"];

export const NETWORK_KEY = ["network"] as const;
