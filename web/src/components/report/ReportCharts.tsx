/** A report's trend and breakdowns as charts, one unit per chart (money apart from ratios). */
import { BarChart, LineChart } from "@mantine/charts";
import { Paper, SegmentedControl, Stack, Text } from "@mantine/core";
import { useState } from "react";

import type { Schemas } from "../../api/types";
import { formatMonth } from "../../app/format";
import { axisValue, formatValue, type Unit } from "./units";

const PALETTE = ["brand.6", "orange.6", "grape.6", "teal.6", "red.6", "indigo.6"];

const UNIT_NAMES: Partial<Record<Unit, string>> = { money: "Amounts", ratio: "Ratios", count: "Counts", rate: "Rates", days: "Durations" };

function unitsOf(series: Schemas["Series"][]): Unit[] {
  return [...new Set(series.map((s) => s.unit))];
}

function UnitPicker({ units, value, onChange }: { units: Unit[]; value: Unit; onChange: (unit: Unit) => void }) {
  if (units.length < 2) return null;
  return (
    <SegmentedControl size="xs" value={value} onChange={(picked) => onChange(picked as Unit)} data={units.map((unit) => ({ value: unit, label: UNIT_NAMES[unit] ?? unit }))} />
  );
}

export function TrendChart({ trend, currency, title = "Trend by month" }: { trend: Schemas["Trend"]; currency: string; title?: string }) {
  const units = unitsOf(trend.series);
  const [unit, setUnit] = useState<Unit>(units[0] ?? "count");
  const shown = trend.series.filter((s) => s.unit === unit);
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="xs">
        <Text fw={700}>{title}</Text>
        <UnitPicker units={units} value={unit} onChange={setUnit} />
        <LineChart
          h={260}
          data={trend.points.map((point) => ({ ...point, month: formatMonth(String(point.month)) }))}
          dataKey="month"
          series={shown.map((s, i) => ({ name: s.key, label: s.label, color: PALETTE[i % PALETTE.length] ?? "brand.6" }))}
          valueFormatter={(value) => axisValue(value, unit, currency)}
          withLegend
          curveType="monotone"
          connectNulls={false}
          role="img"
          aria-label={`${title}: ${shown.map((s) => s.label).join(", ")}`}
        />
      </Stack>
    </Paper>
  );
}

export function BreakdownChart({ breakdown, currency }: { breakdown: Schemas["Breakdown"]; currency: string }) {
  const units = unitsOf(breakdown.series);
  const [unit, setUnit] = useState<Unit>(units[0] ?? "count");
  const shown = breakdown.series.filter((s) => s.unit === unit);
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="xs">
        <Text fw={700}>{breakdown.label}</Text>
        <UnitPicker units={units} value={unit} onChange={setUnit} />
        {breakdown.items.length === 0 ? (
          <Text c="dimmed" size="sm">Nothing in this period.</Text>
        ) : (
          <BarChart
            h={Math.max(180, breakdown.items.length * 34)}
            orientation="vertical"
            data={breakdown.items.map((item) => ({ ...item, label: String(item.label ?? item.key) }))}
            dataKey="label"
            series={shown.map((s, i) => ({ name: s.key, label: s.label, color: PALETTE[i % PALETTE.length] ?? "brand.6" }))}
            valueFormatter={(value) => formatValue(value, unit, currency)}
            yAxisProps={{ width: 140 }}
            withLegend={shown.length > 1}
            role="img"
            aria-label={breakdown.label}
          />
        )}
      </Stack>
    </Paper>
  );
}
