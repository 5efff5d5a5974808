/**
 * One `Idempotency-Key` per thing being created: a retry, a double click or a resend after
 * a lost answer carries the same key, so the server files it once and answers as the first
 * time. A new key only once it is done (or the form is started afresh).
 */
import { useCallback, useState } from "react";

export function useIdempotencyKey(): { key: string; renew: () => void } {
  const [key, setKey] = useState(() => crypto.randomUUID());
  const renew = useCallback(() => setKey(crypto.randomUUID()), []);
  return { key, renew };
}
