import { createTheme, type CSSVariablesResolver, type MantineColorsTuple } from "@mantine/core";

/** Ten shades around one colour (the tenant's primary), light to dark, for Mantine. */
export function shadesOf(hex: string): MantineColorsTuple {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  const mix = (weight: number) => {
    const toward = weight < 0 ? 255 : 0;
    const w = Math.abs(weight);
    const channel = (c: number) => Math.round(c + (toward - c) * w).toString(16).padStart(2, "0");
    return `#${channel(r)}${channel(g)}${channel(b)}`;
  };
  return [mix(-0.9), mix(-0.75), mix(-0.6), mix(-0.4), mix(-0.2), mix(0), mix(0.12), mix(0.25), mix(0.38), mix(0.5)];
}

export const DEFAULT_PRIMARY = "#0b7285";

export function themeFor(primary: string | null | undefined) {
  const colour = /^#[0-9a-fA-F]{6}$/.test(primary ?? "") ? (primary as string) : DEFAULT_PRIMARY;
  return createTheme({
    primaryColor: "brand",
    colors: { brand: shadesOf(colour) },
    primaryShade: 6,
    defaultRadius: "md",
    fontFamily: "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  });
}

/** Mantine's dimmed grey is under WCAG's 4.5:1 on white; this one reads (6:1). */
export const readableVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: { "--mantine-color-dimmed": "#5c636a" },
  dark: {},
});
