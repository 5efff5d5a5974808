/** Short names for the generated schemas the screens use most. */
import type { components } from "./schema";

export type Schemas = components["schemas"];
export type Me = Schemas["MeRead"];
export type Notification = Schemas["NotificationRead"];
