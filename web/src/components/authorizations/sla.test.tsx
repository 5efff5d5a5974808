import { MantineProvider } from "@mantine/core";
import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Pa } from "./columns";
import { SlaCountdown } from "./sla";

const NOW = Date.parse("2026-12-07T12:00:00Z");

function pa(status: Pa["status"], dueInSeconds: number): Pa {
  return { status, sla_due_at: new Date(NOW + dueInSeconds * 1000).toISOString(), breached_at: null } as Pa;
}

function show(authorization: Pa) {
  render(<MantineProvider><SlaCountdown pa={authorization} seconds /></MantineProvider>);
}

describe("the SLA clock", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it("ticks each second while the PA awaits a decision", () => {
    show(pa("IN_REVIEW", 90));
    expect(screen.getByTestId("sla-countdown").textContent).toBe("in 1 min 30 s");
    act(() => void vi.advanceTimersByTime(1000));
    expect(screen.getByTestId("sla-countdown").textContent).toBe("in 1 min 29 s");
  });

  it("counts up once overdue", () => {
    show(pa("SUBMITTED", -65));
    expect(screen.getByTestId("sla-countdown").textContent).toBe("1 min 5 s overdue");
  });

  it("stops once the PA is decided", () => {
    show(pa("APPROVED", 90));
    expect(screen.queryByTestId("sla-countdown")).toBeNull();
  });
});
